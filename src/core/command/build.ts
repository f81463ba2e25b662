/**
 * The exact command: one function turns a spec into the harness argv and the bash script that runs it.
 * The script is also the preview, so what a person reads, copies and pastes is byte for byte what runs.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { demoHarnessDir } from '../paths.js';
import { FLAGS, HARNESS_MODULE, type EvalSpec } from '../spec.js';
import { redactScript } from '../redact.js';
import { parseEnvLine, renderEnvLine } from './env-lines.js';
import { quoteCommandWord, shellQuote } from './quote.js';
import { validateSpec } from './validate.js';

export interface BuildOptions {
  /** Directory the user launched from; relative paths in the spec resolve against it. */
  cwd: string;
  /** GPUs assigned by the scheduler (informational; the runner sets CUDA_VISIBLE_DEVICES from `env`). */
  gpus?: number[];
  /** accelerate's rendezvous port for num_gpus > 1; must differ between concurrent jobs. */
  mainProcessPort?: number;
  /** For spec.demo: directory prepended to PYTHONPATH (default: the bundled demo harness). */
  demoHarnessDir?: string;
  /**
   * The job's directory, for a spec without output_path: the scheduler then runs it with
   * `--output_path <job dir>/results`, so the preview shows that too (with a placeholder for the id).
   */
  jobDir?: string;
  /** For a preview before the pool assigns GPUs: what the `# GPUs:` line shows instead of the ids. */
  gpuNote?: string;
}

export interface BuiltCommand {
  /** argv of the harness process, unquoted. */
  argv: string[];
  /** The bash script the job runs; also the preview. */
  script: string;
  /** Env additions the runner applies on top of the submitter's environment. */
  env: Record<string, string>;
}

export const DEFAULT_MAIN_PROCESS_PORT = 29500;

/** Flags whose values are paths: made absolute because the job runs in its own scratch directory. */
const PATH_FLAGS = new Set(['output_path', 'include_path', 'config', 'use_cache', 'samples']);

/** Throws ValidationError when the spec has problems, so an invalid command is never built. */
export function buildCommand(spec: EvalSpec, opts: BuildOptions): BuiltCommand {
  const problems = validateSpec(spec);
  if (problems.length > 0) throw new ValidationError(problems);
  if (!spec.output_path && opts.jobDir) spec = { ...spec, output_path: path.join(opts.jobDir, 'results') };

  const python = spec.python ? resolvePath(spec.python, opts.cwd, true) : spec.setup ? 'python' : 'python3';
  const module = HARNESS_MODULE[spec.harness];
  // Each line is one group of argv words; the script shows one flag and its value per line.
  const lines: string[][] = [];
  const gpus = spec.num_gpus ?? 1;
  if (gpus > 1) {
    // harness-facts §7.6: every launcher flag spelled out, so a user's accelerate default_config.yaml
    // (e.g. DeepSpeed) cannot silently apply and accelerate prints no "defaults used" banner.
    lines.push([python, '-m', 'accelerate.commands.launch']);
    lines.push(['--num_processes', String(gpus)], ['--num_machines', '1'], ['--mixed_precision', 'no']);
    lines.push(['--dynamo_backend', 'no'], ['--multi_gpu']);
    lines.push(['--main_process_port', String(opts.mainProcessPort ?? DEFAULT_MAIN_PROCESS_PORT)]);
    lines.push(['-m', module, ...(spec.harness === 'lm-eval' ? ['run'] : [])]);
  } else {
    // lm-eval inserts `run` itself only when the first argument is not a subcommand; being explicit
    // keeps a task or model that happens to be named `ls` or `validate` from being misread.
    lines.push([python, '-m', module, ...(spec.harness === 'lm-eval' ? ['run'] : [])]);
  }
  lines.push(['--model', spec.model]);
  if (spec.model_args) lines.push(['--model_args', spec.model_args]);
  // Surrounding spaces (`mme, mmmu`) would become part of a name after the harness splits on commas.
  lines.push(['--tasks', spec.tasks.map((t) => t.trim()).join(',')]);
  for (const flag of FLAGS) {
    if (!flag.harnesses.includes(spec.harness)) continue;
    const value = spec[flag.name];
    if (value === undefined || value === null || value === '' || value === false) continue;
    const spelled = `--${flag.cli ?? flag.name}`;
    if (value === true) lines.push([spelled]);
    else if (typeof value === 'number') lines.push([spelled, String(value)]);
    else lines.push([spelled, PATH_FLAGS.has(flag.name) ? resolvePath(value, opts.cwd, false) : value]);
  }
  if (spec.extra_args && spec.extra_args.length > 0) lines.push([...spec.extra_args]);

  const argv = lines.flat();
  const script = [...prologue(spec, opts), renderCommand(lines)].join('\n') + '\n';
  const env: Record<string, string> = { PYTHONUNBUFFERED: '1' };
  if (opts.gpus) env.CUDA_VISIBLE_DEVICES = opts.gpus.join(',');
  return { argv, script, env };
}

