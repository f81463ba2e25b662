/**
 * Watching a job we did not start (launched by an earlier TUI or server process): we are not its
 * parent, so there is no 'exit' event; poll the leader and read the record the wrapper left.
 */
import { JOB_MARKER_ENV } from './env.js';
import { readExitRecord, readProcRecord } from './launch.js';
import { isAlive, markedProcesses, readProcStat } from './proc.js';
import type { ExitInfo, ProcessHandle } from './types.js';

export interface AdoptedWatch {
  /** Resolves when the job's leader is gone; never rejects. Stays pending after cancel(). */
  exited: Promise<ExitInfo>;
  cancel(): void;
}

export function watchAdopted(handle: ProcessHandle, jobDir: string, opts: { pollMs?: number } = {}): AdoptedWatch {
  const pollMs = opts.pollMs ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    const check = (): void => {
      if (cancelled) return;
      // The wrapper writes exit.json before it exits, so once it is gone the record is final.
      // No record: the wrapper was SIGKILLed (or the host rebooted), and the real status is lost.
      if (!isAlive(handle)) resolve(readExitRecord(jobDir) ?? { exit_code: null, signal: null });
      else timer = setTimeout(check, pollMs);
    };
    check();
  });
  return {
    exited,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}

/** What a job dir and /proc say about a job whose host may have died while launching it. */
export type LaunchTrace =
  /** The wrapper runs: adopt it. `via` says what identified it. */
  | { kind: 'running'; handle: ProcessHandle; via: 'record' | 'marker' }
  /** The wrapper ran and is gone; `exit` is its exit record (null when it was SIGKILLed); `handle` from its record. */
  | { kind: 'ended'; exit: ExitInfo | null; handle?: ProcessHandle }
  /** No process of the job ever got as far as the wrapper's first line: job.sh never ran. */
  | { kind: 'never-started' };

export interface TraceOptions {
  /**
   * How long to wait for the wrapper's record while processes carrying the job's marker exist but
   * proc.json does not (the wrapper was spawned an instant before its host died and is still starting
   * up). Default 3000 ms; after that the marked session leader is taken as the wrapper.
   */
  waitMs?: number;
  pollMs?: number;
}

/**
 * Finds a job's wrapper from its own record (proc.json) or, when that is not written yet, from the
 * processes whose environment carries the job's id (JOB_MARKER_ENV). Never mistakes a reused pid for
 * the job: the record holds the start time, and a marked process is ours by its environment.
 */
export async function traceLaunch(jobDir: string, jobId: string, opts: TraceOptions = {}): Promise<LaunchTrace> {
  const deadline = Date.now() + (opts.waitMs ?? 3000);
  const pollMs = opts.pollMs ?? 20;
  for (;;) {
    // Processes first, record second: the wrapper writes its record before anything else, so a process
    // seen first and a missing record read after it means the wrapper is still starting.
    const marked = markedProcesses(JOB_MARKER_ENV, jobId);
    const record = readProcRecord(jobDir);
    if (record) return isAlive(record) ? { kind: 'running', handle: record, via: 'record' } : { kind: 'ended', exit: readExitRecord(jobDir), handle: record };
    if (marked.length === 0) {
      const exit = readExitRecord(jobDir);
      return exit ? { kind: 'ended', exit } : { kind: 'never-started' };
    }
    if (Date.now() >= deadline) {
      // The wrapper is a session leader (spawned detached): its pid is its session id.
      const stats = marked.map(readProcStat).filter((s): s is NonNullable<typeof s> => s !== null);
      const leader = stats.find((s) => s.session === s.pid) ?? stats[0];
      if (leader) return { kind: 'running', handle: { pid: leader.pid, pgid: leader.pgrp, startTime: leader.startTime }, via: 'marker' };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
