/**
 * lm-eval 0.4.13 for real (its `dummy` model, our offline tasks in test/fixtures/real-tasks/lm-eval),
 * through the shipped CLI and the per-user server: the outcome, the metrics, the samples files and the
 * progress lmms-tui reports must be what the harness itself did.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { cli } from '../server/helpers.js';
import { followToEnd, metricsOfFile, sortRows, useRealSession } from './jobs.js';
import { describeReal } from './venvs.js';

const LONG = 300_000;

describeReal(['lm-eval'], 'lm-eval for real', (py) => {
  let env: NodeJS.ProcessEnv;
  let c: LmmsClient;
  let tasks: string;
  const python = () => py['lm-eval'];
  const spec = (over: Partial<EvalSpec>): EvalSpec => ({ harness: 'lm-eval', python: python(), model: 'dummy', tasks: ['lmtui_group'], include_path: path.join(tasks, 'lm-eval'), ...over }) as EvalSpec;

  useRealSession((s) => ({ env, c, tasks } = s));

  it(
    'run --wait through the CLI: succeeded, metrics equal to the results file, --log_samples files named by show --json',
    async () => {
      const out = path.join(tasks, 'out-cli');
      const run = await cli(['run', '--harness', 'lm-eval', '--python', python(), '--model', 'dummy', '--tasks', 'lmtui_group', '--include_path', path.join(tasks, 'lm-eval'), '--output_path', out, '--log_samples', '--wait'], env);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const id = /\bjob ([0-9a-f]{6,})\b/.exec(run.stderr)?.[1];
      expect(id, run.stderr).toBeTruthy();
      const job = { id: id! };
      const show = JSON.parse((await cli(['show', job.id, '--json'], env)).stdout);
      expect(show.state).toBe('succeeded');
      expect(show.result.files).toHaveLength(1);
      const file = show.result.files[0] as string;
      expect(path.basename(file)).toMatch(/^results_\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d+\.json$/);
      const fromFile = metricsOfFile(file);
      expect(fromFile.map((r) => `${r.task}/${r.metric}`)).toEqual(expect.arrayContaining(['lmtui_gen/exact_match', 'lmtui_mc/acc']));
      // A group without aggregate metrics is a heading row in the API's tree (metric ''), not a metric of the file.
      const ours = sortRows((show.result.metrics as (typeof fromFile[number] & { metric: string })[]).filter((m) => m.metric !== '')).map(({ task, metric, filter, value, stderr }) => ({ task, metric, filter, value, stderr }));
      expect(ours).toEqual(fromFile);
      // The dummy model answers "lol" to everything: right on one of the four rows.
      expect(fromFile.find((r) => r.task === 'lmtui_gen')!.value).toBe(0.25);
      const stamp = path.basename(file).slice('results_'.length, -'.json'.length);
      expect((show.result.samples as string[]).map((f) => path.basename(f))).toEqual([`samples_lmtui_gen_${stamp}.jsonl`, `samples_lmtui_mc_${stamp}.jsonl`]);
      for (const f of show.result.samples as string[]) expect(existsSync(f)).toBe(true);
      const text = await cli(['show', job.id], env);
      expect(text.stdout).toMatch(/samples\n\s+\S+samples_lmtui_gen_/);
    },
    LONG,
  );

  it(
    'submitted to the server: progress from the real tqdm bars reaches 100 %',
    async () => {
      const { id } = await c.submit(spec({ tasks: ['lmtui_mc'], output_path: path.join(tasks, 'out-api') }));
      const { progress, job } = await followToEnd(c, id);
      expect(job.state).toBe('succeeded');
      // lm-eval's request bars are unlabelled tqdm bars; the last one (loglikelihood, 4 docs x 3 choices) ends at 12/12.
      expect(progress.length).toBeGreaterThan(0);
      const last = progress.at(-1)!;
      expect(last).toMatchObject({ percent: 100, n: 12, total: 12 });
      expect((await c.result(id)).samples).toEqual([]);
    },
    LONG,
  );

  it(
    'failures are judged failed, with the reason: unknown task, missing dataset file, a YAML syntax error; bad --model_args is refused before it queues',
    async () => {
      const errors = path.join(tasks, 'lm-eval-errors');
      const cases = [
        { what: 'unknown task', spec: spec({ tasks: ['lmtui_no_such_task'] }), expect: /Tasks not found: lmtui_no_such_task/ },
        { what: 'missing dataset file', spec: spec({ tasks: ['lmtui_nodata'], include_path: errors }), expect: /Unable to find '.*no-such-file\.jsonl'/ },
        // lm-eval's indexer skips a file it cannot parse, so the task it defines is not found.
        { what: 'YAML syntax error', spec: spec({ tasks: ['lmtui_broken'], include_path: errors }), expect: /Tasks not found: lmtui_broken/ },
      ];
      // A model_args item without '=' (the harness's own argparse refuses it after start-up) is refused by core
      // validation before it queues, naming the field and the fix.
      await expect(c.submit(spec({ model_args: 'notakeyvalue' }))).rejects.toThrow(/model_args: "notakeyvalue" has no "="/);
      const ids = await Promise.all(cases.map(async (k) => (await c.submit(k.spec)).id));
      for (const [i, k] of cases.entries()) {
        const { job, lines } = await followToEnd(c, ids[i]!);
        expect(job.state, k.what).toBe('failed');
        expect(job.results, k.what).toEqual([]);
        expect(job.exit_code, k.what).not.toBe(0);
        expect([job.error ?? '', ...job.error_tail].join('\n'), k.what).toMatch(k.expect);
        expect(lines.join('\n'), k.what).toMatch(k.expect);
      }
    },
    LONG,
  );
});
