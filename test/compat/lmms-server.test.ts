/**
 * lmms-eval server mode on `lmms-tui serve`: the requests lmms-eval's EvalClient and its README send, with the
 * exact response shapes and status codes, against a real server running the demo harness.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalClient, EvalHttpError, EvalJobError } from '../../src/client/eval-client.js';
import { compatEnv, newHomeDir, removeHome, startTestServer, until, type TestServer } from './helpers.js';

let s: TestServer;
let home: string;

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  // A pool of two GPUs (indices only; the demo harness needs none) so num_gpus placement can be checked.
  s = await startTestServer(home, { gpus: [0, 1], concurrency: 1 });
});
afterAll(async () => {
  await s?.close();
  removeHome(home);
});

const finished = (status: string) => ['completed', 'failed', 'cancelled'].includes(status);
const waitDone = (id: string) => until(async () => {
  const r = await s.call('GET', `/jobs/${id}`);
  return finished(r.json.status) ? r.json : null;
}, { what: `job ${id} to finish`, timeoutMs: 20_000 });

/** A native job that runs until stopped, to hold the single slot. */
function blocker(): string {
  const env = { ...(process.env as Record<string, string>), LMMS_DEMO_HANG: '1' };
  return s.server.scheduler.submit({ harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true }, { env }).id;
}

