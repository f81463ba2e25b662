/**
 * Typed client for the scheduler API, over the per-user Unix socket or a URL (+ bearer token). Built on
 * node:http so it needs no dependency and works with `socketPath`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApiError, isConnectionError, JobFailedError, ServerUnreachableError } from './errors.js';
import { parseSse } from './sse.js';
import type {
  ApiErrorBody, EvalSpec, Health, JobJson, JobState, LogEvent, LogResponse, QueueJson, ResultResponse, SubmitResponse,
} from './types.js';

export type Transport = { socketPath: string } | { url: string; token?: string };

export interface ClientOptions {
  /** Reuse connections (benchmarks, long-lived front ends). Default false: a CLI run must exit promptly. */
  keepAlive?: boolean;
  /** Called when the server cannot be reached mid-follow/wait, e.g. to start a new one; then the call is retried. */
  reconnect?: () => Promise<void>;
}

export interface SubmitOptions {
  /** Default: process.cwd() over the socket; not sent over a URL (the server's machine may differ). */
  cwd?: string;
  /** Default: process.env over the socket; not sent over a URL. null: send none (the server's environment). */
  env?: Record<string, string> | null;
  /** Default: a new random UUID per call (what makes the retry after a broken connection safe). */
  idempotencyKey?: string;
  /** A name for the job, shown beside its id. */
  label?: string;
  /** Refuse (ApiError 409, code `duplicate`) when a queued or running job has the same spec and cwd. */
  refuseDuplicate?: boolean;
}

export interface FollowOptions {
  /** Byte offset to start from (a previous next_offset). Default 0: the whole log. */
  since?: number;
  /** Keep ANSI colour codes. */
  ansi?: boolean;
  /** Give up reconnecting after this long without a connection. Default 10 s. */
  reconnectTimeoutMs?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINISHED: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

export class LmmsClient {
  private readonly agent: http.Agent;
  private readonly base: URL | null;

  constructor(
    readonly transport: Transport,
    private readonly opts: ClientOptions = {},
  ) {
    this.agent = new http.Agent({ keepAlive: opts.keepAlive ?? false });
    this.base = 'url' in transport ? new URL(transport.url) : null;
  }

  /** Where this client talks to, for messages. */
  get where(): string {
    return 'socketPath' in this.transport ? this.transport.socketPath : this.transport.url;
  }

  close(): void {
    this.agent.destroy();
  }

  // ---- endpoints ---------------------------------------------------------------------------------

  health(opts: { timeoutMs?: number } = {}): Promise<Health> {
    return this.json('GET', '/api/v1/health', { timeoutMs: opts.timeoutMs ?? 5000 });
  }

  /**
   * Queues a job. Every submit carries a fresh Idempotency-Key, so when the connection breaks before
   * the answer arrives (reset, socket hang-up, the server killed mid-request) it is sent once more with
   * the same key: the server returns the job the first attempt made, if it made one, and never a second.
   */
  async submit(spec: EvalSpec, opts: SubmitOptions = {}): Promise<SubmitResponse> {
    const local = 'socketPath' in this.transport;
    const body: Record<string, unknown> = { spec };
    const cwd = opts.cwd ?? (local ? process.cwd() : undefined);
    if (cwd !== undefined) body.cwd = cwd;
    const env = opts.env === undefined ? (local ? stringEnv(process.env) : null) : opts.env;
    if (env) body.env = env;
    if (opts.label !== undefined) body.label = opts.label;
    if (opts.refuseDuplicate) body.refuse_duplicate = true;
    const headers = { 'idempotency-key': opts.idempotencyKey ?? randomUUID() };
    try {
      return await this.json('POST', '/api/v1/jobs', { body, headers });
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      if (this.opts.reconnect) await this.opts.reconnect().catch(() => undefined);
      return this.json('POST', '/api/v1/jobs', { body, headers });
    }
  }

  /** `reveal`: specs and scripts with secrets in clear (default masked by the server). */
  jobs(filter: { state?: JobState | readonly JobState[]; reveal?: boolean } = {}): Promise<JobJson[]> {
    const state = filter.state === undefined ? undefined : ([] as JobState[]).concat(filter.state).join(',');
    return this.json('GET', '/api/v1/jobs', { query: { state, reveal: filter.reveal ? '1' : undefined } });
  }

