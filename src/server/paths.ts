/**
 * Where the per-user server lives: its socket, pid file and log. Client and server both derive them from
 * the state dir, so `LMMS_TUI_HOME` selects a server as well as a queue.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';

/** sun_path holds 108 bytes on Linux (104 on macOS); stay well below both. */
const MAX_SOCKET_PATH = 100;

export interface ServerPaths {
  stateDir: string;
  /** Private directory (0700) holding the socket. */
  runDir: string;
  socket: string;
  /** `{pid, startTime, version}` of the live server. */
  pidFile: string;
  /** The detached server's stdout/stderr. */
  log: string;
}

export function serverPaths(stateDir: string): ServerPaths {
  const dir = path.resolve(stateDir);
  const preferred = path.join(dir, 'run');
  // A deep state dir (e.g. a long $HOME on a cluster filesystem) would overflow sun_path; fall back to a
  // short private directory named by a hash of the state dir, so each state dir still gets its own server.
  const runDir =
    Buffer.byteLength(path.join(preferred, 'server.sock')) <= MAX_SOCKET_PATH
      ? preferred
      : path.join('/tmp', `lmms-tui-${process.getuid?.() ?? 'user'}`, createHash('sha256').update(dir).digest('hex').slice(0, 16));
  return {
    stateDir: dir,
    runDir,
    socket: path.join(runDir, 'server.sock'),
    pidFile: path.join(dir, 'run', 'server.pid'),
    log: path.join(dir, 'server.log'),
  };
}

/**
 * Creates `dir` (and parents) with mode 0700 and checks it really is ours: under /tmp another user could
 * have created it first, or planted a symlink, to catch our socket.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const check = (d: string) => {
    const st = lstatSync(d);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
      throw new UserError(`${d} is not a directory owned by you`, 'remove it, or set LMMS_TUI_HOME to another directory');
    }
    if ((st.mode & 0o077) !== 0) chmodSync(d, 0o700);
  };
  check(dir);
  // The /tmp fallback has an intermediate per-user directory that must be private too.
  if (dir.startsWith('/tmp/lmms-tui-')) check(path.dirname(dir));
}
