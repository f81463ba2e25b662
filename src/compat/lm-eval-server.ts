/**
 * TrustyAI's lm-eval-server (`POST /job` …) on `lmms-tui serve`: same paths, field names, integer ids,
 * status words and messages, backed by the lmms-tui queue. Only jobs submitted through this surface are
 * listed or deleted here; the rest of the queue is left alone.
 *
 * Fixed: env_vars applied, `false` booleans stay off, progress from any tqdm bar, the program not
 * replaceable by a caller, stop kills the whole process group, unknown ids are 404, ids never reused,
 * the stop routes answer under both the README's (`/stop`) and the code's (`/dequeue`) paths and also to
 * POST. Their GET form changes state, so an `<img>` tag on another page could fire it: the listener's guard
 * (server/guard.ts) refuses cross-site and foreign-Host requests before routing, on GET too.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { buildCommand } from '../core/command/build.js';
import { shellJoin } from '../core/command/quote.js';
import { UserError, ValidationError } from '../core/errors.js';
import { readTail } from '../core/logs/read.js';
import { redactSecrets } from '../core/redact.js';
import { isFinished, type JobRecord, type JobState } from '../core/scheduler/types.js';
import { constants } from 'node:os';
import type { ServerContext } from '../server/context.js';
import { idempotencyKey } from '../server/idempotency.js';
import { jobSecrets, finishText } from '../server/log-read.js';
import type { CompatOptions } from './config.js';
import { boolQuery, httpError, intParam, jsonBody, problemDetails, pyList, unprocessable, utcIso } from './fastapi.js';
import { exactJob, lastProgressPercent, revealQuery, stopAndWait, writeCompatRecord } from './jobs.js';
import type { LesIds } from './les-ids.js';
import { LES_FIELDS, parseLesRequest } from './les-request.js';

type LesStatus = 'Queued' | 'Running' | 'Completed' | 'Failed' | 'Stopped';

export interface LesJobSummary {
  job_id: number;
  argument: string;
  status: LesStatus;
  timestamp: string | null;
  exit_code: number | null;
  inference_progress_pct: number;
}

export interface LesJobDetail extends LesJobSummary {
  stdout: string[];
  stderr: string[];
}

const STATUS: Record<JobState, LesStatus> = {
  queued: 'Queued',
  running: 'Running',
  orphaned: 'Running', // its process runs on (its record was damaged)
  succeeded: 'Completed',
  failed: 'Failed',
  stopped: 'Stopped',
  cancelled: 'Stopped',
};

function statusOf(job: JobRecord): LesStatus {
  // The original reported Stopped from the moment of the stop request.
  return job.state === 'running' && job.stop_requested ? 'Stopped' : STATUS[job.state];
}

/** Popen.poll()'s code: the exit status, or minus the signal number; null while running and for stopped jobs. */
function exitCodeOf(job: JobRecord): number | null {
  if (!isFinished(job.state) || job.state === 'stopped' || job.state === 'cancelled') return null;
  if (job.exit_code !== null) return job.exit_code;
  const sig = job.signal ? (constants.signals as Record<string, number>)[job.signal] : undefined;
  return sig ? -sig : null;
}

const notFound = (n: number) => httpError(404, `No lm-evaluation-harness job with ID=${n} found.`);

