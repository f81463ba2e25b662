/**
 * lmms-eval's `EvalClient` vocabulary (`lmms_eval/entrypoints/client.py`) in TypeScript: evaluate, getJob,
 * waitForJob, getQueueStatus, cancelJob, listTasks, listModels, health. It speaks server mode's wire format
 * (`POST /evaluate`, `GET /jobs/{id}` …), which `lmms-tui serve` answers on its root paths, so the same code
 * works against lmms-tui and against an lmms-eval server.
 *
 * Unlike the Python client, waitForJob ends on `cancelled` (rejecting with EvalJobError) instead of polling
 * forever, and a timeout of 0 means "check once", not "no timeout".
 */
import http from 'node:http';
import type { EvaluateRequest, HealthResponse, JobInfo, JobSubmitResponse, QueueStatusResponse } from '../compat/sm-types.js';
import type { LmmsClient, Transport } from './client.js';
import { connect, type ConnectOptions } from './connect.js';
import { ServerUnreachableError } from './errors.js';

export type { EvaluateRequest, HealthResponse, JobInfo, JobSubmitResponse, QueueStatusResponse, SmJobStatus } from '../compat/sm-types.js';

/** `evaluate()`'s optional fields, named as on the wire; unset ones are not sent (server defaults apply). */
export type EvaluateOptions = Partial<Omit<EvaluateRequest, 'model' | 'tasks'>>;

/** A non-2xx answer; `detail` is FastAPI's body (a message, or the list of validation errors). */
export class EvalHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(`HTTP ${status}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
    this.name = 'EvalHttpError';
  }
}

/** waitForJob: the job ended `failed` or `cancelled`. */
export class EvalJobError extends Error {
  constructor(readonly job: JobInfo) {
    super(job.status === 'failed' ? `Job failed: ${job.error ?? 'Unknown error'}` : `Job ${job.job_id} was cancelled`);
    this.name = 'EvalJobError';
  }
}

export interface EvalClientOptions {
  /** Per-request timeout in ms; default none (as the Python client's `timeout=None`). */
  timeoutMs?: number;
  /** Bearer token for a `lmms-tui serve --token` listener. */
  token?: string;
}

export interface WaitOptions {
  /** Default 5000 ms, as the Python client. */
  pollIntervalMs?: number;
  /** Give up after this long (TimeoutError); default never. */
  timeoutMs?: number;
  /** Called with each polled job (the Python client's `verbose` printing). */
  onStatus?: (job: JobInfo) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

export class EvalClient {
  private readonly transport: Transport;
  private readonly agent = new http.Agent({ keepAlive: false });

  /** `new EvalClient('http://eval-server:8000')`, like `EvalClient(base_url)`; or a Transport (e.g. the per-user socket). */
  constructor(
    target: string | Transport = 'http://localhost:8000',
    private readonly opts: EvalClientOptions = {},
  ) {
    this.transport = typeof target === 'string' ? { url: target.replace(/\/+$/, ''), token: opts.token } : target;
  }

  /** The per-user lmms-tui server over its socket (started if needed). */
  static async connect(opts: ConnectOptions = {}): Promise<EvalClient> {
    const native = await connect(opts);
    native.close();
    return EvalClient.from(native);
  }

  /** Same server as a native client. */
  static from(native: LmmsClient): EvalClient {
    return new EvalClient(native.transport);
  }

  close(): void {
    this.agent.destroy();
  }

  health(): Promise<HealthResponse> {
    return this.request('GET', '/health');
  }

  async isHealthy(): Promise<boolean> {
    try {
      return (await this.health()).status === 'healthy';
    } catch {
      return false;
    }
  }

  async listTasks(): Promise<string[]> {
    return (await this.request<{ tasks?: string[] }>('GET', '/tasks')).tasks ?? [];
  }

  async listModels(): Promise<string[]> {
    return (await this.request<{ models?: string[] }>('GET', '/models')).models ?? [];
  }

  evaluate(model: string, tasks: string[], options: EvaluateOptions = {}): Promise<JobSubmitResponse> {
    const body: Record<string, unknown> = { model, tasks };
    for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== null) body[k] = v;
    return this.request('POST', '/evaluate', body);
  }

  getJob(jobId: string): Promise<JobInfo> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}`);
  }

  /** Cancels a queued job (a running one answers 400, as in lmms-eval). */
  cancelJob(jobId: string): Promise<{ message: string }> {
    return this.request('DELETE', `/jobs/${encodeURIComponent(jobId)}`);
  }

  getQueueStatus(): Promise<QueueStatusResponse> {
    return this.request('GET', '/queue');
  }

  /** Polls until `completed` (resolves with the job) or `failed` / `cancelled` (rejects with EvalJobError). */
  async waitForJob(jobId: string, opts: WaitOptions = {}): Promise<JobInfo> {
    const interval = opts.pollIntervalMs ?? 5000;
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    for (;;) {
      const job = await this.getJob(jobId);
      opts.onStatus?.(job);
      if (job.status === 'completed') return job;
      if (job.status === 'failed' || job.status === 'cancelled') throw new EvalJobError(job);
      const left = deadline - Date.now();
      if (left <= 0) throw Object.assign(new Error(`Timeout waiting for job ${jobId}`), { name: 'TimeoutError' });
      await sleep(Math.min(interval, left), opts.signal);
    }
  }

  private request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const target: http.RequestOptions = { method, headers, agent: this.agent };
    if ('socketPath' in this.transport) {
      target.socketPath = this.transport.socketPath;
      target.path = path;
    } else {
      const base = new URL(this.transport.url);
      target.hostname = base.hostname.replace(/^\[(.*)\]$/, '$1');
      target.port = base.port || 80;
      target.path = `${base.pathname.replace(/\/$/, '')}${path}`;
      if (this.transport.token) headers.authorization = `Bearer ${this.transport.token}`;
    }
    const where = 'socketPath' in this.transport ? this.transport.socketPath : this.transport.url;
    return new Promise<T>((resolve, reject) => {
      const req = http.request(target, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON: keep the text */
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new EvalHttpError(status, (json as { detail?: unknown } | null)?.detail ?? json));
          else resolve(json as T);
        });
      });
      req.on('error', (err) => reject(new ServerUnreachableError(`cannot reach the evaluation server at ${where}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, undefined, err)));
      if (this.opts.timeoutMs) req.setTimeout(this.opts.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer from ${where} within ${this.opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.end(payload);
    });
  }
}
