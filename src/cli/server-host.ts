/**
 * Running the server in the foreground: `server run` (what auto-start spawns, output going to the server
 * log) and `serve` (the same plus TCP, for CI pipelines).
 */
import type { Command } from 'commander';
import { startServer, type RunningServer } from '../server/daemon.js';
import { allowHostValue, allowOriginValue, tcpAuth, type TcpAuth } from '../server/options.js';
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

/** Repeatable flag values (commander's collector). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--allow-host` / `--allow-origin` values checked and normalised; a usage error names the bad one. */
export function listenerAllowances(flags: { allowHost?: string[]; allowOrigin?: string[] }): { allowHosts: string[]; allowOrigins: string[] } {
  const allowHosts = (flags.allowHost ?? []).map((v) => {
    const h = allowHostValue(v);
    if (!h) throw new UsageError(`--allow-host: "${v}" is not a host name or address`, 'give the bare name the browser uses, without scheme or port, e.g. --allow-host gpu-box.example.org');
    return h;
  });
  const allowOrigins = (flags.allowOrigin ?? []).map((v) => {
    const o = allowOriginValue(v);
    if (!o) throw new UsageError(`--allow-origin: "${v}" is not an origin`, 'give scheme, host and port exactly as the page has them, e.g. --allow-origin http://localhost:3000 (no path, no *)');
    return o;
  });
  return { allowHosts, allowOrigins };
}

/** What a TCP listener prints about who may connect. */
export function describeAuth(auth: TcpAuth, host: string, say: (s: string) => void, tokenUse: string): void {
  if (auth.generated && auth.reason === 'no-peer-uid') say(`token generated because this system cannot tell which user a loopback connection comes from; ${tokenUse}`);
  else if (auth.generated) say(`token generated because ${host} is not a loopback address; ${tokenUse}`);
  else if (!auth.token) say(`no token: only your own user (uid ${process.geteuid?.() ?? '?'}) may connect; pass --token to let other users in with it`);
}

export interface ForegroundOptions extends HostOptionValues {
  host?: string;
  port?: string;
  token?: string;
  allowHost?: string[];
  allowOrigin?: string[];
  tcp: boolean;
}

/** Runs until SIGTERM/SIGINT; returns only on a start failure (the error is thrown). */
export async function runForeground(opts: ForegroundOptions): Promise<void> {
  const { stateDir, ...settings } = await hostOptions(opts);
  // Jobs adopted from a previous server are polled for their end; tests shorten the interval.
  const adoptPollMs = Number(process.env.LMMS_TUI_ADOPT_POLL_MS);
  if (adoptPollMs > 0) settings.adoptPollMs = adoptPollMs;
  let auth: (TcpAuth & { allowHosts: string[]; allowOrigins: string[]; host: string; port: number }) | null = null;
  if (opts.tcp) {
    const port = Number(opts.port ?? 8000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${opts.port}" is not a port number`, 'e.g. --port 8000');
    auth = { ...tcpAuth(opts.host ?? '127.0.0.1', opts.token), ...listenerAllowances(opts), host: opts.host ?? '127.0.0.1', port };
  }
  const server: RunningServer = await startServer({
    stateDir,
    settings,
    tcp: auth ? { host: auth.host, port: auth.port, token: auth.token, allowHosts: auth.allowHosts, allowOrigins: auth.allowOrigins } : undefined,
  });
  if (auth && server.tcp) {
    const say = (s: string) => process.stdout.write(`${s}\n`);
    say(`listening on ${server.tcp.url} (API ${server.tcp.url}/api/v1, docs ${server.tcp.url}/docs)`);
    if (auth.generated) say(`token: ${auth.token}`);
    describeAuth(auth, auth.host, say, 'send "Authorization: Bearer <token>"');
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
