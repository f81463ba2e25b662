/**
 * The HTTP API through the typed client (and raw requests where the client would not send the bad thing),
 * against one real auto-started server on a private state dir.
 */
import http from 'node:http';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { ApiError, JobFailedError } from '../../src/client/errors.js';
import { serverPaths } from '../../src/server/paths.js';
import { cleanupHomes, client, demoSpec, newHome } from './helpers.js';

let c: LmmsClient;
let env: NodeJS.ProcessEnv;
/** The environment a job is submitted with: the test's (fast demo pace) plus knobs. */
const jobEnv = (extra: Record<string, string> = {}) => ({ ...(env as Record<string, string>), ...extra });

/** A request over the socket with a body the typed client would never send. */
function raw(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: serverPaths(env.LMMS_TUI_HOME!).socket, method, path, headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `bytes` of a body without finishing it and returns the server's answer. */
function oversize(headers: Record<string, string>, bytes: number): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: serverPaths(env.LMMS_TUI_HOME!).socket, method: 'POST', path: '/api/v1/jobs', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
      });
    });
    req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('reset') ? undefined : reject(err)));
    req.flushHeaders();
    if (bytes) req.write(`{"spec": {"model": "${'x'.repeat(bytes)}`);
  });
}

beforeAll(async () => {
  ({ env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' }));
  c = await client(env);
});
afterAll(async () => {
  c?.close();
  await cleanupHomes();
});

describe('jobs API', () => {

  it("gives a group's metrics in tree order (aggregate, then members one level deeper) with the run's --limit and evaluation time", async () => {
    const r = await c.submit(demoSpec({ tasks: ['demo_mmmu'], limit: 3 }), { env: jobEnv() });
    const job = await c.waitForJob(r.id, { intervalMs: 50, timeoutMs: 20_000 });
    expect(job.state).toBe('succeeded');
    const result = await c.result(r.id);
    expect(result.limit).toBe(3);
    expect(result.eval_seconds).toBeGreaterThanOrEqual(0);
    const tree = result.metrics.map((m) => [m.task, m.depth, m.group]);
    expect(tree[0]).toEqual(['demo_mmmu', 0, true]);
    const members = tree.filter(([t]) => t !== 'demo_mmmu');
    expect(new Set(members.map(([t]) => t))).toEqual(new Set(['demo_mmmu_val', 'demo_mmmu_dev']));
    expect(members.every(([, depth, group]) => depth === 1 && group === false)).toBe(true);
  });
  it('reports health with version, pid, state dir and GPU pool', async () => {
    const h = await c.health();
    expect(h.state_dir).toBe(env.LMMS_TUI_HOME);
    expect(h.pid).toBeGreaterThan(0);
    expect(h.gpus).toEqual({ pool: null, free: null });
    expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('runs a submitted job to success, with metrics and a log readable by offsets, and never exposes its env', async () => {
    const r = await c.submit(demoSpec({ tasks: ['demo_mme', 'demo_vqa'] }), { env: jobEnv({ SECRET_TOKEN_X: 'abcdef123456' }) });
    expect(r.id).toMatch(/^[0-9a-f]{8}$/);
    const job = await c.waitForJob(r.id, { intervalMs: 50, timeoutMs: 20_000 });
    expect(job.state).toBe('succeeded');
    expect(job).not.toHaveProperty('env');
    expect(JSON.stringify(await c.jobs())).not.toContain('abcdef123456');
    const result = await c.result(r.id);
    expect(result.files.length).toBeGreaterThan(0);
    expect(new Set(result.metrics.map((m) => m.task))).toEqual(new Set(['demo_mme', 'demo_vqa']));
    expect(result.metrics.every((m) => typeof m.metric === 'string' && m.value !== undefined)).toBe(true);

    // The whole log by pages of 200 bytes equals one read, and tail is its end.
    const whole = await c.log(r.id);
    let since = 0;
    const paged: string[] = [];
    for (;;) {
      const p = await c.log(r.id, { since, maxBytes: 200 });
      paged.push(...p.lines.map((l) => l.text));
      if (p.next_offset === since) break;
      since = p.next_offset;
    }
    expect(paged).toEqual(whole.lines.map((l) => l.text));
    expect(whole.next_offset).toBe(whole.size);
    const tail = await c.log(r.id, { tail: 3 });
    expect(tail.lines).toEqual(whole.lines.slice(-3));
    expect(whole.lines.some((l) => l.text.includes('\x1b['))).toBe(false);
  });

  it('takes full ids only (a prefix is 404: the CLI resolves prefixes itself) and answers 404 for unknown ids', async () => {
    const { id } = await c.submit(demoSpec(), { env: jobEnv() });
    expect((await c.job(id)).id).toBe(id);
    await expect(c.job(id.slice(0, 5))).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(c.job('ffffffffff')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 });
  });

  it('cancels a queued job, refuses to cancel a running one (409), retries and removes', async () => {
    const hang = await c.submit(demoSpec(), { env: jobEnv({ LMMS_DEMO_HANG: '1' }) });
    const queued = await c.submit(demoSpec(), { env: jobEnv() });
    expect(queued.position).toBe(1);
    expect((await c.queue()).queued).toEqual([{ id: queued.id, position: 1 }]);
    expect((await c.cancel(queued.id)).state).toBe('cancelled');
    await expect(c.cancel(hang.id)).rejects.toMatchObject({ status: 409 });
    await expect(c.remove(hang.id)).rejects.toMatchObject({ status: 409 });
    const stopped = await c.stop(hang.id, { wait: true, graceSeconds: 0.2 });
    expect(stopped.state).toBe('stopped');
    await expect(c.waitForJob(hang.id)).rejects.toBeInstanceOf(JobFailedError);

    const again = await c.retry(queued.id);
    expect(again.id).not.toBe(queued.id);
    expect(again.job.retry_of).toBe(queued.id);
    await c.waitForJob(again.id, { intervalMs: 50, timeoutMs: 20_000 });
    expect((await c.jobs({ state: 'cancelled' })).map((j) => j.id)).toEqual([queued.id]);

    const logPath = (await c.job(queued.id)).log_path;
    await c.remove(queued.id);
    await expect(c.job(queued.id)).rejects.toMatchObject({ status: 404 });
    expect(existsSync(logPath)).toBe(false);
  });

  it('waitForJob rejects with the job on failure and on timeout, never hanging', async () => {
    const failing = await c.submit(demoSpec(), { env: jobEnv({ LMMS_DEMO_FAIL: 'exit1' }) });
    const err = await c.waitForJob(failing.id, { intervalMs: 50, timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect((err as JobFailedError).job.state).toBe('failed');
    expect((err as JobFailedError).job.error).toBeTruthy();
    const hang = await c.submit(demoSpec(), { env: jobEnv({ LMMS_DEMO_HANG: '1' }) });
    const started = Date.now();
    await expect(c.waitForJob(hang.id, { intervalMs: 50, timeoutMs: 300 })).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(3000);
    await c.stop(hang.id, { wait: true, graceSeconds: 0.2 });
  });
});

describe('request validation', () => {
  it('answers 422 naming the field for schema violations', async () => {
    const bad = await raw('POST', '/api/v1/jobs', JSON.stringify({ spec: { model: 'demo', tasks: 'mme', bogus_flag: 1, limit: '5' } }));
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe('validation');
    const fields = bad.json.error.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.tasks', 'spec.bogus_flag', 'spec.limit']));
    for (const p of bad.json.error.problems) expect(p.fix).toBeTruthy();

    const missing = await raw('POST', '/api/v1/jobs', JSON.stringify({}));
    expect(missing.status).toBe(422);
    expect(missing.json.error.problems[0].field).toBe('spec');
  });

  it('answers 422 with the spec problems the scheduler finds', async () => {
    await expect(c.submit({ harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], batch_size: 'lots' })).rejects.toSatisfy(
      (e: unknown) => e instanceof ApiError && e.status === 422 && e.problems.some((p) => p.field === 'spec.batch_size'),
    );
  });

  it('answers 400 for malformed JSON and 413 for an oversize body', async () => {
    const malformed = await raw('POST', '/api/v1/jobs', '{"spec": {');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('bad_request');
    // Declared too large: refused from the header, before any of the body is read.
    const declared = await oversize({ 'content-length': String(2 * 1024 * 1024) }, 0);
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('too_large');
    // Streamed with no length: refused once the limit is crossed.
    const streamed = await oversize({ 'transfer-encoding': 'chunked' }, 1200 * 1024);
    expect(streamed.status).toBe(413);
    expect((await c.health()).pid).toBeGreaterThan(0); // still serving
  });

  it('checks query parameters and ids', async () => {
    expect((await raw('GET', '/api/v1/jobs?state=bogus')).status).toBe(422);
    expect((await raw('GET', '/api/v1/jobs/zz!')).status).toBe(422);
    expect((await raw('GET', '/api/v1/nothing')).json.error.code).toBe('not_found');
  });

  it('serves the OpenAPI document and the docs page, with no CORS headers', async () => {
    const doc = await raw('GET', '/openapi.json', undefined, { origin: 'http://evil.example' });
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/api/v1/jobs', '/api/v1/jobs/{id}/events', '/api/v1/jobs/{id}/log', '/api/v1/health']));
    expect(doc.json.paths['/api/v1/jobs'].post.requestBody.content['application/json'].schema.properties.spec.properties.batch_size).toBeTruthy();
    expect(Object.keys(doc.headers).filter((h) => h.startsWith('access-control'))).toEqual([]);
    const page = await raw('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(String(page.json)).not.toMatch(/https?:\/\/(cdn|unpkg)/);
  });
});
