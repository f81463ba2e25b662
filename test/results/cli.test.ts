/** `lmms-tui results …` through the shipped bundle (dist/cli.js), on the fixtures and on a real demo job. */
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK } from '../../src/core/redact.js';
import { cleanupHomes, cli, client, newHome } from '../server/helpers.js';

const FIXTURES = path.resolve('test/fixtures/results-runs');
let env: NodeJS.ProcessEnv;
let home: string;
let logs: string;
let runA: string;
let runB: string;

const json = async (args: string[]): Promise<any> => {
  const r = await cli([...args, '--json'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  ({ env, home } = await newHome());
  logs = path.join(home, 'logs');
  cpSync(FIXTURES, logs, { recursive: true });
  const add = await cli(['results', 'add', logs], env);
  expect(add.code).toBe(0);
  const { runs } = await json(['results', 'list']);
  runA = runs.find((r: { model: string }) => r.model === 'lmms-lab/llava-a').id;
  runB = runs.find((r: { model: string }) => r.model === 'lmms-lab/llava-b').id;
});
afterAll(() => cleanupHomes());

describe('lmms-tui results', () => {
  it('add persists the folder; list shows every run, the unreadable one with its error', async () => {
    expect(await json(['results', 'add'])).toEqual({ folders: [logs] });
    const text = await cli(['results', 'list'], env);
    expect(text.stdout.split('\n')[0]).toMatch(/^RUN\s+DATE\s+HARNESS\s+MODEL\s+TASKS\s+JOB$/);
    expect(text.stdout).toMatch(/lm-eval\s+EleutherAI\/pythia-160m\s+arc_easy,squad_f1/);
    expect(text.stdout).toMatch(/unreadable: results file .*20261203_000000_results\.json is not valid JSON/);
    const only = await json(['results', 'list', '--model', 'pythia']);
    expect(only.runs.map((r: { model: string }) => r.model).sort()).toEqual(['EleutherAI/pythia-160m', 'EleutherAI/pythia-410m']);
    const bad = await cli(['results', 'add', path.join(home, 'missing')], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no such folder');
  });

  it('show names the samples files and masks secrets in model_args', async () => {
    const { run, metrics } = await json(['results', 'show', runA]);
    expect(Object.keys(run.samplesFiles).sort()).toEqual(['mmbench_cn', 'mmbench_en', 'pope']);
    expect(run.modelArgs).toContain(`api_key=${MASK}`);
    expect(metrics.map((m: { task: string; depth: number }) => `${m.depth}:${m.task}`)).toEqual(['0:mmbench', '1:mmbench_en', '1:mmbench_cn', '0:pope', '0:pope']);
    const text = await cli(['results', 'show', runA], env);
    expect(text.stdout).not.toContain('sk-abcdefghij');
    expect(text.stdout).toMatch(/\n {4}mmbench_en\s+acc\s+none\s+0\s+40\s+0\.\d{4}/);
  });

  it('samples pages and filters; an unknown task names the tasks that have samples', async () => {
    const file = path.join(logs, 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_samples_pope.jsonl');
    const wrong = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.pope_accuracy === 0);
    const page2 = await json(['results', 'samples', runA, 'pope', '--where', 'pope_accuracy=0', '--page', '2', '--page-size', '3']);
    expect(page2.matched).toBe(wrong.length);
    expect(page2.samples.map((s: { docId: number }) => s.docId)).toEqual(wrong.slice(3, 6).map((r) => r.doc_id));
    const text = await cli(['results', 'samples', runA, 'pope', '--page-size', '1'], env);
    expect(text.stdout).toMatch(/^doc 0 {2}pope_accuracy=/);
    expect(text.stdout).toContain('media     /data/pope/img_0000.jpg');
    expect(text.stdout).toContain('page 1/60 · 60 samples');
    const bad = await cli(['results', 'samples', runA, 'nope'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('tasks with samples: mmbench_cn, mmbench_en, pope');
    const badWhere = await cli(['results', 'samples', runA, 'pope', '--where', 'acc is 0'], env);
    expect(badWhere.code).toBe(2);
  });

  it('samples --rerun: lm-eval gets exactly the docs (--samples), lmms-eval the covering --offset/--limit, said so', async () => {
    const { runs } = await json(['results', 'list', '--model', 'pythia-160m']);
    const lme = runs[0];
    const file = lme.samplesFiles.arc_easy;
    const wrong = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.acc === 0).map((r) => r.doc_id);
    const r = await cli(['results', 'samples', lme.id, 'arc_easy', '--where', 'acc=0', '--rerun'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--samples '${JSON.stringify({ arc_easy: wrong })}'`);
    expect(r.stdout).toMatch(/^lmms-tui run --harness lm-eval -M hf -a pretrained=EleutherAI\/pythia-160m,dtype=float16 -t arc_easy --log_samples/);
    const popeWrong = readFileSync(path.join(logs, 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_samples_pope.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.pope_accuracy === 0).map((x) => x.doc_id);
    const lo = Math.min(...popeWrong);
    const hi = Math.max(...popeWrong);
    const m = await cli(['results', 'samples', runA, 'pope', '--where', 'pope_accuracy=0', '--rerun'], env);
    expect(m.stdout).toContain(`--offset ${lo} --limit ${hi - lo + 1}`);
    expect(m.stdout).toContain(`lmms-eval has no --samples: --offset ${lo} --limit ${hi - lo + 1} re-runs docs ${lo}-${hi}, ${hi - lo + 1 - popeWrong.length} more than the ${popeWrong.length} chosen`);
    // The recorded api_key stays masked, and the command says to put it back.
    expect(m.stdout).toContain('model_args hold masked secrets');
    expect(m.stdout).not.toContain('sk-abcdefghij');
  });

  it('compare prints the matrix with methods and MDE; export writes every format', async () => {
    const c = await json(['results', 'compare', runA, runB]);
    expect(c.runs.map((r: { id: string }) => r.id)).toEqual([runA, runB]);
    expect(c.rows.find((r: { task: string }) => r.task === 'pope').cells[1].stat.method).toBe('mcnemar');
    const text = await cli(['results', 'compare', runA, runB, '--chart', '--ascii'], env);
    expect(text.stdout.split('\n')[0]).toMatch(/^TASK\s+METRIC\s+lmms-lab\/llava-a \(base\)\s+lmms-lab\/llava-b\s+METHOD\s+MDE$/);
    expect(text.stdout).toMatch(/pope\s+pope_accuracy\s+0\.\d{4}\s+0\.\d{4} \([+-]0\.\d{4}\*?\)\s+mcnemar\s+0\.\d{4}/);
    expect(text.stdout).toMatch(/lmms-lab\/llava-b\s+#+/);
    const based = await json(['results', 'compare', runA, runB, '--baseline', runB]);
    expect(based.baseline).toBe(1);
    for (const [format, probe] of [['md', '| Task |'], ['csv', 'task,depth,group'], ['latex', '\\begin{tabular}'], ['json', '"method_notes"'], ['svg', '<svg']] as const) {
      const out = path.join(home, `cmp.${format}`);
      const r = await cli(['results', 'export', runA, runB, '--format', format, '-o', out], env);
      expect(r.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain(probe);
    }
    const one = await cli(['results', 'compare', runA], env);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('at least two runs');
  });

  it("a job's output path is a source: the run of a real demo job carries its job id and samples", async () => {
    const c = await client(env);
    try {
      const id = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '4', '--log_samples'], env)).stdout.trim();
      await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 });
      const { runs } = await json(['results', 'list']);
      const mine = runs.filter((r: { jobId: string | null }) => r.jobId === id);
      expect(mine).toHaveLength(1);
      expect(Object.keys(mine[0].samplesFiles)).toEqual(['demo_mme']);
      const { run } = await json(['results', 'show', id]);
      expect(run.id).toBe(mine[0].id);
      const page = await json(['results', 'samples', id, 'demo_mme']);
      expect(page.total).toBe(4);
    } finally {
      c.close();
    }
  });
});
