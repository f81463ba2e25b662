/**
 * The header's harness text: name and version, and the interpreter or environment it came from, e.g.
 * `lmms-eval 0.4.1 (python3)` or `lmms-eval 0.7.2+demo (demo harness)`. Found off the render path: the
 * header shows "harness: -" until this resolves. The harness is the one the last launch used.
 */
import { readdirSync } from 'node:fs';
import { demoHarnessDir } from '../core/paths.js';
import { HARNESS_MODULE, type Harness } from '../core/spec.js';
import { defaultPython, runPythonJson, PROBE_MARKER } from '../core/discovery/python.js';

const DIST_NAME: Record<Harness, string> = { 'lmms-eval': 'lmms_eval', 'lm-eval': 'lm_eval' };

/** Version of the bundled demo harness, from its dist-info directory name. */
export function demoVersion(harness: Harness): string | null {
  try {
    const prefix = `${DIST_NAME[harness]}-`;
    const dir = readdirSync(demoHarnessDir()).find((d) => d.startsWith(prefix) && d.endsWith('.dist-info'));
    return dir ? dir.slice(prefix.length, -'.dist-info'.length) : null;
  } catch {
    return null;
  }
}

export interface HarnessLabelOptions {
  demo: boolean;
  harness?: Harness;
  python?: string;
  setup?: string;
  env?: NodeJS.ProcessEnv;
}

export async function harnessLabel(opts: HarnessLabelOptions): Promise<string> {
  const harness = opts.harness ?? 'lmms-eval';
  if (opts.demo) return `${harness} ${demoVersion(harness) ?? ''} (demo)`.replace('  ', ' ');
  const env = opts.env ?? process.env;
  const python = opts.python ?? defaultPython(env, opts.setup);
  const via = opts.setup?.trim() ? `${opts.setup.trim()}, ${python}` : python;
  const code = [
    'import json, importlib.metadata as m',
    `try: v = m.version(${JSON.stringify(DIST_NAME[harness].replace('_', '-'))})`,
    'except Exception: v = None',
    `print(${JSON.stringify(PROBE_MARKER)}); print(json.dumps(v))`,
  ].join('\n');
  try {
    const version = await runPythonJson<string | null>({ python: opts.python, setup: opts.setup, env, timeoutMs: 15_000 }, code, `${HARNESS_MODULE[harness]} version`);
    return version ? `${harness} ${version} (${via})` : `${harness} not installed (${via})`;
  } catch {
    return `${harness} ? (${via} not usable)`;
  }
}
