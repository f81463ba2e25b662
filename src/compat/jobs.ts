/**
 * Job helpers shared by the compat surfaces: the request a job was submitted with (kept beside the job so
 * it is pruned with it), results files and metrics in the shapes the originals used, and progress.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { parseProgress } from '../core/logs/parse.js';
import { findSamplesFiles } from '../core/results/find.js';
import { readMetrics } from '../core/results/parse.js';
import { writeFileAtomic } from '../core/scheduler/atomic.js';
import type { FastifyRequest } from 'fastify';
import type { JobRecord } from '../core/scheduler/types.js';
import type { MetricJson } from '../client/types.js';
import type { ServerContext } from '../server/context.js';

export type Surface = 'lmms-server' | 'lm-eval-server';

/** `<jobDir>/compat.json`: which surface submitted the job and the request as it was understood. */
export interface CompatRecord {
  surface: Surface;
  request: Record<string, unknown>;
}

const FILE = 'compat.json';

export function writeCompatRecord(ctx: ServerContext, id: string, rec: CompatRecord): void {
  try {
    writeFileAtomic(path.join(ctx.scheduler.store.dir(id), FILE), `${JSON.stringify(rec, null, 2)}\n`);
  } catch (err) {
    // The job runs either way; only the echo of the original request is lost.
    ctx.log(`compat: could not save the request of job ${id}: ${(err as Error).message}`);
  }
}

export function readCompatRecord(ctx: ServerContext, id: string): CompatRecord | null {
  try {
    return JSON.parse(readFileSync(path.join(ctx.scheduler.store.dir(id), FILE), 'utf8')) as CompatRecord;
  } catch {
    return null;
  }
}

/**
 * `?reveal=1` on a compat route: secrets in clear, as on `/api/v1/jobs/{id}`. Only a caller the listener
 * already let in (socket, same uid, token) gets this far, so it asks for nothing more.
 */
export function revealQuery(req: FastifyRequest): boolean {
  const v = (req.query as Record<string, unknown> | undefined)?.reveal;
  return v === '1' || v === 'true';
}

/** A job by exact id (the compat APIs hand out full ids; prefixes are a CLI convenience). */
export function exactJob(ctx: ServerContext, id: string): JobRecord | null {
  return ctx.scheduler.list().find((j) => j.id === id) ?? null;
}

/**
 * The failure text of a finished job, with its log tail: what lmms-eval server mode puts in `error`
 * ("… Last lines of <log>:\n<tail>"), so a caller sees why without another request.
 */
export function errorText(ctx: ServerContext, job: JobRecord): string | null {
  if (!job.error) return null;
  if (!job.error_tail.length) return job.error;
  return `${job.error}. Last lines of ${ctx.scheduler.store.logPath(job.id)}:\n${job.error_tail.join('\n')}`;
}

export interface ModelDirResult {
  results: string;
  samples: string[];
  /** Added by lmms-tui: the parsed metrics of `results` (empty when it cannot be read). */
  metrics: MetricJson[];
}

/**
 * `{model_dir: {results, samples, metrics}}`, as lmms-eval server mode returned it (paths on this host)
 * plus the parsed metrics. Built from the files the run itself produced, so a reused output directory
 * cannot surface an older run's files.
 */
export function resultMap(job: JobRecord): Record<string, ModelDirResult> | null {
  if (!job.results.length) return null;
  const out: Record<string, ModelDirResult> = {};
  for (const file of job.results) {
    if (!existsSync(file)) continue;
    const key = path.basename(path.dirname(file));
    let metrics: MetricJson[] = [];
    try {
      metrics = readMetrics(file).rows.map((r) => ({ task: r.task, metric: r.metric, filter: r.filter, value: r.value, stderr: r.stderr, n_samples: r.n_samples }));
    } catch {
      /* unreadable: keep the paths */
    }
    out[key] = { results: file, samples: findSamplesFiles(file), metrics };
  }
  return Object.keys(out).length ? out : null;
}

/** Percent of the last progress bar in the log (any tqdm label, not only `Requesting API:`), 0 when none. */
export async function lastProgressPercent(logPath: string, window = 64 * 1024): Promise<number> {
  let fh;
  try {
    fh = await open(logPath, 'r');
  } catch {
    return 0;
  }
  try {
    const size = (await fh.stat()).size;
    const len = Math.min(size, window);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await fh.read(buf, 0, len, size - len);
    const segments = buf.toString('utf8', 0, bytesRead).split(/[\r\n]/);
    for (let i = segments.length - 1; i >= 0; i--) {
      const p = parseProgress(segments[i]!);
      if (p && p.percent !== null) return Math.max(0, Math.min(100, Math.floor(p.percent)));
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/** Stops a job and resolves once its whole process group is gone (a queued job is cancelled). */
export async function stopAndWait(ctx: ServerContext, job: JobRecord): Promise<JobRecord> {
  if (job.state === 'queued') return ctx.scheduler.cancel(job.id);
  if (job.state !== 'running') return job;
  try {
    return await ctx.scheduler.stop(job.id);
  } catch {
    // It ended on its own between the look and the stop.
    return exactJob(ctx, job.id) ?? job;
  }
}
