import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildIndex, fnmatch, resolveTasks } from '../../src/core/discovery/index.js';
import type { TaskEntry, TaskIndex } from '../../src/core/discovery/types.js';

const F = fileURLToPath(new URL('../fixtures/discovery/', import.meta.url));

function index(harness: TaskIndex['harness'], entries: Omit<TaskEntry, 'root' | 'yaml_path'>[]): TaskIndex {
  return {
    harness,
    roots: ['/r'],
    entries: entries.map((e) => ({ root: '/r', yaml_path: e.type === 'tag' ? null : `${e.name}.yaml`, ...e })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    errors: [],
    skipped: [],
    files: entries.length,
    built_at: '',
    build_ms: 0,
  };
}

const idx = (h: TaskIndex['harness']): TaskIndex =>
  index(h, [
    { name: 'mmmu_val', type: 'task' },
    { name: 'mmmu_test', type: 'task' },
    { name: 'mme', type: 'task' },
    { name: 'chartqa', type: 'task' },
    { name: 'physical', type: 'python_task' },
    { name: 'mmmu', type: 'group', members: ['mmmu_val', 'mmmu_test'] },
    { name: 'vision', type: 'tag', members: ['chartqa', 'mme'] },
    { name: 'suite', type: 'group', members: ['vision', 'mmmu', 'inline_only'] },
    { name: 'tmmluplus_(level)', type: 'task' },
  ]);

describe('fnmatch', () => {
  const cases: [string, string][] = [
    ['mmmu_val', 'mmmu*'],
    ['mmmu_val', 'MMMU*'],
    ['mmmu_val', 'mm?u_*'],
    ['mmmu_val', '[lm]mmu_val'],
    ['mmmu_val', '[!m]mmu_val'],
    ['a-b', '[a-c]-?'],
    ['z', '[z-a]'],
    ['[x', '[x'],
    ['tmmluplus_(level)', 'tmmluplus_(*)'],
    ['a.b', 'a?b'],
    ['ab', 'a.b'],
    ['line\nbreak', 'line*'],
    ['x]', '[]]*'],
    ['-', '[a-]'],
    ['\\', '[\\]'],
  ];
  it('matches like Python on POSIX (case-sensitive, literal parentheses and dots)', () => {
    const ours = cases.map(([n, p]) => fnmatch(n, p));
    const py = spawnSync('python3', ['-c', 'import sys, json, fnmatch; print(json.dumps([fnmatch.fnmatchcase(n, p) for n, p in json.load(sys.stdin)]))'], {
      input: JSON.stringify(cases),
    });
    if (py.status === 0) expect(ours).toEqual(JSON.parse(py.stdout.toString()));
    expect(ours).toEqual([true, false, true, true, false, true, false, true, true, true, false, true, false, true, true]);
  });
});

describe('resolveTasks', () => {
  it('expands groups and tags (nested) to concrete tasks, per item', () => {
    const r = resolveTasks(idx('lmms-eval'), 'suite,physical');
    expect(r.tasks).toEqual(['chartqa', 'inline_only', 'mme', 'mmmu_test', 'mmmu_val', 'physical']);
    expect(r.expanded.suite).toEqual(['chartqa', 'inline_only', 'mme', 'mmmu_test', 'mmmu_val']);
    expect(r.matched.suite).toEqual(['suite']);
    expect(r.messages).toContain('inline_only is a member of a requested group but not an indexed task');
    expect(r.fatal).toBe(false);
  });

  it('matches wildcards over every name, groups and tags included', () => {
    const r = resolveTasks(idx('lm-eval'), ['mm*', 'vis?on']);
    expect(r.matched['mm*']).toEqual(['mme', 'mmmu', 'mmmu_test', 'mmmu_val']);
    expect(r.tasks).toEqual(['chartqa', 'mme', 'mmmu_test', 'mmmu_val']);
    expect(r.unmatched).toEqual([]);
  });

  it('lmms-eval: drops an unmatched `*` pattern silently, but a plain unknown name is fatal', () => {
    const dropped = resolveTasks(idx('lmms-eval'), 'mme,nothing*');
    expect(dropped).toMatchObject({ tasks: ['mme'], unmatched: ['nothing*'], fatal: false });
    expect(dropped.messages.join('\n')).toMatch(/drops it silently/);
    const unknown = resolveTasks(idx('lmms-eval'), 'mme,nope');
    expect(unknown).toMatchObject({ unmatched: ['nope'], fatal: true });
    expect(unknown.messages).toContain('Tasks not found: nope');
    expect(resolveTasks(idx('lmms-eval'), 'zz*').fatal).toBe(true); // nothing left to run
    expect(resolveTasks(idx('lmms-eval'), 'mme,').unmatched).toEqual(['']); // the empty item is "not found" too
  });

  it('lm-eval: any unmatched item is fatal, values split on commas, .yaml items are files', () => {
    const r = resolveTasks(idx('lm-eval'), ['mme,nothing*', 'my_task.yaml']);
    expect(r).toMatchObject({ unmatched: ['nothing*'], files: ['my_task.yaml'], fatal: true });
  });

  it('flags two requested groups sharing a task (both harnesses refuse that)', () => {
    const ix = index('lmms-eval', [
      { name: 't', type: 'task' },
      { name: 'g1', type: 'group', members: ['t'] },
      { name: 'g2', type: 'group', members: ['t'] },
    ]);
    const r = resolveTasks(ix, 'g1,g2');
    expect(r.fatal).toBe(true);
    expect(r.messages.join('\n')).toMatch(/t is in both g1 and g2/);
  });

  it('resolves against a built index (groups from YAML, tags from tasks)', async () => {
    const built = await buildIndex([path.join(F, 'lmms', 'tasks')], 'lmms-eval');
    const r = resolveTasks(built, 'alpha,shared_tag');
    expect(r.expanded.alpha).toEqual(['alpha_a', 'alpha_b', 'alpha_c_inline']);
    expect(r.expanded.shared_tag).toEqual(['alpha_a']);
  });
});
