/**
 * The web UI's run form (`EvalRequest`, `PreviewRequest` and `ExportYamlRequest` share one model) and the
 * YAML import/export, as `lmms_eval/tui/server.py` defines them.
 *
 * The command differs on purpose: the original previewed one string and executed another (unquoted, through
 * /bin/sh, so `source` failed under dash and `;` in a field ran a command). Here the preview is the job
 * script lmms-tui runs, built once by buildCommand: every value quoted, run by bash.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { buildCommand } from '../core/command/build.js';
import { validateSpec } from '../core/command/validate.js';
import type { Problem } from '../core/errors.js';
import { isSecretName, redactSecrets } from '../core/redact.js';
import type { EvalSpec } from '../core/spec.js';
import { targetSpec, type HarnessTarget } from './config.js';
import { Checker, httpError, isObject, missing, objectBody } from './fastapi.js';

export interface EvalRequest {
  model: string;
  model_args: string;
  tasks: string[];
  env_vars: string;
  batch_size: number | string;
  limit: number | null;
  output_path: string;
  log_samples: boolean;
  verbosity: string;
  device: string | null;
  env_setup: string;
}

/** Spec field → form field, for 422 details. */
export const WUI_FIELDS: Record<string, string> = {
  model: 'model',
  model_args: 'model_args',
  tasks: 'tasks',
  env: 'env_vars',
  batch_size: 'batch_size',
  limit: 'limit',
  output_path: 'output_path',
  log_samples: 'log_samples',
  verbosity: 'verbosity',
  device: 'device',
  setup: 'env_setup',
};

export function parseEvalRequest(raw: unknown): EvalRequest {
  const body = objectBody(raw);
  const c = new Checker();
  const has = (k: string) => body[k] !== undefined;
  const str = (k: string, d: string) => (has(k) ? (c.str(body[k], ['body', k]) ?? d) : d);
  const req: EvalRequest = {
    model: has('model') ? (c.str(body.model, ['body', 'model']) ?? '') : (c.errors.push(missing(['body', 'model'], body)), ''),
    model_args: str('model_args', ''),
    tasks: has('tasks') ? (c.strList(body.tasks, ['body', 'tasks']) ?? []) : (c.errors.push(missing(['body', 'tasks'], body)), []),
    env_vars: str('env_vars', ''),
    // The original took only an int; `"auto"` is what lmms-eval also accepts, so it is allowed here.
    batch_size: has('batch_size') ? (typeof body.batch_size === 'string' && /^auto/.test(body.batch_size) ? body.batch_size : (c.int(body.batch_size, ['body', 'batch_size']) ?? 1)) : 1,
    limit: !has('limit') ? 10 : body.limit === null ? null : (c.float(body.limit, ['body', 'limit']) ?? null),
    output_path: str('output_path', './logs/'),
    log_samples: has('log_samples') ? (c.bool(body.log_samples, ['body', 'log_samples']) ?? true) : true,
    verbosity: str('verbosity', 'INFO'),
    device: has('device') && body.device !== null ? (c.str(body.device, ['body', 'device']) ?? null) : null,
    env_setup: str('env_setup', ''),
  };
  c.throwIfAny();
  return req;
}

export interface FormContext {
  target: HarnessTarget;
  /** Used when the form's env_setup is empty (as the original used its auto-detected one). */
  autoSetup: string;
}

export function specFromForm(req: EvalRequest, fc: FormContext): EvalSpec {
  const spec: EvalSpec = { ...targetSpec(fc.target), model: req.model, tasks: req.tasks };
  const setup = req.env_setup.trim() || fc.autoSetup;
  // A set-up line typed in the form activates its own environment: its `python` is the one to run.
  if (req.env_setup.trim() && req.env_setup.trim() !== fc.target.setup) delete spec.python;
  if (setup) spec.setup = setup;
  else delete spec.setup;
  if (req.model_args) spec.model_args = req.model_args;
  const env = req.env_vars.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (env.length) spec.env = env;
  spec.batch_size = String(req.batch_size);
  if (req.limit !== null) spec.limit = req.limit;
  spec.output_path = req.output_path;
  if (req.log_samples) spec.log_samples = true;
  // lmms-eval upper-cases --verbosity itself; the form sends whatever was typed.
  if (req.verbosity) spec.verbosity = req.verbosity.toUpperCase();
  if (req.device) spec.device = req.device;
  return spec;
}

/** The exact job script (what /eval/start will run), or a shell comment listing why it cannot be built. */
export function previewScript(spec: EvalSpec, cwd: string): { script: string; problems: Problem[] } {
  const problems = validateSpec(spec);
  if (problems.length) {
    const lines = problems.map((p) => `#   ${p.field}: ${p.message} (${p.fix})`);
    return { script: ['# lmms-tui cannot run this configuration yet:', ...lines].join('\n'), problems };
  }
  return { script: buildCommand(spec, { cwd }).script.trimEnd(), problems };
}

/**
 * The original's auto-detected set-up: the `.venv` at the top of the git checkout the UI was started in.
 * Without its `cd` (our jobs resolve paths against the launch directory and run in their own directory),
 * and run by bash, where `source` exists.
 */
