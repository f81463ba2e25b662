import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildIndex, type TaskEntry, type TaskIndex } from '../../src/core/discovery/index.js';
import { ConfigLoader } from '../../src/core/discovery/configs.js';
import { walkTaskRoot } from '../../src/core/discovery/walk.js';

const F = fileURLToPath(new URL('../fixtures/discovery/', import.meta.url));
const LMMS = path.join(F, 'lmms', 'tasks');
const LMMS_INC = path.join(F, 'lmms', 'include');
const LM = path.join(F, 'lm', 'tasks');
const LM_INC = path.join(F, 'lm', 'include');

function get(index: TaskIndex, name: string): TaskEntry {
  const e = index.entries.find((x) => x.name === name);
  if (!e) throw new Error(`${name} is not in the index`);
  return e;
}
const names = (index: TaskIndex): string[] => index.entries.map((e) => e.name);
const errorFiles = (index: TaskIndex): string[] => index.errors.map((e) => path.relative(F, e.file)).sort();

describe('lmms-eval rules', () => {
  it('classifies tasks, groups, python tasks and tags, with the detail fields', async () => {
    const index = await buildIndex([LMMS], 'lmms-eval');
    expect(get(index, 'alpha')).toMatchObject({ type: 'group', yaml_path: 'alpha/alpha_group.yaml', members: ['alpha_a', 'alpha_b', 'alpha_c_inline'], metrics: ['exact_match'] });
    expect(get(index, 'py_task')).toMatchObject({ type: 'python_task', yaml_path: 'python/py_task.yaml' });
    expect(get(index, 'alpha_a')).toEqual({
      name: 'alpha_a',
      type: 'task',
      yaml_path: 'alpha/alpha_a.yaml',
      root: LMMS,
      tags: ['alpha_tag', 'shared_tag'],
      output_type: 'generate_until',
      dataset_path: 'org/alpha',
      splits: { test: 'test' },
      metrics: ['exact_match'],
      num_fewshot: 0,
      description: 'Alpha A: the first task',
    });
    // The legacy `group:` key on a task is one more tag in lmms-eval.
    expect(get(index, 'legacy_group')).toMatchObject({ type: 'tag', yaml_path: null, members: ['alpha_b'] });
    expect(get(index, 'alpha_tag')).toMatchObject({ type: 'tag', members: ['alpha_a', 'alpha_b'] });
    expect(names(index)).toEqual([...names(index)].sort());
  });

  it('merges includes: the first listed include wins, own keys win, nested includes resolve from their own folder', async () => {
    const index = await buildIndex([LMMS], 'lmms-eval');
    expect(get(index, 'order_task')).toMatchObject({ output_type: 'from_first', dataset_path: 'first', splits: { test: 'own', validation: 'second_val' } });
    expect(get(index, 'nested_task')).toMatchObject({ output_type: 'mid', dataset_path: 'base/path', num_fewshot: 5 });
    expect(get(index, 'alpha_b')).toMatchObject({ output_type: 'multiple_choice', dataset_name: 'b_subset', dataset_path: 'org/alpha' });
  });

  it('lets the last file read win a duplicate name (a folder before its subfolders)', async () => {
    const index = await buildIndex([LMMS], 'lmms-eval');
    expect(get(index, 'dup_task')).toMatchObject({ yaml_path: 'dup/inner/dup_task_again.yaml', output_type: 'inner', also_defined_in: ['dup/dup_task.yaml'] });
  });

  it('stops registering a task\'s tags at a name that is already a task', async () => {
    const index = await buildIndex([LMMS], 'lmms-eval');
    expect(get(index, 'collide_task').type).toBe('task');
    expect(names(index)).not.toContain('after_collision');
    expect(names(index)).not.toContain('group_tag'); // groups never create tags
  });

  it('lists broken files as errors, skips templates, and indexes everything else', async () => {
    const index = await buildIndex([LMMS], 'lmms-eval');
    expect(errorFiles(index)).toEqual([
      'lmms/tasks/broken/_no_such_template_yaml',
      'lmms/tasks/broken/bad_syntax.yaml',
      'lmms/tasks/broken/empty.yaml',
      'lmms/tasks/broken/group_no_name.yaml',
      'lmms/tasks/broken/list_root.yaml',
      'lmms/tasks/broken/tabs.yaml',
    ]);
    const syntax = index.errors.find((e) => e.file.endsWith('bad_syntax.yaml'))!;
    expect(syntax.line).toBeGreaterThanOrEqual(2);
    expect(index.errors.find((e) => e.file.endsWith('_no_such_template_yaml'))!.message).toContain('included from');
    expect(index.errors.find((e) => e.file.endsWith('tabs.yaml'))!.line).toBe(1);
    expect(index.skipped.map((s) => path.relative(LMMS, s.file))).toEqual(['templates/_template.yaml']);
    for (const n of ['bad_syntax', 'missing_include', 'tab_task']) expect(names(index)).not.toContain(n);
  });

  it('never reads .yml, upper-case .YAML, __pycache__ or .ipynb_checkpoints', async () => {
    const { files } = walkTaskRoot(LMMS, 'lmms-eval');
    expect(files.some((f) => f.startsWith('ignored/'))).toBe(false);
    const index = await buildIndex([LMMS], 'lmms-eval');
    for (const n of ['in_checkpoints', 'yml_extension', 'upper_extension']) expect(names(index)).not.toContain(n);
    // __pycache__ is git-ignored, so that case is made here rather than committed.
    const tmp = mkdtempSync(path.join(tmpdir(), 'lmms-tui-walk-'));
    mkdirSync(path.join(tmp, 'a', '__pycache__'), { recursive: true });
    writeFileSync(path.join(tmp, 'a', '__pycache__', 'cached.yaml'), 'task: in_pycache\n');
    writeFileSync(path.join(tmp, 'a', 'kept.yaml'), 'task: kept\n');
    for (const h of ['lmms-eval', 'lm-eval'] as const) expect(walkTaskRoot(tmp, h).files).toEqual(['a/kept.yaml']);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps the built-in definition over an include path (earlier root wins, whole entries)', async () => {
    const index = await buildIndex([LMMS, LMMS_INC], 'lmms-eval');
    expect(get(index, 'alpha_a')).toMatchObject({ root: LMMS, output_type: 'generate_until', also_defined_in: [path.join(LMMS_INC, 'override', 'alpha_a.yaml')] });
    expect(get(index, 'extra_task')).toMatchObject({ root: LMMS_INC, yaml_path: 'extra/extra_task.yaml' });
    // alpha_tag exists in the first root, so the include root's alpha_tag (with extra_task) is dropped.
    expect(get(index, 'alpha_tag').members).toEqual(['alpha_a', 'alpha_b']);
    expect(get(index, 'extra_tag')).toMatchObject({ root: LMMS_INC, members: ['extra_task'] });
  });
});

