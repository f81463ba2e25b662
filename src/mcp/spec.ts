/**
 * The `evaluate` / `preview_command` arguments as an EvalSpec, and every problem with them.
 *
 * The argument names and shapes are lmms-eval's own MCP tool (lmms_eval/mcp/tools.py in
 * EvolvingLMMs-Lab/lmms-eval: model, tasks, model_args as a dict, batch_size, limit, num_fewshot,
 * gen_kwargs, log_samples, num_gpus), so an agent prompt written for it works unchanged. The rest are
 * lmms-tui's: which harness, interpreter and set-up line, env lines, the demo harness, and any other harness
 * flag by its argparse name. Problems are the core validator's (src/core/command/validate.ts) plus the few
 * only this face can have (a model_args dict lmms-eval could not parse back, an unknown flag name).
 */
import { joinModelArgs } from '../core/command/model-args.js';
import type { Problem } from '../core/errors.js';
import { FLAG_BY_NAME, type EvalSpec, type Harness } from '../core/spec.js';
import { validateSpec } from '../core/command/validate.js';

export interface EvaluateArgs {
  model: string;
  tasks: string[];
  model_args?: Record<string, unknown> | string | null;
  batch_size?: number | string | null;
  limit?: number | null;
  num_fewshot?: number | null;
  gen_kwargs?: string | null;
  log_samples?: boolean;
  num_gpus?: number;
  harness?: Harness;
  python?: string;
  setup?: string;
  env?: string[];
  demo?: boolean;
  device?: string;
  output_path?: string;
  flags?: Record<string, unknown>;
  extra_args?: string[];
}

/** What `lmms-tui mcp --demo/--python/--setup` makes the default for every call. */
export interface McpDefaults {
  demo: boolean;
  python?: string;
  setup?: string;
}

/**
 * `{k: v}` as the `k=v,k=v` string the harness parses. It splits on commas and on the first `=`, so a key
 * with `=` or `,`, or a bare comma in a value, would silently become other arguments: refused instead.
 */
function modelArgsString(args: EvaluateArgs['model_args'], problems: Problem[]): string | undefined {
  if (args === undefined || args === null) return undefined;
  if (typeof args === 'string') return args.trim() === '' ? undefined : args;
  const { text, issues } = joinModelArgs(args, /[=,\s]/);
  for (const { key: k, kind } of issues) {
    const field = `model_args.${k}`;
    if (kind === 'bad-key') problems.push({ field, message: `key ${JSON.stringify(k)} is empty or contains "=", "," or a space`, fix: 'use the argument name the model class takes, e.g. pretrained' });
    else if (kind === 'comma') problems.push({ field, message: 'the value contains a comma, which the harness reads as the start of another argument', fix: 'remove the comma, or pass model_args as one string with the quoting the model expects' });
    else problems.push({ field, message: 'the value contains a line break', fix: 'put it on one line' });
  }
  return text;
}

const FIRST_CLASS = new Set(['model', 'model_args', 'tasks', 'harness', 'python', 'setup', 'env', 'num_gpus', 'extra_args', 'demo']);

/** The spec the arguments describe, and every problem with it (empty: it can be submitted). */
export function specFromArgs(args: EvaluateArgs, defaults: McpDefaults): { spec: EvalSpec; problems: Problem[] } {
  const problems: Problem[] = [];
  const harness = args.harness ?? 'lmms-eval';
  const spec: EvalSpec = { harness, model: args.model, tasks: args.tasks.map((t) => t.trim()) };
  const python = args.python ?? defaults.python;
  const setup = args.setup ?? defaults.setup;
  if (python) spec.python = python;
  if (setup) spec.setup = setup;
  if (args.demo ?? defaults.demo) spec.demo = true;
  const modelArgs = modelArgsString(args.model_args, problems);
  if (modelArgs) spec.model_args = modelArgs;
  if (args.env?.length) spec.env = args.env;
  if (args.num_gpus !== undefined) spec.num_gpus = args.num_gpus;
  if (args.extra_args?.length) spec.extra_args = args.extra_args;

  // Any other flag by its argparse name; the named arguments below win over the same name here.
  const flags = spec as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(args.flags ?? {})) {
    if (FIRST_CLASS.has(name)) {
      problems.push({ field: `flags.${name}`, message: `${name} is its own argument, not a flag`, fix: `pass ${name} at the top level` });
    } else if (!FLAG_BY_NAME.has(name)) {
      problems.push({ field: `flags.${name}`, message: `unknown flag ${JSON.stringify(name)}`, fix: 'use a flag name as the harness spells it (e.g. seed, verbosity), or pass it in extra_args' });
    } else if (value !== null && value !== undefined) {
      flags[name] = value;
    }
  }
  if (args.batch_size !== undefined && args.batch_size !== null) spec.batch_size = String(args.batch_size);
  if (args.limit !== undefined && args.limit !== null) spec.limit = args.limit;
  if (args.num_fewshot !== undefined && args.num_fewshot !== null) spec.num_fewshot = args.num_fewshot;
  if (args.gen_kwargs) spec.gen_kwargs = args.gen_kwargs;
  // lmms-eval's tool defaults log_samples to true; so does this one.
  if (args.log_samples ?? true) spec.log_samples = true;
  if (args.device) spec.device = args.device;
  if (args.output_path) spec.output_path = args.output_path;
  if (spec.limit === 0) {
    problems.push({ field: 'limit', message: 'limit 0 would evaluate no documents', fix: 'omit limit (or pass null) to evaluate every document, or give a count' });
  }
  problems.push(...validateSpec(spec));
  return { spec, problems };
}
