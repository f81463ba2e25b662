import type { EvalSpec } from '../spec.js';

/**
 * `orphaned`: a job whose process runs but whose job.json was damaged beyond rebuilding (no launch
 * record either). Its spec is unknown, but it still holds its slot and GPUs until its process ends,
 * so the next job does not start beside it; then it becomes `failed`.
 */
export type JobState = 'queued' | 'running' | 'orphaned' | 'succeeded' | 'failed' | 'stopped' | 'cancelled';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'orphaned', 'succeeded', 'failed', 'stopped', 'cancelled'];
export const FINISHED_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.has(state);
}

/** States in which a job has (or may have) processes, holding a slot and its GPUs. */
export function isActive(state: JobState): boolean {
  return state === 'running' || state === 'orphaned';
}

/** What `<jobDir>/job.json` holds. Field names are the stable `--json` / API vocabulary. */
export interface JobRecord {
  schema: 1;
  id: string;
  state: JobState;
  spec: EvalSpec;
  /** Monotonic submission number: the queue order. */
  seq: number;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  /** Directory the job was submitted from; relative paths in the spec resolve against it. */
  cwd: string;
  /** The submitter's environment captured at submit (null: the host's own environment). */
  env: Record<string, string> | null;
  pid: number | null;
  /** /proc start time of pid, so a reused pid is never mistaken for the job. */
  proc_start: number | null;
  exit_code: number | null;
  signal: string | null;
  /** GPUs assigned (empty when there is no GPU pool). */
  gpus: number[];
  main_process_port: number | null;
  /** Absolute results directory passed as --output_path. */
  output_path: string;
  /** The exact script the job ran (null until started). */
  script: string | null;
  /** Results files the run wrote. */
  results: string[];
  /** Why it failed / was stopped / was cancelled; null when it succeeded. */
  error: string | null;
  /** Last log lines of a failed run. */
  error_tail: string[];
  stop_requested: boolean;
  /** When the (first) stop was asked for: SIGTERM went out then. Null when never stopped. */
  stop_requested_at: string | null;
  /** The grace that stop used: SIGKILL follows stop_requested_at by this much if anything is left. */
  stop_grace_ms: number | null;
  retry_of: string | null;
  /** The job's cgroup directory (stop kills everything in it); null: none, stop sweeps group, session and marker. */
  cgroup: string | null;
  /**
   * Pids of the job's processes that stop or the end of the job could not remove (alive after SIGKILL,
   * e.g. stuck in the kernel): they may still hold GPU memory. Empty normally.
   */
  escaped: number[];
  /** Set when output.log reached its size cap: the middle of the output was dropped (see runner/logcap.ts). */
  log_capped: LogCapInfo | null;
  /** The submitter's Idempotency-Key: a repeated submit with the same key returns this job instead of a new one. */
  idempotency_key: string | null;
  /** The user's name for the job (`run --name`), shown beside its id; null when none was given. */
  label: string | null;
}

export interface LogCapInfo {
  /** The cap in bytes. */
  cap_bytes: number;
  /** Output bytes dropped between the kept head and the kept tail. */
  dropped_bytes: number;
}

/** The fields a record has before its job has run: a new job's, and the defaults for older records. */
export function unstartedFields(): Omit<JobRecord, 'id' | 'state' | 'spec' | 'seq' | 'created_at' | 'cwd' | 'env' | 'output_path' | 'retry_of' | 'idempotency_key'> {
  return {
    schema: 1,
    started_at: null,
    ended_at: null,
    pid: null,
    proc_start: null,
    exit_code: null,
    signal: null,
    gpus: [],
    main_process_port: null,
    script: null,
    results: [],
    error: null,
    error_tail: [],
    stop_requested: false,
    stop_requested_at: null,
    stop_grace_ms: null,
    cgroup: null,
    escaped: [],
    log_capped: null,
    label: null,
  };
}

/** Longest label accepted (it is shown in a table column and a status line, not a description field). */
export const MAX_LABEL_LENGTH = 80;

/**
 * Problems with a job label, named `label` (the API field; `--name` on the command line). A label is one line
 * of printable text: control characters would break the table and status lines it is shown in.
 */
export function labelProblems(label: unknown): { field: string; message: string; fix: string }[] {
  if (label === undefined || label === null) return [];
  if (typeof label !== 'string') return [{ field: 'label', message: 'must be text', fix: 'send a string, or leave it out' }];
  if (label.trim() === '') return [{ field: 'label', message: 'is empty', fix: 'give a name such as "ckpt-2000", or leave it out' }];
  if (/[\u0000-\u001f\u007f-\u009f]/.test(label)) return [{ field: 'label', message: 'contains a control character (newline, tab, escape…)', fix: 'use one line of printable text' }];
  if ([...label].length > MAX_LABEL_LENGTH) return [{ field: 'label', message: `is ${[...label].length} characters long (at most ${MAX_LABEL_LENGTH})`, fix: 'use a shorter name' }];
  return [];
}

export interface QueueSummary {
  running: string[];
  queued: { id: string; position: number }[];
  counts: Record<JobState, number>;
  gpus: { total: number[] | null; free: number[] | null };
  concurrency: number;
  /** Dispatch is paused (`queue pause`): running jobs go on, queued ones wait until resumed. */
  paused: boolean;
}

/** `<stateDir>/queue-paused`: present while dispatch is paused, so a restarted host stays paused. */
export const PAUSE_FILE = 'queue-paused';

/** Where `moveQueued` puts a queued job. */
export type QueueMove = 'up' | 'down' | 'top';
export const QUEUE_MOVES: readonly QueueMove[] = ['up', 'down', 'top'];

export interface SubmitOptions {
  /** Directory the user launched from (default: the host's cwd). */
  cwd?: string;
  /** The submitter's environment (default: the host's). */
  env?: Record<string, string> | null;
  retryOf?: string | null;
  /** A repeat with the same key returns the job already made for it (see Scheduler.submit). */
  idempotencyKey?: string | null;
  /** The user's name for the job (see JobRecord.label). */
  label?: string | null;
  /** Refuse (DuplicateJobError) when a queued or running job has the same spec and directory. */
  refuseDuplicate?: boolean;
}
