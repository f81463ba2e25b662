/**
 * Running a small Python snippet the way a run would start Python: through `bash -c`, after the
 * spec's set-up line (`source .venv/bin/activate`, `conda activate x`), with the run's environment.
 * The snippet prints JSON after a marker line, because importing harness modules can print to stdout
 * (lmms-eval's model registry logs warnings there).
 */
import { ExternalError, UserError } from '../errors.js';

export const PROBE_MARKER = '@@LMMS_TUI_PROBE@@';

export interface PythonTarget {
  /** Interpreter (path or name on PATH). Default: see defaultPython. */
  python?: string;
  /** Environment set-up line run first in the same shell. */
  setup?: string;
  /** The environment the run would have. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Working directory (Python puts it on sys.path for `-c` and `-m`). Default: process.cwd(). */
  cwd?: string;
  /** Give up after this long (ms). Default 20 s: a cold conda activation is slow. */
  timeoutMs?: number;
}

/**
 * The interpreter a run uses when the spec names none: after a set-up line, whatever `python` the
 * set-up put first on PATH; else the active virtualenv's, then conda's, then `python3`.
 */
export function defaultPython(env: NodeJS.ProcessEnv = process.env, setup?: string): string {
  if (setup?.trim()) return 'python';
  if (env.VIRTUAL_ENV) return `${env.VIRTUAL_ENV}/bin/python`;
  if (env.CONDA_PREFIX) return `${env.CONDA_PREFIX}/bin/python`;
  return 'python3';
}

/** How the user asked for this interpreter, for messages: "`python3`" or "`source x && python`". */
export function askedVia(target: PythonTarget): string {
  const python = target.python ?? defaultPython(target.env, target.setup);
  return target.setup?.trim() ? `\`${target.setup.trim()}\` then \`${python}\`` : `\`${python}\``;
}

const SETUP_FAILED = 97;

/** Runs `code` with the target interpreter and returns the JSON it printed after PROBE_MARKER. */
export async function runPythonJson<T>(target: PythonTarget, code: string, what: string): Promise<T> {
  const env = { ...(target.env ?? process.env) };
  const python = target.python ?? defaultPython(env, target.setup);
  env.LMMS_TUI_PY = python;
  env.LMMS_TUI_CODE = code;
  // The set-up runs in the same shell as Python so activation takes effect; its failure is reported
  // as such rather than as a confusing "module not found" from the wrong interpreter.
  const setup = target.setup?.trim() ? `${target.setup.trim()}\n__rc=$?; [ "$__rc" -eq 0 ] || { echo "set-up line failed (exit $__rc)" >&2; exit ${SETUP_FAILED}; }\n` : '';
  const script = `${setup}exec "$LMMS_TUI_PY" -c "$LMMS_TUI_CODE"`;
  // Loaded on first use: execa costs tens of ms at import, which the TUI's first frame should not pay.
  const { execa } = await import('execa');
  const res = await execa('bash', ['-c', script], {
    env,
    extendEnv: false,
    cwd: target.cwd,
    reject: false,
    timeout: target.timeoutMs ?? 20_000,
    stdin: 'ignore',
    stripFinalNewline: false,
  });
  const stderrTail = String(res.stderr ?? '').trim().split('\n').slice(-20).join('\n');
  const via = askedVia(target);
  const argv = target.setup?.trim() ? ['bash', '-c', `${target.setup.trim()}; ${python} -c <${what}>`] : [python, '-c', `<${what}>`];
  if (res.timedOut) {
    const secs = Math.round((target.timeoutMs ?? 20_000) / 1000);
    throw new ExternalError(`${what}: ${via} did not answer within ${secs} s`, argv, null, stderrTail);
  }
  if (res.exitCode === SETUP_FAILED) throw new UserError(`${what}: the set-up line failed (${via})`, stderrTail || undefined);
  if (res.exitCode === 127 || res.exitCode === 126) {
    throw new UserError(
      `Python interpreter ${python} was not found (asked via ${via})`,
      'pass an interpreter with --python, or a set-up line with --setup (e.g. "source .venv/bin/activate")',
    );
  }
  const out = String(res.stdout ?? '');
  const at = out.lastIndexOf(`${PROBE_MARKER}\n`);
  if (at === -1) throw new ExternalError(`${what}: ${via} gave no answer`, argv, res.exitCode ?? null, stderrTail);
  const json = out.slice(at + PROBE_MARKER.length + 1).split('\n')[0]!;
  try {
    return JSON.parse(json) as T;
  } catch {
    throw new ExternalError(`${what}: ${via} printed an unreadable answer`, argv, res.exitCode ?? null, json.slice(0, 200));
  }
}
