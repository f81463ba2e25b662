/**
 * Stopping a job: SIGTERM to every process of the job, then SIGKILL after a grace period.
 *
 * "Every process" is more than the process group: harnesses run worker processes (accelerate/torchrun
 * ranks, vLLM engine processes) and some of them leave the group (setpgid) or the session (setsid, a
 * daemonised helper). A job's processes are, in order of how sure we are:
 * - everything in the job's cgroup (cgroup.ts), when it has one: nothing can leave it unasked;
 * - the job's process group and session (both have the wrapper's pid as id: it is spawned detached,
 *   i.e. it calls setsid);
 * - every process whose environment carries the job's marker (JOB_MARKER_ENV in env.ts);
 * - every descendant (by parent pid) of any of the above, so a child that scrubbed the marker and
 *   called setsid is still found while its parent lives.
 * A process that scrubbed the marker, left the session and was re-parented (double fork) is beyond
 * anything but a cgroup: without one it cannot be found, and so it cannot be reported either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { signalCgroup, cgroupProcs } from './cgroup.js';
import { JOB_MARKER_ENV } from './env.js';
import { groupMembers, readProcStat, readStartTime, type ProcStat } from './proc.js';
import type { Clock, ProcessHandle, StopOptions, StopResult } from './types.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * What stop needs from the OS; injected so the escalation logic is testable without processes.
 * The real one (jobOps) covers the job's cgroup, group, session, marker and descendants; `pgid` is
 * the id it was made for.
 */
export interface GroupOps {
  /** Signal all of the job's processes; false when there was nothing to signal (ESRCH). */
  kill(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): boolean;
  /** Live (non-zombie) processes of the job. */
  members(pgid: number): number[];
}

/** Ops for a bare process group (no session, marker or cgroup): kill(-pgid). */
export const realGroupOps: GroupOps = {
  kill(pgid, signal) {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  },
  members: groupMembers,
};

/**
 * Our process group and session ids are the wrapper's pid. If that pid now belongs to a process with
 * another start time, our group and session cannot exist any more (the kernel does not hand out a pid
 * still in use as a group or session id), and the ones with that id are somebody else's.
 * If the leader is gone but members remain (the wrapper was SIGKILLed earlier), they are still ours.
 */
function groupIsOurs(handle: ProcessHandle): boolean {
  // pgid 0 or below: the wrapper's pid was never learnt (a crash while it started); only the cgroup
  // and the marker lead to the job then. (kill(-0) would signal our own group, kill(-1) everything.)
  if (!(handle.pgid > 1)) return false;
  const leaderStart = readStartTime(handle.pgid);
  return !(leaderStart !== null && handle.pgid === handle.pid && leaderStart !== handle.startTime);
}

function hasMarker(pid: number, needle: Buffer): boolean {
  let env: Buffer;
  try {
    env = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  const at = env.indexOf(needle);
  return at === 0 || (at > 0 && env[at - 1] === 0);
}

/** The job's live processes (see the top of this file), each with the stat it was found by. One pass over /proc. */
export function jobProcesses(handle: ProcessHandle): ProcStat[] {
  const group = groupIsOurs(handle);
  const needle = handle.jobId ? Buffer.from(`${JOB_MARKER_ENV}=${handle.jobId}\0`) : null;
  const inCgroup = new Set(handle.cgroup ? cgroupProcs(handle.cgroup) : []);
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readProcStat(Number(name));
    if (s && s.state !== 'Z' && s.state !== 'X' && s.pid !== process.pid) all.push(s);
  }
  const found = new Map<number, ProcStat>();
  const children = new Map<number, ProcStat[]>();
  for (const s of all) {
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
    // Kernel threads (kthreadd, pid 2, and its children) have no environment worth reading.
    const kernel = s.pid === 2 || s.ppid === 2;
    const ours =
      inCgroup.has(s.pid) ||
      (group && (s.pgrp === handle.pgid || s.session === handle.pgid)) ||
      (needle !== null && !kernel && hasMarker(s.pid, needle));
    if (ours) found.set(s.pid, s);
  }
  // Descendants: a child of one of ours is ours, whatever session, group or environment it has.
  const todo = [...found.values()];
  while (todo.length) {
    for (const c of children.get(todo.pop()!.pid) ?? []) {
      if (!found.has(c.pid)) {
        found.set(c.pid, c);
        todo.push(c);
      }
    }
  }
  return [...found.values()];
}

