/**
 * The listener guard on `serve` (server/guard.ts): the attacks a web page, a DNS-rebinding page and another
 * local user can send to a real server on loopback, each refused before any route runs, and what must keep
 * working (same-origin pages, curl-style bodiless POSTs, our client over the socket, allowed hosts/origins,
 * a token for other users).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmmsClient } from '../../src/client/client.js';
import { startServer, type RunningServer } from '../../src/server/daemon.js';
import { checkRequest, resolveConnectionUid, type GuardOptions } from '../../src/server/guard.js';
import { peerUidReads } from '../../src/server/peer-uid.js';
import { compatEnv, newHomeDir, removeHome, until } from '../compat/helpers.js';
import { NOBODY, requestAsUser } from './other-user.js';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One request with exactly these headers (nothing added), over TCP or the socket. */
function send(target: { port: number; host?: string } | { socketPath: string }, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const where = 'socketPath' in target ? { socketPath: target.socketPath } : { host: target.host ?? '127.0.0.1', port: target.port };
    const h = { ...headers };
    // Framed explicitly: node sends a DELETE body unframed otherwise.
    if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length')) h['content-length'] = String(Buffer.byteLength(body));
    const req = http.request({ ...where, method, path: urlPath, headers: h, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const demo = { harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true };
const hangEnv = () => ({ ...(process.env as Record<string, string>), LMMS_DEMO_HANG: '1' });

let home: string;
let server: RunningServer;
let port: number;
let scratch: string;
const jobCount = () => server.scheduler.list().length;

/** Stops what still runs and waits until every job of `s` has ended, so its state dir can go. */
async function settle(s: RunningServer): Promise<void> {
  const live = () => s.scheduler.list().filter((j) => j.state === 'queued' || j.state === 'running');
  await Promise.allSettled(live().map((j) => (j.state === 'queued' ? Promise.resolve(s.scheduler.cancel(j.id)) : s.scheduler.stop(j.id))));
  await until(() => live().length === 0, { what: 'every job to end' });
}

async function start(h: string, tcp: Partial<{ host: string; token: string | null; allowHosts: string[]; allowOrigins: string[] }> = {}): Promise<RunningServer> {
  return startServer({
    stateDir: h,
    settings: { gpus: null, concurrency: 4, graceMs: 300, adoptPollMs: 100 },
    tcp: { host: '127.0.0.1', port: 0, token: null, ...tcp },
    log: () => undefined,
  });
}

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  server = await start(home);
  port = server.tcp!.port;
  scratch = mkdtempSync(path.join(tmpdir(), 'lmms-guard-'));
});
afterAll(async () => {
  if (server) await settle(server);
  await server?.close();
  removeHome(home);
  rmSync(scratch, { recursive: true, force: true });
});

describe('DNS rebinding: a Host that does not name the listener is refused before routing', () => {
  it('GET /api/v1/jobs, POST /api/v1/jobs with a set-up line, compat routes, /docs and /openapi.json: 421, nothing run or listed', async () => {
    const known = server.scheduler.submit(demo as never, { env: hangEnv() });
    const marker = path.join(scratch, 'rebind-ran');
    const evil = { host: `rebind.evil.example:${port}` };
    const list = await send({ port }, 'GET', '/api/v1/jobs', evil);
    expect(list.status).toBe(421);
    expect(list.json.error.code).toBe('misdirected_request');
    expect(list.text).not.toContain(known.id);
    const before = jobCount();
    const submit = await send({ port }, 'POST', '/api/v1/jobs', { ...evil, ...JSON_TYPE }, JSON.stringify({ spec: { ...demo, setup: `touch ${marker}` } }));
    expect(submit.status).toBe(421);
    expect(submit.json.error.hint).toMatch(/--allow-host rebind\.evil\.example/);
    for (const [method, p, body] of [
      ['GET', '/queue'], ['GET', `/jobs/${known.id}`], ['GET', '/jobs'], ['POST', '/evaluate', JSON.stringify({ model: 'demo', tasks: ['demo_mme'] })],
      ['POST', '/job', JSON.stringify({ model: 'demo', tasks: 'demo_hellaswag' })], ['POST', '/jobs/stop'], ['GET', '/docs'], ['GET', '/openapi.json'],
      ['POST', `/api/v1/jobs/${known.id}/stop`],
    ] as [string, string, string?][]) {
      const r = await send({ port }, method, p, { ...evil, ...(body ? JSON_TYPE : {}) }, body);
      expect(r.status, `${method} ${p}`).toBe(421);
      expect(r.text, `${method} ${p}`).not.toContain(known.id);
    }
    expect(jobCount()).toBe(before);
    expect(server.scheduler.get(known.id).state).toBe('running');

    // The same submit under the listener's own names does run (so the refusal above is what stopped it).
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `LOCALHOST:${port}`]) {
      expect((await send({ port }, 'GET', '/api/v1/queue', { host })).status, host).toBe(200);
    }
    const ok = await send({ port }, 'POST', '/api/v1/jobs', { host: `127.0.0.1:${port}`, ...JSON_TYPE }, JSON.stringify({ spec: { ...demo, setup: `touch ${marker}` }, env: process.env }));
    expect(ok.status).toBe(201);
    await until(() => existsSync(marker), { what: 'the set-up line of the allowed submit to run' });
    await server.scheduler.stop(known.id);
  });
});

