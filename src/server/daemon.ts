/**
 * The per-user server: hosts the scheduler and serves the API on a private Unix socket (and, for `serve`,
 * on TCP). Jobs are not its children in any way that matters: they run in their own sessions, so stopping
 * or killing the server leaves them running and the next server re-adopts them.
 */
import type { FastifyInstance } from 'fastify';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
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
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
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
  try {
    for (const p of scheduler.problems) log(`job store: ${p.dir}: ${p.message}`);
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

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
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
