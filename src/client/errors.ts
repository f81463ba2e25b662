import { UserError, type Problem } from '../core/errors.js';
import type { JobJson } from './types.js';

/** The server answered with an error (`{error: {code, message, hint, problems}}`). */
export class ApiError extends UserError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    hint?: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(problems.length ? `${message}:\n${problems.map((p) => `  ${p.field}: ${p.message} — ${p.fix}`).join('\n')}` : message, hint);
    this.name = 'ApiError';
  }
}

/** Nothing answers at the socket or URL (or the connection broke). */
export class ServerUnreachableError extends UserError {
  constructor(message: string, hint?: string, readonly original?: unknown) {
    super(message, hint);
    this.name = 'ServerUnreachableError';
  }
}

/** waitForJob: the job ended failed, stopped or cancelled. */
export class JobFailedError extends Error {
  constructor(readonly job: JobJson) {
    super(`job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}`);
    this.name = 'JobFailedError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ENOTSOCK', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

export function isConnectionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return err instanceof ServerUnreachableError || (typeof code === 'string' && CONNECTION_CODES.has(code));
}
