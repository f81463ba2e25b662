/**
 * TrustyAI's lm-eval-server on `lmms-tui serve`: its README's curl calls and example.json, with the exact
 * response shapes, against a real server running the demo harness.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alivePids, compatEnv, newHomeDir, pidsIn, removeHome, startTestServer, until, type TestServer } from './helpers.js';

let s: TestServer;
let home: string;

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  s = await startTestServer(home, { concurrency: 1 });
});
afterAll(async () => {
  await s?.close();
  removeHome(home);
});

/** example.json from the lm-eval-server repository, verbatim. */
const EXAMPLE = {
  model: 'local-completions',
  tasks: 'mmlu',
  model_args: 'model=phi3,base_url=http://localhost:8081/v1/completions,num_concurrent=1,max_retries=3,tokenized_requests=False,tokenizer=microsoft/Phi-3',
  limit: 1,
  env_vars: { FOO: 'BAR' },
};

const done = (n: number) =>
  until(async () => {
    const r = await s.call('GET', `/job/${n}`);
    return ['Completed', 'Failed', 'Stopped'].includes(r.json?.status) ? r.json : null;
  }, { what: `job ${n} to finish`, timeoutMs: 20_000 });

describe('lm-eval-server', () => {
  it('accepts example.json as the README posts it (curl -d @example.json), with integer ids', async () => {
    const r = await s.call('POST', '/job', EXAMPLE);
    expect([r.status, r.json]).toEqual([200, { status: 'success', message: 'Job 1 successfully queued.', job_id: 1 }]);
    const job = await done(1);
    // The demo harness has no `local-completions` model or `mmlu` task, so this run fails like a real typo would.
    expect(Object.keys(job).sort()).toEqual(['argument', 'exit_code', 'inference_progress_pct', 'job_id', 'status', 'stderr', 'stdout', 'timestamp']);
    expect(job).toMatchObject({ job_id: 1, status: 'Failed', exit_code: 1, stderr: [] });
    expect(job.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(job.argument).toBe(`python3 -m lm_eval run --model local-completions --model_args ${EXAMPLE.model_args} --tasks mmlu --limit 1 --output_path ${job.argument.split('--output_path ')[1]}`);
    expect(job.stdout.join('\n')).toMatch(/Tasks not found|mmlu/);
    // env_vars are applied (the original ignored them).
    expect(s.server.scheduler.list().at(-1)!.script).toMatch(/^export FOO=BAR$/m);
  });

  it('runs a job to Completed with 100% progress and the results table in stdout', async () => {
    const r = await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag,demo_arc_easy', model_args: 'pretrained=EleutherAI/pythia-160m', limit: 5 });
    const job = await done(r.json.job_id);
    expect(job).toMatchObject({ status: 'Completed', exit_code: 0, inference_progress_pct: 100 });
    expect(job.stdout.some((l: string) => /\|demo_hellaswag\s*\|/.test(l))).toBe(true);
  });

  it('keeps booleans sent as false off, treats null as unset, applies env_vars', async () => {
    const r = await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag', limit: 2, write_out: false, check_integrity: false, log_samples: true, device: null, verbosity: 'info', env_vars: { LMMS_DEMO_FAIL: 'exit1' } });
    const job = await done(r.json.job_id);
    expect(job.argument).toMatch(/--log_samples/);
    expect(job.argument).toMatch(/--verbosity INFO/);
    expect(job.argument).not.toMatch(/--write_out|--check_integrity|--device|None/);
    // LMMS_DEMO_FAIL=exit1 reached the job: it failed the way the knob makes it fail.
    expect(job).toMatchObject({ status: 'Failed', exit_code: 1 });
    expect(job.stdout.join('\n')).toMatch(/OutOfMemoryError/);
  });

  it('does not let a request replace the program (lm_eval_path)', async () => {
    const bad = await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag', lm_eval_path: 'bash -c id' });
    expect(bad.status).toBe(422);
    expect(bad.json.detail).toEqual([expect.objectContaining({ type: 'value_error', loc: ['body', 'lm_eval_path'], input: 'bash -c id' })]);
    const own = await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag', limit: 1, lm_eval_path: 'python3 -m lm_eval' });
    expect(own.status).toBe(200);
    await done(own.json.job_id);
  });

  it('answers schema violations with pydantic 422 bodies, unknown ids with 404', async () => {
    const r = await s.call('POST', '/job', { model: 5, limit: 'abc', write_out: 'maybe', env_vars: { '1BAD': 'x', OK: 3 } });
    expect(r.status).toBe(422);
    expect(r.json.detail.map((d: { type: string; loc: unknown[] }) => [d.type, d.loc])).toEqual([
      ['string_type', ['body', 'model']],
      ['float_parsing', ['body', 'limit']],
      ['bool_parsing', ['body', 'write_out']],
      ['value_error', ['body', 'env_vars', '1BAD']],
      ['string_type', ['body', 'env_vars', 'OK']],
    ]);
    const v = await s.call('POST', '/job', { model: 'hf' });
    expect(v.json.detail[0]).toMatchObject({ type: 'value_error', loc: ['body', 'tasks'] });
    expect(await s.call('GET', '/job/99')).toMatchObject({ status: 404, json: { detail: 'No lm-evaluation-harness job with ID=99 found.' } });
    expect((await s.call('GET', '/job/abc')).json).toEqual({ detail: [{ type: 'int_parsing', loc: ['path', 'job_id'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'abc' }] });
    expect((await s.call('GET', '/jobs?include_finished=perhaps')).json.detail[0]).toMatchObject({ type: 'bool_parsing', loc: ['query', 'include_finished'] });
  });

  it('reads progress from any tqdm bar, filters running jobs, dequeues and stops (whole process group)', async () => {
    const pidfile = path.join(home, 'les.pids');
    const slow = await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag', env_vars: { LMMS_DEMO_PACE: '0.01', LMMS_DEMO_DOCS: '2000', LMMS_DEMO_CHILDREN: '2', LMMS_DEMO_IGNORE_TERM: '1', LMMS_DEMO_PIDFILE: pidfile } });
    const n = slow.json.job_id as number;
    const queued = (await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag' })).json.job_id as number;
    // `Running loglikelihood requests` bars: the original only read `Requesting API:` and reported 0.
    const running = await until(async () => {
      const j = (await s.call('GET', `/job/${n}`)).json;
      return j.status === 'Running' && j.inference_progress_pct > 0 ? j : null;
    }, { what: 'progress on the running job' });
    expect(running.inference_progress_pct).toBeLessThan(100);
    expect(running.exit_code).toBeNull();

    const listed = (await s.call('GET', '/jobs?include_finished=false')).json.jobs;
    expect(listed.map((j: { job_id: number; status: string }) => [j.job_id, j.status])).toEqual([[n, 'Running'], [queued, 'Queued']]);
    expect(Object.keys(listed[0]).sort()).toEqual(['argument', 'exit_code', 'inference_progress_pct', 'job_id', 'status', 'timestamp']);
    // The README's spelling (include_completed=False) works too.
    expect((await s.call('GET', '/jobs?include_completed=False')).json.jobs).toHaveLength(2);
    expect((await s.call('GET', '/jobs')).json.jobs.length).toBeGreaterThan(2);

    expect((await s.call('GET', `/job/${queued}/dequeue`)).json).toEqual({ status: 'success', message: `Job ${queued} dequeued successfully.` });
    expect((await s.call('GET', `/job/${queued}`)).json).toMatchObject({ status: 'Stopped', exit_code: null, timestamp: null });

    const pids = await until(() => (pidsIn(pidfile)?.length === 3 ? pidsIn(pidfile) : null), { what: 'the demo pid file' });
    // A state-changing GET from another site is refused (CSRF); the README's /stop path stops the job.
    expect((await s.call('GET', `/job/${n}/stop`, undefined, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await s.call('GET', `/job/${n}/stop`)).json).toEqual({ status: 'success', message: `Job ${n} stopped successfully.` });
    // Children that ignore SIGTERM included: the group is SIGKILLed after the grace period.
    expect(alivePids(pids)).toEqual([]);
    expect((await s.call('GET', `/job/${n}`)).json).toMatchObject({ status: 'Stopped', exit_code: null });
    expect((await s.call('GET', `/job/${n}/dequeue`)).json.message).toBe(`Job ${n} has already completed.`);
  });

  it('deletes one job (path or the code\'s ?job_id= form) and all jobs; ids are never reused, even after a restart', async () => {
    const ids = (await s.call('GET', '/jobs')).json.jobs.map((j: { job_id: number }) => j.job_id) as number[];
    expect((await s.call('DELETE', `/job/${ids[0]}`)).json).toEqual({ status: 'success', message: `Job ${ids[0]} deleted successfully.` });
    expect((await s.call('DELETE', `/job/{id}?job_id=${ids[1]}`)).json.message).toBe(`Job ${ids[1]} deleted successfully.`);
    expect((await s.call('GET', `/job/${ids[0]}`)).status).toBe(404);
    const stopAll = await s.call('POST', '/jobs/dequeue');
    expect(stopAll.json).toEqual({ status: 'success', message: `Jobs [${ids.slice(2).join(', ')}] stopped successfully.` });

    await s.close();
    s = await startTestServer(home, { concurrency: 1 });
    expect((await s.call('GET', '/jobs')).json.jobs.map((j: { job_id: number }) => j.job_id)).toEqual(ids.slice(2));
    const next = (await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag', limit: 1 })).json.job_id;
    expect(next).toBe(Math.max(...ids) + 1);
    await done(next);
    const all = await s.call('DELETE', '/jobs');
    expect(all.json).toEqual({ status: 'success', message: `Jobs [${[...ids.slice(2), next].join(', ')}] deleted successfully.` });
    expect((await s.call('GET', '/jobs')).json).toEqual({ jobs: [] });
    // Only this surface's jobs were deleted; the queue's records of them are gone too.
    expect(s.server.scheduler.list().filter((j) => j.spec.harness === 'lm-eval')).toEqual([]);
  });
});