/** `ids` is shared by every listener of one server (socket and TCP), so numbers are handed out once. */
export function registerLmEvalServerRoutes(scope: FastifyInstance, ctx: ServerContext, opts: CompatOptions, ids: LesIds): void {
  const { scheduler } = ctx;
  const argvCache = new Map<string, string>();

  /** The job behind an id; ids whose job the queue has pruned (or `lmms-tui rm` removed) are forgotten. */
  const lookup = (n: number): JobRecord | null => {
    const id = ids.jobId(n);
    if (!id) return null;
    const job = exactJob(ctx, id);
    if (!job) ids.forget([n]);
    return job;
  };
  const live = (): [number, JobRecord][] => {
    const out: [number, JobRecord][] = [];
    const gone: number[] = [];
    for (const [n, id] of ids.entries()) {
      const job = exactJob(ctx, id);
      if (job) out.push([n, job]);
      else gone.push(n);
    }
    ids.forget(gone);
    return out;
  };

  /** The argv that runs (quoted, on one line), as `argument` showed it. */
  const argument = (job: JobRecord): string => {
    let s = argvCache.get(job.id);
    if (s === undefined) {
      try {
        s = shellJoin(buildCommand({ ...job.spec, output_path: job.output_path }, { cwd: job.cwd, mainProcessPort: job.main_process_port ?? undefined }).argv);
      } catch (err) {
        s = `(cannot build the command: ${(err as Error).message})`;
      }
      if (argvCache.size >= 1000) argvCache.clear();
      argvCache.set(job.id, s);
    }
    return s;
  };

  const summary = async (n: number, job: JobRecord, reveal = false): Promise<LesJobSummary> => ({
    job_id: n,
    // The argv holds model_args (api_key=…) as typed; masked by the core rule unless `?reveal=1`.
    argument: reveal ? argument(job) : redactSecrets(argument(job), jobSecrets(job)),
    status: statusOf(job),
    timestamp: utcIso(job.started_at),
    exit_code: exitCodeOf(job),
    inference_progress_pct: job.state === 'succeeded' ? 100 : job.started_at ? await lastProgressPercent(scheduler.store.logPath(job.id)) : 0,
  });

  const detail = async (n: number, job: JobRecord, reveal: boolean): Promise<LesJobDetail> => {
    // One combined log (the job's stdout and stderr go to the same file), bounded, secrets masked.
    const lines = await readTail(scheduler.store.logPath(job.id), opts.lesMaxLines, { includePartial: isFinished(job.state) });
    const secrets = { ansi: false, secrets: jobSecrets(job) };
    return { ...(await summary(n, job, reveal)), stdout: lines.map((l) => finishText(l, secrets)), stderr: [] };
  };

  const stopOne = async (n: number, job: JobRecord): Promise<string> => {
    if (job.state === 'queued') {
      await stopAndWait(ctx, job);
      return `Job ${n} dequeued successfully.`;
    }
    if ((job.state === 'running' || job.state === 'orphaned') && !job.stop_requested) {
      await stopAndWait(ctx, job);
      return `Job ${n} stopped successfully.`;
    }
    if (job.state === 'running' || job.state === 'orphaned') await stopAndWait(ctx, job);
    return `Job ${n} has already completed.`;
  };

  scope.post('/job', async (req) => {
    const key = idempotencyKey(req);
    if (key instanceof Error) throw httpError(400, key.message);
    const { spec, request } = parseLesRequest(jsonBody(req), opts.lmEval);
    let job: JobRecord;
    try {
      job = scheduler.submit(spec, { env: null, idempotencyKey: key });
    } catch (err) {
      if (err instanceof UserError && !(err instanceof ValidationError)) throw httpError(409, err.message);
      if (err instanceof ValidationError) throw unprocessable(problemDetails(err.problems, LES_FIELDS, req.body as Record<string, unknown>));
      throw err;
    }
    const n = ids.add(job.id);
    writeCompatRecord(ctx, job.id, { surface: 'lm-eval-server', request: { ...request, job_id: n } });
    return { status: 'success', message: `Job ${n} successfully queued.`, job_id: n };
  });

  scope.get('/jobs', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    // The README documents include_completed; the code reads include_finished. Both work here.
    const includeFinished = boolQuery(q.include_finished ?? q.include_completed, q.include_finished !== undefined ? 'include_finished' : 'include_completed', true);
    const jobs: LesJobSummary[] = [];
    for (const [n, job] of live()) {
      if (!includeFinished && isFinished(job.state)) continue;
      jobs.push(await summary(n, job, revealQuery(req)));
    }
    return { jobs };
  });

  scope.get('/job/:job_id', async (req) => {
    const n = intParam((req.params as { job_id: string }).job_id, 'path', 'job_id');
    const job = lookup(n);
    if (!job) throw notFound(n);
    return detail(n, job, revealQuery(req));
  });

  for (const verb of ['dequeue', 'stop']) {
    scope.route({
      method: ['GET', 'POST'],
      url: `/job/:job_id/${verb}`,
      handler: async (req) => {
        const n = intParam((req.params as { job_id: string }).job_id, 'path', 'job_id');
        const job = lookup(n);
        if (!job) throw notFound(n);
        return { status: 'success', message: await stopOne(n, job) };
      },
    });
    scope.route({
      method: ['GET', 'POST'],
      url: `/jobs/${verb}`,
      handler: async (req) => {
        const all = live();
        await Promise.all(all.map(([n, job]) => stopOne(n, job)));
        return { status: 'success', message: `Jobs ${pyList(all.map(([n]) => n))} stopped successfully.` };
      },
    });
  }

  scope.delete('/job/:id', async (req) => {
    // The original declared `{id}` in the path but read `job_id`, so only `?job_id=N` worked; both do here.
    const q = req.query as Record<string, string | undefined>;
    const raw = (req.params as { id: string }).id;
    const n = /^\s*[+-]?\d+\s*$/.test(raw) ? intParam(raw, 'path', 'id') : intParam(q.job_id, 'query', 'job_id');
    const job = lookup(n);
    if (!job) throw notFound(n);
    const ended = await stopAndWait(ctx, job);
    if (isFinished(ended.state)) scheduler.remove(ended.id);
    ids.forget([n]);
    return { status: 'success', message: `Job ${n} deleted successfully.` };
  });

  scope.delete('/jobs', async () => {
    const all = live();
    await Promise.all(
      all.map(async ([, job]) => {
        const ended = await stopAndWait(ctx, job);
        if (isFinished(ended.state)) scheduler.remove(ended.id);
      }),
    );
    ids.forget(all.map(([n]) => n));
    return { status: 'success', message: `Jobs ${pyList(all.map(([n]) => n))} deleted successfully.` };
  });
}
