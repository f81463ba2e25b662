/**
 * The server's life: started by the first command that needs it, one per state dir, replaced after a
 * crash (stale pid file and socket), refusing a client of another version, surviving crowds of clients,
 * and kill -9 losing nothing (jobs keep running; the next server adopts them and the queue continues).
 */
import http from 'node:http';
import path from 'node:path';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { isAlive } from '../../src/core/runner/index.js';
import { alivePids, cleanupHomes, cli, client, newHome, until } from './helpers.js';

afterEach(cleanupHomes);

function job(home: string, id: string): { state: string; pid: number | null; error: string | null } {
  return JSON.parse(readFileSync(`${home}/jobs/${id}/job.json`, 'utf8'));
}

describe('server lifecycle', () => {
  it('starts by itself on first use, in a private directory, and a second start finds the first', async () => {
    const { home, env } = await newHome();
    const first = await cli(['jobs'], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('no jobs\n');
    expect(first.code).toBe(0);
    const paths = serverPaths(home);
    const info = readPidFile(paths.pidFile)!;
    expect(isAlive(info)).toBe(true);
    expect(statSync(paths.runDir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.socket).mode & 0o077).toBe(0);
    expect(readFileSync(paths.log, 'utf8')).toContain(`serving ${home}`);

    const again = await cli(['server', 'start'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already running: lmms-tui server`);
    expect(again.stdout).toContain(`pid ${info.pid}`);
    const status = await cli(['server', 'status', '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, pid: info.pid, state_dir: home });

    const stop = await cli(['server', 'stop'], env);
    expect(stop.code).toBe(0);
    expect(isAlive(info)).toBe(false);
    expect(existsSync(paths.socket)).toBe(false);
    expect(existsSync(paths.pidFile)).toBe(false);
    const down = await cli(['server', 'status'], env);
    expect(down.code).toBe(3);
    expect(down.stdout).toContain('not running');
  });

  it('treats a pid file naming a reused pid as stale', async () => {
    const { home, env } = await newHome();
    const paths = serverPaths(home);
    mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
    // A live process (this one) with the wrong start time: what a crashed server's pid file looks like after pid reuse.
    writeFileSync(paths.pidFile, JSON.stringify({ pid: process.pid, startTime: 1, version: 'x', socket: paths.socket }));
    writeFileSync(paths.socket, ''); // and a leftover socket path
    const r = await cli(['jobs'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readPidFile(paths.pidFile)!.pid).not.toBe(process.pid);
  });

  it('exits 3 when the server cannot be reached, 2 for an unknown job', async () => {
    const { env } = await newHome();
    const unreachable = await cli(['jobs'], { ...env, LMMS_TUI_URL: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('cannot reach the lmms-tui server');
    const unknown = await cli(['show', 'abcdef'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no job matches "abcdef"');
    // Not an id's shape at all: the same answer, not the server's schema wording.
    for (const cmd of ['show', 'stop', 'logs']) {
      const bad = await cli([cmd, 'zzzz'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('no job matches "zzzz"');
      expect(bad.stderr).not.toMatch(/openapi|schema/);
    }
    const usage = await cli(['logs'], env);
    expect(usage.code).toBe(2);
  });

  it('tells a client of another version to restart the server', async () => {
    const { home, env } = await newHome();
    const paths = serverPaths(home);
    mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
    const fake = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ version: '0.0.1-old' })));
    await new Promise<void>((r) => fake.listen(paths.socket, r));
    try {
      const r = await cli(['jobs'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('is version 0.0.1-old');
      expect(r.stderr).toContain('lmms-tui server stop');
    } finally {
      await new Promise((r) => fake.close(r));
    }
  });

  it('serves many clients arriving at once from a single server', async () => {
    const { home, env } = await newHome({ LMMS_TUI_CONCURRENCY: '2' });
    // The same spec five times on purpose: --allow-duplicate, or all but the first would be refused as duplicates.
    const runs = await Promise.all([1, 2, 3, 4, 5].map(() => cli(['run', '--demo', '-t', 'demo_mme', '--limit', '3', '--allow-duplicate'], env)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const ids = runs.map((r) => r.stdout.trim());
    expect(new Set(ids).size).toBe(5);
    expect(readFileSync(serverPaths(home).log, 'utf8').match(/ serving /g)).toHaveLength(1);
    const c = await client(env);
    try {
      for (const id of ids) expect((await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 })).state).toBe('succeeded');
      const listed = JSON.parse((await cli(['jobs', '--json'], env)).stdout) as Record<string, unknown>[];
      expect(new Set(listed.map((j) => j.id))).toEqual(new Set(ids));
      const seqs = listed.map((j) => j.seq as number);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y)); // oldest first
      for (const key of ['id', 'state', 'spec', 'created_at', 'started_at', 'ended_at', 'exit_code', 'signal', 'gpus', 'results', 'error']) {
        expect(listed[0]).toHaveProperty(key);
      }
      expect(listed[0]).not.toHaveProperty('env');
    } finally {
      c.close();
    }
  });

  it('survives kill -9: the job keeps running, the next server adopts it, records its outcome and continues the queue', async () => {
    const { home, env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' });
    // Job a waits at a gate the test opens only after the new server has adopted it: "still running" is
    // then a fact, not a race against a loaded machine.
    const gate = path.join(home, 'gate');
    const a = (await cli(['run', '--demo', '-t', 'demo_mme', '--setup', `while [ ! -e ${gate} ]; do sleep 0.05; done`], env)).stdout.trim();
    const b = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '3'], env)).stdout.trim();
    const paths = serverPaths(home);
    const first = readPidFile(paths.pidFile)!;
    const pid = await until(() => job(home, a).pid, { what: 'job a to start' });
    expect(job(home, b).state).toBe('queued');

    process.kill(first.pid, 'SIGKILL');
    await until(() => !isAlive(first), { what: 'the server to die' });
    expect(alivePids([pid])).toEqual([pid]); // the job outlived its server
    expect(existsSync(paths.socket)).toBe(true); // stale files left behind…

    const listed = await cli(['jobs', '--json'], env); // …are replaced by a new server
    expect(listed.code, listed.stderr).toBe(0);
    const second = readPidFile(paths.pidFile)!;
    expect(second.pid).not.toBe(first.pid);
    expect(JSON.parse(listed.stdout).find((j: { id: string }) => j.id === a).state).toBe('running');

    writeFileSync(gate, '');
    const c = await client(env);
    try {
      expect((await c.waitForJob(a, { intervalMs: 50, timeoutMs: 20_000 })).state).toBe('succeeded');
      const done = await c.waitForJob(b, { intervalMs: 50, timeoutMs: 20_000 });
      expect(done.state).toBe('succeeded');
      expect((await c.result(a)).metrics.length).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });

  it('server stop leaves running jobs running; the next server adopts them', async () => {
    const { home, env } = await newHome();
    const id = (await cli(['run', '--demo', '-t', 'demo_mme'], { ...env, LMMS_DEMO_HANG: '1' })).stdout.trim();
    const pid = await until(() => job(home, id).pid, { what: 'the job to start' });
    expect((await cli(['server', 'stop'], env)).code).toBe(0);
    expect(alivePids([pid])).toEqual([pid]);
    const shown = await cli(['show', id, '--json'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, state: 'running', pid });
    const stopped = await cli(['stop', id], env);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain(`stopped ${id}`);
    expect(alivePids([pid])).toEqual([]);
  });
});
