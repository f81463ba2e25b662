/**
 * Where the real-harness tier finds its interpreters: the venvs scripts/real-harnesses.sh creates from
 * test/real/pins.txt (same directory name: the harness and a hash of its pins line), or an interpreter
 * named by LMMS_TUI_REAL_PYTHON_LM_EVAL / LMMS_TUI_REAL_PYTHON_LMMS_EVAL / LMMS_TUI_REAL_PYTHON_MCP. Besides the two
 * harnesses, pins.txt has a venv for the Python MCP client (`mcp`), which test/real/mcp-python.test.ts drives
 * `lmms-tui mcp` with.
 *
 * Under CI (vitest.config.ts passes LMMS_TUI_REAL_REQUIRED=1 when CI is set) a missing venv fails the
 * tier; elsewhere the tier is skipped with a message saying how to create them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import type { Harness } from '../../src/core/spec.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PINS_FILE = path.join(ROOT, 'test', 'real', 'pins.txt');
export const REAL_TASKS = path.join(ROOT, 'test', 'fixtures', 'real-tasks');

/** A venv of pins.txt: a harness, or the Python MCP client. */
export type RealVenv = Harness | 'mcp';

export interface RealHarness {
  harness: RealVenv;
  /** The pip requirements of its venv, as pins.txt gives them. */
  requirements: string;
  venv: string;
  /** The interpreter, or null when no ready venv exists. */
  python: string | null;
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LMMS_TUI_TEST_CACHE || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'lmms-tui-test');
}

/** pins.txt as `read -r harness reqs` in scripts/real-harnesses.sh reads it. */
export function readPins(): Map<RealVenv, string> {
  const pins = new Map<RealVenv, string>();
  for (const raw of readFileSync(PINS_FILE, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [harness, ...rest] = line.split(/[ \t]+/);
    pins.set(harness as RealVenv, line.slice(harness!.length).trim());
    void rest;
  }
  return pins;
}

const ENV_OVERRIDE: Record<RealVenv, string> = { 'lm-eval': 'LMMS_TUI_REAL_PYTHON_LM_EVAL', 'lmms-eval': 'LMMS_TUI_REAL_PYTHON_LMMS_EVAL', mcp: 'LMMS_TUI_REAL_PYTHON_MCP' };

export function realHarness(harness: RealVenv): RealHarness {
  const requirements = readPins().get(harness);
  if (!requirements) throw new Error(`${PINS_FILE} has no line for ${harness}`);
  const hash = createHash('sha256').update(`${harness} ${requirements}`).digest('hex').slice(0, 12);
  const venv = path.join(cacheDir(), 'venvs', `${harness}-${hash}`);
  const override = process.env[ENV_OVERRIDE[harness]];
  const ready = existsSync(path.join(venv, '.complete')) && existsSync(path.join(venv, 'bin', 'python'));
  return { harness, requirements, venv, python: override || (ready ? path.join(venv, 'bin', 'python') : null) };
}

export const REQUIRED = process.env.LMMS_TUI_REAL_REQUIRED === '1';

export const HOW_TO_CREATE = 'create them with `bash scripts/real-harnesses.sh` (about 5 minutes and 8 GB the first time)';

/**
 * `describe` for tests that need these real harnesses: skipped with a printed reason when one is missing
 * outside CI, a failing test under CI.
 */
export function describeReal<H extends RealVenv>(harnesses: H[], name: string, fn: (py: Record<H, string>) => void): void {
  const found = harnesses.map(realHarness);
  const missing = found.filter((h) => !h.python);
  if (missing.length && !REQUIRED) {
    console.log(`real-harness tier skipped (${name}): no venv for ${missing.map((m) => `${m.harness} at ${m.venv}`).join(', ')}; ${HOW_TO_CREATE}`);
    describe.skip(name, () => fn({} as Record<H, string>));
    return;
  }
  if (missing.length) {
    throw new Error(`CI needs the real harnesses but ${missing.map((m) => `${m.harness} has no venv at ${m.venv}`).join(', ')}: .ci/run must run scripts/real-harnesses.sh`);
  }
  const py = Object.fromEntries(found.map((h) => [h.harness, h.python!])) as Record<H, string>;
  describe(name, () => fn(py));
}

/** The environment of a real run: offline (no hub), no colour, this machine's CPU only. */
export function offlineEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', HF_EVALUATE_OFFLINE: '1', TOKENIZERS_PARALLELISM: 'false', ...extra };
}
