/**
 * The job environment. The submitter may itself run under torchrun/accelerate, inside a SLURM
 * allocation or a notebook; those variables leak into the harness and silently change what it does
 * (a leaked RANK != 0 makes lmms-eval produce no results, LOCAL_RANK != 0 does the same in lm-eval,
 * SLURM_JOB_ID switches lmms-eval progress to log lines). See harness-facts.md §7.3.
 */

/** Exact names removed from the job environment. */
export const SCRUBBED_ENV_NAMES: readonly string[] = [
  'RANK',
  'LOCAL_RANK',
  'WORLD_SIZE',
  'LOCAL_WORLD_SIZE',
  'GROUP_RANK',
  'ROLE_RANK',
  'MASTER_ADDR',
  'MASTER_PORT',
];

/**
 * Name prefixes removed from the job environment. LMMS_TUI_* are our own internals (state dir, server
 * socket): a job has no business with them, and a nested lmms-tui inside a job must not share our state.
 */
export const SCRUBBED_ENV_PREFIXES: readonly string[] = ['TORCHELASTIC_', 'ACCELERATE_', 'SLURM_', 'LMMS_TUI_'];

export function isScrubbedEnvName(name: string): boolean {
  return SCRUBBED_ENV_NAMES.includes(name) || SCRUBBED_ENV_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * Every process of a job carries this variable (value: the job id) unless it scrubs its own
 * environment: a process that leaves the job's process group or session (setsid, setpgid) can still be
 * found by it in /proc/<pid>/environ, so stop and re-adoption reach it (see markedProcesses in proc.ts).
 */
export const JOB_MARKER_ENV = 'LMMS_TUI_JOB';

export interface JobEnvOptions {
  /** The job's id, recorded as JOB_MARKER_ENV. */
  jobId?: string;
  /** GPUs assigned by the pool; null/undefined means no pool, so the user's CUDA_VISIBLE_DEVICES is kept. */
  gpus?: number[] | null;
  /** Applied last, so a user's explicit setting wins over everything above (even a scrubbed name). */
  extra?: Record<string, string>;
}

/** The part of a submitter's environment worth keeping in job.json: what buildJobEnv would not scrub. */
export function keptEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string' && !isScrubbedEnvName(name)) out[name] = value;
  return out;
}

export function buildJobEnv(base: NodeJS.ProcessEnv, opts: JobEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    // A name holding "=" would reach the job as another variable ("RANK=" → RANK with value "=3"),
    // past the scrub; submit refuses such names (validateSubmission), this guards records from before.
    if (value !== undefined && name !== '' && !name.includes('=') && !isScrubbedEnvName(name)) env[name] = value;
  }
  // Python block-buffers stdout into a file; without this the log lags by kilobytes (tables, prints).
  env.PYTHONUNBUFFERED = '1';
  // An empty array is deliberate: '' hides every GPU (a CPU job inside a GPU pool).
  if (opts.gpus) env.CUDA_VISIBLE_DEVICES = opts.gpus.join(',');
  Object.assign(env, opts.extra);
  // Last, so neither the base environment nor an env line can forge or drop another job's marker.
  if (opts.jobId !== undefined) env[JOB_MARKER_ENV] = opts.jobId;
  return env;
}
