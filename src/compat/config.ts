/**
 * Which harness install the compatibility surfaces run. A request cannot choose the interpreter (lm-eval-server
 * let any caller replace the executable with `lm_eval_path`, which made it a remote-execution endpoint), so
 * this is server configuration only: environment variables, which an auto-started server inherits from the
 * client that started it, like every other server setting.
 */
import { demoEnv } from '../core/discovery/index.js';
import type { EvalSpec, Harness } from '../core/spec.js';

export interface HarnessTarget {
  harness: Harness;
  /** Interpreter; default as for any job (`python3`, or `python` after a set-up line). */
  python?: string;
  /** Set-up line run first, e.g. `source /opt/venvs/eval/bin/activate`. */
  setup?: string;
  /** Run the built-in demo harness (simulated results). */
  demo: boolean;
}

export interface CompatOptions {
  /** lmms-eval server mode (`/evaluate`), and its `/tasks` and `/models`. */
  lmms: HarnessTarget;
  /** lm-eval-server (`/job`). */
  lmEval: HarnessTarget;
  /** Most log lines a lm-eval-server job detail returns (the original returned all of them, unbounded). */
  lesMaxLines: number;
}

export const COMPAT_ENV = {
  demo: 'LMMS_TUI_COMPAT_DEMO',
  lmmsPython: 'LMMS_TUI_LMMS_PYTHON',
  lmmsSetup: 'LMMS_TUI_LMMS_SETUP',
  lmEvalPython: 'LMMS_TUI_LM_EVAL_PYTHON',
  lmEvalSetup: 'LMMS_TUI_LM_EVAL_SETUP',
} as const;

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() ? v.trim() : undefined);

export function compatOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CompatOptions {
  const demo = truthy(env[COMPAT_ENV.demo]);
  return {
    lmms: { harness: 'lmms-eval', python: nonEmpty(env[COMPAT_ENV.lmmsPython]), setup: nonEmpty(env[COMPAT_ENV.lmmsSetup]), demo },
    lmEval: { harness: 'lm-eval', python: nonEmpty(env[COMPAT_ENV.lmEvalPython]), setup: nonEmpty(env[COMPAT_ENV.lmEvalSetup]), demo },
    lesMaxLines: 2000,
  };
}

/** The spec fields a target fixes (harness, interpreter, set-up, demo). */
export function targetSpec(t: HarnessTarget): Pick<EvalSpec, 'harness' | 'python' | 'setup' | 'demo'> {
  const spec: Pick<EvalSpec, 'harness' | 'python' | 'setup' | 'demo'> = { harness: t.harness };
  if (t.python) spec.python = t.python;
  if (t.setup) spec.setup = t.setup;
  if (t.demo) spec.demo = true;
  return spec;
}

/** The environment discovery must see to find the same install the jobs will run. */
export function discoveryEnv(t: HarnessTarget, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return t.demo ? demoEnv(env) : env;
}