describe('cross-site requests: browsers mark them, and they are refused (403)', () => {
  it('Origin of another site, Origin: null and Sec-Fetch-Site cross-site/same-site, on reads and writes', async () => {
    const job = server.scheduler.submit(demo as never, { env: hangEnv() });
    const before = jobCount();
    for (const headers of <Record<string, string>[]>[
      { origin: 'http://evil.example' },
      { origin: `http://localhost:${port + 1}` }, // another port of this machine: same-site, not same-origin
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]) {
      const what = JSON.stringify(headers);
      const read = await send({ port }, 'GET', '/api/v1/jobs', headers);
      expect(read.status, what).toBe(403);
      expect(read.text, what).not.toContain(job.id);
      expect((await send({ port }, 'POST', `/api/v1/jobs/${job.id}/stop`, headers)).status, what).toBe(403);
      expect((await send({ port }, 'POST', `/api/v1/jobs/${job.id}/retry`, { ...headers, 'content-type': 'text/plain' }, '{}')).status, what).toBe(403);
      expect((await send({ port }, 'GET', '/jobs/stop', headers)).status, what).toBe(403); // lm-eval-server's state-changing GET
    }
    const refused = await send({ port }, 'GET', '/api/v1/jobs', { origin: 'http://evil.example' });
    expect(refused.json.error).toMatchObject({ code: 'cross_origin', hint: expect.stringMatching(/--allow-origin http:\/\/evil\.example/) });
    const compat = await send({ port }, 'GET', '/queue', { 'sec-fetch-site': 'cross-site' });
    expect(compat.json.detail).toMatch(/cross-site/);
    expect(jobCount()).toBe(before);
    expect(server.scheduler.get(job.id).state).toBe('running');
    expect(Object.keys(refused.headers).filter((h) => h.startsWith('access-control'))).toEqual([]);

    // Pages of the listener's own origin (the /docs page) and direct navigation are fine.
    expect((await send({ port }, 'GET', '/api/v1/jobs', { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await send({ port }, 'GET', '/docs', { 'sec-fetch-site': 'none' })).status).toBe(200);
    await server.scheduler.stop(job.id);
  });
});

describe('Content-Type: state changes need application/json (or no body at all)', () => {
  it('no-Content-Type JSON to /evaluate and /job (a no-cors fetch of a Blob) queues nothing: 415', async () => {
    const before = jobCount();
    // What a page sends with fetch(url, {method: 'POST', mode: 'no-cors', body: new Blob([json])}): no Content-Type.
    const blob = await fetch(`http://127.0.0.1:${port}/evaluate`, { method: 'POST', body: new Blob([JSON.stringify({ model: 'demo', tasks: ['demo_mme'] })]) });
    expect(blob.status).toBe(415);
    expect((await blob.json()).detail).toMatch(/Content-Type: application\/json/);
    const marker = path.join(scratch, 'les-ran');
    for (const [p, body] of [
      ['/evaluate', { model: 'demo', tasks: ['demo_mme'] }],
      ['/job', { model: 'demo', tasks: 'demo_hellaswag', env_vars: { X: `$(touch ${marker})` } }],
      ['/api/v1/jobs', { spec: { ...demo, setup: `touch ${marker}` } }],
    ] as [string, unknown][]) {
      const text = JSON.stringify(body);
      expect((await send({ port }, 'POST', p, { 'content-length': String(Buffer.byteLength(text)) }, text)).status, p).toBe(415);
      for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        expect((await send({ port }, 'POST', p, { 'content-type': type }, text)).status, `${p} ${type}`).toBe(415);
      }
      // Chunked, with no Content-Type either.
      const chunked = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: p, agent: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on('error', reject);
        req.write(text);
        req.end();
      });
      expect(chunked, `${p} chunked`).toBe(415);
    }
    expect(jobCount()).toBe(before);
    expect(existsSync(marker)).toBe(false);
  });

  it('text/plain stop and retry, and lm-eval-server POST /jobs/stop, change nothing', async () => {
    const les = await send({ port }, 'POST', '/job', JSON_TYPE, JSON.stringify({ model: 'demo', tasks: 'demo_hellaswag', env_vars: { LMMS_DEMO_HANG: '1' } }));
    expect(les.status).toBe(200);
    const lesJob = server.scheduler.list().at(-1)!;
    const job = server.scheduler.submit(demo as never, { env: hangEnv() });
    await until(() => server.scheduler.get(lesJob.id).state === 'running' && server.scheduler.get(job.id).state === 'running', { what: 'both jobs to run' });
    const before = jobCount();
    const plain = { 'content-type': 'text/plain' };
    expect((await send({ port }, 'POST', `/api/v1/jobs/${job.id}/stop`, plain, '')).status).toBe(415);
    expect((await send({ port }, 'POST', `/api/v1/jobs/${job.id}/retry`, plain, 'x')).status).toBe(415);
    expect((await send({ port }, 'POST', `/api/v1/jobs/${job.id}/cancel`, { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1')).status).toBe(415);
    expect((await send({ port }, 'POST', '/jobs/stop', plain, '')).status).toBe(415);
    expect((await send({ port }, 'POST', `/job/${les.json.job_id}/stop`, plain, '')).status).toBe(415);
    expect((await send({ port }, 'DELETE', `/api/v1/jobs/${job.id}`, plain, 'x')).status).toBe(415);
    expect(jobCount()).toBe(before);
    expect([server.scheduler.get(job.id).state, server.scheduler.get(lesJob.id).state]).toEqual(['running', 'running']);

    // curl -X POST / httpx client.post(url): no body, no Content-Type, no Origin: works, as before.
    const stop = await send({ port }, 'POST', `/api/v1/jobs/${job.id}/stop?wait=1`);
    expect([stop.status, stop.json.state]).toEqual([200, 'stopped']);
    const lesStop = await send({ port }, 'POST', `/job/${les.json.job_id}/stop`, { 'content-length': '0' });
    expect(lesStop.json).toEqual({ status: 'success', message: `Job ${les.json.job_id} stopped successfully.` });
    // application/json with a charset is JSON.
    const retry = await send({ port }, 'POST', `/api/v1/jobs/${job.id}/retry`, { 'content-type': 'application/json; charset=utf-8' }, '{}');
    expect(retry.status).toBe(201);
    await server.scheduler.stop(retry.json.id);
  });

  it('the Unix socket applies the same Content-Type rule, and our client still works over it', async () => {
    const socketPath = server.paths.socket;
    expect((await send({ socketPath }, 'POST', '/evaluate', { 'content-type': 'text/plain' }, JSON.stringify({ model: 'demo', tasks: ['demo_mme'] }))).status).toBe(415);
    // No Host/Origin rules there: no browser can reach it (0700 dir, 0600 socket).
    expect((await send({ socketPath }, 'GET', '/api/v1/health', { host: 'rebind.evil.example', origin: 'http://evil.example' })).status).toBe(200);
    const c = new LmmsClient({ socketPath });
    try {
      const { id } = await c.submit(demo as never, { env: hangEnv() });
      await until(async () => (await c.job(id)).state === 'running', { what: 'the job to run' });
      expect((await c.stop(id, { wait: true })).state).toBe('stopped');
      const again = await c.retry(id);
      expect(['stopped', 'cancelled']).toContain((await c.stop(again.id, { wait: true })).state);
      expect((await c.remove(again.id)).id).toBe(again.id);
    } finally {
      c.close();
    }
  });
});

describe('job ids over HTTP are full ids, never prefixes', () => {
  it('every route with an id answers 404 to a prefix, and works with the full id', async () => {
    const job = server.scheduler.submit(demo as never, { env: { ...(process.env as Record<string, string>) } });
    await until(() => ['succeeded', 'failed'].includes(server.scheduler.get(job.id).state), { what: 'the job to finish' });
    for (const prefix of [job.id.slice(0, 1), job.id.slice(0, 4), job.id.slice(0, 7)]) {
      for (const [method, p] of [
        ['GET', `/api/v1/jobs/${prefix}`], ['POST', `/api/v1/jobs/${prefix}/cancel`], ['POST', `/api/v1/jobs/${prefix}/stop`],
        ['POST', `/api/v1/jobs/${prefix}/retry`], ['DELETE', `/api/v1/jobs/${prefix}`], ['GET', `/api/v1/jobs/${prefix}/log`],
        ['GET', `/api/v1/jobs/${prefix}/events`], ['GET', `/api/v1/jobs/${prefix}/result`],
        ['GET', `/jobs/${prefix}`], ['DELETE', `/jobs/${prefix}`],
      ]) {
        const r = await send({ port }, method!, p!);
        expect(r.status, `${method} ${p}`).toBe(404);
      }
    }
    const before = jobCount();
    expect((await send({ port }, 'GET', `/api/v1/jobs/${job.id}`)).json.id).toBe(job.id);
    expect((await send({ port }, 'GET', `/api/v1/jobs/${job.id.toUpperCase()}`)).json.id).toBe(job.id);
    expect((await send({ port }, 'GET', `/jobs/${job.id}`)).json.job_id).toBe(job.id);
    expect((await send({ port }, 'GET', `/api/v1/jobs/${job.id}/result`)).status).toBe(200);
    expect(jobCount()).toBe(before);
  });
});

describe('other local users: a tokenless loopback listener serves only its own uid', () => {
  it('uid 65534 gets 401 naming --token on every surface, and submits nothing; this uid is served', async () => {
    const before = jobCount();
    const body = JSON.stringify({ spec: demo });
    const [list, submit, evaluate, docs] = [
      ...(await requestAsUser({ host: '127.0.0.1', port, path: '/api/v1/jobs' })),
      ...(await requestAsUser({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/jobs', headers: JSON_TYPE, body })),
      ...(await requestAsUser({ host: '127.0.0.1', port, method: 'POST', path: '/evaluate', headers: JSON_TYPE, body: JSON.stringify({ model: 'demo', tasks: ['demo_mme'] }) })),
      ...(await requestAsUser({ host: '127.0.0.1', port, path: '/docs' })),
    ];
    for (const r of [list, submit, evaluate, docs]) {
      expect(r!.uid).toBe(NOBODY);
      expect(r!.status).toBe(401);
      expect(r!.text).toMatch(/--token/);
      expect(r!.text).toContain(`uid ${NOBODY}`);
    }
    expect(list!.json.error.code).toBe('unauthorized');
    expect(evaluate!.json.detail).toMatch(/--token/);
    expect(jobCount()).toBe(before);
    // The same requests from this process's uid (root) are served.
    expect((await send({ port }, 'GET', '/api/v1/jobs')).status).toBe(200);
    const [mine] = await requestAsUser({ host: '127.0.0.1', port, path: '/api/v1/queue' }, process.geteuid!());
    expect(mine!.status).toBe(200);
  });

  it('looks the uid up once per connection: keep-alive requests reuse it', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = () =>
        new Promise<number>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/api/v1/health', agent }, (res) => (res.resume(), res.on('end', () => resolve(res.statusCode ?? 0)))).on('error', reject);
        });
      const reads = peerUidReads();
      for (let i = 0; i < 5; i++) expect(await get()).toBe(200);
      expect(peerUidReads() - reads).toBe(1);
    } finally {
      agent.destroy();
    }
    // A keep-alive connection of another uid stays refused on every request.
    const rs = await requestAsUser({ host: '127.0.0.1', port, path: '/api/v1/health', repeat: 3 });
    expect(rs.map((r) => r.status)).toEqual([401, 401, 401]);
  });

  it('with --token the token is the check: uid 65534 with it is served, without it is not', async () => {
    const h = newHomeDir();
    const locked = await start(h, { token: 'tok-guard-1' });
    try {
      const p = locked.tcp!.port;
      const [withToken] = await requestAsUser({ host: '127.0.0.1', port: p, path: '/api/v1/jobs', headers: { authorization: 'Bearer tok-guard-1' } });
      expect(withToken!.status).toBe(200);
      const [submitted] = await requestAsUser({ host: '127.0.0.1', port: p, method: 'POST', path: '/api/v1/jobs', headers: { authorization: 'Bearer tok-guard-1', ...JSON_TYPE }, body: JSON.stringify({ spec: demo }) });
      expect(submitted!.status).toBe(201);
      const [without] = await requestAsUser({ host: '127.0.0.1', port: p, path: '/api/v1/jobs' });
      expect(without!.status).toBe(401);
      // A token does not lift the browser rules.
      expect((await send({ port: p }, 'GET', '/api/v1/jobs', { authorization: 'Bearer tok-guard-1', host: `rebind.evil.example:${p}` })).status).toBe(421);
      expect((await send({ port: p }, 'POST', `/api/v1/jobs/${submitted!.json.id}/retry`, { authorization: 'Bearer tok-guard-1', 'content-type': 'text/plain' }, 'x')).status).toBe(415);
    } finally {
      await settle(locked);
      await locked.close();
      removeHome(h);
    }
  });
});

describe('--allow-host and --allow-origin', () => {
  it('let exactly the given names and origins in, with CORS answers for allowed origins only', async () => {
    const h = newHomeDir();
    const open = await start(h, { allowHosts: ['gpu-box.example'], allowOrigins: ['http://localhost:3000'] });
    try {
      const p = open.tcp!.port;
      expect((await send({ port: p }, 'GET', '/api/v1/queue', { host: `gpu-box.example:${p}` })).status).toBe(200);
      expect((await send({ port: p }, 'GET', '/queue', { host: 'GPU-BOX.example.' })).status).toBe(200);
      expect((await send({ port: p }, 'GET', '/api/v1/queue', { host: `other.example:${p}` })).status).toBe(421);

      const origin = { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' };
      const pre = await send({ port: p }, 'OPTIONS', '/api/v1/jobs', { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(pre.headers['access-control-allow-headers']).toContain('content-type');
      const sub = await send({ port: p }, 'POST', '/api/v1/jobs', { ...origin, ...JSON_TYPE }, JSON.stringify({ spec: demo }));
      expect(sub.status).toBe(201);
      expect(sub.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      // Allowed origins still send JSON: a text/plain body is refused for them too.
      expect((await send({ port: p }, 'POST', `/api/v1/jobs/${sub.json.id}/retry`, { ...origin, 'content-type': 'text/plain' }, 'x')).status).toBe(415);
      const other = await send({ port: p }, 'OPTIONS', '/api/v1/jobs', { origin: 'http://localhost:3001', 'access-control-request-method': 'POST' });
      expect(other.status).toBe(403);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await settle(open);
      await open.close();
      removeHome(h);
    }
  });
});

const v6 = await new Promise<boolean>((resolve) => {
  const s = net.createServer().once('error', () => resolve(false));
  s.listen(0, '::1', () => s.close(() => resolve(true)));
});

describe.runIf(v6)('on ::1', () => {
  it('answers to [::1] and localhost, refuses a rebinding Host and other uids', async () => {
    const h = newHomeDir();
    const s6 = await start(h, { host: '::1' });
    try {
      const p = s6.tcp!.port;
      expect(s6.tcp!.url).toBe(`http://[::1]:${p}`);
      expect((await send({ host: '::1', port: p }, 'GET', '/api/v1/queue', { host: `[::1]:${p}` })).status).toBe(200);
      expect((await send({ host: '::1', port: p }, 'GET', '/api/v1/queue', { host: `localhost:${p}` })).status).toBe(200);
      expect((await send({ host: '::1', port: p }, 'GET', '/api/v1/queue', { host: `rebind.evil.example:${p}` })).status).toBe(421);
      expect((await send({ host: '::1', port: p }, 'GET', '/api/v1/queue', { origin: `http://[::1]:${p}`, host: `[::1]:${p}` })).status).toBe(200);
      const [other] = await requestAsUser({ host: '::1', port: p, path: '/api/v1/queue' });
      expect(other!.status).toBe(401);
    } finally {
      await settle(s6);
      await s6.close();
      removeHome(h);
    }
  });
});

describe('checkRequest on a plain node:http server (no fastify), as the MCP listener will use it', () => {
  it('applies the same rules', async () => {
    const opts: GuardOptions = { transport: 'tcp', bindHost: '127.0.0.1', sameUid: true, allowOrigins: ['http://localhost:3000'] };
    const plain = http.createServer(async (req, res) => {
      await resolveConnectionUid(req.socket);
      const refusal = checkRequest(req, opts);
      res.statusCode = refusal?.status ?? 200;
      res.end(JSON.stringify(refusal ?? { ok: true }));
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const p = (plain.address() as net.AddressInfo).port;
      expect((await send({ port: p }, 'GET', '/')).json).toEqual({ ok: true });
      expect((await send({ port: p }, 'GET', '/', { host: `rebind.evil.example:${p}` })).status).toBe(421);
      expect((await send({ port: p }, 'POST', '/', { origin: 'http://evil.example' })).status).toBe(403);
      expect((await send({ port: p }, 'POST', '/', { origin: 'http://localhost:3000', ...JSON_TYPE }, '{}')).status).toBe(200);
      expect((await send({ port: p }, 'POST', '/', { 'content-type': 'text/plain' }, '{}')).json).toMatchObject({ status: 415, code: 'unsupported_media_type' });
      const [other] = await requestAsUser({ host: '127.0.0.1', port: p, path: '/' });
      expect(other!.json).toMatchObject({ status: 401, code: 'unauthorized', hint: expect.stringContaining('--token') });
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });
});