/** Pids of the job's live processes. */
export function jobMembers(handle: ProcessHandle): number[] {
  return jobProcesses(handle).map((s) => s.pid);
}

/**
 * The real ops for one job. Whatever one sweep found stays the job's for the whole stop while it runs
 * with the same start time: SIGTERM may kill a parent and orphan its SIGTERM-ignoring child, whose only
 * link to the job (its parent) is then gone by the time SIGKILL is due.
 */
export function jobOps(handle: ProcessHandle): GroupOps {
  const known = new Map<number, ProcStat>();
  const sweep = (): ProcStat[] => {
    for (const s of jobProcesses(handle)) known.set(s.pid, s);
    for (const [pid, s] of known) {
      const now = readProcStat(pid);
      if (!now || now.startTime !== s.startTime || now.state === 'Z' || now.state === 'X') known.delete(pid);
    }
    return [...known.values()];
  };
  return {
    kill(_pgid, signal) {
      let sent = handle.cgroup ? signalCgroup(handle.cgroup, signal) : 0;
      const group = groupIsOurs(handle);
      if (group) {
        try {
          process.kill(-handle.pgid, signal);
          sent++;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
        }
      }
      for (const s of sweep()) {
        if (group && readProcStat(s.pid)?.pgrp === handle.pgid) continue; // the group signal reached it
        // Found a moment ago by its stat; the same start time means the pid was not reused since.
        if (readStartTime(s.pid) !== s.startTime) continue;
        try {
          process.kill(s.pid, signal);
          sent++;
        } catch {
          // exited in between
        }
      }
      return sent > 0;
    },
    members: () => sweep().map((s) => s.pid),
  };
}

/**
 * Polls until the job is gone or `deadline` passes; true if it emptied. `again` runs at each look
 * that still finds processes (SIGKILL is re-sent: a process found only now, e.g. forked between the
 * sweep and the signal, gets it too).
 */
async function waitEmpty(ops: GroupOps, pgid: number, deadline: number, pollMs: number, clock: Clock, again?: () => void): Promise<boolean> {
  // Most processes die within milliseconds of the signal: look again soon, then back off to pollMs.
  for (let step = 1, first = true; ; step = Math.min(step * 2, pollMs), first = false) {
    const t0 = clock.now();
    if (ops.members(pgid).length === 0) return true;
    const now = clock.now();
    const left = deadline - now;
    if (left <= 0) return false;
    if (!first) again?.();
    // A look is a pass over /proc (tens of ms on a box with thousands of processes): rest at least
    // four times as long as it took, so a long grace period does not keep a core busy.
    const rest = Math.max(Math.min(step, pollMs), 4 * (now - t0));
    // Sleep no further than the deadline so escalation happens exactly at graceMs.
    await clock.sleep(Math.min(rest, left));
  }
}

/** The escalation logic, over injected OS operations. */
export async function stopGroupWith(
  ops: GroupOps,
  pgid: number,
  opts: StopOptions & { clock?: Clock } = {},
): Promise<StopResult> {
  const { graceMs = 10_000, pollMs = 20, killWaitMs = 5_000, clock = realClock } = opts;
  // A group of zombies still accepts kill(); it is gone all the same, so report that nothing was sent.
  if (ops.members(pgid).length === 0 || !ops.kill(pgid, 'SIGTERM')) return { signal: null };
  if (await waitEmpty(ops, pgid, clock.now() + graceMs, pollMs, clock)) return { signal: 'SIGTERM' };
  // It emptied between our last look and now: SIGTERM did the job after all.
  if (!ops.kill(pgid, 'SIGKILL')) return { signal: 'SIGTERM' };
  if (await waitEmpty(ops, pgid, clock.now() + killWaitMs, pollMs, clock, () => ops.kill(pgid, 'SIGKILL'))) return { signal: 'SIGKILL' };
  return { signal: 'SIGKILL', remaining: ops.members(pgid) };
}

/**
 * Stops every process of the job (see the top of this file). Safe against pid reuse: the group and
 * session are signalled only while they are still ours (groupIsOurs), a pid found by session, marker
 * or parent is signalled only if its start time is unchanged, and a cgroup holds only the job's own.
 */
export async function stopGroup(handle: ProcessHandle, opts: StopOptions & { clock?: Clock } = {}): Promise<StopResult> {
  return stopGroupWith(jobOps(handle), handle.pgid, opts);
}
