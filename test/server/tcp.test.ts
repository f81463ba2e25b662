/**
 * `serve`: the same API on TCP. Loopback needs no token unless one is given; any other address gets a
 * generated token that every API request must carry. No CORS headers, ever.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { LmmsClient } from '../../src/client/client.js';
import { isLoopbackHost, tcpAuth } from '../../src/server/options.js';
import { cleanupHomes, client, newHome, startCli, until } from './helpers.js';

const children: ReturnType<typeof startCli>[] = [];
afterEach(async () => {
  for (const s of children.splice(0)) {
    s.child.kill('SIGTERM');
    await s.done;
  }
  await cleanupHomes();
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('token policy', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('requires a token off loopback, generating one when none is given', () => {
    expect(tcpAuth('127.0.0.1', undefined)).toEqual({ token: null, generated: false });
    expect(tcpAuth('127.0.0.1', 's3cret')).toEqual({ token: 's3cret', generated: false });
    expect(tcpAuth('0.0.0.0', 'given')).toEqual({ token: 'given', generated: false });
    const a = tcpAuth('0.0.0.0', undefined);
    const b = tcpAuth('10.1.2.3', '');
    expect(a.generated && b.generated).toBe(true);
    expect(a.token!.length).toBeGreaterThanOrEqual(32);
    expect(a.token).not.toBe(b.token);
  });
});

describe('serve', () => {
  it('binds 0.0.0.0 only behind a generated token; the socket needs none', async () => {
    const { env } = await newHome();
    const serve = startCli(['serve', '--host', '0.0.0.0', '--port', '0'], env);
    children.push(serve);
    const out = await until(() => (/token: (\S+)/.test(serve.out()) && /listening on http:\/\/0\.0\.0\.0:(\d+)/.test(serve.out()) ? serve.out() : null), { what: 'serve to listen' });
    const port = Number(/listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(out)![1]);
    const token = /token: (\S+)/.exec(out)![1]!;
    const base = `http://127.0.0.1:${port}`;

    const none = await get(`${base}/api/v1/health`);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('unauthorized');
    expect((await get(`${base}/api/v1/jobs`, { authorization: 'Bearer wrong' })).status).toBe(401);
    // A token does not let another site's page in (guard.ts): the Origin is refused first.
    const foreign = await get(`${base}/api/v1/health`, { authorization: `Bearer ${token}`, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const ok = await get(`${base}/api/v1/health`, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    for (const r of [none, foreign, ok]) expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control'))).toEqual([]);
    expect((await get(`${base}/openapi.json`)).status).toBe(200); // the description is public

    const tcp = new LmmsClient({ url: base, token });
    const sock = await client(env);
    try {
      expect((await tcp.jobs())).toEqual([]);
      expect((await sock.health()).pid).toBe((await tcp.health()).pid); // one server, two listeners
    } finally {
      tcp.close();
      sock.close();
    }
  });

  it('on loopback with --token requires it; without one it is open to its own user', async () => {
    const { env } = await newHome();
    const serve = startCli(['serve', '--port', '0', '--token', 'tok-123'], env);
    children.push(serve);
    const out = await until(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.out()), { what: 'serve to listen' });
    expect(serve.out()).not.toContain('token:');
    expect((await get(`${out[1]}/api/v1/queue`)).status).toBe(401);
    expect((await get(`${out[1]}/api/v1/queue`, { authorization: 'Bearer tok-123' })).status).toBe(200);
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);

    const open = startCli(['serve', '--port', '0'], env);
    children.push(open);
    const url = await until(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(open.out()), { what: 'serve to listen again' });
    expect((await get(`${url[1]}/api/v1/queue`)).status).toBe(200);
  });
});
