/** What every route needs: the hosted scheduler, where things live, and how a job is shown on the wire. */
import type { Scheduler } from '../core/scheduler/scheduler.js';
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

/** The record minus the submitter's environment (it may hold secrets and is no client's business). */
export function jobJson(ctx: ServerContext, job: JobRecord, position?: number | null): JobJson {
  const { env: _env, ...rest } = job;
  return {
    ...rest,
    position: position !== undefined ? position : ctx.scheduler.position(job.id),
    problems: ctx.scheduler.problems.filter((p) => p.id === job.id).map((p) => p.message),
    log_path: ctx.scheduler.store.logPath(job.id),
  };
}

/** A job by id or unique prefix; 404 when none matches, 400 when several do. */
export function findJob(ctx: ServerContext, prefix: string): JobRecord {
  const p = prefix.trim().toLowerCase();
  const hits = ctx.scheduler.list().filter((j) => j.id.startsWith(p));
  const exact = hits.find((j) => j.id === p);
  if (exact) return exact;
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) throw new HttpError(404, 'not_found', `no job matches "${prefix}"`, 'list jobs with `lmms-tui jobs`');
  throw new HttpError(400, 'ambiguous', `"${prefix}" matches ${hits.length} jobs (${hits.slice(0, 5).map((j) => j.id).join(', ')})`, 'type more characters of the id');
}
