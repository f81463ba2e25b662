/**
 * Running the server in the foreground: `server run` (what auto-start spawns, output going to the server
 * log) and `serve` (the same plus TCP, for CI pipelines).
 */
import type { Command } from 'commander';
import { startServer, type RunningServer } from '../server/daemon.js';
import { tcpAuth } from '../server/options.js';
import { UsageError } from './client-helpers.js';
import { addHostOptions, hostOptions, type HostOptionValues } from './host-options.js';

/** Adds the scheduler flags (--gpus, --concurrency, --grace, --keep, --cgroup; each also read from the environment). */
export function addSchedulerOptions(cmd: Command): Command {
  return addHostOptions(cmd);
}

/** The scheduler flags as `server run` arguments, so `server start --gpus 0,1` reaches the spawned server. */
export function schedulerArgs(flags: HostOptionValues): string[] {
  const out: string[] = [];
  for (const k of ['gpus', 'concurrency', 'grace', 'keep', 'cgroup'] as const) if (flags[k] !== undefined) out.push(`--${k}`, String(flags[k]));
  if (flags.logCap !== undefined) out.push('--log-cap', flags.logCap);
  if (flags.maxGpus !== undefined) out.push('--max-gpus', flags.maxGpus);
  return out;
}

export interface ForegroundOptions extends HostOptionValues {
  host?: string;
  port?: string;
  token?: string;
  tcp: boolean;
}

/** Runs until SIGTERM/SIGINT; returns only on a start failure (the error is thrown). */
export async function runForeground(opts: ForegroundOptions): Promise<void> {
  const { stateDir, ...settings } = await hostOptions(opts);
  // Jobs adopted from a previous server are polled for their end; tests shorten the interval.
  const adoptPollMs = Number(process.env.LMMS_TUI_ADOPT_POLL_MS);
  if (adoptPollMs > 0) settings.adoptPollMs = adoptPollMs;
  let auth = null;
  if (opts.tcp) {
    const port = Number(opts.port ?? 8000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${opts.port}" is not a port number`, 'e.g. --port 8000');
    auth = { ...tcpAuth(opts.host ?? '127.0.0.1', opts.token), host: opts.host ?? '127.0.0.1', port };
  }
  const server: RunningServer = await startServer({
    stateDir,
    settings,
    tcp: auth ? { host: auth.host, port: auth.port, token: auth.token } : undefined,
  });
  if (auth && server.tcp) {
    const say = (s: string) => process.stdout.write(`${s}\n`);
    say(`listening on ${server.tcp.url} (API ${server.tcp.url}/api/v1, docs ${server.tcp.url}/docs)`);
    if (auth.generated) say(`token: ${auth.token}\n  (generated because ${auth.host} is not a loopback address; send "Authorization: Bearer <token>")`);
    else if (!auth.token) say('no token: any local user can reach this port; pass --token on a shared machine');
  }
  // stdout is the server log; when its disk is full a write fails with ENOSPC, which must not crash the queue.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const shutdown = (code: number) => {
    void server.close().finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
  // Detached, we have no terminal; in the foreground a closing terminal should not take the queue down mid-write.
  process.on('SIGHUP', () => undefined);
  process.on('uncaughtException', (err) => {
    process.stdout.write(`${new Date().toISOString()} fatal: ${err.stack ?? String(err)}\n`);
    shutdown(1);
  });
  await new Promise<never>(() => undefined);
}
