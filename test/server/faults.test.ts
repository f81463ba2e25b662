/**
 * Resource faults with the real server: a state dir on a 2 MiB tmpfs filled by a flooding job (the server
 * stays up, earlier records stay intact, no stray temp file, the flooding job's outcome is kept and saved
 * once space returns), and the small faults found on the way (stale start lock, a removed socket, a
 * deleted log, bad submission env/cwd, num_gpus bounds).
 */
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { isAlive } from '../../src/core/runner/index.js';
import { cleanupHomes, cli, client, newHome, until } from './helpers.js';
import { filesMatching, mountTmpfs } from './tmpfs.js';
import { newHomeDir, removeHome, startTestServer } from '../compat/helpers.js';
import { readableEntry } from '../helpers/readable-copy.js';

const mounts: { dir: string; unmount(): void }[] = [];
afterEach(async () => {
  await cleanupHomes();
  for (const m of mounts.splice(0)) {
    await stopEverything(m.dir);
    m.unmount();
  }
});

/** Kills the server and the job groups of a state dir that cleanupHomes does not know (a mount point). */
async function stopEverything(home: string): Promise<void> {
  const info = readPidFile(serverPaths(home).pidFile);
  if (info && isAlive(info)) {
    process.kill(info.pid, 'SIGKILL');
    await until(() => !isAlive(info), { what: 'the server to die' });
  }
  for (const file of filesMatching(path.join(home, 'jobs'), /^job\.json$/)) {
    try {
      const pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid: number | null }).pid;
      if (pid) process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function record(home: string, id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(home, 'jobs', id, 'job.json'), 'utf8'));
}

