/**
 * The evaluation spec: one typed description of a run, shared by the CLI, the TUI and the servers.
 *
 * Harness flags are described once, as data, in FLAGS. The command builder, the CLI option parser,
 * the server's JSON schema and the TUI form are all derived from this table, so a flag added here
 * shows up everywhere with the harness's own spelling.
 */

export type Harness = 'lmms-eval' | 'lm-eval';
export const HARNESSES: readonly Harness[] = ['lmms-eval', 'lm-eval'];

/** Python module each harness is run as (`python -m <module>`). */
export const HARNESS_MODULE: Record<Harness, string> = {
  'lmms-eval': 'lmms_eval',
  'lm-eval': 'lm_eval',
};

/**
 * Kinds of flag value.
 * - bool: a store_true switch; emitted only when true.
 * - string / int / float: emitted as `--flag value` when set.
 * - batch: `auto`, `auto:N` or a positive integer (string on the wire).
 * - limit: a number; below 1 is a fraction, -1 means all (lmms-eval).
 * - optbool: lm-eval's optional-value flags (`--apply_chat_template [name]`): true → bare flag, string → value.
 */
export type FlagKind = 'bool' | 'string' | 'int' | 'float' | 'batch' | 'limit' | 'optbool';

export interface FlagDef {
  /** argparse dest name; also the EvalSpec key and the CLI spelling (`--<name>`). */
  name: keyof HarnessFlags;
  kind: FlagKind;
  harnesses: readonly Harness[];
  help: string;
  /** Value the harness uses when the flag is absent, for display only. */
  default?: string;
  /** Allowed values, when the harness restricts them. */
  choices?: readonly string[];
  /** Spelling on the command line when it differs from `--<name>` (lmms-eval's power-analysis flags). */
  cli?: string;
  /** Shown in the TUI form's main section (the rest live under "more"). */
  common?: boolean;
}

/** Every flag of either harness except --model, --model_args, --tasks (first-class spec fields). */
export interface HarnessFlags {
  config?: string;
  launcher_args?: string;
  num_fewshot?: number;
  batch_size?: string;
  max_batch_size?: number;
  device?: string;
  output_path?: string;
  limit?: number;
  offset?: number;
  samples?: string;
  use_cache?: string;
  cache_requests?: string;
  check_integrity?: boolean;
  write_out?: boolean;
  log_samples?: boolean;
  wandb_log_samples?: boolean;
  swanlab_log_samples?: boolean;
  log_samples_suffix?: string;
  system_instruction?: string;
  apply_chat_template?: boolean | string;
  fewshot_as_multiturn?: boolean;
  show_config?: boolean;
  include_path?: string;
  gen_kwargs?: string;
  reasoning_tags?: string;
  verbosity?: string;
  wandb_args?: string;
  wandb_config_args?: string;
  swanlab_args?: string;
  trackio_args?: string;
  hf_hub_log_args?: string;
  timezone?: string;
  predict_only?: boolean;
  seed?: string;
  trust_remote_code?: boolean;
  confirm_run_unsafe_code?: boolean;
  process_with_media?: boolean;
  force_simple?: boolean;
  agentic_trace_mode?: string;
  repeats?: number;
  baseline?: string;
  max_tokens?: number;
  metadata?: string;
}

const BOTH: readonly Harness[] = ['lmms-eval', 'lm-eval'];
const LMMS: readonly Harness[] = ['lmms-eval'];
const LME: readonly Harness[] = ['lm-eval'];

