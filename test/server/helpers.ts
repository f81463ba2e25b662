/**
 * End-to-end helpers: a private state dir per test (LMMS_TUI_HOME), the CLI run as a real process, waiting
 * on conditions (never fixed sleeps), and a cleanup that leaves no server or job process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { connect } from '../../src/client/connect.js';
import type { LmmsClient } from '../../src/client/client.js';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { isAlive } from '../../src/core/runner/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REAL_BIN = path.join(ROOT, 'bin', 'lmms-tui.js');

/** The CLI script the tests run: the shipped entry over the bundle the test global setup builds. */
export async function cliEntry(): Promise<string> {
  return REAL_BIN;
}

const homes: string[] = [];

/** A fresh state dir and the environment every process of the test gets. */
export async function newHome(extra: Record<string, string> = {}): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const home = mkdtempSync(path.join(tmpdir(), 'lmms-srv-'));
  homes.push(home);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LMMS_TUI_HOME: home,
    LMMS_TUI_GPUS: 'none',
    LMMS_TUI_GRACE_MS: '300',
    LMMS_TUI_ADOPT_POLL_MS: '100',
    LMMS_TUI_SERVER_ENTRY: await cliEntry(),
    LMMS_DEMO_PACE: '0',
    // The CLI picks unicode state glyphs only in a UTF-8 locale; CI may run with LANG=C.
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    ...extra,
  };
  delete env.LMMS_TUI_URL;
  return { home, env };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `done` resolves when it exits. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): { child: ChildProcess; done: Promise<CliResult>; out: () => string } {
  const child = spawn(process.execPath, [env.LMMS_TUI_SERVER_ENTRY!, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, out: () => stdout + stderr };
}

export function cli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}

export async function until<T>(fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/** A client of the test's server (started if needed). */
export function client(env: NodeJS.ProcessEnv): Promise<LmmsClient> {
  return connect({ env, stateDir: env.LMMS_TUI_HOME, serverEntry: env.LMMS_TUI_SERVER_ENTRY });
}

/** Processes still alive (not zombies) among `pids`. */
export function alivePids(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Kills the server (if any) and every job's process group of every state dir made by newHome. */
export async function cleanupHomes(): Promise<void> {
  for (const home of homes.splice(0)) {
    const info = readPidFile(serverPaths(home).pidFile);
    if (info && isAlive(info)) {
      process.kill(info.pid, 'SIGKILL');
      await until(() => !isAlive(info), { timeoutMs: 5000, what: 'the server to die' });
    }
    const jobs = path.join(home, 'jobs');
    for (const id of existsSync(jobs) ? readdirSync(jobs) : []) {
      try {
        const job = JSON.parse(readFileSync(path.join(jobs, id, 'job.json'), 'utf8')) as { pid: number | null };
        if (job.pid) killGroup(job.pid);
      } catch {
        /* no record */
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
}

export function demoSpec(over: Record<string, unknown> = {}) {
  return { harness: 'lmms-eval' as const, model: 'demo', tasks: ['demo_mme'], demo: true, ...over };
}
