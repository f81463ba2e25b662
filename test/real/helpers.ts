/** Helpers of the real-harness tier: our task trees made runnable, the harness's own oracles, and runs. */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Harness } from '../../src/core/spec.js';
import { REAL_TASKS, ROOT } from './venvs.js';

const run = promisify(execFile);
const made: string[] = [];

/**
 * Copies test/fixtures/real-tasks to a temp dir with `@DATA_DIR@` filled in (the harnesses resolve a
 * relative data_files against their cwd). Returns the copy's root; its subdirs are the include paths.
 */
export function materializeTasks(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lmms-real-tasks-'));
  made.push(dir);
  cpSync(REAL_TASKS, dir, { recursive: true });
  const fill = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) fill(full);
      else if (name.endsWith('.yaml')) writeFileSync(full, readFileSync(full, 'utf8').replaceAll('@DATA_DIR@', dir));
    }
  };
  fill(dir);
  return dir;
}

export function cleanupTasks(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

const ORACLE = path.join(ROOT, 'test', 'real', 'oracle.py');

export interface OracleName {
  type: string;
  yaml_path: string | null;
  members?: string[];
}

/** What the harness's own TaskManager registers (test/real/oracle.py, run by the venv's python). */
export async function taskManagerNames(python: string, harness: Harness, include: string[]): Promise<{ version: string; roots: string[]; names: Record<string, OracleName> }> {
  const { stdout } = await run(python, [ORACLE, 'tasks', harness, ...include], { maxBuffer: 256 * 1024 * 1024, env: offline() });
  return JSON.parse(stdout);
}

export async function modelRegistry(python: string, harness: Harness): Promise<Record<string, { aliases: string[]; kind?: string; target?: string }>> {
  const { stdout } = await run(python, [ORACLE, 'models', harness], { maxBuffer: 64 * 1024 * 1024, env: offline() });
  return JSON.parse(stdout);
}

function offline(): NodeJS.ProcessEnv {
  return { ...process.env, HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1', PYTHONPATH: '' };
}
