/**
 * The CLI side of the listener rules: job-id prefixes resolved by the CLI (the HTTP routes take full ids
 * only), and `serve` / `web` with --allow-host / --allow-origin, through the shipped CLI as real processes.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { cleanupHomes, cli, client, demoSpec, newHome, startCli, until } from './helpers.js';

const children: ReturnType<typeof startCli>[] = [];
afterEach(async () => {
  for (const s of children.splice(0)) {
    s.child.kill('SIGTERM');
    await s.done;
  }
});
afterAll(async () => {
  await cleanupHomes();
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('job-id prefixes are resolved by the CLI', () => {
  let env: NodeJS.ProcessEnv;
  let c: LmmsClient;
  let ids: string[];

  beforeAll(async () => {
    ({ env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' }));
    c = await client(env);
    const jobEnv = { ...(env as Record<string, string>) };
    // One job holds the only slot; the rest stay queued. 17 ids over 16 hex digits: two share a first one.
    ids = [(await c.submit(demoSpec(), { env: { ...jobEnv, LMMS_DEMO_HANG: '1' } })).id];
    for (let i = 0; i < 16; i++) ids.push((await c.submit(demoSpec(), { env: jobEnv })).id);
  });
  afterAll(async () => {
    for (const j of await c.jobs({ state: ['queued', 'running'] })) await c.stop(j.id, { wait: true }).catch(() => undefined);
    c?.close();
  });

  /** The shortest prefix naming only `id`. */
  const unique = (id: string) => {
    for (let n = 1; n <= id.length; n++) if (ids.filter((x) => x.startsWith(id.slice(0, n))).length === 1) return id.slice(0, n);
    return id;
  };

  it('show, logs, cancel, retry, rm and stop accept a unique prefix that the HTTP API itself refuses', async () => {
    const [running, a, b] = [ids[0]!, ids[1]!, ids[2]!];
    await expect(c.job(unique(a).length < a.length ? unique(a) : a.slice(0, 7))).rejects.toMatchObject({ status: 404 });
    const show = await cli(['show', unique(a)], env);
    expect([show.code, show.stdout.split('\n')[0]]).toEqual([0, `job ${a}  ◷ queued`]);
    expect((await cli(['logs', unique(running), '--tail', '1'], env)).code).toBe(0);
    expect((await cli(['cancel', unique(a)], env)).stdout).toBe(`cancelled ${a}\n`);
    const retry = await cli(['retry', unique(a)], env);
    expect(retry.code).toBe(0);
    ids.push(retry.stdout.trim());
    expect((await cli(['rm', unique(a)], env)).stdout).toBe(`removed ${a}\n`);
    expect((await cli(['stop', unique(b)], env)).stdout).toBe(`cancelled ${b} (it had not started)\n`);
    expect((await cli(['stop', unique(running), '--grace', '0.3'], env)).stdout).toMatch(new RegExp(`^stopped ${running}`));
    // The full id, in capitals too.
    expect((await cli(['show', ids[3]!.toUpperCase()], env)).code).toBe(0);
  });

  it('says when a prefix matches several jobs or none, or is not an id (exit 2)', async () => {
    // 17 ids or more over 16 hex digits: two share a first one.
    const now = (await c.jobs()).map((j) => j.id);
    expect(now.length).toBeGreaterThan(16);
    const shared = now.map((id) => id[0]!).find((ch, i, all) => all.indexOf(ch) !== i)!;
    const many = await cli(['show', shared], env);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(new RegExp(`"${shared}" matches \\d+ jobs`));
    expect(many.stderr).toContain('type more characters');
    // Of the 256 two-digit prefixes, at most 18 are taken.
    const none = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).find((p) => !now.some((id) => id.startsWith(p)))!;
    const missing = await cli(['stop', none], env);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining(`no job matches "${none}"`)]);
    const bad = await cli(['cancel', 'zz!'], env);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('no job matches "zz!" (job ids are hexadecimal')]);
  });
});

describe('serve and web: --allow-host, --allow-origin', () => {
  it('refuse values that are not a host name or an exact origin, naming the flag (exit 2)', async () => {
    const { env } = await newHome();
    for (const [args, flag] of [
      [['serve', '--port', '0', '--allow-host', 'http://box.example'], '--allow-host'],
      [['serve', '--port', '0', '--allow-host', 'box.example/x'], '--allow-host'],
      [['serve', '--port', '0', '--allow-origin', '*'], '--allow-origin'],
      [['serve', '--port', '0', '--allow-origin', 'http://localhost:3000/app'], '--allow-origin'],
      [['web', '--port', '0', '--allow-origin', 'localhost:3000'], '--allow-origin'],
      [['web', '--port', '0', '--allow-host', 'a b'], '--allow-host'],
    ] as [string[], string][]) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(flag);
    }
  });

  it('serve answers to an allowed name and origin only, and says who may connect', async () => {
    const { env } = await newHome();
    const serve = startCli(['serve', '--port', '0', '--allow-host', 'GPU-Box.example', '--allow-origin', 'http://localhost:3000/'], env);
    children.push(serve);
    const url = (await until(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.out()), { what: 'serve to listen' }))[1]!;
    expect(serve.out()).toMatch(/only your own user \(uid \d+\) may connect; pass --token/);
    const port = new URL(url).port;
    expect((await get(`${url}/api/v1/queue`, { host: `gpu-box.example:${port}` })).status).toBe(200);
    expect((await get(`${url}/api/v1/queue`, { host: `rebind.evil.example:${port}` })).status).toBe(421);
    const allowed = await get(`${url}/api/v1/queue`, { origin: 'http://localhost:3000' });
    expect([allowed.status, allowed.headers['access-control-allow-origin']]).toEqual([200, 'http://localhost:3000']);
    expect((await get(`${url}/queue`, { origin: 'http://localhost:3001' })).status).toBe(403);
  });

  it('web takes the same flags (and the old --cors-origin)', async () => {
    const { env } = await newHome();
    const web = startCli(['web', '--demo', '--port', '0', '--allow-host', 'gpu-box.example', '--cors-origin', 'http://localhost:5173'], env);
    children.push(web);
    const url = (await until(() => /web UI on (http:\/\/127\.0\.0\.1:\d+)\//.exec(web.out()), { what: 'web to listen' }))[1]!;
    await until(() => /front end: /.test(web.out()), { what: 'the start-up message' });
    expect(web.out()).toMatch(/only your own user \(uid \d+\) may connect/);
    expect((await get(`${url}/health`, { host: 'gpu-box.example' })).status).toBe(200);
    expect((await get(`${url}/health`, { host: 'rebind.evil.example' })).status).toBe(421);
    const allowed = await get(`${url}/health`, { origin: 'http://localhost:5173' });
    expect([allowed.status, allowed.headers['access-control-allow-origin']]).toEqual([200, 'http://localhost:5173']);
  });
});
