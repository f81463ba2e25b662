// Shared by the runner's real-process tests: temp job dirs, condition polling, and cleanup that
// leaves no process group behind whatever a test did.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildJobEnv, launchJob, type LaunchedJob, type ProcessHandle } from '../../src/core/runner/index.js';

const groups = new Set<number>();
const dirs: string[] = [];

/** Remember a group so killAll() can SIGKILL it after the test. */
export function track<T extends ProcessHandle>(handle: T): T {
  groups.add(handle.pgid);
  return handle;
}

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lmms-runner-'));
  dirs.push(dir);
  return dir;
}

/** Launches `script` in a fresh job dir with the real environment builder. */
export async function launch(script: string, env: Record<string, string> = {}): Promise<{ job: LaunchedJob; dir: string }> {
  const dir = tempDir();
  const job = await launchJob({ jobDir: dir, script, env: buildJobEnv(process.env, { extra: env }), cwd: path.join(dir, 'work') });
  return { job: track(job), dir };
}

/** Resolves when cond() holds; polls on the macrotask queue, fails after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'output.log'), 'utf8');
  } catch {
    return '';
  }
}

/** The command name of a pid, or null once it is gone. */
export function comm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

export function killAll(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
