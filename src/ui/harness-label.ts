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
  // A git checkout on PYTHONPATH (or `pip install -e` without metadata) has no dist-info, so no version,
  // yet it imports and lists its tasks: say where it comes from instead of "not installed".
  const code = [
    'import json, importlib.metadata as m, importlib.util as u',
    `try: v = m.version(${JSON.stringify(DIST_NAME[harness].replace('_', '-'))})`,
    'except Exception: v = None',
    `try: s = u.find_spec(${JSON.stringify(HARNESS_MODULE[harness])})`,
    'except Exception: s = None',
    'loc = (s.submodule_search_locations[0] if s and s.submodule_search_locations else (s.origin if s else None))',
    `print(${JSON.stringify(PROBE_MARKER)}); print(json.dumps({"version": v, "location": loc}))`,
  ].join('\n');
  try {
    const found = await runPythonJson<{ version: string | null; location: string | null }>({ python: opts.python, setup: opts.setup, env, timeoutMs: 15_000 }, code, `${HARNESS_MODULE[harness]} version`);
    if (found.version) return `${harness} ${found.version} (${via})`;
    if (found.location) return `${harness} (checkout at ${found.location}, ${via})`;
    return `${harness} not installed (${via})`;
  } catch {
    return `${harness} ? (${via} not usable)`;
  }
}
