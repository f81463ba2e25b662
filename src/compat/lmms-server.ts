/**
 * lmms-eval's server mode (`lmms-eval serve`, `lmms_eval/entrypoints/http_server.py`) on `lmms-tui serve`'s
 * root paths, so `EvalClient("http://host:8000")` and curl scripts work unchanged against our queue.
 *
 * Differences that stay compatible: jobs run in the shared lmms-tui queue (with its concurrency and GPU
 * pool), survive a server restart, and keep their ids; `position_in_queue` is right for every job; a
 * finished job's `result` adds the parsed metrics beside the file paths; `/tasks` and `/models` come from
 * the discovery cache. See README "Compatibility with the harnesses' servers".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validateSpec } from '../core/command/validate.js';
import { UserError, ValidationError } from '../core/errors.js';
import { redactSecrets, redactSpec, specSecrets } from '../core/redact.js';
import type { JobRecord, JobState } from '../core/scheduler/types.js';
import type { ServerContext } from '../server/context.js';
import { idempotencyKey } from '../server/idempotency.js';
import type { Catalog } from './catalog.js';
import type { CompatOptions } from './config.js';
import { httpError, jsonBody, localIso, problemDetails, unprocessable } from './fastapi.js';
import { errorText, exactJob, readCompatRecord, resultMap, revealQuery, writeCompatRecord } from './jobs.js';
import { parseEvaluateRequest, SM_FIELDS, specFromEvaluate, throwErrors } from './sm-request.js';
import type { EvaluateRequest, HealthResponse, JobInfo, JobSubmitResponse, QueueStatusResponse, SmJobStatus } from './sm-types.js';

/** A stopped job is reported as cancelled: the original's vocabulary has no `stopped`, and it did end by request. */
const STATUS: Record<JobState, SmJobStatus> = {
  queued: 'queued',
  running: 'running',
  orphaned: 'running', // its process runs on (its record was damaged)
  succeeded: 'completed',
  failed: 'failed',
  stopped: 'cancelled',
  cancelled: 'cancelled',
};

/** The request a job echoes: as submitted here, else reconstructed from the spec (jobs from the CLI or TUI). */
function requestOf(ctx: ServerContext, job: JobRecord): EvaluateRequest {
  const rec = readCompatRecord(ctx, job.id);
  if (rec?.surface === 'lmms-server') return rec.request as unknown as EvaluateRequest;
  const s = job.spec;
  return {
    model: s.model,
    tasks: s.tasks,
    model_args: s.model_args ?? null,
    num_fewshot: s.num_fewshot ?? null,
    batch_size: s.batch_size === undefined ? null : /^\d+$/.test(s.batch_size) ? Number(s.batch_size) : s.batch_size,
    device: s.device ?? null,
    limit: s.limit ?? null,
    gen_kwargs: s.gen_kwargs ?? null,
    log_samples: s.log_samples ?? false,
    predict_only: s.predict_only ?? false,
    num_gpus: s.num_gpus ?? 1,
    output_dir: s.output_path ?? null,
  };
}

/** `reveal`: the request and error as submitted, secrets in clear (`?reveal=1`); default masked by the core rule. */
export function jobInfo(ctx: ServerContext, job: JobRecord, opts: { reveal?: boolean } = {}): JobInfo {
  const pos = ctx.scheduler.position(job.id);
  const info = infoOf(ctx, job, pos);
  if (opts.reveal) return info;
  const secrets = specSecrets(job.spec, job.env);
  return { ...info, request: redactSpec(info.request as never, secrets), error: info.error === null ? null : redactSecrets(info.error, secrets) };
}

function infoOf(ctx: ServerContext, job: JobRecord, pos: number | null): JobInfo {
  return {
    job_id: job.id,
    status: STATUS[job.state],
    created_at: localIso(job.created_at)!,
    started_at: localIso(job.started_at),
    completed_at: localIso(job.ended_at),
    request: requestOf(ctx, job),
    result: job.state === 'succeeded' ? resultMap(job) : null,
    error: job.state === 'failed' || job.state === 'stopped' ? errorText(ctx, job) : null,
    position_in_queue: pos === null ? null : pos - 1,
  };
}