function prologue(spec: EvalSpec, opts: BuildOptions): string[] {
  const out = [`# lmms-tui: ${spec.harness} job${spec.demo ? ' (simulated: demo harness)' : ''}`];
  if (opts.gpus) out.push(`# GPUs: CUDA_VISIBLE_DEVICES=${opts.gpus.join(',')} (set by lmms-tui)`);
  else if (opts.gpuNote) out.push(`# GPUs: CUDA_VISIBLE_DEVICES=${opts.gpuNote} (set by lmms-tui)`);
  if (spec.demo) {
    const dir = opts.demoHarnessDir ?? demoHarnessDir();
    // Appending the old value only when set avoids a trailing ':' (an empty entry means the cwd).
    out.push(`export PYTHONPATH=${shellQuote(dir)}\${PYTHONPATH:+:$PYTHONPATH}`);
  }
  if (spec.setup) out.push(absoluteSetup(spec.setup, opts.cwd));
  for (const line of spec.env ?? []) out.push(renderEnvLine(parseEnvLine(line)));
  return out;
}

/**
 * The job runs in its own scratch directory, so a set-up line sourcing a relative path
 * (`source .venv/bin/activate`, `. env.sh`) would miss; its path is made absolute against the
 * launch directory. Anything else is kept verbatim.
 */
function absoluteSetup(setup: string, cwd: string): string {
  const m = /^(\s*(?:source|\.)\s+)([^\s'"$~`;&|]+)(.*)$/.exec(setup);
  if (!m || path.isAbsolute(m[2]!)) return setup;
  return `${m[1]}${shellQuote(path.resolve(cwd, m[2]!))}${m[3]}`;
}

function renderCommand(lines: string[][]): string {
  return lines
    .map((words, i) => {
      const text = words.map((w, j) => (i === 0 && j === 0 ? quoteCommandWord(w) : shellQuote(w))).join(' ');
      return i === 0 ? text : `  ${text}`;
    })
    .join(' \\\n');
}

/**
 * Absolute form of a path-like value. A leading `~` is expanded here because the value is quoted in the
 * script (bash would not expand it) and `path.resolve` would otherwise produce `<cwd>/~/…`. A bare
 * interpreter name (`python3.11`) is left for PATH lookup.
 */
function resolvePath(value: string, cwd: string, isCommand: boolean): string {
  if (value === '~' || value.startsWith('~/')) return path.join(homedir(), value.slice(1));
  if (isCommand && !value.includes('/')) return value;
  if (value.startsWith('{') || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value; // inline JSON, URLs
  return path.resolve(cwd, value);
}

/**
 * Display variant of a script: secrets masked by the core rule (src/core/redact.ts). Only for showing; the
 * script that runs is never masked.
 */
export function maskSecrets(script: string, secrets: readonly string[] = []): string {
  return redactScript(script, secrets);
}