describe('lm-eval rules', () => {
  it('merges includes in listed order: the last include wins, own keys win', async () => {
    const index = await buildIndex([LM], 'lm-eval');
    expect(get(index, 'order_task')).toMatchObject({ output_type: 'from_second', dataset_path: 'first', splits: { test: 'own', validation: 'second_val' } });
  });

  it('makes a task with a legacy `group:` key a group, and registers `tag:` of tasks only', async () => {
    const index = await buildIndex([LM], 'lm-eval');
    expect(get(index, 'legacy_group')).toMatchObject({ type: 'group', yaml_path: 'legacy/legacy_member.yaml' });
    expect(names(index)).not.toContain('legacy_member');
    expect(get(index, 'g1')).toMatchObject({ type: 'group', members: ['t_a', 'g1_inline'] });
    expect(names(index)).not.toContain('group_own_tag');
    expect(get(index, 'lm_py').type).toBe('python_task');
  });

  it('lets the first file in sorted order win, and a tag block a later task of the same name', async () => {
    const index = await buildIndex([LM], 'lm-eval');
    expect(get(index, 'dup_lm')).toMatchObject({ yaml_path: 'dup/a_first.yaml', output_type: 'first', also_defined_in: ['dup/b_second.yaml'] });
    expect(get(index, 'clash_name')).toMatchObject({ type: 'tag', members: ['tc_user'], also_defined_in: ['tagclash/bb_clash.yaml'] });
    // t_a (read first) tags itself `t_b`, so the task file t_b.yaml is a duplicate and loses.
    expect(get(index, 't_b')).toMatchObject({ type: 'tag', members: ['t_a'] });
    expect(get(index, 'shared').members).toEqual(['t_a']);
  });

  it('refuses a file included twice in one chain, drops included task_list, and accepts tabs', async () => {
    const index = await buildIndex([LM], 'lm-eval');
    expect(names(index)).not.toContain('diamond_task');
    expect(index.errors.find((e) => e.message.includes('include cycle'))?.message).toContain('diamond.yaml');
    const loaded = new ConfigLoader('lm-eval').load(path.join(LM, 'tasklist', 'tl.yaml'));
    expect(loaded.ok && loaded.config).toMatchObject({ task: 'tl_task', dataset_path: 'base' });
    expect(loaded.ok && 'task_list' in loaded.config).toBe(false);
    // libyaml (lm-eval's loader) accepts a tab after the colon; PyYAML's pure-Python loader (lmms-eval's) does not.
    expect(get(index, 'tabbed_lm').type).toBe('task');
    const lmms = new ConfigLoader('lmms-eval').load(path.join(LM, 'diamond', 'diamond.yaml'));
    expect(lmms.ok).toBe(true);
  });

  it('lists broken files and skips configs with no task or group', async () => {
    const index = await buildIndex([LM], 'lm-eval');
    expect(errorFiles(index)).toEqual(['lm/tasks/broken/bad.yaml', 'lm/tasks/diamond/_d_base_yaml']);
    expect(index.errors[0]!.line).toBeGreaterThanOrEqual(1);
    expect(index.skipped.map((s) => path.relative(LM, s.file))).toEqual(['broken/shape.yaml']);
  });

  it('lets a later include path replace a name whole, whatever its kind', async () => {
    const index = await buildIndex([LM, LM_INC], 'lm-eval');
    expect(get(index, 'order_task')).toMatchObject({ root: LM_INC, output_type: 'from_include', also_defined_in: [path.join(LM, 'order', 'order_task.yaml')] });
    // A tag in the include dir replaces the built-in group of the same name.
    expect(get(index, 'g1')).toMatchObject({ type: 'tag', yaml_path: null, root: LM_INC, members: ['inc_task'] });
  });

  it('walks in sorted path order', () => {
    const { files } = walkTaskRoot(LM, 'lm-eval');
    expect(files).toEqual([...files].sort());
    expect(files).toContain('dup/a_first.yaml');
  });
});

