/**
 * lm-eval-server's `LMEvalRequest`: generated there from lm-eval's argparse, here from our FLAGS table (the
 * same flags, as data), plus `env_vars` and `lm_eval_path`. Fixed on the way in:
 * - a boolean sent as `false` stays off (the original appended every field the client sent, so `false` turned it on);
 * - `null` means "not set" (the original passed the literal `None`);
 * - `env_vars` reach the job (the original ignored them);
 * - `lm_eval_path` cannot replace the program: the server's configuration picks the interpreter.
 */
import { SHELL_NAME } from '../core/command/env-lines.js';
import { shellQuote } from '../core/command/quote.js';
import { FLAGS, type EvalSpec, type FlagDef } from '../core/spec.js';
import { targetSpec, type HarnessTarget } from './config.js';
import { Checker, isObject, objectBody } from './fastapi.js';

export const LES_FLAGS: readonly FlagDef[] = FLAGS.filter((f) => f.harnesses.includes('lm-eval'));

/** Spec field → request field (identical names, plus env lines → env_vars). */
export const LES_FIELDS: Record<string, string> = Object.fromEntries([
  ...['model', 'tasks', 'model_args'].map((k) => [k, k]),
  ...LES_FLAGS.map((f) => [f.name, f.name]),
  ['env', 'env_vars'],
]);

/** The command the server runs lm-eval with: what a caller may send as `lm_eval_path` (and nothing else). */
export function serverLmEvalPath(t: HarnessTarget): string {
  return `${t.python ?? (t.setup ? 'python' : 'python3')} -m lm_eval`;
}

export interface LesParsed {
  spec: EvalSpec;
  /** The fields the caller set, as understood (kept with the job). */
  request: Record<string, unknown>;
}

function flagValue(c: Checker, f: FlagDef, v: unknown): unknown {
  const loc = ['body', f.name];
  switch (f.kind) {
    case 'bool':
      return c.bool(v, loc);
    case 'int':
      return c.int(v, loc);
    case 'float':
    case 'limit':
      return c.float(v, loc);
    // lm-eval types these as strings; numbers and booleans are what callers naturally send, so take them too.
    case 'batch':
      return typeof v === 'number' ? String(v) : c.str(v, loc);
    case 'optbool':
      return typeof v === 'boolean' ? v : c.str(v, loc);
    default:
      if (f.name === 'seed' && typeof v === 'number') return String(v);
      return c.str(v, loc);
  }
}

export function parseLesRequest(raw: unknown, target: HarnessTarget): LesParsed {
  const body = objectBody(raw);
  const c = new Checker();
  const spec: EvalSpec = { ...targetSpec(target), model: 'hf', tasks: [] };
  const request: Record<string, unknown> = {};
  const set = (k: string) => body[k] !== undefined && body[k] !== null;

  if (set('model')) spec.model = c.str(body.model, ['body', 'model']) ?? '';
  request.model = spec.model;
  if (set('tasks')) {
    // A comma string as lm-eval takes it; a JSON list is accepted too.
    const t = Array.isArray(body.tasks) ? c.strList(body.tasks, ['body', 'tasks']) : c.str(body.tasks, ['body', 'tasks'])?.split(',');
    spec.tasks = (t ?? []).map((s) => s.trim()).filter(Boolean);
    request.tasks = body.tasks;
  }
  if (set('model_args')) {
    const a = c.str(body.model_args, ['body', 'model_args']);
    if (a) spec.model_args = a;
    request.model_args = a;
  }
  for (const f of LES_FLAGS) {
    if (!set(f.name)) continue;
    let v = flagValue(c, f, body[f.name]);
    if (v === undefined) continue;
    // lm-eval's parser upper-cases --verbosity itself.
    if (f.name === 'verbosity' && typeof v === 'string') v = v.toUpperCase();
    request[f.name] = v;
    if (v === false || v === '') continue;
    (spec as unknown as Record<string, unknown>)[f.name] = v;
  }
  if (set('env_vars')) {
    if (!isObject(body.env_vars)) {
      c.fail('dict_type', ['body', 'env_vars'], 'Input should be a valid dictionary', body.env_vars);
    } else {
      const lines: string[] = [];
      for (const [k, v] of Object.entries(body.env_vars)) {
        const s = c.str(v, ['body', 'env_vars', k]);
        if (s === undefined) continue;
        if (!SHELL_NAME.test(k)) c.value(['body', 'env_vars', k], k, `${JSON.stringify(k)} is not a valid environment variable name (letters, digits and _, not starting with a digit)`);
        // Quoted: a caller's value is taken literally, never expanded by the job's shell.
        else lines.push(`${k}=${shellQuote(s)}`);
      }
      if (lines.length) spec.env = lines;
      request.env_vars = body.env_vars;
    }
  }
  if (set('lm_eval_path')) {
    const p = c.str(body.lm_eval_path, ['body', 'lm_eval_path']);
    const own = serverLmEvalPath(target);
    if (p !== undefined && p.trim() !== own) {
      c.value(['body', 'lm_eval_path'], p, `lmms-tui does not let a request choose the program it runs; this server runs \`${own}\` (set LMMS_TUI_LM_EVAL_PYTHON / LMMS_TUI_LM_EVAL_SETUP where the server starts). Remove lm_eval_path from the request`);
    }
  }
  c.throwIfAny();
  return { spec, request };
}
