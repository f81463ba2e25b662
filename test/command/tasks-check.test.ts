/**
 * Unknown task names are refused before anything is queued, with suggestions, by the core check every
 * face uses (here: the demo harness's real task index, and the shipped CLI's `run` and `preview`).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSpecTasks, suggestTasks, taskIndexForSpec, taskProblems } from '../../src/core/command/tasks-check.js';
import type { TaskIndex } from '../../src/core/discovery/index.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { cli, newHome } from '../server/helpers.js';

let index: TaskIndex;
let home: string;
let env: NodeJS.ProcessEnv;
const spec = (tasks: string[], over: Partial<EvalSpec> = {}): EvalSpec => ({ harness: 'lmms-eval', model: 'demo', tasks, demo: true, ...over });

beforeAll(async () => {
  ({ home, env } = await newHome());
  process.env.LMMS_TUI_HOME = home;
  index = (await taskIndexForSpec(spec(['demo_mme']), { cwd: home })).index;
});
afterAll(async () => {
  await cli(['server', 'stop'], env);
  rmSync(home, { recursive: true, force: true });
});

describe('task names checked against the index', () => {
  it('accepts tasks, groups, tags and patterns that match', () => {
    expect(taskProblems(index, spec(['demo_mme', 'demo_mmmu', 'demo_mmmu_*']))).toEqual([]);
  });

  it('refuses an unknown name with the closest names, and a pattern that matches nothing', () => {
    expect(suggestTasks(index, 'demo_mmee')[0]).toBe('demo_mme');
    const problems = taskProblems(index, spec(['demo_mmee', 'demo_zz*']));
    expect(problems.map((p) => p.field)).toEqual(['tasks', 'tasks']);
    expect(problems[0]!.message).toMatch(/^unknown task "demo_mmee"; did you mean demo_mme\b.*\?$/);
    expect(problems[0]!.fix).toContain('--allow-unknown-tasks');
    expect(problems[1]!.message).toBe('pattern "demo_zz*" matches no task (lmms-eval would drop it without a word)');
  });

  it('does not refuse a task added since the index was cached: a disagreeing cache is revalidated', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lmms-include-'));
    try {
      writeFileSync(path.join(dir, 'first.yaml'), 'task: inc_first\ndataset_path: x\n');
      const withInclude = (tasks: string[]) => spec(tasks, { include_path: dir });
      expect(await checkSpecTasks(withInclude(['inc_first']), { cwd: home })).toEqual([]);
      writeFileSync(path.join(dir, 'second.yaml'), 'task: inc_second\ndataset_path: x\n');
      expect(await checkSpecTasks(withInclude(['inc_second']), { cwd: home })).toEqual([]);
      expect((await checkSpecTasks(withInclude(['inc_secnod']), { cwd: home })).map((p) => p.message)).toEqual(['unknown task "inc_secnod"; did you mean inc_second?']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run refuses before queueing (exit 2), preview too; --allow-unknown-tasks lets both through', async () => {
    const run = await cli(['run', '--demo', '-t', 'demo_mme,demo_mmee'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('tasks: unknown task "demo_mmee"; did you mean demo_mme');
    const jobs = await cli(['jobs', '--json'], env);
    expect(JSON.parse(jobs.stdout)).toEqual([]);
    const preview = await cli(['preview', '--demo', '-t', 'demo_mmee'], env);
    expect(preview.code).toBe(2);
    expect(preview.stdout).toBe('');
    expect(preview.stderr).toContain('did you mean demo_mme');
    const allowed = await cli(['preview', '--demo', '-t', 'demo_mmee', '--allow-unknown-tasks'], env);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('--tasks demo_mmee');
    const queued = await cli(['run', '--demo', '-t', 'demo_mmee', '--allow-unknown-tasks'], env);
    expect(queued.code).toBe(0);
    expect(queued.stdout.trim()).toMatch(/^[0-9a-f]{8}$/);
  });

  it('says when the names could not be checked (no harness for that interpreter), and previews anyway', async () => {
    const r = await cli(['preview', '--python', '/nonexistent/python3', '-t', 'mme'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: task names not checked \(/);
    // A set-up line is never run just to check names: without an index cached for it, a note (and no secret).
    const marker = path.join(home, 'setup-ran');
    const s = await cli(['preview', '--setup', `touch ${marker}; export MY_PASSWORD=pw-note-secret`, '-t', 'mme'], env);
    expect(s.code).toBe(0);
    expect(s.stderr).toContain('note: task names not checked: no task index is cached for this set-up line yet');
    expect(s.stdout + s.stderr).not.toContain('pw-note-secret');
    expect(existsSync(marker)).toBe(false);
    // Once `lmms-tui tasks` has indexed it (running the line, as asked), names are checked against it.
    expect((await cli(['tasks', '--demo', '--setup', 'true'], env)).code).toBe(0);
    const checked = await cli(['preview', '--demo', '--setup', 'true', '-t', 'demo_mmee'], env);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain('did you mean demo_mme');
  });
});
