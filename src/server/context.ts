/** What every route needs: the hosted scheduler, where things live, and how a job is shown on the wire. */
import type { Scheduler } from '../core/scheduler/scheduler.js';
import { redactJob } from '../core/redact.js';
import type { JobRecord } from '../core/scheduler/types.js';
import type { JobJson } from '../client/types.js';
import { HttpError } from './http-errors.js';
import type { ServerPaths } from './paths.js';

export interface StreamTimings {
  /** Log poll interval for live streams (fs.watch usually wakes them sooner). Default 100 ms. */
  pollMs: number;
  /** Comment line sent on an idle stream so proxies and clients see it is alive. Default 15 s. */
  heartbeatMs: number;
  /** Most log bytes read into one `lines` event. Default 1 MiB. */
  maxBatchBytes: number;
}

export interface ServerContext {
  scheduler: Scheduler;
  paths: ServerPaths;
  version: string;
  startedAt: number;
  bodyLimit: number;
  timings: StreamTimings;
  log(message: string): void;
}

export interface JobJsonOptions {
  /** Secrets in clear (`?reveal=1`); default masked by the core rule. */
  reveal?: boolean;
}

/**
 * The record as every route returns it: minus the submitter's environment (it may hold secrets and no client
 * needs it; jobs are retried server-side), with spec, script and error text redacted unless revealed. The
 * one choke point of the API, the SSE events and the compat surfaces that return jobs.
 */
export function jobJson(ctx: ServerContext, job: JobRecord, position?: number | null, opts: JobJsonOptions = {}): JobJson {
  const { env: _env, ...rest } = opts.reveal ? job : redactJob(job);
  return {
    ...rest,
    position: position !== undefined ? position : ctx.scheduler.position(job.id),
    problems: ctx.scheduler.problems.filter((p) => p.id === job.id).map((p) => p.message),
    log_path: ctx.scheduler.store.logPath(job.id),
  };
}

/**
 * A job by its full id; 404 otherwise. HTTP routes never resolve prefixes: a caller that may only guess
 * (a page firing blind requests) would need about 2^31 tries for one id instead of 16 for a one-character
 * prefix. Abbreviations are a convenience of the CLI, which resolves them before calling (cli/job-ref.ts).
 */
export function findJob(ctx: ServerContext, id: string): JobRecord {
  const full = id.toLowerCase(); // ids are lower-case hex; the same id in capitals is still the full id
  const job = ctx.scheduler.list().find((j) => j.id === full);
  if (!job) throw new HttpError(404, 'not_found', `no job has the id "${id}"`, 'send the full id (`lmms-tui jobs` lists them)');
  return job;
}