export function detectSetup(repoRoot: string): string {
  if (!repoRoot) return '';
  const activate = path.join(repoRoot, '.venv', 'bin', 'activate');
  return existsSync(activate) ? `source ${activate}` : '';
}

const EXPORT_HEADER = '# LMMs-Eval config exported from Web UI\n# Usage: python -m lmms_eval --config <this_file>.yaml\n# CLI args override YAML values.\n\n';

/**
 * The form as an lmms-eval `--config` YAML, keys in the original's order. As `lmms-tui config export` does
 * (src/core/config-yaml.ts), a secret-named env value is written as a `${NAME}` reference for the
 * environment that runs the file to provide, and a secret in model_args is masked, unless `includeSecrets`.
 */
export function exportYaml(req: EvalRequest, opts: { includeSecrets?: boolean } = {}): string {
  const config: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  for (const line of req.env_vars.split(/\r?\n/)) {
    let s = line.trim();
    if (!s || s.startsWith('#')) continue;
    if (s.startsWith('export ')) s = s.slice(7);
    const eq = s.indexOf('=');
    if (eq < 0) continue;
    const name = s.slice(0, eq).trim();
    const value = s.slice(eq + 1).trim();
    env[name] = !opts.includeSecrets && isSecretName(name) && value !== '' && !/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value) ? `\${${name}}` : value;
  }
  if (Object.keys(env).length) config.env = env;
  config.model = req.model;
  if (req.model_args) config.model_args = opts.includeSecrets ? req.model_args : redactSecrets(req.model_args);
  if (req.tasks.length) config.tasks = req.tasks.join(',');
  config.batch_size = req.batch_size;
  if (req.limit !== null) config.limit = req.limit;
  config.output_path = req.output_path;
  if (req.log_samples) config.log_samples = true;
  config.verbosity = req.verbosity;
  if (req.device) config.device = req.device;
  return EXPORT_HEADER + stringifyYaml(config, { lineWidth: 0 });
}

/** The form fields an imported YAML fills (all of the request but the set-up line, which YAML never carries). */
export type ImportedForm = Omit<EvalRequest, 'env_setup'>;

/**
 * A config YAML back into form values. Where the original crashed with a 500 on a value of another type
 * (`model_args` as a mapping, `batch_size: auto`), this converts what lmms-eval itself accepts and answers
 * 400 naming the field for the rest.
 */
export function importYaml(text: string): ImportedForm {
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (err) {
    throw httpError(400, `Invalid YAML: ${(err as Error).message}`);
  }
  if (Array.isArray(config)) {
    throw httpError(400, `YAML must be a dict (not a list or scalar); this file holds a list of ${config.length} configs, and the form takes one`);
  }
  if (!isObject(config)) throw httpError(400, 'YAML must be a dict (not a list or scalar)');
  const bad = (field: string, v: unknown): never => {
    throw httpError(400, `Invalid config: ${field} has an unsupported value ${JSON.stringify(v)}`);
  };
  const text_ = (field: string, d: string): string => {
    const v = config[field];
    if (v === undefined || v === null) return d;
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : bad(field, v);
  };
  const env = isObject(config.env) ? Object.entries(config.env).map(([k, v]) => `export ${k}=${String(v)}`).join('\n') : '';
  const rawTasks = config.tasks;
  const tasks = typeof rawTasks === 'string' ? rawTasks.split(',').map((t) => t.trim()).filter(Boolean) : Array.isArray(rawTasks) ? rawTasks.map(String) : [];
  const ma = config.model_args;
  const modelArgs = isObject(ma) ? Object.entries(ma).map(([k, v]) => `${k}=${String(v)}`).join(',') : text_('model_args', '');
  // The shipped form keeps batch size and limit as text and sends parseInt(text) (batch size `|| 1`), so
  // `auto` would start with batch size 1 and `limit: 0.5` with 0, without a word: refuse those by name.
  const formCannot = (field: string, v: unknown, why: string): never => {
    throw httpError(400, `Invalid config: ${field}: ${JSON.stringify(v)} cannot be entered in this form, which sends whole numbers only (${why}); nothing was imported. Set ${field} to a whole number in the file and import it again`);
  };
  const bs = config.batch_size;
  const batch =
    bs === undefined || bs === null ? 1
    : typeof bs === 'number' && Number.isInteger(bs) && bs > 0 ? bs
    : typeof bs === 'string' && /^\s*\d+\s*$/.test(bs) && Number(bs) > 0 ? Number(bs)
    : typeof bs === 'string' && /^auto(:\d+)?$/.test(bs) ? formCannot('batch_size', bs, 'it would start with batch size 1')
    : bad('batch_size', bs);
  const lim = config.limit;
  const limit =
    lim === undefined || lim === null ? null
    : typeof lim === 'number' && Number.isInteger(lim) ? lim
    : typeof lim === 'number' && Number.isFinite(lim) ? formCannot('limit', lim, `a fraction of each task's documents would become ${Math.trunc(lim)}`)
    : bad('limit', lim);
  return {
    model: text_('model', ''),
    model_args: modelArgs,
    tasks,
    env_vars: env,
    batch_size: batch,
    limit,
    output_path: text_('output_path', './logs/'),
    log_samples: config.log_samples === true,
    verbosity: text_('verbosity', 'INFO'),
    device: config.device === undefined || config.device === null ? null : text_('device', ''),
  };
}
