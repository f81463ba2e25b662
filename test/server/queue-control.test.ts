/**
 * Queue control through the real server and the shipped CLI: pause/resume (kept across a server restart),
 * moving queued jobs, cancelling all queued, and batch stop/cancel/rm/retry, where stopping several jobs
 * must not let a queued one start in a slot the first of them frees.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { serverPaths } from '../../src/server/paths.js';
import { cleanupHomes, cli, client, demoSpec, newHome, until } from './helpers.js';

let env: NodeJS.ProcessEnv;
let c: LmmsClient;
let hang: NodeJS.ProcessEnv;

function raw(e: NodeJS.ProcessEnv, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath: serverPaths(e.LMMS_TUI_HOME!).socket, method, path, headers: text ? { 'content-type': 'application/json' } : {} }, (res) => {
      let out = '';
      res.on('data', (d: Buffer) => (out += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(out) }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const run = async (e: NodeJS.ProcessEnv, limit: number) => {
  const r = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', String(limit), '--allow-duplicate'], e);
  expect(r.code).toBe(0);
  return r.stdout.trim();
};

beforeAll(async () => {
  ({ env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' }));
  hang = { ...env, LMMS_DEMO_HANG: '1' };
  c = await client(env);
});
afterAll(async () => {
  c?.close();
  await cleanupHomes();
});

describe('pause and resume', () => {
  it('holds queued jobs while running ones go on, survives a server restart, and resumes', async () => {
    const running = await run(hang, 1);
    await until(async () => (await c.job(running)).state === 'running', { what: 'the first job to run' });
    const p = await cli(['queue', 'pause'], env);
    expect(p).toMatchObject({ code: 0 });
    expect(p.stdout).toContain('dispatch paused');
    const waiting = await run(env, 2);
    await cli(['stop', running], env);
    // The slot is free, but nothing starts while paused.
    expect((await c.job(running)).state).toBe('stopped');
    expect((await cli(['queue'], env)).stdout).toMatch(/^dispatch PAUSED.*\nrunning \(0\/1\)\nqueued \(1\)\n {3}1\. /);
    expect((await cli(['status'], env)).stdout).toBe('paused ◷1\n');
    // A new server (the next command starts one) stays paused.
    c.close();
    expect((await cli(['server', 'stop'], env)).code).toBe(0);
    expect((await cli(['status', '--format', '{paused} {source}'], env)).stdout).toBe('paused disk\n');
    expect(JSON.parse((await cli(['queue', '--json'], env)).stdout)).toMatchObject({ paused: true, queued: [{ id: waiting, position: 1 }] });
    c = await client(env);
    expect((await c.job(waiting)).state).toBe('queued');
    expect((await cli(['queue', 'resume'], env)).stdout).toContain('dispatch resumed');
    expect((await c.waitForJob(waiting, { intervalMs: 50, timeoutMs: 20_000 })).state).toBe('succeeded');
    expect((await c.queue()).paused).toBe(false);
  });
});

describe('moving queued jobs', () => {
  it('up, down and top reorder the queue and the dispatch order; a running job cannot be moved', async () => {
    const blocker = await run(hang, 3);
    await until(async () => (await c.job(blocker)).state === 'running', { what: 'the blocker to run' });
    const [a, b, d] = [await run(env, 4), await run(env, 5), await run(env, 6)];
    const order = async () => (await c.queue()).queued.map((q) => q.id);
    expect(await order()).toEqual([a, b, d]);
    expect((await cli(['queue', 'move', d.slice(0, 6), 'top'], env)).stdout).toBe(`${d} is now #1 of 3 queued\n`);
    expect(await order()).toEqual([d, a, b]);
    await cli(['queue', 'move', a, 'down'], env);
    expect(await order()).toEqual([d, b, a]);
    await cli(['queue', 'move', a, 'up'], env);
    await cli(['queue', 'move', d, 'up'], env); // already first: stays
    expect(await order()).toEqual([d, a, b]);
    expect((await cli(['queue'], env)).stdout).toMatch(new RegExp(` 1\\. ${d}.*\\n {3}2\\. ${a}.*\\n {3}3\\. ${b}`));
    const bad = await cli(['queue', 'move', a, 'bottom'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"bottom" is not a place to move to');
    const notQueued = await cli(['queue', 'move', blocker, 'top'], env);
    expect(notQueued.code).toBe(1);
    expect(notQueued.stderr).toContain(`job ${blocker} is running, not queued`);
    // Over HTTP only full ids, and only the three places.
    expect((await raw(env, 'POST', `/api/v1/jobs/${a.slice(0, 4)}/move`, { to: 'top' })).status).toBe(404);
    expect((await raw(env, 'POST', `/api/v1/jobs/${a}/move`, { to: 'sideways' })).status).toBe(422);
    // They start in the new order.
    await cli(['stop', blocker], env);
    const done = await Promise.all([d, a, b].map((id) => c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 })));
    const started = done.map((j) => Date.parse(j.started_at!));
    expect(started[0]).toBeLessThanOrEqual(started[1]!);
    expect(started[1]).toBeLessThanOrEqual(started[2]!);
  });
});

describe('cancel --all-queued and batches', () => {
  it('cancel --all-queued leaves the running job alone', async () => {
    const running = await run(hang, 7);
    await until(async () => (await c.job(running)).state === 'running', { what: 'a job to run' });
    const queued = [await run(env, 8), await run(env, 9)];
    const r = await cli(['cancel', '--all-queued'], env);
    expect(r.stdout).toBe(queued.map((id) => `cancelled ${id}\n`).join(''));
    for (const id of queued) expect((await c.job(id)).state).toBe('cancelled');
    expect((await c.job(running)).state).toBe('running');
    expect((await cli(['cancel', '--all-queued'], env)).stdout).toBe('no queued jobs\n');
    expect((await cli(['cancel', running, '--all-queued'], env)).code).toBe(2);
    await cli(['stop', running], env);
  });

  it('stop A B with B queued: B is cancelled without ever starting, and the next job starts after A has ended', async () => {
    const a = await run({ ...hang, LMMS_DEMO_IGNORE_TERM: '1' }, 10); // takes the whole grace to stop
    await until(async () => (await c.job(a)).state === 'running', { what: 'A to run' });
    const b = await run(env, 11);
    const next = await run(env, 12);
    const r = await cli(['stop', a, b, '--grace', '0.5'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped ${a}`);
    expect(r.stdout).toContain(`cancelled ${b} (it had not started)`);
    const jb = await c.job(b);
    expect(jb).toMatchObject({ state: 'cancelled', started_at: null, pid: null });
    const ja = await c.job(a);
    const jn = await c.waitForJob(next, { intervalMs: 50, timeoutMs: 20_000 });
    expect(jn.state).toBe('succeeded');
    expect(Date.parse(jn.started_at!)).toBeGreaterThanOrEqual(Date.parse(ja.ended_at!));
  });

  it('stop of two running jobs starts nothing until both have ended (concurrency 2)', async () => {
    const { env: e2 } = await newHome({ LMMS_TUI_CONCURRENCY: '2' });
    const c2 = await client(e2);
    try {
      const slow = await run({ ...e2, LMMS_DEMO_HANG: '1', LMMS_DEMO_IGNORE_TERM: '1' }, 1);
      const fast = await run({ ...e2, LMMS_DEMO_HANG: '1' }, 2);
      const next = await run(e2, 3);
      await until(async () => (await c2.job(slow)).pid !== null && (await c2.job(fast)).pid !== null, { what: 'both to run' });
      const r = await cli(['stop', fast, slow, '--grace', '0.6'], e2);
      expect(r.code).toBe(0);
      const [js, jf, jn] = [await c2.job(slow), await c2.job(fast), await c2.waitForJob(next, { intervalMs: 50, timeoutMs: 20_000 })];
      expect([js.state, jf.state]).toEqual(['stopped', 'stopped']);
      // The fast one ended first and freed a slot; the queued job still waited for the slow one.
      expect(Date.parse(jf.ended_at!)).toBeLessThan(Date.parse(js.ended_at!));
      expect(Date.parse(jn.started_at!)).toBeGreaterThanOrEqual(Date.parse(js.ended_at!));
    } finally {
      c2.close();
    }
  });

  it('cancel, retry and rm take several ids; a refusal names its job and the rest still happen', async () => {
    const running = await run(hang, 13);
    await until(async () => (await c.job(running)).state === 'running', { what: 'a job to run' });
    const [q1, q2] = [await run(env, 14), await run(env, 15)];
    const cancel = await cli(['cancel', q1, running, q2], env);
    expect(cancel.code).toBe(1);
    expect(cancel.stdout).toBe(`cancelled ${q1}\ncancelled ${q2}\n`);
    expect(cancel.stderr).toContain(`${running}: job ${running} is running, not queued`);
    const retry = await cli(['retry', q1, q2], env);
    expect(retry.code).toBe(0);
    const copies = retry.stdout.trim().split('\n');
    expect(copies).toHaveLength(2);
    for (const id of copies) expect((await c.job(id)).retry_of).toMatch(new RegExp(`^(${q1}|${q2})$`));
    const rm = await cli(['rm', q1, q2], env);
    expect(rm).toMatchObject({ code: 0, stdout: `removed ${q1}\nremoved ${q2}\n` });
    expect((await c.jobs()).map((j) => j.id)).not.toContain(q1);
    // Unknown ids are a usage error before anything is done.
    const unknown = await cli(['rm', copies[0]!, 'abcdef99'], env);
    expect(unknown.code).toBe(2);
    expect((await c.jobs()).map((j) => j.id)).toContain(copies[0]);
    await cli(['stop', running, ...copies], env);
  });

  it('the batch route takes full ids only and answers per id; OpenAPI documents the queue routes', async () => {
    const id = await run(env, 16);
    await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 });
    const r = await raw(env, 'POST', '/api/v1/jobs/batch', { action: 'cancel', ids: [id, id.slice(0, 5)] });
    expect(r.status).toBe(200);
    expect(r.json.results).toEqual([
      { id, ok: false, error: expect.objectContaining({ code: 'conflict', message: `job ${id} is succeeded, not queued` }) },
      { id: id.slice(0, 5), ok: false, error: expect.objectContaining({ code: 'not_found' }) },
    ]);
    expect((await raw(env, 'POST', '/api/v1/jobs/batch', { action: 'explode', ids: [id] })).status).toBe(422);
    expect((await raw(env, 'POST', '/api/v1/jobs/batch', { action: 'stop', ids: [] })).status).toBe(422);
    const doc = (await raw(env, 'GET', '/openapi.json')).json;
    for (const p of ['/api/v1/jobs/batch', '/api/v1/jobs/{id}/move', '/api/v1/queue/pause', '/api/v1/queue/resume', '/api/v1/queue/cancel-queued']) expect(doc.paths[p]?.post).toBeTruthy();
    expect(doc.paths['/api/v1/jobs/batch'].post.requestBody).toBeTruthy();
  });
});

describe('queue control in the API client', () => {
  it('pauseQueue/resumeQueue report paused in the queue summary', async () => {
    expect((await c.pauseQueue()).paused).toBe(true);
    const { id } = await c.submit(demoSpec({ limit: 17 }));
    expect((await c.job(id)).state).toBe('queued');
    expect((await c.resumeQueue()).paused).toBe(false);
    expect((await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 })).state).toBe('succeeded');
  });
});
