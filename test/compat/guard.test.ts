/**
 * The listener guard on `lmms-tui web` (server/guard.ts, shared with `serve`): the page-driven attacks on its
 * API, front end and static files, refused before routing, with nothing queued or run; and what the front end
 * itself (same origin), curl and the owner keep being able to do.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmmsClient } from '../../src/client/client.js';
import { startWebServer, type WebServer } from '../../src/compat/webui.js';
import { NOBODY, requestAsUser } from '../server/other-user.js';
import { compatEnv, newHomeDir, removeHome, startTestServer, until, type TestServer } from './helpers.js';

let s: TestServer;
let home: string;
let client: LmmsClient;
let web: WebServer;
let port: number;
let base: string;
let cwd: string;

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One request with exactly these headers (Content-Length added for a body, nothing else). */
function send(p: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length')) h['content-length'] = String(Buffer.byteLength(body));
    const req = http.request({ host: '127.0.0.1', port: p, method, path: urlPath, headers: h, agent: false }, (res) => {
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
const form = (over: Record<string, unknown> = {}) => ({
  model: 'demo', model_args: '', tasks: ['demo_mme'], env_vars: '', batch_size: 1, limit: 4, output_path: './logs/guard/',
  log_samples: false, verbosity: 'INFO', device: null, env_setup: '', ...over,
});
const jobCount = async () => (await client.jobs()).length;

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  s = await startTestServer(home, { concurrency: 4 });
  client = new LmmsClient({ socketPath: s.server.paths.socket });
  base = mkdtempSync(path.join(tmpdir(), 'lmms-web-guard-'));
  cwd = path.join(base, 'work');
  mkdirSync(path.join(base, 'dist', 'assets'), { recursive: true });
  mkdirSync(cwd);
  writeFileSync(path.join(base, 'dist', 'index.html'), '<!doctype html><div id="root">UI</div>');
  writeFileSync(path.join(base, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
  web = await startWebServer({ client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, distDir: path.join(base, 'dist'), version: 'test', heartbeatMs: 50, host: '127.0.0.1', port: 0 });
  port = Number(new URL(web.url).port);
});
afterAll(async () => {
  await web?.close();
  if (s) {
    const live = s.server.scheduler.list().filter((j) => j.state === 'running' || j.state === 'queued');
    await Promise.allSettled(live.map((j) => (j.state === 'queued' ? Promise.resolve(s.server.scheduler.cancel(j.id)) : s.server.scheduler.stop(j.id))));
    await until(() => s.server.scheduler.list().every((j) => j.state !== 'running' && j.state !== 'queued'), { what: 'every job to end' });
  }
  client?.close();
  await s?.close();
  removeHome(home);
  rmSync(base, { recursive: true, force: true });
});

describe('lmms-tui web refuses what a web page can send', () => {
  it('POST /eval/start with no Content-Type (a no-cors fetch of a Blob) runs nothing; as JSON from curl it runs', async () => {
    const marker = path.join(base, 'start-ran');
    const attack = JSON.stringify(form({ env_setup: `touch ${marker}` }));
    const before = await jobCount();
    const blob = await fetch(`${web.url}/eval/start`, { method: 'POST', body: new Blob([attack]) });
    expect(blob.status).toBe(415);
    expect((await blob.json()).detail).toMatch(/Content-Type: application\/json/);
    for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'multipart/form-data; boundary=b' }] as Record<string, string>[]) {
      expect((await send(port, 'POST', '/eval/start', headers, attack)).status, JSON.stringify(headers)).toBe(415);
      expect((await send(port, 'POST', '/eval/preview', headers, attack)).status, JSON.stringify(headers)).toBe(415);
    }
    // A page's request carries its Origin: refused whatever the type.
    expect((await send(port, 'POST', '/eval/start', { ...JSON_TYPE, origin: 'http://evil.example' }, attack)).status).toBe(403);
    expect(await jobCount()).toBe(before);
    expect(existsSync(marker)).toBe(false);

    // The front end's own request (same origin, JSON) does queue it, and its set-up line runs.
    const ok = await send(port, 'POST', '/eval/start', { ...JSON_TYPE, origin: web.url, 'sec-fetch-site': 'same-origin' }, attack);
    expect(ok.status).toBe(200);
    expect(await jobCount()).toBe(before + 1);
    await until(() => existsSync(marker), { what: 'the set-up line of the allowed start to run' });
  });

  it('/eval/{id}/stop: text/plain and cross-site requests leave the job running; a bodiless curl POST stops it', async () => {
    const { id } = await client.submit({ harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true }, { env: { ...(process.env as Record<string, string>), LMMS_DEMO_HANG: '1' } });
    await until(async () => (await client.job(id)).state === 'running', { what: 'the job to run' });
    expect((await send(port, 'POST', `/eval/${id}/stop`, { 'content-type': 'text/plain' }, '')).status).toBe(415);
    expect((await send(port, 'POST', `/eval/${id}/stop`, { 'content-type': 'text/plain' }, 'stop')).status).toBe(415);
    expect((await send(port, 'POST', `/eval/${id}/stop`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await send(port, 'POST', `/eval/${id}/stop`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await send(port, 'POST', `/eval/${id}/stop`, { host: `rebind.evil.example:${port}` })).status).toBe(421);
    // A prefix is not an id.
    expect((await send(port, 'POST', `/eval/${id.slice(0, 3)}/stop`)).status).toBe(404);
    expect((await send(port, 'GET', `/eval/${id.slice(0, 5)}/stream`)).status).toBe(404);
    expect((await client.job(id)).state).toBe('running');
    const stop = await send(port, 'POST', `/eval/${id}/stop`);
    expect(stop.json).toEqual({ status: 'stopped' });
  });

  it('a rebinding Host gets 421 on the API, the front end and static files; cross-site reads get 403', async () => {
    for (const p of ['/health', '/tasks', '/models', '/', '/assets/index-abc.js', '/logs/runs', '/eval/preview']) {
      const r = await send(port, p === '/eval/preview' ? 'POST' : 'GET', p, { host: `rebind.evil.example:${port}`, ...(p === '/eval/preview' ? JSON_TYPE : {}) }, p === '/eval/preview' ? JSON.stringify(form()) : undefined);
      expect(r.status, p).toBe(421);
      expect(r.text, p).not.toContain('id="root"');
      expect(r.json?.detail, p).toMatch(/--allow-host/);
    }
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://localhost:1' }, { origin: 'null' }] as Record<string, string>[]) {
      expect((await send(port, 'GET', '/health', headers)).status, JSON.stringify(headers)).toBe(403);
      expect((await send(port, 'GET', '/', headers)).status, JSON.stringify(headers)).toBe(403);
    }
    // The user opening the URL, and the front end's own reads.
    expect((await send(port, 'GET', '/', { 'sec-fetch-site': 'none', host: `localhost:${port}` })).text).toMatch(/id="root"/);
    expect((await send(port, 'GET', '/health', { origin: `http://localhost:${port}`, host: `localhost:${port}` })).status).toBe(200);
  });

  it('another uid gets 401 naming --token (and queues nothing); with --token it gets in with the token', async () => {
    const before = await jobCount();
    const [health] = await requestAsUser({ host: '127.0.0.1', port, path: '/health' });
    const [start] = await requestAsUser({ host: '127.0.0.1', port, method: 'POST', path: '/eval/start', headers: JSON_TYPE, body: JSON.stringify(form()) });
    for (const r of [health, start]) {
      expect(r!.uid).toBe(NOBODY);
      expect(r!.status).toBe(401);
      expect(r!.json.detail).toMatch(/--token/);
    }
    expect(await jobCount()).toBe(before);

    const locked = await startWebServer({ client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, distDir: path.join(base, 'dist'), token: 'web-tok-1', version: 'test', host: '127.0.0.1', port: 0 });
    try {
      const p = Number(new URL(locked.url).port);
      const [withToken] = await requestAsUser({ host: '127.0.0.1', port: p, path: '/tasks', headers: { authorization: 'Bearer web-tok-1' } });
      expect(withToken!.status).toBe(200);
      const [without] = await requestAsUser({ host: '127.0.0.1', port: p, path: '/tasks' });
      expect(without!.status).toBe(401);
      // The token does not lift the browser rules.
      expect((await send(p, 'POST', '/eval/start', { authorization: 'Bearer web-tok-1' }, JSON.stringify(form()))).status).toBe(415);
      expect((await send(p, 'GET', '/tasks', { authorization: 'Bearer web-tok-1', host: 'rebind.evil.example' })).status).toBe(421);
    } finally {
      await locked.close();
    }
  });

  it('--allow-host and --allow-origin let exactly those in, with CORS for the allowed origin', async () => {
    const open = await startWebServer({
      client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, distDir: path.join(base, 'dist'), version: 'test', host: '127.0.0.1', port: 0,
      allowHosts: ['gpu-box.example'], allowOrigins: ['http://localhost:5173'],
    });
    try {
      const p = Number(new URL(open.url).port);
      expect((await send(p, 'GET', '/health', { host: `gpu-box.example:${p}` })).status).toBe(200);
      expect((await send(p, 'GET', '/health', { host: `box.example:${p}` })).status).toBe(421);
      const dev = { origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' };
      const pre = await send(p, 'OPTIONS', '/eval/preview', { ...dev, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
      expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([204, 'http://localhost:5173']);
      const preview = await send(p, 'POST', '/eval/preview', { ...dev, ...JSON_TYPE }, JSON.stringify(form()));
      expect(preview.status).toBe(200);
      expect(preview.json.command).toMatch(/demo_mme/);
      expect(preview.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const other = await send(p, 'GET', '/health', { origin: 'http://localhost:5174' });
      expect([other.status, other.headers['access-control-allow-origin']]).toEqual([403, undefined]);
    } finally {
      await open.close();
    }
  });
});
