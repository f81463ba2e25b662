/**
 * `<stateDir>/run/server.pid`: who serves this state dir. pid + /proc start time, so a file left by a
 * crashed (even kill -9'd) server is recognised as stale, never mistaken for a live server whose pid was reused.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAlive } from '../core/runner/index.js';

export interface PidInfo {
  pid: number;
  startTime: number;
  version: string;
  socket: string;
  /** `http://host:port` when the server also listens on TCP. */
  url?: string;
}

export function readPidFile(file: string): PidInfo | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<PidInfo>;
    if (typeof v.pid === 'number' && typeof v.startTime === 'number') {
      return { pid: v.pid, startTime: v.startTime, version: String(v.version ?? ''), socket: String(v.socket ?? ''), url: v.url };
    }
  } catch {
    /* missing or torn: no server recorded */
  }
  return null;
}

/** The recorded server if it is still running. */
export function liveServer(file: string): PidInfo | null {
  const info = readPidFile(file);
  return info && isAlive(info) ? info : null;
}

export function writePidFile(file: string, info: PidInfo): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Removes the pid file only if it still names this process (a successor may have replaced it). */
export function removePidFile(file: string): void {
  if (readPidFile(file)?.pid !== process.pid) return;
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}
