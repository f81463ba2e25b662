/**
 * Resource faults with the real server: a state dir on a 2 MiB tmpfs filled by a flooding job (the server
 * stays up, earlier records stay intact, no stray temp file, the flooding job's outcome is kept and saved
 * once space returns), and the small faults found on the way (stale start lock, a removed socket, a
 * deleted log, bad submission env/cwd, num_gpus bounds).
 */
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { isAlive } from '../../src/core/runner/index.js';
import { cleanupHomes, cli, client, newHome, until } from './helpers.js';
import { filesMatching, mountTmpfs } from './tmpfs.js';

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