describe('buildIndex', () => {
  it('reports progress and a missing root without failing', async () => {
    const seen: number[] = [];
    const index = await buildIndex([LM, path.join(F, 'no-such-dir')], 'lm-eval', { onProgress: (p) => seen.push(p.done), sliceMs: 0 });
    expect(seen.at(-1)).toBe(index.files);
    expect(index.errors.some((e) => e.file.endsWith('no-such-dir') && /no such directory/.test(e.message))).toBe(true);
    expect(index.entries.length).toBeGreaterThan(5);
  });

  it('yields to the event loop while it works', async () => {
    // Macrotasks only run if the build gives the loop back; a fully synchronous build leaves this at 0.
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const index = await buildIndex([LMMS, LM], 'lmms-eval', { sliceMs: 0 });
    running = false;
    expect(index.files).toBeGreaterThan(16);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('walk order', () => {
  const osWalk = (root: string): string[] | null => {
    const code = `import os, sys, json
out = []
for d, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [x for x in dirs if x not in ("__pycache__", ".ipynb_checkpoints")]
    out += [os.path.relpath(os.path.join(d, f), sys.argv[1]) for f in files if f.endswith(".yaml")]
print(json.dumps(out))`;
    const res = spawnSync('python3', ['-c', code, root]);
    return res.status === 0 ? (JSON.parse(res.stdout.toString()) as string[]) : null;
  };

  it('reads lmms-eval trees in the order os.walk yields them (it decides duplicate winners)', () => {
    const expected = osWalk(LMMS);
    if (!expected) return void console.log('os.walk comparison skipped: no python3');
    expect(walkTaskRoot(LMMS, 'lmms-eval').files).toEqual(expected);
  });
});
