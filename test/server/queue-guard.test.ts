/**
 * The queue-control routes (pause, resume, cancel-queued, move, batch) behind the same listener guard as every
 * route: a cross-site page, a DNS-rebinding Host and another local uid are refused before they run, and the
 * pause file holds no more than a time, 0600 in the 0700 state dir.
 */
import { statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/daemon.js';
import { PAUSE_FILE } from '../../src/core/scheduler/types.js';
import { compatEnv, newHomeDir, removeHome, until } from '../compat/helpers.js';
import { NOBODY, requestAsUser } from './other-user.js';

function send(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const h = { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) };
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: h, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const demo = { harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true } as const;
let home: string;
let server: RunningServer;
let port: number;

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  server = await startServer({ stateDir: home, settings: { gpus: null, concurrency: 1, graceMs: 300, adoptPollMs: 100 }, tcp: { host: '127.0.0.1', port: 0, token: null }, log: () => undefined });
  port = server.tcp!.port;
});
afterAll(async () => {
  const live = () => server.scheduler.list().filter((j) => j.state === 'queued' || j.state === 'running');
  await Promise.allSettled(live().map((j) => (j.state === 'queued' ? Promise.resolve(server.scheduler.cancel(j.id)) : server.scheduler.stop(j.id))));
  await until(() => live().length === 0, { what: 'every job to end' });
  await server?.close();
  removeHome(home);
});

describe('queue-control routes behind the guard', () => {
  it('cross-site, rebinding and other-uid requests change nothing; the same requests from this uid work', async () => {
    const running = server.scheduler.submit(demo as never, { env: { ...(process.env as Record<string, string>), LMMS_DEMO_HANG: '1' } });
    await until(() => server.scheduler.get(running.id).pid !== null, { what: 'the job to run' });
    const queued = [server.scheduler.submit({ ...demo, limit: 1 } as never), server.scheduler.submit({ ...demo, limit: 2 } as never)];
    const routes: [string, string?][] = [
      ['/api/v1/queue/pause'],
      ['/api/v1/queue/cancel-queued'],
      [`/api/v1/jobs/${queued[1]!.id}/move`, JSON.stringify({ to: 'top' })],
      ['/api/v1/jobs/batch', JSON.stringify({ action: 'stop', ids: [running.id, queued[0]!.id] })],
    ];
    const unchanged = () => {
      expect(server.scheduler.paused).toBe(false);
      expect(server.scheduler.get(running.id).state).toBe('running');
      expect(server.scheduler.queue().queued.map((q) => q.id)).toEqual(queued.map((j) => j.id));
    };
    for (const [p, body] of routes) {
      for (const headers of <Record<string, string>[]>[{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) expect((await send(port, 'POST', p, headers, body)).status, `${p} ${JSON.stringify(headers)}`).toBe(403);
      expect((await send(port, 'POST', p, { host: `rebind.evil.example:${port}` }, body)).status, p).toBe(421);
      const [asNobody] = await requestAsUser({ host: '127.0.0.1', port, method: 'POST', path: p, headers: body ? { 'content-type': 'application/json' } : {}, body });
      expect(asNobody!.uid).toBe(NOBODY);
      expect(asNobody!.status, p).toBe(401);
      unchanged();
    }
    // This uid is served: the refusals above were the guard's.
    expect((await send(port, 'POST', '/api/v1/queue/pause')).status).toBe(200);
    expect(server.scheduler.paused).toBe(true);
    const st = statSync(path.join(home, PAUSE_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect((await send(port, 'POST', `/api/v1/jobs/${queued[1]!.id}/move`, {}, JSON.stringify({ to: 'top' }))).status).toBe(200);
    expect(server.scheduler.queue().queued[0]!.id).toBe(queued[1]!.id);
    expect((await send(port, 'POST', '/api/v1/queue/resume')).status).toBe(200);
  });
});
