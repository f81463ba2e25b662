import { cpSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MASK } from '../../src/core/redact.js';
import { findRun, indexRuns } from '../../src/core/results/runs.js';
import { openSettings } from '../../src/core/settings.js';
import { tempDir } from '../logs/helpers.js';

const FIXTURES = path.resolve('test/fixtures/results-runs');

let tmp: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
let logs: string;
beforeEach(() => {
  tmp = tempDir('lmms-tui-runs-');
  env = { LMMS_TUI_HOME: path.join(tmp.dir, 'home') };
  logs = path.join(tmp.dir, 'logs');
  cpSync(FIXTURES, logs, { recursive: true });
});
afterEach(() => tmp.cleanup());

describe('indexRuns', () => {
  it('lists both layouts, a hand-made run and a half-written file with its error', () => {
    const idx = indexRuns({ env, folders: [logs] });
    const rel = (f: string): string => path.relative(logs, f);
    expect(idx.runs.map((r) => rel(r.file)).sort()).toEqual([
      'hand-made/my-eval/20260315_120000_results.json',
      'lm-eval/out/EleutherAI__pythia-160m/results_2026-12-01T10-10-10.123456.json',
      'lm-eval/out/EleutherAI__pythia-410m/results_2026-12-02T09-00-00.5.json',
      'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_results.json',
      'lmms-eval/logs/lmms-lab__llava-b/20261202_111111_results.json',
      'truncated/logs/m/20261203_000000_results.json',
    ]);
    const lmms = idx.runs.find((r) => r.model === 'lmms-lab/llava-a')!;
    expect(lmms).toMatchObject({
      harness: 'lmms-eval', version: '0.7.2', modelType: 'llava', limit: 60, date: '2026-12-01T10:10:10', durationSeconds: 60.5, gitHash: '75571cf', jobId: null, error: null,
      tasks: ['mmbench_en', 'mmbench_cn', 'pope'], groups: [{ name: 'mmbench', members: ['mmbench_en', 'mmbench_cn'] }],
      nShot: { pope: 0, mmbench_en: 0, mmbench_cn: 0 }, nSamples: { pope: 60, mmbench_en: 40, mmbench_cn: 40 },
    });
    // The api_key in model_args never leaves the core in clear.
    expect(lmms.modelArgs).toContain(`api_key=${MASK}`);
    expect(JSON.stringify(idx.runs)).not.toContain('sk-abcdefghij');
    expect(readFileSync(path.join(env.LMMS_TUI_HOME!, 'cache/results/runs.json'), 'utf8')).not.toContain('sk-abcdefghij');
    expect(Object.keys(lmms.samplesFiles).sort()).toEqual(['mmbench_cn', 'mmbench_en', 'pope']);
    const lme = idx.runs.find((r) => r.model === 'EleutherAI/pythia-160m')!;
    expect(lme).toMatchObject({ harness: 'lm-eval', version: '0.4.13', modelArgs: 'pretrained=EleutherAI/pythia-160m,dtype=float16', nShot: { arc_easy: 0, squad_f1: 3 }, date: '2026-12-01T10:10:10.100Z' });
    expect(Object.keys(lme.samplesFiles).sort()).toEqual(['arc_easy', 'squad_f1']);
    expect(path.basename(lme.samplesFiles.arc_easy!)).toBe('samples_arc_easy_2026-12-01T10-10-10.123456.jsonl');
    const hand = idx.runs.find((r) => r.file.includes('hand-made'))!;
    expect(hand).toMatchObject({ model: '/ckpt/step-1000', tasks: ['my_task'], error: null, samplesFiles: {} });
    const broken = idx.runs.find((r) => r.file.includes('truncated'))!;
    expect(broken.error).toMatch(/not valid JSON/);
  });

  it('re-parses only new or rewritten files and drops removed ones', () => {
    const first = indexRuns({ env, folders: [logs] });
    expect(first).toMatchObject({ parsed: 6, fromCache: 0 });
    expect(indexRuns({ env, folders: [logs] })).toMatchObject({ parsed: 0, fromCache: 6 });
    // A new run appears without the others being read again.
    const src = path.join(logs, 'hand-made/my-eval/20260315_120000_results.json');
    mkdirSync(path.join(logs, 'hand-made/second'));
    writeFileSync(path.join(logs, 'hand-made/second/20260316_120000_results.json'), readFileSync(src, 'utf8').replace('0.42', '0.47'));
    const third = indexRuns({ env, folders: [logs] });
    expect(third).toMatchObject({ parsed: 1, fromCache: 6 });
    expect(third.runs).toHaveLength(7);
    // The half-written file finished writing: parsed again, and now it is a run.
    const done = path.join(logs, 'truncated/logs/m/20261203_000000_results.json');
    writeFileSync(done, readFileSync(path.join(logs, 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_results.json')));
    const t = statSync(done).mtimeMs / 1000 + 5;
    utimesSync(done, t, t);
    const fourth = indexRuns({ env, folders: [logs] });
    expect(fourth.parsed).toBe(1);
    expect(fourth.runs.find((r) => r.file === done)!.error).toBeNull();
    rmSync(path.join(logs, 'hand-made/second'), { recursive: true });
    const fifth = indexRuns({ env, folders: [logs] });
    expect(fifth).toMatchObject({ parsed: 0, fromCache: 6 });
    expect(Object.keys(JSON.parse(readFileSync(path.join(env.LMMS_TUI_HOME!, 'cache/results/runs.json'), 'utf8')).files)).toHaveLength(6);
  });

  it('a missing folder is a problem, not a failure; a damaged cache is a cold start', () => {
    mkdirSync(path.join(env.LMMS_TUI_HOME!, 'cache/results'), { recursive: true });
    writeFileSync(path.join(env.LMMS_TUI_HOME!, 'cache/results/runs.json'), '{"schema":1,"files":');
    const idx = indexRuns({ env, folders: [logs, path.join(tmp.dir, 'nope')] });
    expect(idx.runs).toHaveLength(6);
    expect(idx.problems).toEqual([{ path: path.join(tmp.dir, 'nope'), message: 'no such folder' }]);
  });

  it("every job's output path is a source, and its runs carry the job id", () => {
    const jobDir = path.join(env.LMMS_TUI_HOME!, 'jobs', 'j-abc123');
    mkdirSync(jobDir, { recursive: true });
    const out = path.join(logs, 'lm-eval/out');
    writeFileSync(path.join(jobDir, 'job.json'), JSON.stringify({ schema: 1, id: 'j-abc123', output_path: out }));
    const idx = indexRuns({ env });
    expect(idx.runs.map((r) => r.jobId)).toEqual(['j-abc123', 'j-abc123']);
    // Found through a folder too, the run still names its job.
    const both = indexRuns({ env, folders: [logs] });
    expect(both.runs.filter((r) => r.jobId === 'j-abc123')).toHaveLength(2);
    expect(findRun(both.runs, 'j-abc123').file).toContain('pythia');
  });

  it('finds a run by id prefix, path or job id, and names the fix when nothing matches', () => {
    const { runs } = indexRuns({ env, folders: [logs] });
    const r = runs[0]!;
    expect(findRun(runs, r.id.slice(0, 6)).file).toBe(r.file);
    expect(findRun(runs, r.file).id).toBe(r.id);
    expect(() => findRun(runs, 'zzzz')).toThrow(/no run "zzzz"/);
  });

  it('persists added folders in the settings', () => {
    const s = openSettings({ env });
    expect(s.addResultsFolder(logs)).toBe(true);
    expect(s.addResultsFolder(`${logs}/`)).toBe(false);
    expect(openSettings({ env }).resultsFolders()).toEqual([logs]);
    expect(openSettings({ env }).removeResultsFolder(logs)).toBe(true);
    expect(openSettings({ env }).resultsFolders()).toEqual([]);
  });
});
