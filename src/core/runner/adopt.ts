/**
 * Watching a job we did not start (launched by an earlier TUI or server process): we are not its
 * parent, so there is no 'exit' event; poll the leader and read the record the wrapper left.
 */
import { readExitRecord } from './launch.js';
import { isAlive } from './proc.js';
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
