/**
 * Wire types of the HTTP API (`/api/v1`). The server builds these from the scheduler's records; the client
 * returns them. Type-only, so importing this pulls in neither fastify nor node:http.
 */
import type { Problem } from '../core/errors.js';
import type { Progress } from '../core/logs/parse.js';
import type { JobRecord, JobState, QueueSummary } from '../core/scheduler/types.js';
import type { EvalSpec } from '../core/spec.js';

export type { JobState, Problem, Progress, EvalSpec };

/** A job as the API shows it: the stored record minus the submitter's environment, plus its queue position. */
export type JobJson = Omit<JobRecord, 'env'> & {
  /** 1-based position among queued jobs; null when not queued. */
  position: number | null;
  /** Absolute path of the job's combined stdout/stderr log on the server's host. */
  log_path: string;
  /** What was wrong with the job's record when the server loaded it (empty when nothing). */
  problems: string[];
};

export interface SubmitRequest {
  spec: EvalSpec;
  /** Directory relative paths in the spec resolve against (default: the server's). */
  cwd?: string;
  /** The environment the job starts from (default: the server's). */
  env?: Record<string, string>;
}

export interface SubmitResponse {
  id: string;
  state: JobState;
  position: number | null;
  job: JobJson;
}

export interface Health {
  version: string;
  uptime_s: number;
  host: string;
  pid: number;
  state_dir: string;
  socket: string;
  gpus: { pool: number[] | null; free: number[] | null };
  concurrency: number;
  /** The stop grace the server uses (`server start --grace`), in ms. */
  grace_ms?: number;
  counts: Record<JobState, number>;
  /** Job directories skipped at start-up because their job.json was unreadable. */
  store_problems: { dir: string; id: string | null; message: string }[];
}

export type QueueJson = QueueSummary;

export interface LogLineJson {
  /** Byte offset of the line's start in output.log. */
  offset: number;
  text: string;
}

export interface LogResponse {
  lines: LogLineJson[];
  /** Pass as `since` to get what follows, with nothing lost or repeated. */
  next_offset: number;
  /** Size of output.log when it was read. */
  size: number;
}

export interface MetricJson {
  task: string;
  metric: string;
  filter: string;
  value: number | string | null;
  stderr: number | null;
  n_samples: number | null;
  /** Level in the task tree (0: a root task or group); a group's members follow it one level deeper. */
  depth?: number;
  /** The row is a group's aggregate (or, with metric '', the heading of a group without one). */
  group?: boolean;
}

export interface ResultResponse {
  files: string[];
  /** The `--log_samples` files written beside those results files (empty without --log_samples). */
  samples?: string[];
  metrics: MetricJson[];
  error: string | null;
  error_tail: string[];
  /** Results files that could not be parsed. */
  unreadable: { file: string; message: string }[];
  /** The `--limit` the newest results file records (null: none, so the scores are over whole tasks). */
  limit?: number | null;
  /** `total_evaluation_time_seconds` of the newest results file. */
  eval_seconds?: number | null;
}

export interface ApiErrorBody {
  error: { code: string; message: string; hint?: string; problems?: Problem[] };
}

/** Events of `GET /jobs/:id/events` (server-sent events), as the client yields them. */
export type LogEvent =
  | { type: 'lines'; offset: number; lines: string[]; next_offset: number }
  | { type: 'progress'; progress: Progress }
  | { type: 'state'; job: JobJson }
  | { type: 'end'; job: JobJson; next_offset: number };
