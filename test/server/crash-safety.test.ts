/**
 * What a crash or a broken connection must not do to the queue, through the real server and the shipped
 * CLI: a retried submit never doubles a job (Idempotency-Key, also across a restart and after a cut
 * connection), and a job record with wrong-typed fields is reported for that job while `jobs` and `show`
 * keep working for every job.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LmmsClient } from '../../src/client/client.js';
import { serverPaths } from '../../src/server/paths.js';
import { cleanupHomes, cli, client, demoSpec, newHome } from './helpers.js';

afterEach(cleanupHomes);

function post(socket: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method: 'POST', path: url, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * A Unix-socket proxy in front of the server. `cut` decides, per connection (0-based), whether to pass
 * it through, to drop it at once ('before': the server never sees the request) or to let the request
 * reach the server and drop the connection as its answer arrives ('after': the job exists, the client
 * never hears of it).
 */
async function proxy(target: string, sock: string, cut: (n: number) => 'pass' | 'before' | 'after') {
  let n = 0;
  const answered: boolean[] = [];
  const server = net.createServer((down) => {
    const mode = cut(n++);
    const i = answered.push(false) - 1;
    if (mode === 'before') return void down.destroy();
    const up = net.connect(target);
    down.pipe(up);
    up.on('data', (d: Buffer) => {
      answered[i] = true;
      if (mode === 'after') {
        down.destroy(); // the client sees "socket hang up" (ECONNRESET) with no answer
        up.destroy();
      } else down.write(d);
    });
    up.on('end', () => down.end());
    up.on('error', () => down.destroy());
    down.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(sock, r));
  return { answered, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('idempotent submit', () => {
  it('a repeat with the same Idempotency-Key returns the same job (200), also after a server restart; another spec with it is refused', async () => {
    const { home, env } = await newHome();
    const c = await client(env);
    c.close();
    const socket = serverPaths(home).socket;
    const spec = demoSpec({ limit: 2 });
    const first = await post(socket, '/api/v1/jobs', { spec }, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(201);
    const again = await post(socket, '/api/v1/jobs', { spec }, { 'idempotency-key': 'key-1' });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const inBody = await post(socket, '/api/v1/jobs', { spec, idempotency_key: 'key-1' });
    expect(inBody.json.id).toBe(first.json.id);
    const other = await post(socket, '/api/v1/jobs', { spec: demoSpec({ limit: 3 }) }, { 'idempotency-key': 'key-1' });
    expect(other.status).toBe(409);
    expect(other.json.error.message).toMatch(/already used for job .* with a different spec/);
    const bad = await post(socket, '/api/v1/jobs', { spec }, { 'idempotency-key': 'spaces are not allowed' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/Idempotency-Key/);

    expect((await cli(['server', 'stop'], env)).code).toBe(0);
    await client(env).then((c2) => c2.close()); // a new server
    const afterRestart = await post(socket, '/api/v1/jobs', { spec }, { 'idempotency-key': 'key-1' });
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.json.id).toBe(first.json.id);
    const listed = JSON.parse((await cli(['jobs', '--json'], env)).stdout) as { id: string }[];
    expect(listed.map((j) => j.id)).toEqual([first.json.id]);
  });

  it('the client retries once with the same key after the connection is cut, before or after the server made the job: one job either way', async () => {
    const { home, env } = await newHome();
    (await client(env)).close();
    const target = serverPaths(home).socket;
    for (const mode of ['after', 'before'] as const) {
      const sock = path.join(home, `proxy-${mode}.sock`);
      const p = await proxy(target, sock, (n) => (n === 0 ? mode : 'pass'));
      const c = new LmmsClient({ socketPath: sock });
      try {
        const res = await c.submit(demoSpec({ limit: 2 }), { env: null });
        expect(p.answered.length).toBe(2); // the first connection was cut, the retry went through
        expect(p.answered[0]).toBe(mode === 'after'); // 'after': the server had answered (the job existed) when it was cut
        const jobs = await c.jobs();
        expect(jobs.filter((j) => j.id === res.id)).toHaveLength(1);
      } finally {
        c.close();
        await p.close();
      }
    }
    const listed = JSON.parse((await cli(['jobs', '--json'], env)).stdout) as { id: string }[];
    expect(listed).toHaveLength(2); // one job per submit, none doubled
  });
});

describe('job records with wrong-typed fields', () => {
  it('are reported for their job; jobs, show and the API keep working for every job', async () => {
    const { home, env } = await newHome();
    const a = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2'], env)).stdout.trim();
    const b = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--allow-duplicate'], env)).stdout.trim();
    const c = await client(env);
    for (const id of [a, b]) await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 });
    c.close();
    expect((await cli(['server', 'stop'], env)).code).toBe(0);
    const file = path.join(home, 'jobs', a, 'job.json');
    const rec = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...rec, gpus: null, results: 'x', spec: { ...rec.spec, tasks: 'demo_mme', model: 7 } }));

    const jobs = await cli(['jobs'], env);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout).toContain(a);
    expect(jobs.stdout).toContain(b);
    expect(jobs.stderr).toContain(`warning: job ${a}`);
    expect(jobs.stderr).toContain('gpus: expected a list of GPU indices, got null');
    expect(jobs.stderr).toContain('spec.tasks: expected a list of task names, got "demo_mme"');
    expect(jobs.stderr).not.toContain(b);

    const showB = await cli(['show', b], env);
    expect(showB.code, showB.stderr).toBe(0);
    expect(showB.stdout).toContain('succeeded');
    const showA = await cli(['show', a], env);
    expect(showA.code, showA.stderr).toBe(0);
    expect(showA.stdout).toContain('warning: job.json: spec.model: expected a model name, got 7');

    const listed = JSON.parse((await cli(['jobs', '--json'], env)).stdout) as { id: string; problems: string[]; gpus: unknown; spec: { tasks: unknown } }[];
    const ja = listed.find((j) => j.id === a)!;
    expect(ja.gpus).toEqual([]);
    expect(ja.spec.tasks).toEqual(['demo_mme']);
    expect(ja.problems.length).toBe(4);
    expect(listed.find((j) => j.id === b)!.problems).toEqual([]);
    const c2 = await client(env);
    try {
      const health = await c2.health();
      expect(health.store_problems.filter((p) => p.id === a)).toHaveLength(4);
    } finally {
      c2.close();
    }
  });
});
