/**
 * What the TUI needs from the per-user server, as a small interface. The real implementation wraps the
 * typed client (src/client); tests pass a fake object. The TUI is a client: it never hosts the scheduler,
 * so quitting it (or losing the SSH session) leaves jobs running.
 *
 * Job output does not travel through here: the TUI runs on the server's machine and tails each job's
 * output.log itself (JobJson.log_path), which keeps the UI off the job's critical path (performance.md §4.1).
 */
import type { EvalSpec } from '../core/spec.js';
import type { JobState } from '../core/scheduler/types.js';
import type { Health, JobJson, ResultResponse } from '../client/types.js';
import type { LmmsClient } from '../client/client.js';

export type { Health, JobJson, ResultResponse };

export interface SubmitResult {
  id: string;
  state: JobState;
  position: number | null;
}

export interface TuiBackend {
  /** Demo mode: the demo harness, a private state dir, simulated results. */
  readonly demo: boolean;
  /** Where the server was reached (socket path or URL), for the header and messages. */
  readonly where: string;
  /** Seconds between SIGTERM and SIGKILL when a job is stopped (shown in the stop dialog). */
  readonly graceSeconds: number;
  health(): Promise<Health>;
  /** All jobs the server knows, oldest first. */
  listJobs(): Promise<JobJson[]>;
  /** Submits a spec (the client adds this process's cwd and environment). Throws ValidationError-like ApiError on problems. */
  submit(spec: EvalSpec): Promise<SubmitResult>;
  stop(id: string): Promise<JobJson>;
  cancel(id: string): Promise<JobJson>;
  retry(id: string): Promise<SubmitResult>;
  remove(id: string): Promise<void>;
  result(id: string): Promise<ResultResponse>;
  /** The last `lines` lines of a job's log as the server reads them: redraws collapsed, ANSI stripped, secrets masked. */
  logTail(id: string, lines: number): Promise<string[]>;
  close(): void;
}

export interface BackendOptions {
  demo?: boolean;
  graceSeconds?: number;
  /** Environment sent with each submit (the server starts jobs from it). Default process.env. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Grace the server was told to use (LMMS_TUI_GRACE_MS), else the scheduler's default of 10 s. */
export function graceSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.LMMS_TUI_GRACE_MS);
  return Number.isFinite(ms) && ms >= 0 && env.LMMS_TUI_GRACE_MS !== undefined && env.LMMS_TUI_GRACE_MS !== '' ? ms / 1000 : 10;
}

export function backendFromClient(client: LmmsClient, opts: BackendOptions = {}): TuiBackend {
  const env = opts.env ?? process.env;
  return {
    demo: opts.demo ?? false,
    where: client.where,
    graceSeconds: opts.graceSeconds ?? graceSecondsFromEnv(env),
    health: () => client.health(),
    // Revealed over the owner's own connection: the TUI masks what it draws with the core rule itself
    // (src/core/redact.ts), and needs the literal values to mask them in the log it reads from disk.
    listJobs: async () => (await client.jobs({ reveal: true })).sort((a, b) => a.seq - b.seq),
    submit: async (spec) => {
      const r = await client.submit(spec, { cwd: opts.cwd ?? process.cwd(), env: stringEnv(env) });
      return { id: r.id, state: r.state, position: r.position };
    },
    stop: (id) => client.stop(id),
    cancel: (id) => client.cancel(id),
    retry: async (id) => {
      const r = await client.retry(id);
      return { id: r.id, state: r.state, position: r.position };
    },
    remove: async (id) => {
      await client.remove(id);
    },
    result: (id) => client.result(id),
    logTail: async (id, lines) => (await client.log(id, { tail: lines })).lines.map((l) => l.text),
    close: () => client.close(),
  };
}
