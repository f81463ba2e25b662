/**
 * The results workbench on real runs of both harnesses (their `dummy` models, our offline tasks), submitted
 * through the shipped CLI: the run index finds each job's run with its job id, samples files and groups;
 * the samples reader pages exactly the records the harness wrote; two real runs compare task by task.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { cli } from '../server/helpers.js';
import { useRealSession } from './jobs.js';
import { describeReal } from './venvs.js';

const LONG = 300_000;

describeReal(['lm-eval', 'lmms-eval'], 'results workbench on real runs', (py) => {
  let env: NodeJS.ProcessEnv;
  let c: LmmsClient;
  let tasks: string;
  const json = async (args: string[]): Promise<any> => {
    const r = await cli([...args, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  useRealSession((s) => ({ env, c, tasks } = s));

  it(
    "indexes each real job's run with its job id, groups and samples; pages the harness's records; compares them",
    async () => {
      const submit = async (harness: 'lm-eval' | 'lmms-eval', group: string): Promise<string> => {
        const r = await cli(['run', '--harness', harness, '--python', py[harness], '--model', 'dummy', '--tasks', group, '--include_path', path.join(tasks, harness), '--log_samples', '--wait'], env);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        return /\bjob ([0-9a-f]{6,})\b/.exec(r.stderr)![1]!;
      };
      const lmeJob = await submit('lm-eval', 'lmtui_group');
      const lmmsJob = await submit('lmms-eval', 'lmtui_vgroup');
      const { runs } = await json(['results', 'list']);
      const lme = runs.find((r: { jobId: string }) => r.jobId === lmeJob);
      const lmms = runs.find((r: { jobId: string }) => r.jobId === lmmsJob);
      expect(lme).toMatchObject({ harness: 'lm-eval', modelType: 'dummy', error: null, groups: [{ name: 'lmtui_group' }] });
      expect(lmms).toMatchObject({ harness: 'lmms-eval', modelType: 'dummy', error: null, groups: [{ name: 'lmtui_vgroup' }] });
      expect(Object.keys(lme.samplesFiles).sort()).toEqual(['lmtui_gen', 'lmtui_mc']);
      expect(Object.keys(lmms.samplesFiles).sort()).toEqual(['lmtui_vgen', 'lmtui_vgen2']);

      for (const [run, task, metric] of [[lme, 'lmtui_gen', 'exact_match'], [lmms, 'lmtui_vgen', 'exact_match']] as const) {
        const raw = readFileSync(run.samplesFiles[task], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        const page = await json(['results', 'samples', run.jobId, task, '--page-size', '100']);
        expect(page.total).toBe(raw.length);
        expect(page.samples.map((s: { docId: number; target: unknown; metrics: Record<string, number> }) => [s.docId, s.target, s.metrics[metric]])).toEqual(raw.map((r) => [r.doc_id, r.target, r[metric]]));
        const wrong = await json(['results', 'samples', run.jobId, task, '--where', `${metric}=0`]);
        expect(wrong.matched).toBe(raw.filter((r) => r[metric] === 0).length);
      }

      // The same lm-eval job run again: paired McNemar on the shared doc ids of each task.
      const again = await submit('lm-eval', 'lmtui_group');
      const second = (await json(['results', 'list'])).runs.find((r: { jobId: string }) => r.jobId === again);
      const cmp = await json(['results', 'compare', lme.id, second.id]);
      const gen = cmp.rows.find((r: { task: string }) => r.task === 'lmtui_gen');
      expect(gen.cells[1].stat).toMatchObject({ method: 'mcnemar', n: 4 });
    },
    LONG,
  );
});
