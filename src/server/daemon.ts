/**
 * The per-user server: hosts the scheduler and serves the API on a private Unix socket (and, for `serve`,
 * on TCP). Jobs are not its children in any way that matters: they run in their own sessions, so stopping
 * or killing the server leaves them running and the next server re-adopts them.
 */
import type { FastifyInstance } from 'fastify';
import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { UserError } from '../core/errors.js';
import { readStartTime } from '../core/runner/index.js';
import { Scheduler, type SchedulerOptions } from '../core/scheduler/scheduler.js';
import { version as packageVersion } from '../core/version.js';
import { buildApp } from './app.js';
import type { ServerContext, StreamTimings } from './context.js';
import { ensurePrivateDir, serverPaths, type ServerPaths } from './paths.js';
import { liveServer, removePidFile, writePidFile } from './pidfile.js';

export interface ServerOptions {
  stateDir: string;
  /** Scheduler options other than the state dir. */
  settings: Omit<SchedulerOptions, 'stateDir'>;
  /** Also listen on TCP (`serve`). */
  tcp?: { host: string; port: number; token: string | null; allowHosts?: readonly string[]; allowOrigins?: readonly string[] };
  timings?: Partial<StreamTimings>;
  /** Largest request body accepted. Default 1 MiB (an EvalSpec plus a whole environment fits easily). */
  bodyLimit?: number;
  log?: (message: string) => void;
  /** How often the socket file is checked (and re-created when it was removed). Default 2000 ms. */
  socketCheckMs?: number;
}

export interface RunningServer {
  paths: ServerPaths;
  scheduler: Scheduler;
  /** The TCP address actually bound (port 0 picks a free one). */
  tcp: { host: string; port: number; url: string } | null;
  close(): Promise<void>;
}

export class ServerAlreadyRunning extends UserError {
  constructor(readonly pid: number) {
    super(`an lmms-tui server (pid ${pid}) is already running for this state dir`, 'use it (lmms-tui jobs), or stop it with `lmms-tui server stop`');
    this.name = 'ServerAlreadyRunning';
  }
}