async function show(env: NodeJS.ProcessEnv, id: string): Promise<Record<string, unknown>> {
  const r = await cli(['show', id, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const FINISHED = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

describe('disk full (2 MiB tmpfs state dir, flooding job)', () => {
  it('keeps the server up, earlier records intact, no temp files, and the job outcome', async () => {
    const fs = mountTmpfs('2m');
    mounts.push(fs);
    const home = fs.dir;
    const { env: base } = await newHome();
    const env = { ...base, LMMS_TUI_HOME: home };

    const ok = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--wait'], env);
    expect(ok.code, ok.stderr).toBe(0);
    const first = (await cli(['jobs', '--json'], env)).stdout;
    const a = (JSON.parse(first) as { id: string }[])[0]!.id;
    const aBefore = readFileSync(path.join(home, 'jobs', a, 'job.json'), 'utf8');
    expect(record(home, a).state).toBe('succeeded');

    const flood = { ...env, LMMS_DEMO_FLOOD: '100000', LMMS_DEMO_FLOOD_SECONDS: '2' };
    const sub = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2'], flood);
    expect(sub.code, sub.stderr).toBe(0);
    const b = sub.stdout.trim();
    const bShown = await until(async () => {
      const j = await show(env, b);
      return FINISHED.has(j.state as string) ? j : null;
    }, { timeoutMs: 60_000, what: 'the flooding job to end' });
    // The disk really filled up.
    const df = await import('node:fs').then((m) => m.statfsSync(home));
    expect(df.bavail * df.bsize).toBeLessThan(64 * 1024);

    // The server is up and answers; `jobs` works; the first record is byte for byte what it was.
    const info = readPidFile(serverPaths(home).pidFile)!;
    expect(isAlive(info)).toBe(true);
    const jobs = await cli(['jobs'], env);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout).toContain(a);
    expect(jobs.stdout).toContain(b);
    expect(readFileSync(path.join(home, 'jobs', a, 'job.json'), 'utf8')).toBe(aBefore);
    expect(filesMatching(home, /\.tmp$|^exit\.json\.\d+$/)).toEqual([]);
    // The flooding job's end is known (in memory, even if its record could not be written).
    expect(bShown.exit_code !== null || bShown.signal !== null).toBe(true);
    // Its results could not be written (an empty file on a full disk): not a success.
    expect(bShown.state).toBe('failed');

    // A new submission while the disk is full: a clear error naming the path, no stack, nothing left behind.
    const refused = await cli(['run', '--demo', '-t', 'demo_mme'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/disk full: cannot write \/.*jobs\/[0-9a-f]+/);
    expect(refused.stderr).not.toMatch(/looks like a bug|at .*\.js:\d+/);
    expect((JSON.parse((await cli(['jobs', '--json'], env)).stdout) as unknown[]).length).toBe(2);

    // Space comes back: the kept outcome reaches the disk.
    rmSync(path.join(home, 'jobs', b, 'output.log'), { force: true });
    rmSync(path.join(home, 'server.log'), { force: true });
    const saved = await until(() => {
      const r = record(home, b);
      return FINISHED.has(r.state as string) ? r : null;
    }, { timeoutMs: 10_000, what: 'the record to be saved' });
    expect({ state: saved.state, exit_code: saved.exit_code, signal: saved.signal }).toEqual({ state: bShown.state, exit_code: bShown.exit_code, signal: bShown.signal });
    expect(filesMatching(home, /\.tmp$/)).toEqual([]);
  }, 120_000);
});

describe('log cap through the server (LMMS_TUI_LOG_CAP)', () => {
  it('a flooding demo job keeps head, marker and tail within the cap, and its record says so', async () => {
    const { home, env } = await newHome({ LMMS_TUI_LOG_CAP: '256K' });
    const flood = { ...env, LMMS_DEMO_FLOOD: '100000', LMMS_DEMO_FLOOD_SECONDS: '1' };
    const r = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--wait'], flood);
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse((await cli(['jobs', '--json'], env)).stdout) as { id: string }[])[0]!.id;
    const job = await show(env, id);
    expect(job.state).toBe('succeeded');
    expect(job.log_capped).toMatchObject({ cap_bytes: 256 * 1024 });
    expect((job.log_capped as { dropped_bytes: number }).dropped_bytes).toBeGreaterThan(1024 * 1024);
    const logFile = path.join(home, 'jobs', id, 'output.log');
    expect(statSync(logFile).size).toBeLessThanOrEqual(256 * 1024 + 1024);
    const text = readFileSync(logFile, 'utf8');
    expect(text).toMatch(/\[lmms-tui\] output\.log reached its cap of 256\.0 KiB/);
    expect(text).toMatch(/of output were dropped here \(log cap\)/);
    // The end of the run (after the flood) is kept.
    const tail = await cli(['logs', id, '--tail', '3'], env);
    expect(tail.stdout).not.toMatch(/\[flood\]/);
    expect((await cli(['show', id], env)).stdout).toMatch(/capped at 256\.0 KiB: .* of output dropped from the middle/);
  }, 60_000);
});

describe('small faults', () => {
  it('a start lock left by a dead client does not make the next command wait and fail', async () => {
    const { home, env } = await newHome();
    const paths = serverPaths(home);
    await import('node:fs').then((m) => m.mkdirSync(path.dirname(paths.pidFile), { recursive: true, mode: 0o700 }));
    // A client that crashed while starting the server: its pid (no longer running) and start time.
    writeFileSync(path.join(path.dirname(paths.pidFile), 'start.lock'), '2147483646 12345');
    const r = await cli(['jobs'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('no jobs\n');
  });

  it('a server whose socket file was removed is reached again (it re-creates the socket)', async () => {
    const { home, env } = await newHome();
    expect((await cli(['jobs'], env)).code).toBe(0);
    const paths = serverPaths(home);
    const before = readPidFile(paths.pidFile)!;
    unlinkSync(paths.socket);
    // The client finds the live server (pid file) unreachable and asks it to re-create its socket.
    const again = await cli(['jobs'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(readPidFile(paths.pidFile)!.pid).toBe(before.pid);
    expect(isAlive(before)).toBe(true);
    expect(JSON.parse((await cli(['server', 'status', '--json'], env)).stdout)).toMatchObject({ running: true, pid: before.pid });
    // With no client asking, the server notices by itself (it checks every 2 s).
    unlinkSync(paths.socket);
    await until(() => existsSync(paths.socket), { timeoutMs: 10_000, what: 'the server to re-create its socket' });
    expect((await cli(['jobs'], env)).code).toBe(0);
  });

  it('a deleted output.log is reported as missing, not shown as an empty log', async () => {
    const { home, env } = await newHome();
    const run = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--wait'], env);
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse((await cli(['jobs', '--json'], env)).stdout) as { id: string }[])[0]!.id;
    unlinkSync(path.join(home, 'jobs', id, 'output.log'));
    const r = await cli(['logs', id], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the log of job ${id} is missing: ${path.join(home, 'jobs', id, 'output.log')} was deleted`);
  });

  it('refuses env names with "=" or empty, NUL in env values or cwd, with field and fix', async () => {
    const { env } = await newHome();
    const c = await client(env);
    try {
      const spec = { harness: 'lmms-eval' as const, model: 'demo', tasks: ['demo_mme'], demo: true };
      const tries: [Record<string, unknown>, string][] = [
        [{ env: { PATH: process.env.PATH!, 'RANK=': '3' } }, 'spec.env.RANK='],
        [{ env: { PATH: process.env.PATH!, '': 'x' } }, 'spec.env'],
        [{ env: { PATH: process.env.PATH!, FOO: 'a\u0000b' } }, 'spec.env.FOO'],
        [{ cwd: '/tmp/a\u0000b' }, 'spec.cwd'],
      ];
      for (const [opts, field] of tries) {
        const err = await c.submit(spec, opts as never).then(() => null, (e: unknown) => e as { status: number; problems: { field: string; fix: string }[] });
        expect(err?.status, field).toBe(422);
        expect(err!.problems.map((p) => p.field)).toContain(field);
        expect(err!.problems.every((p) => p.fix.length > 0)).toBe(true);
      }
      expect(await c.jobs()).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('refuses bidi control characters in task names', async () => {
    const { env } = await newHome();
    const r = await cli(['run', '--demo', '-t', 'demo_\u202emme'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tasks: item 1 contains the bidirectional control character U\+202E/);
  });

  it('bounds num_gpus without a pool: CLI and API refuse above the maximum (LMMS_TUI_MAX_GPUS)', async () => {
    const { env } = await newHome({ LMMS_TUI_MAX_GPUS: '4' });
    const r = await cli(['run', '--demo', '-t', 'demo_mme', '--num_gpus', '100000'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/num_gpus: num_gpus 100000 is more than the 4 GPUs this host allows per job — ask for at most 4/);
    const c = await client(env);
    try {
      const err = await c.submit({ harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true, num_gpus: 5 }).then(() => null, (e: unknown) => e as { status: number; problems: { field: string }[] });
      expect(err?.status).toBe(422);
      expect(err!.problems.map((p) => p.field)).toEqual(['spec.num_gpus']);
      expect(await c.jobs()).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('a stop that had to escalate to SIGKILL says so in the reason', async () => {
    const { home, env } = await newHome();
    const pidfile = path.join(home, 'demo.pids');
    const hard = { ...env, LMMS_DEMO_HANG: '1', LMMS_DEMO_IGNORE_TERM: '1', LMMS_DEMO_CHILDREN: '1', LMMS_DEMO_PIDFILE: pidfile };
    const id = (await cli(['run', '--demo', '-t', 'demo_mme'], hard)).stdout.trim();
    await until(() => readFileSync(pidfile, 'utf8').trim().split('\n').length === 2, { what: 'the demo pid file' });
    const r = await cli(['stop', id, '--grace', '0.3'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await show(env, id)).toMatchObject({ state: 'stopped', signal: 'SIGKILL', error: 'stopped by user (SIGKILL)' });
  });
});

describe('num_gpus in lmms-eval server mode', () => {
  it('POST /evaluate refuses num_gpus above the bound when there is no pool, and queues nothing', async () => {
    const home = newHomeDir();
    const s = await startTestServer(home, { gpus: null });
    try {
      const r = await s.call('POST', '/evaluate', { model: 'demo', tasks: ['demo_mme'], num_gpus: 100000 });
      expect(r.status).toBe(422);
      expect(r.json.detail[0]).toMatchObject({ type: 'value_error', loc: ['body', 'num_gpus'], input: 100000 });
      expect(r.json.detail[0].msg).toMatch(/num_gpus 100000 is more than the 8 GPUs this host allows per job/);
      expect(s.server.scheduler.list()).toEqual([]);
    } finally {
      await s.close();
      removeHome(home);
    }
  });
});

describe('permission denied (as uid 65534, files of root in its state dir)', () => {
  /** The CLI run as nobody. */
  function cliAs(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      // A copy the other uid can read, wherever this checkout sits (see test/helpers/readable-copy.ts).
      const entry = readableEntry();
      const child = spawn(process.execPath, [entry, ...args], { env: { ...env, LMMS_TUI_SERVER_ENTRY: entry }, cwd: env.LMMS_TUI_HOME, uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('an unreadable log or job dir says "permission denied: PATH", never "looks like a bug"', async () => {
    const { home, env: base } = await newHome();
    chownSync(home, 65534, 65534);
    const env = { ...base, HOME: home };
    const run = await cliAs(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--wait'], env);
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse((await cliAs(['jobs', '--json'], env)).stdout) as { id: string }[])[0]!.id;
    const dir = path.join(home, 'jobs', id);

    const log = path.join(dir, 'output.log');
    chownSync(log, 0, 0);
    chmodSync(log, 0o600);
    const logs = await cliAs(['logs', id], env);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain(`permission denied: ${log}`);
    expect(logs.stderr).not.toMatch(/looks like a bug/);

    expect((await cliAs(['server', 'stop'], env)).code).toBe(0);
    chownSync(dir, 0, 0);
    chmodSync(dir, 0o700);
    const jobs = await cliAs(['jobs'], env);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stderr).toContain(`(${dir}): permission denied: ${path.join(dir, 'job.json')}`);
    expect(jobs.stderr).not.toMatch(/looks like a bug/);
  });
});

describe('out of file descriptors (EMFILE)', () => {
  it('a submit while the server has no descriptors left is refused naming the path; the server carries on', async () => {
    const { home, env } = await newHome();
    // The auto-started server inherits the client's limit.
    execFileSync('bash', ['-c', `ulimit -n 128; exec "${process.execPath}" "${env.LMMS_TUI_SERVER_ENTRY}" server start`], { env });
    const sock = serverPaths(home).socket;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const req = (method: string, p: string, body?: unknown) =>
      new Promise<{ status: number; json: { error?: { code: string; message: string } } }>((resolve, reject) => {
        const r = http.request({ socketPath: sock, method, path: p, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(b) }));
        });
        r.on('error', reject);
        if (body) r.write(JSON.stringify(body));
        r.end();
      });
    expect((await req('GET', '/api/v1/health')).status).toBe(200); // our connection, opened before the flood
    const conns: net.Socket[] = [];
    try {
      // Hold more connections than the server has descriptors.
      for (let i = 0; i < 200; i++) conns.push(net.connect(sock).on('error', () => undefined));
      await until(() => conns.every((c) => !c.connecting), { what: 'the connections to be made' });
      const r = await req('POST', '/api/v1/jobs', { spec: { harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true }, cwd: '/tmp', env: { PATH: process.env.PATH! } });
      expect(r.status).toBe(503);
      expect(r.json.error).toMatchObject({ code: 'resource' });
      expect(r.json.error!.message).toMatch(new RegExp(`^too many open files \\(EMFILE\\) while opening ${home}/jobs/[0-9a-f]+/job\\.json$`));
    } finally {
      for (const c of conns) c.destroy();
      agent.destroy();
    }
    const jobs = await until(async () => {
      const j = await cli(['jobs'], env);
      return j.code === 0 ? j : null;
    }, { what: 'the server to answer again' });
    expect(jobs.stdout).toBe('no jobs\n');
    expect(filesMatching(path.join(home, 'jobs'), /./)).toEqual([]);
  });
});
