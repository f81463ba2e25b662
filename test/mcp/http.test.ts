/**
 * `lmms-tui mcp --http`: the SDK's streamable HTTP client runs a demo evaluation through it, and the
 * listener applies `serve`'s rules before the protocol sees a request: wrong Host (DNS rebinding), foreign
 * Origin, a non-JSON POST and another local user are refused; only loopback binds are accepted.
 */
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, cli, client, newHome, startCli, until } from '../server/helpers.js';
import { requestAsUser } from '../server/other-user.js';

const children: ReturnType<typeof startCli>[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.child.kill('SIGTERM');
    await c.done;
  }
  await cleanupHomes();
});

async function listen(extra: string[] = []) {
  const { env } = await newHome();
  const proc = startCli(['mcp', '--demo', '--http', '--port', '0', ...extra], env);
  children.push(proc);
  const url = await until(() => /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(proc.out())?.[1], { what: 'the listening line' });
  return { env, proc, url: new URL(url) };
}

function post(url: URL, body: string, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* SSE or empty */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('lmms-tui mcp --http', () => {
  it('serves the SDK\'s streamable HTTP client: a demo evaluation to success, an ordinary job', async () => {
    const { env, url } = await listen();
    const c = new Client({ name: 'http-test', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(url));
    try {
      expect((await c.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['evaluate', 'stop_run', 'get_run_logs']));
      const r = (await c.callTool({ name: 'evaluate', arguments: { model: 'demo', tasks: ['demo_mme'], limit: 3, mode: 'sync' } })) as CallToolResult;
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      const out = r.structuredContent as { run_id: string; status: string; metrics: { task: string }[] };
      expect(out.status).toBe('completed');
      expect(out.metrics.some((m) => m.task === 'demo_mme')).toBe(true);
      const mine = await client(env);
      try {
        expect((await mine.job(out.run_id)).state).toBe('succeeded');
      } finally {
        mine.close();
      }
    } finally {
      await c.close();
    }
  });

  it('refuses a foreign Host, a foreign Origin, a non-JSON POST, other paths and methods, before the protocol', async () => {
    const { url } = await listen(['--allow-origin', 'http://localhost:6274']);
    expect((await post(url, LIST, { ...MCP_HEADERS, host: `rebind.evil.example:${url.port}` })).status).toBe(421);
    const foreign = await post(url, LIST, { ...MCP_HEADERS, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('cross_origin');
    expect((await post(url, LIST, { 'content-type': 'text/plain', accept: MCP_HEADERS.accept })).status).toBe(415);
    expect((await post(new URL('/other', url), LIST, MCP_HEADERS)).status).toBe(404);
    expect((await post(url, '', { accept: 'text/event-stream' }, 'GET')).status).toBe(405);

    // The allowed origin gets its preflight and CORS headers; a tunnel name not allowed is still refused.
    const pre = await post(url, '', { origin: 'http://localhost:6274', 'access-control-request-method': 'POST' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:6274');
    const allowed = await post(url, LIST, { ...MCP_HEADERS, origin: 'http://localhost:6274' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:6274');
    expect((await post(url, LIST, { ...MCP_HEADERS, host: `gpu-box.example:${url.port}` })).status).toBe(421);
  });

  it('refuses another local user (no token: same uid only)', async () => {
    const { url } = await listen();
    const [r] = await requestAsUser({ host: '127.0.0.1', port: Number(url.port), method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: LIST });
    expect(r!.uid).toBe(65534);
    expect(r!.status).toBe(401);
    expect(r!.json.error.code).toBe('unauthorized');
    // The same request from my own uid is answered.
    expect((await post(url, LIST, MCP_HEADERS)).status).toBe(200);
  });

  it('binds loopback only', async () => {
    const { env } = await newHome();
    const r = await cli(['mcp', '--http', '--host', '0.0.0.0', '--port', '0'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a loopback address');
  });
});
