/**
 * Stopping a job: SIGTERM to the whole process group, then SIGKILL after a grace period.
 *
 * The group, not the pid: harnesses run worker processes (accelerate/torchrun ranks, vLLM engine
 * processes) that a signal to the top process alone would orphan, still holding GPU memory.
 */
import { groupMembers, readStartTime } from './proc.js';
import type { Clock, ProcessHandle, StopOptions, StopResult } from './types.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What stop needs from the OS; injected so the escalation logic is testable without processes. */
export interface GroupOps {
  /** Signal the whole group; false when no such group exists (ESRCH). */
  kill(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): boolean;
  /** Live (non-zombie) members of the group. */
  members(pgid: number): number[];
}

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

/** Polls until the group is empty or `deadline` passes; true if it emptied. */
async function waitEmpty(ops: GroupOps, pgid: number, deadline: number, pollMs: number, clock: Clock): Promise<boolean> {
  // Most processes die within milliseconds of the signal: look again soon, then back off to pollMs.
  for (let step = 1; ; step = Math.min(step * 2, pollMs)) {
    if (ops.members(pgid).length === 0) return true;
    const left = deadline - clock.now();
    if (left <= 0) return false;
    // Sleep no further than the deadline so escalation happens exactly at graceMs.
    await clock.sleep(Math.min(step, pollMs, left));
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
  if (await waitEmpty(ops, pgid, clock.now() + killWaitMs, pollMs, clock)) return { signal: 'SIGKILL' };
  return { signal: 'SIGKILL', remaining: ops.members(pgid) };
}

/**
 * Stops the job's process group. Safe against pid reuse: if the leader's pid now belongs to a process
 * with another start time, our group cannot exist any more (the kernel does not hand out a pid still
 * in use as a process-group id), and the group with that id is somebody else's: nothing is sent.
 * If the leader is gone but members remain (the wrapper was SIGKILLed earlier), they are still ours.
 */
export async function stopGroup(handle: ProcessHandle, opts: StopOptions & { clock?: Clock } = {}): Promise<StopResult> {
  const leaderStart = readStartTime(handle.pgid);
  if (leaderStart !== null && handle.pgid === handle.pid && leaderStart !== handle.startTime) return { signal: null };
  return stopGroupWith(realGroupOps, handle.pgid, opts);
}
