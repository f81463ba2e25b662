/**
 * Finding the user's server, starting it if needed (the way tmux starts its server on first use).
 * `LMMS_TUI_URL` (+ `LMMS_TUI_TOKEN`) points a client at a `serve` over TCP instead of the local socket.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { packageRoot, stateDir as defaultStateDir } from '../core/paths.js';
import { version as clientVersion } from '../core/version.js';
import { serverPaths, ensurePrivateDir, type ServerPaths } from '../server/paths.js';
import { liveServer } from '../server/pidfile.js';
import { isAlive, readStartTime } from '../core/runner/proc.js';
import { LmmsClient } from './client.js';
import { isConnectionError, ServerUnreachableError } from './errors.js';
import type { Health } from './types.js';

export interface ConnectOptions {
  stateDir?: string;
  /** Start a server when none answers. Default true. */
  autoStart?: boolean;
  /** How long a starting server may take to answer. Default 5 s (`LMMS_TUI_START_TIMEOUT_MS`). */
  startTimeoutMs?: number;
  /** Talk to this URL instead of the socket (default `LMMS_TUI_URL`). */
  url?: string;
  token?: string;
  /** Script run as `node <entry> server run` (default `LMMS_TUI_SERVER_ENTRY`, else bin/lmms-tui.js). */
  serverEntry?: string;
  /** Extra arguments for `server run` (e.g. `--gpus 0,1`) when this call starts the server. */
  serverArgs?: string[];
  /** Refuse a server of another version. Default true. */
  checkVersion?: boolean;
  keepAlive?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface Connection {
  client: LmmsClient;
  health: Health;
  /** This call started the server. */
  started: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function checkVersion(health: Health, where: string): void {
  const mine = clientVersion();
  if (health.version !== mine) {
    throw new UserError(
      `the lmms-tui server at ${where} is version ${health.version}, but this client is ${mine}`,
      'run `lmms-tui server stop`, then retry: a server of this version starts by itself (running jobs keep running)',
    );
  }
}

export async function connect(opts: ConnectOptions = {}): Promise<LmmsClient> {
  return (await connectDetailed(opts)).client;
}

export async function connectDetailed(opts: ConnectOptions = {}): Promise<Connection> {
  const env = opts.env ?? process.env;
  const url = opts.url ?? env.LMMS_TUI_URL;
  if (url) {
    const client = new LmmsClient({ url, token: opts.token ?? env.LMMS_TUI_TOKEN }, { keepAlive: opts.keepAlive });
    const health = await client.health();
    if (opts.checkVersion !== false) checkVersion(health, url);
    return { client, health, started: false };
  }
  const paths = serverPaths(opts.stateDir ?? defaultStateDir(env));
  const ensure = () => ensureServer(paths, opts, env);
  const client = new LmmsClient({ socketPath: paths.socket }, { keepAlive: opts.keepAlive, reconnect: opts.autoStart === false ? undefined : async () => void (await ensure()) });
  try {
    const { health, started } = await ensure();
    if (opts.checkVersion !== false) checkVersion(health, paths.socket);
    return { client, health, started };
  } catch (err) {
    client.close();
    throw err;
  }
}

/** Health of the running server, starting one first if none answers (and autoStart is on). */
async function ensureServer(paths: ServerPaths, opts: ConnectOptions, env: NodeJS.ProcessEnv): Promise<{ health: Health; started: boolean }> {
  const probe = new LmmsClient({ socketPath: paths.socket });
  try {
    return { health: await probe.health({ timeoutMs: 3000 }), started: false };
  } catch (err) {
    if (!isConnectionError(err)) throw err;
    if (opts.autoStart === false) {
      throw new ServerUnreachableError(`no lmms-tui server is running for ${paths.stateDir}`, 'start one with `lmms-tui server start` (any job command also starts it)');
    }
  } finally {
    probe.close();
  }
  const timeout = opts.startTimeoutMs ?? (Number(env.LMMS_TUI_START_TIMEOUT_MS) || 5000);
  // A live server that does not answer on its socket: the socket file was removed under it (a tmp
  // cleaner, a careless rm). Starting another would only fail on the scheduler lock; ask this one to
  // re-create its socket (SIGUSR2, see daemon.ts) and wait for it.
  const live = liveServer(paths.pidFile);
  if (live) {
    try {
      process.kill(live.pid, 'SIGUSR2');
    } catch {
      /* not ours to signal, or gone */
    }
    try {
      return await pollHealth(paths, null, Date.now() + timeout, timeout);
    } catch (err) {
      if (!(err instanceof ServerUnreachableError)) throw err;
      throw new ServerUnreachableError(
        `the lmms-tui server (pid ${live.pid}) is running but does not answer on ${paths.socket}`,
        `see its log: ${paths.log}; \`lmms-tui server stop\` and retry (running jobs keep running)`,
      );
    }
  }
  const start = spawnServer(paths, opts, env, timeout);
  const deadline = Date.now() + timeout;
  try {
    return await pollHealth(paths, start, deadline, timeout);
  } finally {
    start?.release();
  }
}

async function pollHealth(paths: ServerPaths, start: SpawnedServer | null, deadline: number, timeout: number): Promise<{ health: Health; started: boolean }> {
  const spawned = start !== null;
  for (;;) {
    // Checked before the probe: a server that exited cannot answer later, so the probe is the last chance.
    const died = start?.exited() ?? false;
    const c = new LmmsClient({ socketPath: paths.socket });
    try {
      return { health: await c.health({ timeoutMs: 1000 }), started: spawned };
    } catch (err) {
      if (!isConnectionError(err)) throw err;
    } finally {
      c.close();
    }
    if (died) {
      throw new ServerUnreachableError(`the lmms-tui server exited while starting${logTail(paths.log)}`, `see its log: ${paths.log}`);
    }
    if (Date.now() >= deadline) {
      throw new ServerUnreachableError(
        `the lmms-tui server did not start within ${(timeout / 1000).toFixed(1)} s${logTail(paths.log)}`,
        `see its log: ${paths.log}`,
      );
    }
    await sleep(40);
  }
}

/** Last lines of the server log, to put the reason a start failed into the error itself. */
function logTail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-5);
    return lines.length ? `; its log ends with:\n    ${lines.join('\n    ')}` : '';
  } catch {
    return '';
  }
}

