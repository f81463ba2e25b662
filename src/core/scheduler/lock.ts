import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';
import { isAlive, readStartTime } from '../runner/index.js';

/**
 * One scheduler host per state dir: two hosts dispatching the same queue would start jobs twice.
 * The lock records pid + /proc start time, so a lock left by a crashed (even kill -9'd) host is
 * recognised as stale and replaced.
 */
export class HostLock {
  private constructor(private readonly file: string) {}

  static acquire(file: string): HostLock {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, JSON.stringify({ pid: process.pid, startTime: readStartTime(process.pid) }));
        closeSync(fd);
        return new HostLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      if (holder && isAlive(holder)) {
        throw new UserError(
          `another lmms-tui process (pid ${holder.pid}) is already running the queue in this state dir`,
          'talk to it instead (lmms-tui jobs), or stop it first; set LMMS_TUI_HOME to use a separate state dir',
        );
      }
      try {
        unlinkSync(file); // stale: its holder is gone
      } catch {
        /* someone else removed it first; retry */
      }
    }
    throw new UserError(`could not take the scheduler lock ${file}`, 'remove it if no lmms-tui process is running');
  }

  release(): void {
    try {
      const holder = readHolder(this.file);
      if (holder?.pid === process.pid) unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
}

export function readHolder(file: string): { pid: number; startTime: number } | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; startTime?: unknown };
    if (typeof v.pid === 'number' && typeof v.startTime === 'number') return { pid: v.pid, startTime: v.startTime };
  } catch {
    /* unreadable: treat as stale */
  }
  return null;
}
