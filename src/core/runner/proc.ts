/** Reading processes from /proc (Linux only, like the GPU boxes this runs on). */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z (zombie), X (dead), T, … */
  state: string;
  ppid: number;
  pgrp: number;
  /** Field 6: session id. */
  session: number;
  /** Field 22: start time in clock ticks since boot. */
  startTime: number;
}

/** /proc/<pid>/stat, or null if there is no such process (or it vanished while we read). */
export function readProcStat(pid: number): ProcStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 is the command name in parentheses and may itself contain spaces and ')', so split after
  // the LAST ')'. What follows starts at field 3 (state): field N is at index N - 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (field: number): number => Number(fields[field - 3]);
  const startTime = num(22);
  if (!Number.isFinite(startTime)) return null;
  return { pid, state: fields[0] ?? '?', ppid: num(4), pgrp: num(5), session: num(6), startTime };
}

function isDead(state: string): boolean {
  return state === 'Z' || state === 'X';
}

/** The process's start time (clock ticks since boot), or null if there is no such process. */
export function readStartTime(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

/**
 * True when `pid` still runs the SAME process: same start time (so a reused pid does not count) and
 * not a zombie (an exited job whose parent has not reaped it yet, e.g. under a PID 1 that never reaps).
 */
export function isAlive(handle: { pid: number; startTime: number }): boolean {
  const stat = readProcStat(handle.pid);
  return stat !== null && stat.startTime === handle.startTime && !isDead(stat.state);
}

/**
 * Live pids in process group `pgid`. Zombies are left out: they are already dead, cannot be signalled
 * away, and whether they are ever reaped is up to their parent, so a group of zombies counts as gone.
 */
export function groupMembers(pgid: number): number[] {
  return liveProcesses((s) => s.pgrp === pgid);
}

/** Live (non-zombie) processes for which `match` holds; one pass over /proc. */
export function liveProcesses(match: (stat: ProcStat) => boolean): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat && !isDead(stat.state) && match(stat)) pids.push(stat.pid);
  }
  return pids;
}

/** Live pids in session `sid` (a worker that called setpgid stays in the job's session). */
export function sessionMembers(sid: number): number[] {
  return liveProcesses((s) => s.session === sid);
}

/**
 * Live pids whose environment carries `<name>=<value>` (the job marker, see JOB_MARKER_ENV in env.ts).
 * /proc/<pid>/environ is readable only for our own uid (or as root), which is exactly the set of
 * processes a job of ours can have started; it is the environment at exec time, so a process that
 * changed its variables later still matches.
 */
export function markedProcesses(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  return liveProcesses((s) => {
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${s.pid}/environ`);
    } catch {
      return false;
    }
    const at = env.indexOf(needle);
    // Whole entry only: at the start, or right after the NUL that ends the previous one.
    return at === 0 || (at > 0 && env[at - 1] === 0);
  });
}

/** One variable of a process's environment at exec time, or null when unset or unreadable. */
export function readEnvVar(pid: number, name: string): string | null {
  let env: string;
  try {
    env = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return null;
  }
  for (const entry of env.split('\0')) if (entry.startsWith(`${name}=`)) return entry.slice(name.length + 1);
  return null;
}