/**
 * Starts `node <entry> server run` detached: own session (no SIGHUP when the terminal goes), stdin
 * closed, output appended to the server log, not waited for. A start lock keeps a crowd of clients
 * arriving at once from each spawning a server (the losers would only fail on the scheduler lock, but
 * would leave alarming lines in the log). Returns null when another client is already starting one.
 */
interface SpawnedServer {
  release(): void;
  /** The spawned process has exited (it failed, or found another server and left). */
  exited(): boolean;
}

function spawnServer(paths: ServerPaths, opts: ConnectOptions, env: NodeJS.ProcessEnv, timeoutMs: number): SpawnedServer | null {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const runDir = path.dirname(paths.pidFile);
  ensurePrivateDir(runDir);
  const startLock = path.join(runDir, 'start.lock');
  try {
    const fd = openSync(startLock, 'wx', 0o600);
    writeSync(fd, `${process.pid} ${readStartTime(process.pid) ?? 0}`);
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Someone else is starting it; a lock older than the start timeout is left over from a crash, and so
    // is one whose writer (pid + start time) no longer runs: no need to wait the timeout out for it.
    let age = 0;
    try {
      age = Date.now() - statSync(startLock).mtimeMs;
    } catch {
      /* removed meanwhile */
    }
    if (age < timeoutMs && !startLockIsStale(startLock, age)) return null;
    try {
      unlinkSync(startLock);
    } catch {
      /* raced */
    }
    return spawnServer(paths, opts, env, timeoutMs);
  }
  const release = () => {
    try {
      unlinkSync(startLock);
    } catch {
      /* gone */
    }
  };
  let exited = false;
  try {
    rotateLog(paths.log);
    const entry = opts.serverEntry ?? env.LMMS_TUI_SERVER_ENTRY ?? path.join(packageRoot(), 'bin', 'lmms-tui.js');
    if (!existsSync(entry)) throw new UserError(`cannot start the lmms-tui server: ${entry} is missing`, 'run `npm run build` in the lmms-tui directory');
    const out = openSync(paths.log, 'a', 0o600);
    try {
      const child = spawn(process.execPath, [entry, 'server', 'run', ...(opts.serverArgs ?? [])], {
        detached: true,
        stdio: ['ignore', out, out],
        cwd: paths.stateDir,
        env: { ...env, LMMS_TUI_HOME: paths.stateDir },
      });
      child.on('error', () => (exited = true));
      child.on('exit', () => (exited = true));
      child.unref();
    } finally {
      closeSync(out);
    }
  } catch (err) {
    release();
    throw err;
  }
  // Held until the server answers (or the start times out); the scheduler lock is what really guarantees one server.
  return { release, exited: () => exited };
}

/** The client that took the start lock is gone (or never wrote it, a while ago): nobody is starting a server. */
function startLockIsStale(file: string, ageMs: number): boolean {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false; // removed meanwhile: the retry finds out
  }
  const m = /^(\d+) (\d+)$/.exec(text.trim());
  // Empty or unparsable: a crash between create and write, or an older client's bare pid.
  if (!m) {
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0) return !isAliveBare(pid);
    return ageMs > 1000;
  }
  const holder = { pid: Number(m[1]), startTime: Number(m[2]) };
  return !isAlive(holder);
}

function isAliveBare(pid: number): boolean {
  return readStartTime(pid) !== null;
}

/** Keeps the server log from growing forever: one previous generation is kept. */
function rotateLog(file: string): void {
  try {
    if (statSync(file).size > 5 * 1024 * 1024) renameSync(file, `${file}.1`);
  } catch {
    /* no log yet */
  }
}
