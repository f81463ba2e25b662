/**
 * compare_runs and list_results_runs over stdio with the SDK's client: two finished demo runs compared by the
 * job ids evaluate handed back (and by a results file path), through the same core service `lmms-tui results
 * compare` uses; deltas with the method and significance per cell, rows paged, secrets masked, bad
 * references refused by name.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, newHome } from '../server/helpers.js';
import { startMcp, type McpSession } from './helpers.js';

const sessions: McpSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close().catch(() => undefined);
  await cleanupHomes();
});

interface Cell { value: number | null; delta: number | null; tested_delta: number | null; method: string | null; ci: [number, number] | null; significant: boolean | null; n: number | null }
interface Row { task: string; group: boolean; metric: string; cells: Cell[] }

describe('lmms-tui mcp: comparing runs', () => {
  it('compares two finished demo runs by job id: a row per task, deltas against the baseline with method and significance', async () => {
    const key = 'sk-proj-0123456789abcdefghijklmnop';
    const { env } = await newHome();
    const s = await startMcp(env);
    sessions.push(s);
    const ids: string[] = [];
    for (const pretrained of ['model-a', 'model-b']) {
      const r = await s.call('evaluate', { model: 'demo', tasks: ['demo_mme', 'demo_mmmu'], limit: 8, model_args: { pretrained, api_key: key }, mode: 'sync' });
      expect(r.json.status, r.text).toBe('completed');
      ids.push(r.json.run_id);
    }

    const listed = await s.call('list_results_runs', {});
    expect(listed.isError, listed.text).toBe(false);
    expect(listed.json.total).toBe(2);
    expect(listed.json.runs.map((r: { job_id: string }) => r.job_id).sort()).toEqual([...ids].sort());
    expect(listed.json.runs[0].has_samples).toContain('demo_mme');
    expect((await s.call('list_results_runs', { model: 'model-b' })).json.runs.map((r: { job_id: string }) => r.job_id)).toEqual([ids[1]]);

    const cmp = await s.call('compare_runs', { runs: ids });
    expect(cmp.isError, cmp.text).toBe(false);
    expect(cmp.text).not.toContain(key);
    expect(cmp.json.runs.map((r: { job_id: string }) => r.job_id)).toEqual(ids);
    expect(cmp.json.runs[0].model_args).toContain('api_key=••••••');
    expect(cmp.json.baseline).toBe(0);
    expect(cmp.json.simulated).toContain('demo');
    const rows = cmp.json.rows as Row[];
    expect(rows.map((r) => r.task)).toEqual(expect.arrayContaining(['demo_mme', 'demo_mmmu', 'demo_mmmu_val']));
    expect(cmp.json.total_rows).toBe(rows.length);
    expect(cmp.json.next_offset).toBeNull();
    const mme = rows.find((r) => r.task === 'demo_mme')!;
    expect(mme.metric).toBe('mme_perception_score');
    const [base, other] = mme.cells;
    expect(base!.delta).toBeNull();
    expect(base!.method).toBeNull();
    expect(other!.delta).toBeCloseTo(other!.value! - base!.value!, 4);
    // Both runs logged samples (evaluate's default): the delta of a task row is a paired test over its docs.
    const val = rows.find((r) => r.task === 'demo_mmmu_val')!;
    for (const row of [mme, val]) {
      const c = row.cells[1]!;
      expect(['mcnemar', 'paired-bootstrap'], `${row.task}: ${JSON.stringify(c)}`).toContain(c.method);
      expect(c.ci![0]).toBeLessThanOrEqual(c.tested_delta!);
      expect(c.ci![1]).toBeGreaterThanOrEqual(c.tested_delta!);
      expect(c.significant).toBe(c.ci![0] > 0 || c.ci![1] < 0);
    }
    for (const m of Object.keys(cmp.json.methods)) expect(cmp.json.methods[m].length).toBeGreaterThan(10);
    expect(Object.keys(cmp.json.methods)).toEqual(expect.arrayContaining([...new Set([mme, val].map((r) => r.cells[1]!.method))]));

    // Without samples: the stderr interval, or no method where a metric has no stderr.
    const unpaired = await s.call('compare_runs', { runs: ids, paired: false });
    for (const r of unpaired.json.rows as Row[]) expect([null, 'unpaired-stderr']).toContain(r.cells[1]!.method);

    // The other baseline flips the sign; a results file path names a run too; rows page.
    const resultFile = Object.values((await s.call('get_run_result', { run_id: ids[1] })).json.results as Record<string, { results_file: string }>)[0]!.results_file;
    const flipped = await s.call('compare_runs', { runs: [ids[0]!.slice(0, 6), path.relative(process.cwd(), resultFile)], baseline: resultFile, limit: 1 });
    expect(flipped.isError, flipped.text).toBe(false);
    expect(flipped.json.baseline).toBe(1);
    expect(flipped.json.rows).toHaveLength(1);
    expect(flipped.json.next_offset).toBe(1);
    const first = (flipped.json.rows as Row[])[0]!;
    const same = rows.find((r) => r.task === first.task)!;
    expect(first.cells[0]!.delta).toBeCloseTo(-same.cells[1]!.delta!, 4);
    const page2 = await s.call('compare_runs', { runs: ids, offset: 1, limit: 1 });
    expect((page2.json.rows as Row[])[0]!.task).toBe(rows[1]!.task);
  });

  it('refuses one run, an unknown run and a baseline not compared, naming each', async () => {
    const { env } = await newHome();
    const s = await startMcp(env);
    sessions.push(s);
    const r = await s.call('evaluate', { model: 'demo', tasks: ['demo_mme'], limit: 2, mode: 'sync' });
    expect(r.json.status, r.text).toBe('completed');
    const one = await s.call('compare_runs', { runs: [r.json.run_id] });
    expect(one.isError).toBe(true);
    expect(one.text).toContain('runs');
    const unknown = await s.call('compare_runs', { runs: [r.json.run_id, 'ffffffffff'] });
    expect(unknown.isError).toBe(true);
    expect(unknown.json.error).toBe('no run "ffffffffff"');
    expect(unknown.json.hint).toContain('results file path');
    const base = await s.call('compare_runs', { runs: [r.json.run_id, r.json.run_id], baseline: 'ffffffffff' });
    expect(base.isError).toBe(true);
    expect(base.json.error).toContain('ffffffffff');
  });
});