/** harness-facts §4.1 and §4.2. Order here is the order flags appear in the preview. */
export const FLAGS: readonly FlagDef[] = [
  { name: 'batch_size', kind: 'batch', harnesses: BOTH, help: 'auto, auto:N or N', default: '1', common: true },
  { name: 'max_batch_size', kind: 'int', harnesses: BOTH, help: 'upper bound for auto batch size' },
  { name: 'limit', kind: 'limit', harnesses: BOTH, help: 'docs per task: a count, or a fraction below 1', common: true },
  { name: 'offset', kind: 'int', harnesses: LMMS, help: 'first doc index per task', default: '0' },
  { name: 'samples', kind: 'string', harnesses: LME, help: 'JSON {task: [idx…]} or a JSON file path; exclusive with --limit' },
  { name: 'num_fewshot', kind: 'int', harnesses: BOTH, help: 'few-shot examples per prompt', common: true },
  { name: 'device', kind: 'string', harnesses: BOTH, help: 'e.g. cuda:0 (first visible GPU)', common: true },
  { name: 'output_path', kind: 'string', harnesses: BOTH, help: 'results directory', common: true },
  { name: 'log_samples', kind: 'bool', harnesses: BOTH, help: 'write per-sample jsonl (needs --output_path)', common: true },
  { name: 'predict_only', kind: 'bool', harnesses: BOTH, help: 'generate only, no metrics (implies --log_samples)' },
  { name: 'gen_kwargs', kind: 'string', harnesses: BOTH, help: 'k=v,… generation arguments', common: true },
  { name: 'seed', kind: 'string', harnesses: BOTH, help: 'one int or 3-4 comma items', default: '0,1234,1234,1234', common: true },
  { name: 'verbosity', kind: 'string', harnesses: BOTH, help: 'log level (DEBUG makes lmms-eval errors fatal)', default: 'INFO', choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'], common: true },
  { name: 'include_path', kind: 'string', harnesses: BOTH, help: 'one extra task directory' },
  { name: 'apply_chat_template', kind: 'optbool', harnesses: BOTH, help: 'apply the chat template (lm-eval: optional template name)' },
  { name: 'fewshot_as_multiturn', kind: 'bool', harnesses: BOTH, help: 'few-shot as multi-turn chat' },
  { name: 'system_instruction', kind: 'string', harnesses: BOTH, help: 'system prompt' },
  { name: 'use_cache', kind: 'string', harnesses: BOTH, help: 'response cache dir or sqlite file' },
  { name: 'cache_requests', kind: 'string', harnesses: BOTH, help: 'request cache', choices: ['true', 'refresh', 'delete'] },
  { name: 'check_integrity', kind: 'bool', harnesses: BOTH, help: 'run task tests' },
  { name: 'write_out', kind: 'bool', harnesses: BOTH, help: 'print prompts (deprecated)' },
  { name: 'show_config', kind: 'bool', harnesses: BOTH, help: 'dump the full config at the end' },
  { name: 'trust_remote_code', kind: 'bool', harnesses: BOTH, help: 'allow remote code from the hub' },
  { name: 'confirm_run_unsafe_code', kind: 'bool', harnesses: LME, help: 'allow tasks that execute code' },
  { name: 'config', kind: 'string', harnesses: BOTH, help: 'YAML file of arguments' },
  { name: 'launcher_args', kind: 'string', harnesses: LMMS, help: 'local LLM-judge launcher, e.g. name=sglang,tp=8' },
  { name: 'log_samples_suffix', kind: 'string', harnesses: LMMS, help: 'suffix read by some task utils', default: 'model_outputs' },
  { name: 'wandb_log_samples', kind: 'bool', harnesses: LMMS, help: 'log samples to W&B' },
  { name: 'swanlab_log_samples', kind: 'bool', harnesses: LMMS, help: 'log samples to SwanLab' },
  { name: 'reasoning_tags', kind: 'string', harnesses: LMMS, help: 'JSON list of [open, close] tag pairs' },
  { name: 'wandb_args', kind: 'string', harnesses: BOTH, help: 'k=v,… for wandb.init' },
  { name: 'wandb_config_args', kind: 'string', harnesses: LME, help: 'k=v,… for wandb config' },
  { name: 'swanlab_args', kind: 'string', harnesses: LMMS, help: 'k=v,… for SwanLab' },
  { name: 'trackio_args', kind: 'string', harnesses: LME, help: 'k=v,… for trackio' },
  { name: 'hf_hub_log_args', kind: 'string', harnesses: BOTH, help: 'k=v,… for hub logging' },
  { name: 'timezone', kind: 'string', harnesses: LMMS, help: 'timezone of the output file timestamp', default: 'Asia/Singapore' },
  { name: 'process_with_media', kind: 'bool', harnesses: LMMS, help: 'process media in documents' },
  { name: 'force_simple', kind: 'bool', harnesses: LMMS, help: 'prefer the simple model class' },
  { name: 'agentic_trace_mode', kind: 'string', harnesses: LMMS, help: 'agentic trace detail', choices: ['basic', 'full'] },
  { name: 'repeats', kind: 'int', harnesses: LMMS, help: 'samples per doc; above 1 adds stability metrics', default: '1' },
  { name: 'baseline', kind: 'string', harnesses: LMMS, help: 'paired t-test baseline (path, hf://… or preset)' },
  { name: 'max_tokens', kind: 'int', harnesses: LMMS, help: 'token budget; stops early' },
  { name: 'metadata', kind: 'string', harnesses: LME, help: 'JSON merged with model_args' },
];

export const FLAG_BY_NAME: ReadonlyMap<string, FlagDef> = new Map(FLAGS.map((f) => [f.name, f]));

export interface EvalSpec extends HarnessFlags {
  harness: Harness;
  /** Python interpreter (path or name on PATH). Default: `python3`, or `python` after a set-up line. */
  python?: string;
  /** Environment set-up line run before the command, e.g. `source .venv/bin/activate` or `conda activate x`. */
  setup?: string;
  model: string;
  model_args?: string;
  /** Task names, groups, tags or fnmatch patterns; joined with `,` on the command line. */
  tasks: string[];
  /** Env lines: `NAME=value`, `export NAME=value`, `# comment` or blank. Values expand as in bash. */
  env?: string[];
  /** GPUs the job needs; above 1 the run goes through `accelerate launch`. Default 1. */
  num_gpus?: number;
  /** Free-form arguments appended verbatim (one argv element each) for flags a newer harness adds. */
  extra_args?: string[];
  /** Run against the built-in demo harness (simulated results). */
  demo?: boolean;
}

/** A spec with only the required fields filled, for forms and tests. */
export function emptySpec(harness: Harness = 'lmms-eval'): EvalSpec {
  return { harness, model: '', tasks: [] };
}