  job(id: string, opts: { reveal?: boolean } = {}): Promise<JobJson> {
    return this.json('GET', `/api/v1/jobs/${encodeURIComponent(id)}`, { query: { reveal: opts.reveal ? '1' : undefined } });
  }

  cancel(id: string): Promise<JobJson> {
    return this.json('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`);
  }

  /** Asks for a stop; with `wait`, resolves once the job has ended. A queued job is cancelled. */
  stop(id: string, opts: { graceSeconds?: number; wait?: boolean } = {}): Promise<JobJson> {
    const query = { grace: opts.graceSeconds?.toString(), wait: opts.wait ? '1' : undefined };
    return this.json('POST', `/api/v1/jobs/${encodeURIComponent(id)}/stop`, { query });
  }

  retry(id: string): Promise<SubmitResponse> {
    return this.json('POST', `/api/v1/jobs/${encodeURIComponent(id)}/retry`);
  }

  remove(id: string): Promise<{ id: string }> {
    return this.json('DELETE', `/api/v1/jobs/${encodeURIComponent(id)}`);
  }

  queue(): Promise<QueueJson> {
    return this.json('GET', '/api/v1/queue');
  }

  /** Pauses dispatch (running jobs go on); kept across server restarts. */
  pauseQueue(): Promise<QueueJson> {
    return this.json('POST', '/api/v1/queue/pause');
  }

  resumeQueue(): Promise<QueueJson> {
    return this.json('POST', '/api/v1/queue/resume');
  }

  /** Moves a queued job (full id) one place up, down, or to the head of the queue. */
  moveQueued(id: string, to: 'up' | 'down' | 'top'): Promise<QueueJson> {
    return this.json('POST', `/api/v1/jobs/${encodeURIComponent(id)}/move`, { body: { to } });
  }

  /** Cancels every queued job; returns their ids. */
  cancelQueued(): Promise<{ cancelled: string[] }> {
    return this.json('POST', '/api/v1/queue/cancel-queued');
  }

  /**
   * One action on several jobs (full ids) in one call; a result per id, in order. `stop` answers once the
   * stopped jobs have ended, and no queued job starts in a slot they free before then.
   */
  batch(action: 'stop' | 'cancel' | 'retry' | 'remove', ids: readonly string[], opts: { graceSeconds?: number } = {}): Promise<{ results: BatchResultJson[] }> {
    return this.json('POST', '/api/v1/jobs/batch', { body: { action, ids, ...(opts.graceSeconds !== undefined ? { grace: opts.graceSeconds } : {}) } });
  }

  log(id: string, opts: { tail?: number; since?: number; maxBytes?: number; ansi?: boolean } = {}): Promise<LogResponse> {
    const query = { tail: opts.tail?.toString(), since: opts.since?.toString(), max_bytes: opts.maxBytes?.toString(), ansi: opts.ansi ? '1' : undefined };
    return this.json('GET', `/api/v1/jobs/${encodeURIComponent(id)}/log`, { query });
  }

  result(id: string): Promise<ResultResponse> {
    return this.json('GET', `/api/v1/jobs/${encodeURIComponent(id)}/result`);
  }

  /** One connection to the event stream; ends when the server ends it. `since` goes out as Last-Event-ID. */
  async *events(id: string, opts: { since?: number; ansi?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LogEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (opts.since !== undefined) headers['last-event-id'] = String(opts.since);
    const res = await this.send('GET', `/api/v1/jobs/${encodeURIComponent(id)}/events`, { query: { ansi: opts.ansi ? '1' : undefined }, headers, signal: opts.signal });
    if ((res.statusCode ?? 0) >= 400) throw await this.errorOf(res);
    try {
      for await (const msg of parseSse(res)) {
        const data = JSON.parse(msg.data) as Record<string, unknown>;
        if (msg.event === 'state') yield { type: 'state', job: data as unknown as JobJson };
        else if (msg.event === 'lines' || msg.event === 'end' || msg.event === 'progress') {
          yield (msg.event === 'progress' ? { type: 'progress', progress: data } : { type: msg.event, ...data }) as LogEvent;
        }
      }
    } finally {
      res.destroy();
    }
  }

  /**
   * A job's live log until it has finished: reconnects after a dropped connection (or a server restart,
   * through the `reconnect` hook) from the last byte offset received, so no line is lost or repeated.
   */
  async *followLog(id: string, opts: FollowOptions = {}): AsyncGenerator<LogEvent> {
    let since = opts.since;
    let failingSince: number | null = null;
    const limit = opts.reconnectTimeoutMs ?? 10_000;
    for (;;) {
      try {
        for await (const ev of this.events(id, { since, ansi: opts.ansi, signal: opts.signal })) {
          failingSince = null;
          if (ev.type === 'lines' || ev.type === 'end') since = ev.next_offset;
          yield ev;
          if (ev.type === 'end') return;
        }
      } catch (err) {
        if (opts.signal?.aborted) return;
        if (!isConnectionError(err) && !isAborted(err)) throw err;
      }
      if (opts.signal?.aborted) return;
      // The stream ended without `end`: the server went away. Try again until the deadline.
      failingSince ??= Date.now();
      if (Date.now() - failingSince > limit) {
        throw new ServerUnreachableError(`lost the connection to the lmms-tui server (${this.where}) while following job ${id}`, 'check `lmms-tui server status`');
      }
      await sleep(100);
      if (this.opts.reconnect) await this.opts.reconnect().catch(() => undefined);
    }
  }

  /**
   * Polls until the job has finished. Resolves with it on succeeded; rejects with JobFailedError (carrying
   * the job) on failed, stopped or cancelled; rejects on timeout.
   */
  async waitForJob(id: string, opts: { intervalMs?: number; timeoutMs?: number } = {}): Promise<JobJson> {
    const interval = opts.intervalMs ?? 500;
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    for (;;) {
      let job: JobJson | null = null;
      try {
        job = await this.job(id);
      } catch (err) {
        if (!isConnectionError(err) || !this.opts.reconnect || Date.now() >= deadline) throw err;
        await this.opts.reconnect().catch(() => undefined);
      }
      if (job && FINISHED.has(job.state)) {
        if (job.state === 'succeeded') return job;
        throw new JobFailedError(job);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for job ${id}${job ? ` (still ${job.state})` : ''}`);
      await sleep(Math.min(interval, left));
    }
  }

  // ---- transport ---------------------------------------------------------------------------------

  private async json<T>(method: string, path: string, opts: { body?: unknown; query?: Record<string, string | undefined>; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    if ((res.statusCode ?? 0) >= 400) throw await this.errorOf(res);
    const text = await readBody(res);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async errorOf(res: http.IncomingMessage): Promise<ApiError> {
    const text = await readBody(res).catch(() => '');
    try {
      const { error } = JSON.parse(text) as ApiErrorBody;
      return new ApiError(res.statusCode ?? 0, error.code, error.message, error.hint, error.problems ?? []);
    } catch {
      return new ApiError(res.statusCode ?? 0, 'http', `HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    }
  }

  private send(
    method: string,
    path: string,
    opts: { body?: unknown; query?: Record<string, string | undefined>; headers?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<http.IncomingMessage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    const headers: Record<string, string> = { ...opts.headers };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const target: http.RequestOptions = { method, agent: this.agent, headers, signal: opts.signal, path: `${this.base?.pathname.replace(/\/$/, '') ?? ''}${path}${qs ? `?${qs}` : ''}` };
    if ('socketPath' in this.transport) {
      target.socketPath = this.transport.socketPath;
    } else {
      target.hostname = this.base!.hostname.replace(/^\[(.*)\]$/, '$1');
      target.port = this.base!.port || 80;
      if (this.transport.token) headers.authorization = `Bearer ${this.transport.token}`;
    }
    return new Promise((resolve, reject) => {
      const req = http.request(target, resolve);
      req.on('error', (err) => reject(isConnectionError(err) ? new ServerUnreachableError(`cannot reach the lmms-tui server at ${this.where}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, 'start it with `lmms-tui server start`, or check LMMS_TUI_HOME / LMMS_TUI_URL', err) : err));
      if (opts.timeoutMs) {
        req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer from ${this.where} within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      }
      req.end(payload);
    });
  }
}

function isAborted(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | null;
  return e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.name === 'AbortError' || e?.message === 'aborted';
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One job's result in `LmmsClient.batch`. */
export interface BatchResultJson {
  id: string;
  ok: boolean;
  state?: JobState;
  new_id?: string;
  error?: { code: string; message: string; hint?: string };
}
