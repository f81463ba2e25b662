/**
 * Stopping through the CLI: `stop` takes the whole process tree down (children that ignore SIGTERM included),
 * `run --wait` reports the outcome in its exit code, and Ctrl-C during `run --wait` stops the job and still
 * waits for its end (a second Ctrl-C leaves at once).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCgroupBase, removeJobCgroup } from '../../src/core/runner/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { alivePids, cleanupHomes, cli, client, newHome, startCli, until } from './helpers.js';

afterEach(cleanupHomes);

function pidsIn(file: string): number[] | null {
  if (!existsSync(file)) return null;
  const pids = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  return pids.length ? pids : null;
}

const SPAWN = fileURLToPath(new URL('../fixtures/escape/spawn.sh', import.meta.url));
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

function running(pid: number): boolean {
  return alivePids([pid]).length === 1;
}

describe('stopping jobs', () => {
  it('stop reaches a setsid worker ignoring SIGTERM; show, jobs and the API name a process SIGKILL could not remove', async () => {
    const { home, env } = await newHome({ LMMS_TUI_KILL_WAIT_MS: '300' });
    // 1. A daemon-like worker that left the session: gone after stop.
    const pidfile = path.join(home, 'worker.pids');
    const id = (await cli(['run', '--demo', '-t', 'demo_mme', '--setup', `bash ${SPAWN} ${PYTHON} setsid ${pidfile} hold`], env)).stdout.trim();
    const [worker] = await until(() => pidsIn(pidfile), { what: 'the worker' });
    const r = await cli(['stop', id, '--grace', '0.1'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`stopped ${id} (SIGKILL)\n`);
    expect(running(worker!)).toBe(false);
    expect(JSON.parse((await cli(['show', id, '--json'], env)).stdout)).toMatchObject({ escaped: [] });

    // 2. One stuck where SIGKILL cannot end it (frozen by a v1 freezer, like a wedged driver call): named by pid.
    if (process.getuid?.() !== 0) return;
    const freezer = findCgroupBase('v1');
    expect(freezer).not.toBeNull();
    const pidfile2 = path.join(home, 'worker2.pids');
    const id2 = (await cli(['run', '--demo', '-t', 'demo_mme', '--setup', `bash ${SPAWN} ${PYTHON} setsid ${pidfile2} hold`], env)).stdout.trim();
    const [stuck] = (await until(() => pidsIn(pidfile2), { what: 'the second worker' })) as [number];
    const ice = path.join(path.dirname(freezer!.dir), `lmms-test-ice-cli-${process.pid}`);
    mkdirSync(ice);
    try {
      writeFileSync(path.join(ice, 'cgroup.procs'), String(stuck));
      writeFileSync(path.join(ice, 'freezer.state'), 'FROZEN');
      await until(() => readFileSync(path.join(ice, 'freezer.state'), 'utf8').trim() === 'FROZEN', { what: 'the freeze' });
      expect((await cli(['stop', id2, '--grace', '0.1'], env)).code).toBe(0);
      const shown = await cli(['show', id2], env);
      expect(shown.stdout).toMatch(new RegExp(`escaped\\s+${stuck}: still running after stop`));
      expect((await cli(['jobs'], env)).stdout).toMatch(new RegExp(`${id2}\\s+. stopped \\(1 escaped\\)`));
      const c = await client(env);
      try {
        expect((await c.job(id2)).escaped).toEqual([stuck]);
      } finally {
        c.close();
      }
    } finally {
      writeFileSync(path.join(ice, 'freezer.state'), 'THAWED');
      await until(() => !running(stuck), { what: 'the thawed worker to die of its pending SIGKILL' });
      // The job's cgroup outlived the job while the stuck process was in it (the next server removes it).
      const cg = (JSON.parse((await cli(['show', id2, '--json'], env)).stdout) as { cgroup: string | null }).cgroup;
      if (cg) await until(() => removeJobCgroup(cg), { what: "the job's cgroup to be removable" });
      await until(() => {
        rmdirSync(ice);
        return true;
      });
    }
  });

  it('stop kills the whole process tree, even children that ignore SIGTERM', async () => {
    const { home, env } = await newHome();
    const pidfile = path.join(home, 'demo.pids');
    const hard = { ...env, LMMS_DEMO_HANG: '1', LMMS_DEMO_IGNORE_TERM: '1', LMMS_DEMO_CHILDREN: '2', LMMS_DEMO_PIDFILE: pidfile };
    const id = (await cli(['run', '--demo', '-t', 'demo_mme'], hard)).stdout.trim();
    const pids = await until(() => (pidsIn(pidfile)?.length === 3 ? pidsIn(pidfile) : null), { what: 'the demo pid file' });
    expect(alivePids(pids)).toEqual(pids);

    const r = await cli(['stop', id.slice(0, 4), '--grace', '0.3'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`stopped ${id} (SIGKILL)\n`);
    expect(alivePids(pids)).toEqual([]);
    const shown = JSON.parse((await cli(['show', id, '--json'], env)).stdout);
    expect(shown).toMatchObject({ state: 'stopped', signal: 'SIGKILL' });
    expect((await cli(['stop', id], env)).code).toBe(1); // already stopped: refused
  });

  it('run --wait streams the log and exits 0 on success, 1 on failure', async () => {
    const { env } = await newHome();
    const ok = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '5', '--wait'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('DEMO HARNESS');
    expect(ok.stdout).toMatch(/demo_mme\s*\|/); // the results table, the last thing the harness prints
    expect(ok.stderr).toMatch(/succeeded: job [0-9a-f]{8}/);

    const bad = await cli(['run', '--demo', '-t', 'demo_mme', '--wait'], { ...env, LMMS_DEMO_FAIL: 'exit1' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('Traceback');
    expect(bad.stderr).toMatch(/failed: job [0-9a-f]{8}: /);
  });

  it('Ctrl-C during run --wait stops the job and waits for its end; a second Ctrl-C leaves at once', async () => {
    const { home, env } = await newHome();
    const pidfile = path.join(home, 'demo.pids');
    const run = startCli(['run', '--demo', '-t', 'demo_mme', '--wait'], { ...env, LMMS_DEMO_HANG: '1', LMMS_DEMO_PIDFILE: pidfile });
    const pids = await until(() => pidsIn(pidfile), { what: 'the job to start' });
    await until(() => run.out().includes('DEMO HARNESS'), { what: 'the log to stream' });
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stopping job');
    expect(r.stderr).toMatch(/stopped: job [0-9a-f]{8}/);
    expect(alivePids(pids)).toEqual([]);

    // A job that ignores SIGTERM keeps stopping for the grace period; the second Ctrl-C does not wait for it.
    const slowStop = { ...env, LMMS_DEMO_HANG: '1', LMMS_DEMO_IGNORE_TERM: '1', LMMS_DEMO_PIDFILE: `${pidfile}2` };
    const c = await client(env);
    try {
      const run2 = startCli(['run', '--demo', '-t', 'demo_mme', '--wait'], slowStop);
      await until(() => pidsIn(`${pidfile}2`), { what: 'the second job to start' });
      const id = run2.out().match(/[0-9a-f]{8}/)![0];
      run2.child.kill('SIGINT');
      await until(async () => (await c.job(id)).stop_requested, { what: 'the stop request' });
      run2.child.kill('SIGINT');
      const r2 = await run2.done;
      expect(r2.code).toBe(130);
      expect((await c.stop(id, { wait: true }).catch(() => c.job(id))).state).toBe('stopped');
    } finally {
      c.close();
    }
  });
});
