/**
 * lmms-eval 0.7.3 for real (its `dummy` model, our offline tasks in test/fixtures/real-tasks/lmms-eval),
 * through the shipped CLI and the per-user server: success with the harness's own metrics, samples and
 * progress; its exit-0 failures judged failed; a `--config` YAML it accepts imported and run; and a stop
 * of an `accelerate launch` run with two processes that leaves none behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { JOB_MARKER_ENV } from '../../src/core/runner/env.js';
import { markedProcesses } from '../../src/core/runner/proc.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { cli, until } from '../server/helpers.js';
import { followToEnd, metricsOfFile, sortRows, useRealSession } from './jobs.js';
import { describeReal, offlineEnv } from './venvs.js';

const LONG = 400_000;
const run = promisify(execFile);

describeReal(['lmms-eval'], 'lmms-eval for real', (py) => {
  let env: NodeJS.ProcessEnv;
  let c: LmmsClient;
  let tasks: string;
  const python = () => py['lmms-eval'];
  const spec = (over: Partial<EvalSpec>): EvalSpec =>
    ({ harness: 'lmms-eval', python: python(), model: 'dummy', tasks: ['lmtui_vgen'], include_path: path.join(tasks, 'lmms-eval'), ...over }) as EvalSpec;

  useRealSession((s) => ({ env, c, tasks } = s));

  it(
    'a group run submitted by the CLI and followed on the server: succeeded, metrics = results file, samples, Model Responding to 100 %',
    async () => {
      const out = path.join(tasks, 'out-cli');
      // read_bytes=1 puts the dummy model in its benchmark mode, which draws the real "Model Responding" bar.
      const sub = await cli(['run', '--python', python(), '--model', 'dummy', '--model_args', 'read_bytes=1', '--tasks', 'lmtui_vgroup', '--include_path', path.join(tasks, 'lmms-eval'), '--output_path', out, '--log_samples'], env);
      expect(sub.code, sub.stderr).toBe(0);
      const id = sub.stdout.trim();
      const { progress, job } = await followToEnd(c, id);
      expect(job.state, job.error ?? '').toBe('succeeded');
      const responding = progress.filter((p) => p.label === 'Model Responding');
      expect(responding.at(-1)).toMatchObject({ percent: 100, n: 8, total: 8 });
      expect(progress.some((p) => p.label === 'Postprocessing' && p.percent === 100)).toBe(true);

      const show = JSON.parse((await cli(['show', id, '--json'], env)).stdout);
      expect(show.state).toBe('succeeded');
      expect(show.result.files).toHaveLength(1);
      const file = show.result.files[0] as string;
      const stamp = /^(\d{8}_\d{6})_results\.json$/.exec(path.basename(file))?.[1];
      expect(stamp, file).toBeTruthy();
      const fromFile = metricsOfFile(file);
      expect(fromFile.filter((r) => r.metric === 'exact_match').map((r) => [r.task, r.value])).toEqual([
        ['lmtui_vgen', 0.25],
        ['lmtui_vgen2', 0.25],
      ]);
      // A group without aggregate metrics is a heading row in the API's tree (metric ''), not a metric of the file.
      const ours = sortRows((show.result.metrics as (typeof fromFile[number] & { metric: string })[]).filter((m) => m.metric !== '')).map(({ task, metric, filter, value, stderr }) => ({ task, metric, filter, value, stderr }));
      expect(ours).toEqual(fromFile);
      expect((show.result.samples as string[]).map((f) => path.basename(f))).toEqual([`${stamp}_samples_lmtui_vgen.jsonl`, `${stamp}_samples_lmtui_vgen2.jsonl`]);
      for (const f of show.result.samples as string[]) expect(existsSync(f)).toBe(true);
    },
    LONG,
  );

  it(
    'its exit-0 failures are judged failed: unknown task, missing dataset file, a YAML syntax error; bad --model_args is refused before it queues',
    async () => {
      const cases = [
        { what: 'unknown task', spec: spec({ tasks: ['lmtui_no_such_task'] }), expect: /Tasks not found: lmtui_no_such_task|lmtui_no_such_task/ },
        { what: 'missing dataset file', spec: spec({ tasks: ['lmtui_nodata'], include_path: path.join(tasks, 'lmms-eval-nodata') }), expect: /no-such-file\.jsonl/ },
        { what: 'YAML syntax error', spec: spec({ include_path: path.join(tasks, 'lmms-eval-broken') }), expect: /lmtui_broken\.yaml", line \d+/ },
      ];
      // An item without '=' is refused by core validation before it queues, naming the field and the fix.
      await expect(c.submit(spec({ model_args: 'notakeyvalue' }))).rejects.toThrow(/model_args: "notakeyvalue" has no "="/);
      const ids = await Promise.all(cases.map(async (k) => (await c.submit(k.spec)).id));
      for (const [i, k] of cases.entries()) {
        const { job, lines } = await followToEnd(c, ids[i]!);
        expect(lines.join('\n'), k.what).toMatch(k.expect);
        // lmms-eval exits 0 here; the ERROR line and the traceback are what say it failed.
        expect(job.exit_code, k.what).toBe(0);
        expect(job.state, k.what).toBe('failed');
        expect([job.error ?? '', ...job.error_tail].join('\n'), k.what).toMatch(k.expect);
      }
    },
    LONG,
  );

  it(
    'config import of a --config YAML the real lmms-eval runs: the imported spec runs to the same metrics',
    async () => {
      const out = path.join(tasks, 'out-config');
      const file = path.join(tasks, 'run.yaml');
      writeFileSync(
        file,
        [
          'model: dummy',
          'model_args: response=Paris',
          'tasks: lmtui_vgen',
          `include_path: ${path.join(tasks, 'lmms-eval')}`,
          `output_path: ${out}-harness`,
          'log_samples: true',
          'env:',
          '  HF_DATASETS_OFFLINE: "1"',
          '',
        ].join('\n'),
      );
      // The harness itself accepts the file and runs it.
      const direct = await run(python(), ['-m', 'lmms_eval', '--config', file], { env: { ...process.env, ...offlineEnv(), PYTHONPATH: '' }, maxBuffer: 64 * 1024 * 1024 });
      expect(direct.stdout + direct.stderr).not.toMatch(/ERROR/);
      const harnessFile = (await import('../../src/core/results/find.js')).findResultsFiles(`${out}-harness`)[0]!;
      expect(harnessFile).toBeTruthy();

      const imported = await cli(['config', 'import', '--harness', 'lmms-eval', '--strict', file], env);
      expect(imported.code, imported.stderr).toBe(0);
      const specs = JSON.parse(imported.stdout) as EvalSpec[] | EvalSpec;
      const one = (Array.isArray(specs) ? specs : [specs])[0]!;
      expect(one).toMatchObject({ harness: 'lmms-eval', model: 'dummy', model_args: 'response=Paris', tasks: ['lmtui_vgen'], log_samples: true });
      const { id } = await c.submit({ ...one, python: python(), output_path: out });
      const { job } = await followToEnd(c, id);
      expect(job.state, job.error ?? '').toBe('succeeded');
      // The constant answer "Paris" is right on one of four rows, in both runs.
      const ours = metricsOfFile(job.results[0]!);
      expect(ours.find((r) => r.metric === 'exact_match')?.value).toBe(0.25);
      expect(ours).toEqual(metricsOfFile(harnessFile));
      expect(JSON.parse(readFileSync(job.results[0]!, 'utf8')).config.model_args).toContain('response=Paris');
    },
    LONG,
  );

  it(
    'stop of an accelerate launch run with --num_gpus 2 on CPU leaves no process of the job',
    async () => {
      const { id } = await c.submit(spec({ num_gpus: 2, model_args: 'read_bytes=1', tasks: ['lmtui_vgroup'] }));
      // The launcher and its two worker processes, each running lmms_eval.
      const seen = new Set<number>();
      await until(
        () => {
          const pids = markedProcesses(JOB_MARKER_ENV, id);
          for (const p of pids) seen.add(p);
          const workers = pids.filter((p) => {
            try {
              const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
              return argv.includes('lmms_eval') && !argv.includes('accelerate.commands.launch');
            } catch {
              return false;
            }
          });
          return workers.length >= 2;
        },
        { timeoutMs: 240_000, intervalMs: 100, what: 'two lmms_eval worker processes under accelerate' },
      );
      const script = readFileSync(path.join(env.LMMS_TUI_HOME!, 'jobs', id, 'job.sh'), 'utf8');
      expect(script).toMatch(/-m accelerate\.commands\.launch[\s\\]+--num_processes 2/);
      expect(seen.size).toBeGreaterThanOrEqual(3);
      const stopped = await c.stop(id, { wait: true });
      expect(stopped.state).toBe('stopped');
      await until(() => markedProcesses(JOB_MARKER_ENV, id).length === 0, { timeoutMs: 10_000, what: 'no process of the job left' });
      for (const p of seen) expect(existsSync(`/proc/${p}`) ? readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]![0] : 'gone', `pid ${p}`).toMatch(/gone|Z/);
    },
    LONG,
  );
});
