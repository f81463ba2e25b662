/**
 * The `/api/v1` routes. Each is declared once as data (its schemas and documentation) and registered from
 * that declaration, so fastify validates exactly what /openapi.json describes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hostname } from 'node:os';
import path from 'node:path';
import { redactJob } from '../core/redact.js';
import { metricTree, readMetrics } from '../core/results/parse.js';
import { findSamplesFiles } from '../core/results/find.js';
import { isFinished, type JobState, type QueueMove } from '../core/scheduler/types.js';
import { DuplicateJobError } from '../core/scheduler/scheduler.js';
import type { EvalSpec } from '../core/spec.js';
import type { Health, MetricJson, ResultResponse, SubmitResponse } from '../client/types.js';
import { findJob, jobJson, type ServerContext } from './context.js';
import { streamEvents } from './events.js';
import { HttpError, toHttpError } from './http-errors.js';
import { idempotencyKey } from './idempotency.js';
import { assertLogReadable, jobSecrets, readLog } from './log-read.js';
import type { RouteDoc } from './openapi.js';
import * as S from './schemas.js';

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
type Query = Record<string, string | undefined>;

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
const yes = (s: string | undefined): boolean => s === '1' || s === 'true';

export const API = '/api/v1';

export function registerRoutes(app: FastifyInstance, ctx: ServerContext, docs: RouteDoc[]): void {
  const { scheduler } = ctx;
  const route = (doc: RouteDoc, handler: Handler) => {
    docs.push(doc);
    // Only the parts a route has: fastify warns about (and would document) undefined ones.
    const schema: Record<string, unknown> = {};
    if (doc.params) schema.params = doc.params;
    if (doc.querystring) schema.querystring = doc.querystring;
    if (doc.body) schema.body = doc.body;
    app.route({ method: doc.method, url: doc.url, schema, handler });
  };
  const id = (req: FastifyRequest) => findJob(ctx, (req.params as { id: string }).id);
  const submitted = (job: ReturnType<typeof id>): SubmitResponse => {
    const json = jobJson(ctx, job);
    return { id: job.id, state: job.state, position: json.position, job: json };
  };
  const common = { 404: ['no job has this id (full ids only)'] as [string] };

  route(
    {
      method: 'POST', url: `${API}/jobs`, tag: 'jobs', summary: 'Submit a job',
      description:
        'Queues an evaluation. The job runs with `env` (the submitter\'s environment; default the server\'s) plus the spec\'s env lines, with relative paths resolved against `cwd`. ' +
        'With an `Idempotency-Key` header (or `idempotency_key` in the body), a repeat of the same request returns the job the first one made (200, same id) instead of queueing another, also after a server restart: a client that lost the answer can safely send it again.',
      body: S.submitBody,
      responses: {
        201: ['queued', S.submitResponse],
        200: ['a repeat of an earlier submit with the same Idempotency-Key: that job', S.submitResponse],
        400: ['malformed Idempotency-Key'],
        409: ['the Idempotency-Key was used for a different spec; or, with refuse_duplicate, a queued or running job has the same spec (code `duplicate`)'],
        413: ['body too large'],
        422: ['the body or the spec is invalid (problems name each field)'],
      },
    },
    async (req, reply) => {
      const body = req.body as { spec: EvalSpec; cwd?: string; env?: Record<string, string>; idempotency_key?: string; label?: string; refuse_duplicate?: boolean };
      if (body.cwd !== undefined && !path.isAbsolute(body.cwd)) {
        throw new HttpError(422, 'validation', 'cwd must be absolute', undefined, [{ field: 'cwd', message: 'is not an absolute path', fix: 'send the absolute working directory' }]);
      }
      const header = idempotencyKey(req);
      if (header instanceof Error) throw new HttpError(400, 'bad_request', header.message, 'generate one with crypto.randomUUID() per submit');
      if (header !== undefined && body.idempotency_key !== undefined && header !== body.idempotency_key) {
        throw new HttpError(400, 'bad_request', 'the Idempotency-Key header and idempotency_key in the body differ', 'send the key once');
      }
      const key = header ?? body.idempotency_key;
      const repeat = key !== undefined && scheduler.findByIdempotencyKey(key) !== undefined;
      let job;
      try {
        job = scheduler.submit(body.spec, { cwd: body.cwd, env: body.env ?? null, idempotencyKey: key, label: body.label, refuseDuplicate: body.refuse_duplicate === true });
      } catch (err) {
        if (err instanceof DuplicateJobError) throw new HttpError(409, 'duplicate', err.message, err.hint);
        throw err;
      }
      reply.code(repeat ? 200 : 201);
      return submitted(job);
    },
  );

  route(
    { method: 'GET', url: `${API}/jobs`, tag: 'jobs', summary: 'List jobs in submission order (secrets masked unless reveal=1)', querystring: S.listQuery, responses: { 200: ['the jobs', { type: 'array', items: S.jobSchema }] } },
    async (req) => {
      const q = req.query as Query;
      const state = q.state?.split(',') as JobState[] | undefined;
      const positions = new Map(scheduler.queue().queued.map((p) => [p.id, p.position]));
      return scheduler.list(state ? { state } : undefined).map((j) => jobJson(ctx, j, positions.get(j.id) ?? null, { reveal: yes(q.reveal) }));
    },
  );

  route(
    { method: 'GET', url: `${API}/jobs/:id`, tag: 'jobs', summary: 'Get a job (secrets masked unless reveal=1)', params: S.idParams, querystring: S.revealQuery, responses: { 200: ['the job', S.jobSchema], ...common } },
    async (req) => jobJson(ctx, id(req), undefined, { reveal: yes((req.query as Query).reveal) }),
  );

  route(
    { method: 'POST', url: `${API}/jobs/:id/cancel`, tag: 'jobs', summary: 'Cancel a queued job', params: S.idParams, responses: { 200: ['cancelled', S.jobSchema], ...common, 409: ['the job is not queued'] } },
    async (req) => jobJson(ctx, scheduler.cancel(id(req).id)),
  );

  route(
    {
      method: 'POST', url: `${API}/jobs/:id/stop`, tag: 'jobs', summary: 'Stop a running job (a queued one is cancelled)',
      description: 'SIGTERM to every process of the job (its cgroup, process group, session and marked processes), SIGKILL after the grace period; pids still alive after that are listed in `escaped`. Answers 202 at once (the job shows `stop_requested`) unless `wait=1`, which answers 200 once it has ended.',
      params: S.idParams, querystring: S.stopQuery,
      responses: { 200: ['ended (wait=1) or cancelled', S.jobSchema], 202: ['stopping', S.jobSchema], ...common, 409: ['the job has already finished'] },
    },
    async (req, reply) => {
      const job = id(req);
      const q = req.query as Query;
      if (isFinished(job.state)) throw new HttpError(409, 'conflict', `job ${job.id} already ${job.state}`, 'nothing to stop');
      if (job.state === 'queued') return jobJson(ctx, scheduler.cancel(job.id));
      const grace = num(q.grace);
      const stopping = scheduler.stop(job.id, grace === undefined ? {} : { graceMs: grace * 1000 });
      if (yes(q.wait)) return jobJson(ctx, await stopping);
      stopping.catch((err: unknown) => ctx.log(`stop ${job.id} failed: ${(err as Error).stack ?? String(err)}`));
      reply.code(202);
      return jobJson(ctx, job);
    },
  );

  route(
    { method: 'POST', url: `${API}/jobs/:id/retry`, tag: 'jobs', summary: 'Submit a copy of a job (same spec, directory and environment)', params: S.idParams, responses: { 201: ['the new job', S.submitResponse], ...common } },
    async (req, reply) => {
      const job = scheduler.retry(id(req).id);
      reply.code(201);
      return submitted(job);
    },
  );

  route(
    { method: 'DELETE', url: `${API}/jobs/:id`, tag: 'jobs', summary: 'Remove a finished job and its files', params: S.idParams, responses: { 200: ['removed', { type: 'object', properties: { id: { type: 'string' } } }], ...common, 409: ['the job has not finished'] } },
    async (req) => {
      const job = id(req);
      scheduler.remove(job.id);
      return { id: job.id };
    },
  );

  route(
    {
      method: 'POST', url: `${API}/jobs/:id/move`, tag: 'queue', summary: 'Move a queued job up, down or to the head of the queue',
      params: S.idParams, body: S.moveBody,
      responses: { 200: ['the queue after the move', S.queueSchema], ...common, 409: ['the job is not queued'], 422: ['`to` is not up, down or top'] },
    },
    async (req) => scheduler.moveQueued(id(req).id, (req.body as { to: QueueMove }).to),
  );

  route(
    {
      method: 'POST', url: `${API}/jobs/batch`, tag: 'queue', summary: 'Stop, cancel, retry or remove several jobs in one call',
      description:
        'Each id gets its own result (`ok`, or `error` with the same codes as the single-job routes), in the order sent. `stop` is one operation: queued jobs among the ids are cancelled first, then the running ones are stopped together while dispatch is held, so a slot freed by one of them does not start a queued job before the batch is done. It answers once every stopped job has ended.',
      body: S.batchBody,
      responses: { 200: ['one result per id', S.batchResponse], 422: ['the body is invalid'] },
    },
    async (req) => {
      const body = req.body as { action: 'stop' | 'cancel' | 'retry' | 'remove'; ids: string[]; grace?: number };
      type Result = { id: string; ok: boolean; state?: string; new_id?: string; error?: { code: string; message: string; hint?: string } };
      const failure = (rid: string, err: unknown): Result => {
        const h = toHttpError(err);
        return { id: rid, ok: false, error: { code: h.code, message: h.message, ...(h.hint ? { hint: h.hint } : {}) } };
      };
      // Full ids only, as everywhere over HTTP (findJob): an unknown one is its own result, not a failed batch.
      const known: string[] = [];
      const early = new Map<string, Result>();
      for (const rid of body.ids) {
        try {
          known.push(findJob(ctx, rid).id);
        } catch (err) {
          early.set(rid, failure(rid, err));
        }
      }
      const results = new Map<string, Result>(early);
      if (body.action === 'stop') {
        const outcomes = await scheduler.stopMany(known, body.grace === undefined ? {} : { graceMs: body.grace * 1000 });
        for (const o of outcomes) results.set('job' in o ? o.job.id : o.id, 'job' in o ? { id: o.job.id, ok: true, state: o.job.state } : failure(o.id, o.problem));
      } else {
        for (const jid of known) {
          try {
            if (body.action === 'cancel') results.set(jid, { id: jid, ok: true, state: scheduler.cancel(jid).state });
            else if (body.action === 'retry') results.set(jid, { id: jid, ok: true, new_id: scheduler.retry(jid).id });
            else {
              scheduler.remove(jid);
              results.set(jid, { id: jid, ok: true });
            }
          } catch (err) {
            results.set(jid, failure(jid, err));
          }
        }
      }
      return { results: body.ids.map((rid) => results.get(rid.toLowerCase()) ?? results.get(rid)!) };
    },
  );

  route(
    { method: 'POST', url: `${API}/queue/pause`, tag: 'queue', summary: 'Pause dispatch: running jobs go on, queued jobs wait (kept across server restarts)', responses: { 200: ['the queue', S.queueSchema] } },
    async () => scheduler.pause(),
  );

  route(
    { method: 'POST', url: `${API}/queue/resume`, tag: 'queue', summary: 'Resume dispatch', responses: { 200: ['the queue', S.queueSchema] } },
    async () => scheduler.resume(),
  );

  route(
    { method: 'POST', url: `${API}/queue/cancel-queued`, tag: 'queue', summary: 'Cancel every queued job', responses: { 200: ['what was cancelled', S.cancelQueuedResponse] } },
    async () => ({ cancelled: scheduler.cancelAllQueued().map((j) => j.id) }),
  );

  route(
    { method: 'GET', url: `${API}/queue`, tag: 'jobs', summary: 'Queue summary: running, queued with positions, counts per state, GPUs', responses: { 200: ['the queue', S.queueSchema] } },
    async () => scheduler.queue(),
  );

  route(
    { method: 'GET', url: `${API}/health`, tag: 'server', summary: 'Server health and identity', responses: { 200: ['healthy', S.healthSchema] } },
    async (): Promise<Health> => {
      const q = scheduler.queue();
      return {
        version: ctx.version,
        uptime_s: Math.round((Date.now() - ctx.startedAt) / 100) / 10,
        host: hostname(),
        pid: process.pid,
        state_dir: ctx.paths.stateDir,
        socket: ctx.paths.socket,
        gpus: { pool: q.gpus.total, free: q.gpus.free },
        concurrency: q.concurrency,
        grace_ms: scheduler.opts.graceMs ?? 10_000,
        counts: q.counts,
        store_problems: scheduler.problems.map((p) => ({ dir: p.dir, id: p.id ?? null, message: p.message })),
      };
    },
  );

  route(
    {
      method: 'GET', url: `${API}/jobs/:id/log`, tag: 'logs', summary: 'Read the log',
      description: 'Complete lines from byte offset `since` (default 0), or the last `tail` lines. Carriage-return redraws are collapsed to their last state, ANSI codes stripped unless `ansi=1`, secrets masked. Pass `next_offset` back as `since` to continue.',
      params: S.idParams, querystring: S.logQuery, responses: { 200: ['lines with their byte offsets', S.logSchema], ...common },
    },
    async (req) => {
      const job = id(req);
      const q = req.query as Query;
      await assertLogReadable(job, scheduler.store.logPath(job.id));
      return readLog(scheduler.store.logPath(job.id), {
        tail: num(q.tail),
        since: num(q.since),
        maxBytes: Math.max(1, num(q.max_bytes) ?? 1024 * 1024),
        finished: isFinished(job.state),
        ansi: yes(q.ansi),
        secrets: jobSecrets(job),
      });
    },
  );

  route(
    {
      method: 'GET', url: `${API}/jobs/:id/events`, tag: 'logs', summary: 'Follow the log and state (server-sent events)', sse: true,
      description:
        'Events: `state` (data: the job; sent first and on every change), `lines` (id: the byte offset after its last line; data: `{offset, lines: [text…], next_offset}`), `progress` (data: the latest progress bar), `end` (data: `{job, next_offset}`; the job has finished and its whole log was sent). Reconnect with `Last-Event-ID` (or `?since=`) to resume with nothing lost or repeated.',
      params: S.idParams, querystring: S.eventsQuery, responses: { 200: ['event stream'], ...common },
    },
    async (req, reply) => {
      const job = id(req);
      const header = req.headers['last-event-id'];
      const fromHeader = typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
      const q = req.query as Query;
      await assertLogReadable(job, scheduler.store.logPath(job.id));
      reply.hijack();
      await streamEvents(ctx, job, fromHeader ?? num(q.since) ?? 0, yes(q.ansi), reply.raw, { reveal: yes(q.reveal) });
    },
  );

  route(
    { method: 'GET', url: `${API}/jobs/:id/result`, tag: 'jobs', summary: "The job's metrics (parsed results files) and its error, if any", params: S.idParams, responses: { 200: ['the result', S.resultSchema], ...common } },
    async (req): Promise<ResultResponse> => {
      const job = id(req);
      const metrics: MetricJson[] = [];
      const unreadable: ResultResponse['unreadable'] = [];
      let run: Pick<ResultResponse, 'limit' | 'eval_seconds'> | null = null;
      for (const file of job.results) {
        try {
          const summary = await readMetrics(file);
          // job.results is newest first: the run's settings come from the newest file.
          run ??= { limit: summary.config.limit, eval_seconds: summary.evalSeconds };
          for (const r of metricTree(summary)) {
            metrics.push({ task: r.task, metric: r.metric, filter: r.filter, value: r.value, stderr: r.stderr, n_samples: r.n_samples, depth: r.depth, group: r.group });
          }
        } catch (err) {
          unreadable.push({ file, message: (err as Error).message });
        }
      }
      const shown = redactJob(job);
      const samples = job.results.flatMap((f) => findSamplesFiles(f));
      return { files: job.results, samples, metrics, error: shown.error, error_tail: shown.error_tail, unreadable, limit: run?.limit ?? null, eval_seconds: run?.eval_seconds ?? null };
    },
  );
}