export function registerLmmsServerRoutes(scope: FastifyInstance, ctx: ServerContext, opts: CompatOptions, catalog: Catalog): void {
  const { scheduler } = ctx;
  const jobId = (req: FastifyRequest) => (req.params as { job_id: string }).job_id;

  scope.get('/health', async (): Promise<HealthResponse> => ({
    status: 'healthy',
    timestamp: localIso(new Date().toISOString())!,
    queue_size: scheduler.list({ state: 'queued' }).length,
  }));

  scope.post('/evaluate', async (req): Promise<JobSubmitResponse> => {
    const key = idempotencyKey(req);
    if (key instanceof Error) throw httpError(400, key.message);
    const request = parseEvaluateRequest(jsonBody(req));
    const { spec, errors } = specFromEvaluate(request, opts.lmms);
    // Every problem at once: the request-level ones and the spec validator's.
    throwErrors([...errors, ...problemDetails(validateSpec(spec), SM_FIELDS, request as unknown as Record<string, unknown>)]);
    let job: JobRecord;
    try {
      // No cwd or env from the caller: like the original, jobs run in the server's own environment.
      job = scheduler.submit(spec, { env: null, idempotencyKey: key });
    } catch (err) {
      if (err instanceof UserError && !(err instanceof ValidationError)) throw httpError(409, err.message);
      if (err instanceof ValidationError) throw unprocessable(problemDetails(err.problems, SM_FIELDS, request as unknown as Record<string, unknown>));
      throw err;
    }
    writeCompatRecord(ctx, job.id, { surface: 'lmms-server', request: request as unknown as Record<string, unknown> });
    // A free slot starts the job at once: it is then first in line, position 0.
    const position = Math.max(0, (scheduler.position(job.id) ?? 1) - 1);
    return { job_id: job.id, status: 'queued', position_in_queue: position, message: `Job queued successfully. Position in queue: ${position}` };
  });

  scope.get('/jobs/:job_id', async (req) => {
    const job = exactJob(ctx, jobId(req));
    if (!job) throw httpError(404, `Job ${jobId(req)} not found`);
    return jobInfo(ctx, job, { reveal: revealQuery(req) });
  });

  scope.get('/queue', async (): Promise<QueueStatusResponse> => {
    const all = scheduler.list();
    const running = all.filter((j) => j.state === 'running' || j.state === 'orphaned').map((j) => j.id);
    const queued = all.filter((j) => j.state === 'queued').map((j) => j.id);
    return {
      queue_size: queued.length,
      running_job: running[0] ?? null,
      queued_jobs: queued,
      completed_jobs: all.filter((j) => j.state === 'succeeded').length,
      failed_jobs: all.filter((j) => j.state === 'failed').length,
      running_jobs: running,
    };
  });

  scope.delete('/jobs/:job_id', async (req) => {
    const id = jobId(req);
    const job = exactJob(ctx, id);
    if (!job) throw httpError(404, `Job ${id} not found`);
    // Same contract as the original: DELETE cancels queued jobs only (`lmms-tui stop` stops running ones).
    if (job.state === 'running' || job.state === 'orphaned') throw httpError(400, 'Cannot cancel a running job');
    if (job.state !== 'queued') throw httpError(400, 'Job already finished or cancelled');
    scheduler.cancel(job.id);
    return { message: `Job ${id} cancelled` };
  });

  scope.get('/tasks', async () => {
    try {
      const { index } = await catalog.index();
      return { tasks: index.entries.map((e) => e.name) };
    } catch (err) {
      return { tasks: [], error: (err as Error).message };
    }
  });

  scope.get('/models', async () => {
    try {
      return { models: (await catalog.modelList()).map((m) => m.name) };
    } catch (err) {
      return { models: [], error: (err as Error).message };
    }
  });

  scope.post('/merge', async () => {
    throw httpError(
      501,
      'Checkpoint merging is not available in lmms-tui. Merge FSDP2 checkpoints with lmms-engine directly (the lmms-eval server ran it in-process), then submit an evaluation of the merged path.',
    );
  });
}
