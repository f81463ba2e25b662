/**
 * Runs the demo harness as a real python3 process, the way the engine does: stdin ignored, stdout and stderr
 * captured separately, its own process group (detached) so a test can signal the whole group and nothing leaks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoHarnessDir } from '../../src/core/paths.js';

export type Flavour = 'lmms_eval' | 'lm_eval';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  proc: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** When the process itself has exited (its code or signal); stdio may still be held open by its workers. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** When it has exited and every holder of its stdout/stderr has closed them. */
  done: Promise<Finished>;
}

const started: number[] = [];
const scratch: string[] = [];

/** Environment for a fast, deterministic run; `extra` entries set to undefined are removed. */
export function demoEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: demoHarnessDir(), LMMS_DEMO_PACE: '0', LMMS_DEMO_DOCS: '20' };
  // vitest sets COLUMNS and LINES; without them a piped tqdm bar is the 10-cell default the engine sees.
  for (const name of ['COLUMNS', 'LINES', 'RANK', 'LOCAL_RANK', 'SLURM_JOB_ID', 'CUDA_VISIBLE_DEVICES', 'HF_TOKEN']) delete env[name];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function startDemo(
  flavour: Flavour,
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; stdin?: 'ignore' | 'pipe' } = {},
): Running {
  const proc = spawn('python3', ['-m', flavour, ...args], {
    cwd: opts.cwd ?? tmpdir(),
    env: demoEnv(opts.env),
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (proc.pid === undefined) throw new Error('python3 did not start');
  started.push(proc.pid);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const done = new Promise<Finished>((resolve) => {
    proc.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return { proc, pid: proc.pid, stdout: () => out, stderr: () => err, exited, done };
}

export function runDemo(flavour: Flavour, args: string[], opts: Parameters<typeof startDemo>[2] = {}): Promise<Finished> {
  return startDemo(flavour, args, opts).done;
}

/** SIGKILL every process group a test started (call in afterEach); a group already gone is fine. */
export function killAllStarted(): void {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'demo-harness-'));
  scratch.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Poll `check` until it returns a value other than undefined/false, or fail after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Every file under `dir`, as paths relative to it (sorted). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

export function readJson(file: string): Record<string, any> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
}

/** A process is gone once /proc has no entry for it or it is a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Fields of /proc/<pid>/stat and status the signal tests need (Linux). */
export function procInfo(pid: number): { pgrp: number; ignoresTerm: boolean } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const sigIgn = BigInt('0x' + (/^SigIgn:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'));
  return { pgrp: Number(fields[2]), ignoresTerm: ((sigIgn >> 14n) & 1n) === 1n }; // SIGTERM is signal 15: bit 14
}

/** The loguru line shape lmms-eval prints (after ANSI stripping). */
export const LOGURU_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| (TRACE|DEBUG|INFO|SUCCESS|WARNING|ERROR|CRITICAL) +\| [\w.]+:[\w<>]+:\d+ - /;
/** lm-eval's stdlib logging shape. */
export const LOGGING_LINE = /^\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) +\[[\w.]+:\d+\] /;
/** The tqdm regex from harness-facts §6.1. */
export const TQDM = /^(?:(.*?): )?\s*(\d+)%\|.*?\|\s*(\d+)\/(\d+) \[([^<\]]+)(?:<([^,\]]+))?,\s*([\d.?]+)\s*(it\/s|s\/it)/;

/** The `\r`/`\n`-separated segments of a stderr stream that look like tqdm bars. */
export function barSegments(stderr: string): string[] {
  return stderr
    .split(/[\r\n]/)
    .map((s) => s.trimEnd())
    .filter((s) => s.includes('%|'));
}

/** Cells of a markdown table row, trimmed. */
export function cells(row: string): string[] {
  return row.split('|').slice(1, -1).map((c) => c.trim());
}