function timestamped(message: string): void {
  // The log may sit on the disk that just filled up: losing a log line must not take the server down.
  // Written straight to fd 1 (the log file when detached): a failed write of the stream would destroy it
  // for good, while this one works again once space is freed.
  const line = `${new Date().toISOString()} ${message}\n`;
  try {
    writeSync(1, line);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') process.stdout.write(line); // a non-blocking pipe (foreground serve)
    /* ENOSPC/EPIPE on our own log: dropped */
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? timestamped;
  const paths = serverPaths(opts.stateDir);
  // The state dir may be one the user chose (LMMS_TUI_HOME): create it private, but never change an existing
  // one's permissions. What must be private is the run dir, which holds the socket.
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  ensurePrivateDir(path.dirname(paths.pidFile));
  ensurePrivateDir(paths.runDir);
  const running = liveServer(paths.pidFile);
  if (running && running.pid !== process.pid) throw new ServerAlreadyRunning(running.pid);

  // The scheduler's host lock is what makes this the only server: everything below happens only once we hold it.
  const scheduler = await Scheduler.open({ stateDir: paths.stateDir, ...opts.settings });
  const apps: FastifyInstance[] = [];
  let closing: Promise<void> | null = null;
  try {
    for (const p of scheduler.problems) log(`job store: ${p.dir}: ${p.message}`);
    scheduler.on('fault', (message) => log(`fault: ${message}`));
    scheduler.on('job', (job, previous) => {
      if (job.state !== previous) log(`job ${job.id} ${previous ?? 'new'} -> ${job.state}${job.error ? ` (${job.error})` : ''}`);
    });
    const ctx: ServerContext = {
      scheduler,
      paths,
      version: packageVersion(),
      startedAt: Date.now(),
      bodyLimit: opts.bodyLimit ?? 1024 * 1024,
      timings: { pollMs: 100, heartbeatMs: 15_000, maxBatchBytes: 1024 * 1024, ...opts.timings },
      log,
    };
    // A socket file here is stale (its server died without cleaning up); we hold the lock, so nobody else owns it.
    if (existsSync(paths.socket)) unlinkSync(paths.socket);
    const socketApp = await buildApp(ctx, { token: null, transport: 'unix' });
    apps.push(socketApp);
    await socketApp.listen({ path: paths.socket });
    chmodSync(paths.socket, 0o600);
    let socketIno = lstatSync(paths.socket).ino;

    // The socket file can be removed under a live server (a tmp cleaner, `rm -rf run/`); every client would
    // then fail until a restart. Re-create it: on a timer, and at once on SIGUSR2 (sent by a client that
    // finds this server alive but unreachable, see client/connect.ts).
    let rebinding: Promise<void> | null = null;
    const checkSocket = () =>
      (rebinding ??= (async () => {
        try {
          let ok = false;
          try {
            const st = lstatSync(paths.socket);
            ok = st.isSocket() && st.ino === socketIno;
          } catch {
            ok = false;
          }
          if (ok || closing) return;
          log(`socket ${paths.socket} was removed or replaced; re-creating it`);
          ensurePrivateDir(paths.runDir);
          const fresh = await buildApp(ctx, { token: null, transport: 'unix' });
          if (existsSync(paths.socket)) unlinkSync(paths.socket);
          await fresh.listen({ path: paths.socket });
          chmodSync(paths.socket, 0o600);
          socketIno = lstatSync(paths.socket).ino;
          // The old listener stays open until shutdown: its connections (live event streams) still work,
          // and closing a Unix-socket server unlinks its path, which is now the new socket's.
          apps.push(fresh);
        } catch (err) {
          log(`could not re-create the socket ${paths.socket}: ${(err as Error).message}`);
        }
      })().finally(() => (rebinding = null)));
    const socketTimer = setInterval(() => void checkSocket(), opts.socketCheckMs ?? 2000);
    socketTimer.unref();
    const onUsr2 = () => void checkSocket();
    process.on('SIGUSR2', onUsr2);

    let tcp: RunningServer['tcp'] = null;
    if (opts.tcp) {
      const tcpApp = await buildApp(ctx, {
        token: opts.tcp.token,
        transport: 'tcp',
        bindHost: opts.tcp.host,
        allowHosts: opts.tcp.allowHosts,
        allowOrigins: opts.tcp.allowOrigins,
      });
      apps.push(tcpApp);
      await tcpApp.listen({ host: opts.tcp.host, port: opts.tcp.port });
      const addr = tcpApp.server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      tcp = { host: addr.address, port: addr.port, url: `http://${host}:${addr.port}` };
    }
    writePidFile(paths.pidFile, { pid: process.pid, startTime: readStartTime(process.pid) ?? 0, version: ctx.version, socket: paths.socket, url: tcp?.url });
    log(`lmms-tui server ${ctx.version} (pid ${process.pid}) serving ${paths.stateDir} on ${paths.socket}${tcp ? ` and ${tcp.url}` : ''}`);
    log(`gpus ${scheduler.gpus ? scheduler.gpus.join(',') : 'none (no pool)'}, concurrency ${scheduler.concurrency}`);

    const close = () =>
      (closing ??= (async () => {
        clearInterval(socketTimer);
        process.off('SIGUSR2', onUsr2);
        await rebinding;
        log('shutting down; running jobs keep running');
        await Promise.allSettled(apps.map((a) => a.close()));
        // Clean up while still holding the lock: once it is released a successor may create its own files.
        try {
          if (existsSync(paths.socket)) unlinkSync(paths.socket);
        } catch {
          /* gone */
        }
        removePidFile(paths.pidFile);
        scheduler.close();
      })());
    return { paths, scheduler, tcp, close };
  } catch (err) {
    await Promise.allSettled(apps.map((a) => a.close()));
    scheduler.close();
    throw err;
  }
}
