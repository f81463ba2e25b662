/** /api/v1/results over the real auto-started server's socket, on the results-runs fixtures. */
import http from 'node:http';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { MASK } from '../../src/core/redact.js';
import { openSettings } from '../../src/core/settings.js';
import { startServer } from '../../src/server/daemon.js';
import { serverPaths } from '../../src/server/paths.js';
import { cleanupHomes, client, newHome } from './helpers.js';

let c: LmmsClient;
let env: NodeJS.ProcessEnv;
let logs: string;

function req(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: any; type: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const r = http.request({ socketPath: serverPaths(env.LMMS_TUI_HOME!).socket, method, path: p, headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, text, json, type: String(res.headers['content-type'] ?? '') });
      });
    });
    r.on('error', reject);
    r.end(data);
  });
}

beforeAll(async () => {
  let home: string;
  ({ env, home } = await newHome());
  logs = path.join(home, 'logs');
  cpSync(path.resolve('test/fixtures/results-runs'), logs, { recursive: true });
  c = await client(env);
});
afterAll(async () => {
  c?.close();
  await cleanupHomes();
});

describe('/api/v1/results', () => {
  it('adds a folder, lists its runs (secrets masked), shows one, pages samples, compares and exports', async () => {
    expect((await req('POST', '/api/v1/results/folders', { path: 'relative/logs' })).status).toBe(422);
    const added = await req('POST', '/api/v1/results/folders', { path: logs });
    expect(added.json).toEqual({ folders: [logs] });
    const list = await req('GET', '/api/v1/results/runs?model=llava');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('sk-abcdefghij');
    const [b, a] = list.json.runs;
    expect([a.model, b.model]).toEqual(['lmms-lab/llava-a', 'lmms-lab/llava-b']);
    expect(a.modelArgs).toContain(`api_key=${MASK}`);

    const show = await req('GET', `/api/v1/results/runs/${a.id}`);
    expect(show.json.run.samplesFiles.pope).toMatch(/20261201_101010_samples_pope\.jsonl$/);
    expect(show.json.metrics[0]).toMatchObject({ task: 'mmbench', group: true, depth: 0 });
    // HTTP takes full ids only: a prefix is not a run.
    expect((await req('GET', `/api/v1/results/runs/${a.id.slice(0, 6)}`)).status).toBe(404);

    const page = await req('GET', `/api/v1/results/runs/${a.id}/samples/pope?where=pope_accuracy%3D1&limit=2`);
    expect(page.status).toBe(200);
    expect(page.json.samples).toHaveLength(2);
    expect(page.json.samples.every((s: { metrics: Record<string, number> }) => s.metrics.pope_accuracy === 1)).toBe(true);
    expect((await req('GET', `/api/v1/results/runs/${a.id}/samples/nope`)).json.error.hint).toContain('tasks with samples');
    expect((await req('GET', `/api/v1/results/runs/${a.id}/samples/pope?where=bad`)).status).toBe(422);

    const cmp = await req('GET', `/api/v1/results/compare?runs=${a.id},${b.id}`);
    expect(cmp.status).toBe(200);
    expect(cmp.json.rows.find((r: { task: string }) => r.task === 'pope').cells[1].stat.method).toBe('mcnemar');
    expect((await req('GET', `/api/v1/results/compare?runs=${a.id}`)).status).toBe(422);
    const svg = await req('GET', `/api/v1/results/export?runs=${a.id},${b.id}&format=svg`);
    expect(svg.type).toContain('image/svg+xml');
    expect(svg.text.startsWith('<svg')).toBe(true);
    const md = await req('GET', `/api/v1/results/export?runs=${a.id},${b.id}&format=md&baseline=${b.id}`);
    expect(md.text).toContain('lmms-lab/llava-b (baseline)');

    expect((await req('DELETE', `/api/v1/results/folders?path=${encodeURIComponent(logs)}`)).json).toEqual({ folders: [] });
    expect((await req('GET', '/api/v1/results/runs?model=llava')).json.runs).toEqual([]);
  });

  it('is documented in /openapi.json; the socket refuses a non-JSON body before routing', async () => {
    const doc = (await req('GET', '/openapi.json')).json;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/results/runs', '/api/v1/results/runs/{run}', '/api/v1/results/runs/{run}/samples/{task}', '/api/v1/results/compare', '/api/v1/results/export', '/api/v1/results/folders']));
    expect(doc.paths['/api/v1/results/compare'].get.parameters.map((p: { name: string }) => p.name)).toContain('baseline');
    const form = await new Promise<number>((resolve, reject) => {
      const r = http.request({ socketPath: serverPaths(env.LMMS_TUI_HOME!).socket, method: 'POST', path: '/api/v1/results/folders', headers: { 'content-type': 'text/plain' } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      r.on('error', reject);
      r.end(JSON.stringify({ path: logs }));
    });
    expect(form).toBe(415);
    expect((await req('GET', '/api/v1/results/folders')).json).toEqual({ folders: [] });
  });

  it('over TCP, a cross-site page or a rebound Host cannot add a folder or list runs', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'lmms-results-tcp-'));
    const server = await startServer({ stateDir: home, settings: { gpus: null, concurrency: 1, graceMs: 300, adoptPollMs: 100 }, tcp: { host: '127.0.0.1', port: 0, token: null }, log: () => undefined });
    try {
      const port = server.tcp!.port;
      const send = (method: string, p: string, headers: Record<string, string>, body?: string) =>
        new Promise<number>((resolve, reject) => {
          const r = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
          r.on('error', reject);
          r.end(body);
        });
      const json = { 'content-type': 'application/json' };
      expect(await send('POST', '/api/v1/results/folders', { ...json, origin: 'http://evil.example' }, JSON.stringify({ path: logs }))).toBe(403);
      expect(await send('GET', '/api/v1/results/runs', { host: `rebind.evil.example:${port}` })).toBe(421);
      expect(await send('GET', '/api/v1/results/runs', { 'sec-fetch-site': 'cross-site' })).toBe(403);
      // Nothing was added; the same request from the owner, same-origin, works.
      expect(openSettings({ env: { LMMS_TUI_HOME: home } }).resultsFolders()).toEqual([]);
      expect(await send('POST', '/api/v1/results/folders', json, JSON.stringify({ path: logs }))).toBe(200);
      expect(openSettings({ env: { LMMS_TUI_HOME: home } }).resultsFolders()).toEqual([logs]);
    } finally {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
