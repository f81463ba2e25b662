/**
 * CLI options for an EvalSpec, generated from the FLAGS table so every harness flag is accepted with the
 * harness's own spelling (`--batch_size`, `--num_fewshot`, …) and a flag added to FLAGS needs no change here.
 */
import { Option, type Command } from 'commander';
import type { Problem } from '../core/errors.js';
import { FLAGS, type EvalSpec, type FlagDef, type Harness } from '../core/spec.js';

/**
 * Short aliases the harnesses themselves have (§4.1/§4.2). Left out: `-f` and `-v`, which subcommands
 * sharing these options are likely to want for follow / verbose, and `-n` (lmms-eval's --repeats).
 */
export const SPEC_SHORT_ALIASES: Readonly<Record<string, string>> = {
  model: '-M',
  model_args: '-a',
  tasks: '-t',
  batch_size: '-b',
  limit: '-L',
  output_path: '-o',
  log_samples: '-s',
  samples: '-E',
  use_cache: '-c',
  write_out: '-w',
  predict_only: '-x',
  config: '-C',
};

const PLACEHOLDER: Record<FlagDef['kind'], string> = {
  bool: '',
  optbool: ' [template]',
  string: ' <value>',
  int: ' <n>',
  float: ' <x>',
  batch: ' <size>',
  limit: ' <n>',
};

/** Numbers are parsed strictly; anything else becomes NaN so validation names the field instead of crashing. */
export function parseNumber(s: string): number {
  return /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(s) ? Number(s) : Number.NaN;
}

/** `--tasks a,b --tasks c` and lm-eval's `--tasks a b` all accumulate; empty items are kept for validation. */
function collectTasks(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((t) => t.trim())];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function flagOption(flag: FlagDef): Option {
  const long = `--${flag.cli ?? flag.name}`;
  const short = SPEC_SHORT_ALIASES[flag.name];
  const only = flag.harnesses.length === 1 ? ` (${flag.harnesses[0]} only)` : '';
  const dflt = flag.default !== undefined ? ` [harness default: ${flag.default}]` : '';
  const opt = new Option(`${short ? `${short}, ` : ''}${long}${PLACEHOLDER[flag.kind]}`, `${flag.help}${only}${dflt}`);
  if (flag.kind === 'int' || flag.kind === 'float' || flag.kind === 'limit') opt.argParser(parseNumber);
  // Not commander's .choices(): a bad value should be reported with the other spec problems (exit 2).
  return opt;
}

/** Commander attribute holding a flag's value (`--power-analysis` → `powerAnalysis`). */
function attributeOf(flag: FlagDef): string {
  return new Option(`--${flag.cli ?? flag.name}`).attributeName();
}

export function addSpecOptions(cmd: Command): Command {
  cmd
    .option('--harness <name>', 'lmms-eval or lm-eval', 'lmms-eval')
    .option('-M, --model <name>', 'model registry name [default: hf; demo with --demo]')
    .option('-a, --model_args <k=v,...>', 'model arguments')
    .addOption(new Option('-t, --tasks <names...>', 'tasks, comma-separated or repeated').argParser(collectTasks))
    .option('--python <path>', 'Python interpreter [default: python3, or python after --setup]')
    .option('--setup <line>', 'shell line run first, e.g. "source .venv/bin/activate"')
    .addOption(new Option('--env <NAME=value>', 'environment line (repeatable); the value expands as in bash').argParser(collect))
    .addOption(new Option('--num_gpus <n>', 'GPUs; above 1 runs through accelerate launch').argParser(parseNumber))
    .option('--demo', 'use the built-in demo harness (simulated results)');
  for (const flag of FLAGS) cmd.addOption(flagOption(flag));
  cmd.argument('[extra_args...]', 'after --: arguments passed to the harness unchanged');
  return cmd;
}

/** Converts parsed options into a spec; harness defaults apply where an option is absent. */
export function specFromOptions(opts: Record<string, unknown>, extraArgs: string[]): EvalSpec {
  const harness = (typeof opts.harness === 'string' ? opts.harness : 'lmms-eval') as Harness;
  const demo = opts.demo === true;
  const spec: EvalSpec = {
    harness,
    model: typeof opts.model === 'string' ? opts.model : demo ? 'demo' : 'hf',
    tasks: Array.isArray(opts.tasks) ? (opts.tasks as string[]) : [],
  };
  if (typeof opts.model_args === 'string') spec.model_args = opts.model_args;
  if (typeof opts.python === 'string') spec.python = opts.python;
  if (typeof opts.setup === 'string') spec.setup = opts.setup;
  if (Array.isArray(opts.env)) spec.env = opts.env as string[];
  if (typeof opts.num_gpus === 'number') spec.num_gpus = opts.num_gpus;
  if (demo) spec.demo = true;
  for (const flag of FLAGS) {
    const value = opts[attributeOf(flag)];
    if (value !== undefined) (spec as unknown as Record<string, unknown>)[flag.name] = value;
  }
  if (extraArgs.length > 0) spec.extra_args = [...extraArgs];
  return spec;
}

/**
 * The arguments after `--`. Any other positional argument is reported as a problem: it is almost always a
 * mistake (a value without its flag), and silently passing it to the harness would hide that.
 */
export function extraArgsOf(cmd: Command): { extraArgs: string[]; problems: Problem[] } {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  // rawArgs (the argv given to parse) is set by commander on the root but missing from its typings; without
  // it, every operand counts as an extra argument.
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs;
  if (!Array.isArray(raw)) return { extraArgs: [...cmd.args], problems: [] };
  const sep = raw.indexOf('--');
  const after = sep < 0 ? 0 : raw.length - sep - 1;
  const operands = cmd.args;
  const strayCount = Math.max(0, operands.length - after);
  const problems = operands.slice(0, strayCount).map((arg) => ({
    field: 'extra_args',
    message: `unexpected argument ${JSON.stringify(arg)}`,
    fix: 'give it to an option, or put harness arguments after --',
  }));
  return { extraArgs: operands.slice(strayCount), problems };
}
