// stopGroup against real process trees, including grandchildren that ignore SIGTERM.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildJobEnv, groupMembers, isAlive, jobMembers, launchJob, readProcStat, readStartTime, stopGroup } from '../../src/core/runner/index.js';
import { comm, killAll, launch, readLog, tempDir, track, waitFor } from './helpers.js';

afterEach(killAll);

// Two subtrees whose processes ignore SIGTERM, one of them two levels down (a subshell of a subshell),
// like accelerate workers or a vLLM engine that outlive the harness's main process.
const STUBBORN_TREE = `bash -c 'trap "" TERM; sleep 1000' &
bash -c 'trap "" TERM; (trap "" TERM; sleep 1000) & wait' &
wait
`;

/** Gone, or a zombie waiting for its parent to reap it: either way nothing runs any more. */
function deadOrZombie(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat === null || stat.state === 'Z';
}

describe('stopGroup (real processes)', () => {
  it('escalates to SIGKILL and leaves no process behind when grandchildren ignore SIGTERM (20 runs)', async () => {
    for (let run = 0; run < 20; run++) {
      const { job } = await launch(STUBBORN_TREE);
      // Both sleeps exist only after their parents set the TERM trap (sleep inherits the ignore).
      await waitFor(() => groupMembers(job.pgid).filter((p) => comm(p) === 'sleep').length === 2, 'the tree to start');
      const members = groupMembers(job.pgid);
      expect(members.length).toBeGreaterThanOrEqual(5);

      const result = await stopGroup(job, { graceMs: 150, pollMs: 10, killWaitMs: 2000 });

      expect(result).toEqual({ signal: 'SIGKILL' });
      expect(groupMembers(job.pgid)).toEqual([]);
      expect(members.filter((p) => !deadOrZombie(p))).toEqual([]);
      // The wrapper survived SIGTERM long enough to record that job.sh died of it.
      expect(await job.exited).toEqual({ exit_code: null, signal: 'SIGTERM' });
    }
  });

  it('stops a cooperative job with SIGTERM alone', async () => {
    const { job, dir } = await launch('echo up\nsleep 1000 &\nwait\n');
    await waitFor(() => readLog(dir).includes('up') && groupMembers(job.pgid).length === 3, 'the job to start');
    expect(await stopGroup(job, { graceMs: 5000, pollMs: 10 })).toEqual({ signal: 'SIGTERM' });
    expect(groupMembers(job.pgid)).toEqual([]);
  });

  it('reports null and sends nothing when the job has already ended', async () => {
    const { job } = await launch('exit 0\n');
    await job.exited;
    await waitFor(() => !isAlive(job), 'the wrapper to be reaped');
    expect(await stopGroup(job, { graceMs: 100, pollMs: 10 })).toEqual({ signal: null });
  });

  it('does not signal a group whose leader pid now belongs to another process', async () => {
    const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid!;
    track({ pid, pgid: pid, startTime: 0 });
    const startTime = readStartTime(pid)!;
    // A stale handle: same pid, a start time from an earlier process.
    expect(await stopGroup({ pid, pgid: pid, startTime: startTime - 1 }, { graceMs: 100, pollMs: 10 })).toEqual({ signal: null });
    expect(isAlive({ pid, startTime })).toBe(true);
  });

  it("stops a job's setsid worker and leaves another job's, same shape, alone", async () => {
    // Two jobs whose workers left their sessions: each is reachable only by its job's marker.
    const worker = `python3 -c 'import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); os.setsid(); print(os.getpid(), flush=True); time.sleep(1000)' &\nwait\n`;
    const start = async (jobId: string) => {
      const dir = tempDir();
      const job = track(await launchJob({ jobDir: dir, script: worker, env: buildJobEnv(process.env, { jobId }), cwd: path.join(dir, 'work') }));
      await waitFor(() => /^\d+$/m.test(readLog(dir)), 'the worker');
      const pid = Number(readFileSync(path.join(dir, 'output.log'), 'utf8').trim());
      track({ pid, pgid: pid, startTime: 0 });
      return { handle: { ...job, jobId }, pid };
    };
    const a = await start('aaaa0001');
    const b = await start('bbbb0002');
    expect(readProcStat(a.pid)!.session).not.toBe(a.handle.pgid);
    expect(jobMembers(a.handle)).toContain(a.pid);
    expect(jobMembers(a.handle)).not.toContain(b.pid);

    const result = await stopGroup(a.handle, { graceMs: 100, pollMs: 10, killWaitMs: 2000 });

    expect(result).toEqual({ signal: 'SIGKILL' });
    expect(deadOrZombie(a.pid)).toBe(true);
    expect(isAlive({ pid: b.pid, startTime: readStartTime(b.pid)! })).toBe(true);
    expect(jobMembers(b.handle)).toContain(b.pid);
  });

  it('a stale handle (the wrapper pid reused) reaches only processes carrying the job marker', async () => {
    // A job that is long gone, whose leader pid now names an unrelated process group: nothing of that
    // group is signalled, and with the marker of a job nobody runs, nothing at all.
    const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid!;
    track({ pid, pgid: pid, startTime: 0 });
    const startTime = readStartTime(pid)!;
    const stale = { pid, pgid: pid, startTime: startTime - 1, jobId: 'gone0000', cgroup: null };
    expect(jobMembers(stale)).toEqual([]);
    expect(await stopGroup(stale, { graceMs: 100, pollMs: 10 })).toEqual({ signal: null });
    expect(isAlive({ pid, startTime })).toBe(true);
  });
});