describe('lmms-eval server mode', () => {
  it('GET /health', async () => {
    const r = await s.call('GET', '/health');
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['queue_size', 'status', 'timestamp']);
    expect(r.json.status).toBe('healthy');
    expect(r.json.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(r.json.queue_size).toBe(0);
  });

  it("runs the README's EvalClient.evaluate request: device honoured, result = paths + parsed metrics", async () => {
    // Exactly what EvalClient.evaluate(model, tasks, model_args=…, num_fewshot=0, batch_size=1, device="cuda:0") posts.
    const payload = { model: 'qwen2_5_vl', tasks: ['demo_mme', 'demo_vqa'], model_args: { pretrained: 'Qwen/Qwen2.5-VL-7B-Instruct' }, num_fewshot: 0, batch_size: 1, device: 'cuda:0', log_samples: true, predict_only: false, num_gpus: 1 };
    const sub = await s.call('POST', '/evaluate', payload);
    expect(sub.status).toBe(200);
    expect(sub.json).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{8}$/), status: 'queued', position_in_queue: 0, message: 'Job queued successfully. Position in queue: 0' });
    const job = await waitDone(sub.json.job_id);
    expect(Object.keys(job).sort()).toEqual(['completed_at', 'created_at', 'error', 'job_id', 'position_in_queue', 'request', 'result', 'started_at', 'status']);
    expect(job).toMatchObject({ status: 'completed', error: null, position_in_queue: null });
    expect(job.request).toEqual({ ...payload, limit: null, gen_kwargs: null, output_dir: null });
    const result = job.result['Qwen__Qwen2.5-VL-7B-Instruct'];
    expect(existsSync(result.results)).toBe(true);
    expect(result.results).toMatch(/_results\.json$/);
    expect(result.samples.map((f: string) => path.basename(f).replace(/^\d+_\d+_/, '')).sort()).toEqual(['samples_demo_mme.jsonl', 'samples_demo_vqa.jsonl']);
    expect(result.metrics.map((m: { task: string }) => m.task)).toContain('demo_mme');
    expect(result.metrics.find((m: { metric: string }) => m.metric === 'mme_cognition_score').value).toEqual(expect.any(Number));
    // The original dropped `device`; here it reaches the command.
    expect(s.server.scheduler.get(job.job_id).script).toMatch(/--device cuda:0/);
  });

  it('reports every queued job at its place, and cancels only queued jobs (400/404 bodies)', async () => {
    const running = blocker();
    await until(() => s.server.scheduler.get(running).pid !== null, { what: 'the blocker to start' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await s.call('POST', '/evaluate', { model: 'demo', tasks: ['demo_mme'], limit: 5 });
      expect(r.json).toMatchObject({ status: 'queued', position_in_queue: i, message: `Job queued successfully. Position in queue: ${i}` });
      ids.push(r.json.job_id);
    }
    const [a, b, c] = ids as [string, string, string];
    expect((await s.call('GET', `/jobs/${c}`)).json.position_in_queue).toBe(2);
    expect((await s.call('GET', '/queue')).json).toEqual({ queue_size: 3, running_job: running, queued_jobs: [a, b, c], completed_jobs: 1, failed_jobs: 0, running_jobs: [running] });
    expect((await s.call('GET', '/health')).json.queue_size).toBe(3);

    const del = await s.call('DELETE', `/jobs/${b}`);
    expect([del.status, del.json]).toEqual([200, { message: `Job ${b} cancelled` }]);
    expect((await s.call('GET', `/jobs/${c}`)).json.position_in_queue).toBe(1);
    expect((await s.call('GET', `/jobs/${b}`)).json).toMatchObject({ status: 'cancelled', position_in_queue: null, completed_at: expect.any(String) });
    expect(await s.call('DELETE', `/jobs/${b}`)).toMatchObject({ status: 400, json: { detail: 'Job already finished or cancelled' } });
    expect(await s.call('DELETE', `/jobs/${running}`)).toMatchObject({ status: 400, json: { detail: 'Cannot cancel a running job' } });
    expect(await s.call('DELETE', '/jobs/nosuchjob')).toMatchObject({ status: 404, json: { detail: 'Job nosuchjob not found' } });
    expect(await s.call('GET', '/jobs/nosuchjob')).toMatchObject({ status: 404, json: { detail: 'Job nosuchjob not found' } });

    // The typed client: cancelJob's 400 surfaces as an error; waitForJob ends on `cancelled` instead of polling forever.
    const ec = new EvalClient(s.url);
    await expect(ec.cancelJob(running)).rejects.toMatchObject({ status: 400, detail: 'Cannot cancel a running job' });
    await ec.cancelJob(a);
    await expect(ec.waitForJob(a, { pollIntervalMs: 20 })).rejects.toBeInstanceOf(EvalJobError);
    await ec.cancelJob(c);
    await s.server.scheduler.stop(running);
    // A job stopped through lmms-tui is `cancelled` in this vocabulary (it has no `stopped`).
    expect((await s.call('GET', `/jobs/${running}`)).json).toMatchObject({ status: 'cancelled', request: { model: 'demo', tasks: ['demo_mme'] } });
    ec.close();
  });

  it('answers schema violations with pydantic 422 bodies', async () => {
    const r = await s.call('POST', '/evaluate', { tasks: 'mme', batch_size: [1], limit: 'x', log_samples: 'maybe' });
    expect(r.status).toBe(422);
    expect(r.json.detail).toEqual([
      { type: 'missing', loc: ['body', 'model'], msg: 'Field required', input: { tasks: 'mme', batch_size: [1], limit: 'x', log_samples: 'maybe' } },
      { type: 'list_type', loc: ['body', 'tasks'], msg: 'Input should be a valid list', input: 'mme' },
      { type: 'int_type', loc: ['body', 'batch_size', 'int'], msg: 'Input should be a valid integer', input: [1] },
      { type: 'string_type', loc: ['body', 'batch_size', 'str'], msg: 'Input should be a valid string', input: [1] },
      { type: 'int_parsing', loc: ['body', 'limit', 'int'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'x' },
      { type: 'float_parsing', loc: ['body', 'limit', 'float'], msg: 'Input should be a valid number, unable to parse string as a number', input: 'x' },
      { type: 'bool_parsing', loc: ['body', 'log_samples'], msg: 'Input should be a valid boolean, unable to interpret input', input: 'maybe' },
    ]);
    expect((await s.call('POST', '/evaluate', '{"model": ')).json.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' });
    expect((await s.call('POST', '/evaluate')).json).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
    // Not JSON: refused before routing (a page can send text/plain cross-site without a preflight).
    expect(await s.call('POST', '/evaluate', '{"model":"x"}', { 'content-type': 'text/plain' })).toMatchObject({ status: 415, json: { detail: expect.stringMatching(/Content-Type: application\/json/) } });
  });

  it('refuses limit 0, batch_size 0, unusable model_args and too many GPUs, naming each field', async () => {
    const r = await s.call('POST', '/evaluate', { model: 'demo', tasks: ['demo_mme'], limit: 0, batch_size: 0, model_args: { pretrained: 'a,b' }, num_gpus: 3 });
    expect(r.status).toBe(422);
    const byField = Object.fromEntries(r.json.detail.map((d: { loc: string[]; msg: string }) => [d.loc.slice(1).join('.'), d.msg]));
    expect(Object.keys(byField).sort()).toEqual(['batch_size', 'limit', 'model_args.pretrained']);
    expect(byField.limit).toMatch(/^Value error, limit 0 would evaluate no documents/);
    expect(byField.batch_size).toMatch(/batch size "0" is not valid/);
    for (const d of r.json.detail) expect(d.type).toBe('value_error');
    // The GPU pool is checked at submit (2 GPUs here).
    const g = await s.call('POST', '/evaluate', { model: 'demo', tasks: ['demo_mme'], num_gpus: 3 });
    expect(g.status).toBe(422);
    expect(g.json.detail[0]).toMatchObject({ type: 'value_error', loc: ['body', 'num_gpus'], input: 3 });
    expect(g.json.detail[0].msg).toMatch(/needs 3 GPUs but the pool has 2/);
  });

  it('places num_gpus on free GPUs of the pool', async () => {
    const r = await s.call('POST', '/evaluate', { model: 'demo', tasks: ['demo_mme'], num_gpus: 2 });
    const job = s.server.scheduler.get(r.json.job_id);
    await until(() => job.script, { what: 'the job to start' });
    expect(job.gpus).toEqual([0, 1]);
    expect(job.script).toMatch(/CUDA_VISIBLE_DEVICES=0,1/);
    expect(job.script).toMatch(/--num_processes 2/);
    expect((await waitDone(r.json.job_id)).request.num_gpus).toBe(2);
  });

  it('a failed job carries its reason and log tail in `error`', async () => {
    // lmms-eval exits 0 when the model is unknown; lmms-tui still judges the run failed (no results).
    const r = await s.call('POST', '/evaluate', { model: 'no_such_model', tasks: ['demo_mme'] });
    const done = await waitDone(r.json.job_id);
    expect(done).toMatchObject({ status: 'failed', result: null });
    expect(done.error).toMatch(/Last lines of .*output\.log:\n[\s\S]*no_such_model/);
  });

  it('lists tasks and models from the discovery index; /merge answers 501', async () => {
    const tasks = (await s.call('GET', '/tasks')).json.tasks as string[];
    expect(tasks).toEqual([...tasks].sort());
    // Tasks (demo_mme uses !function tags), groups and tags, all in one list as TaskManager.all_tasks.
    for (const name of ['demo_mme', 'demo_mmmu', 'demo_perception', 'demo_physical_conflict']) expect(tasks).toContain(name);
    // Canonical names only (list_available_models(include_aliases=False)): `openai`, not its alias `openai_compatible`.
    const models = (await s.call('GET', '/models')).json.models as string[];
    expect(models).toEqual(expect.arrayContaining(['demo', 'openai', 'qwen2_5_vl', 'vllm']));
    expect(models).not.toContain('openai_compatible');
    expect(models).toEqual([...models].sort());
    const m = await s.call('POST', '/merge', { checkpoint_path: '/ckpt' });
    expect(m.status).toBe(501);
    expect(m.json.detail).toMatch(/not available in lmms-tui/);
  });

  it('EvalClient: evaluate, waitForJob, getQueueStatus, listTasks, listModels, health', async () => {
    const ec = new EvalClient(`${s.url}/`);
    expect(await ec.isHealthy()).toBe(true);
    expect((await ec.health()).status).toBe('healthy');
    expect(await ec.listTasks()).toContain('demo_vqa');
    expect(await ec.listModels()).toContain('qwen2_5_vl');
    const sub = await ec.evaluate('demo', ['demo_vqa'], { limit: 3, gen_kwargs: undefined });
    const seen: string[] = [];
    const job = await ec.waitForJob(sub.job_id, { pollIntervalMs: 20, onStatus: (j) => seen.push(j.status) });
    expect(job.status).toBe('completed');
    expect(seen.at(-1)).toBe('completed');
    expect(job.request).toMatchObject({ limit: 3, log_samples: true });
    expect((await ec.getQueueStatus()).queue_size).toBe(0);
    await expect(ec.evaluate('demo', [], {})).rejects.toBeInstanceOf(EvalHttpError);
    // Over the per-user socket too (the same routes are on every listener).
    const local = await EvalClient.connect({ stateDir: home, autoStart: false });
    expect((await local.getJob(sub.job_id)).status).toBe('completed');
    local.close();
    ec.close();
  });
});
