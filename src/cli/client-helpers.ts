/**
 * Shared plumbing of the job commands: connecting (starting the server if needed), exit codes, error
 * output, and the small text formatters for tables.
 */
import type { Command } from 'commander';
import { formatError, formatProblems, UserError, ValidationError, type Problem } from '../core/errors.js';
import { ApiError, JobFailedError, ServerUnreachableError } from '../client/errors.js';
import { connect, type ConnectOptions } from '../client/connect.js';
import { formatDuration } from '../core/format.js';
import type { LmmsClient } from '../client/client.js';
import type { JobJson, JobState } from '../client/types.js';

export { formatDuration };

/** Exit codes: stable for scripts. */
export const EXIT = {
  ok: 0,
  /** The job failed, or the server refused the operation (wrong state). */
  failed: 1,
  /** Bad usage or invalid input (including an unknown or ambiguous job id). */
  usage: 2,
  /** No server could be reached (or started). */
  unreachable: 3,
  interrupted: 130,
} as const;

/** A bad command-line value (exit 2), as opposed to a refusal by the server (exit 1). */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'UsageError';
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof ServerUnreachableError) return EXIT.unreachable;
  if (err instanceof ValidationError || err instanceof UsageError) return EXIT.usage;
  if (err instanceof ApiError) return err.status === 404 || err.status === 400 || err.status === 422 || err.status === 413 ? EXIT.usage : EXIT.failed;
  if (err instanceof JobFailedError) return EXIT.failed;
  if ((err as { code?: string } | null)?.code?.startsWith?.('commander.')) return EXIT.usage;
  return EXIT.failed;
}

/** Problems one per line, with the CLI's names for fields (`spec.batch_size` is `--batch_size` to a CLI user). */
export { formatProblems };

export function reportError(err: unknown): void {
  const problems = err instanceof ValidationError || err instanceof ApiError ? err.problems : [];
  let text: string;
  if (problems.length) {
    const head = err instanceof ApiError ? err.message.split('\n')[0]!.replace(/:$/, '') : 'the spec is not valid';
    text = `${head}:\n${formatProblems(problems)}`;
  } else if (err instanceof JobFailedError) {
    text = err.message;
  } else {
    text = formatError(err);
  }
  process.stderr.write(`lmms-tui: ${text}\n`);
}

/**
 * Wraps a command action: errors become a message on stderr and an exit code, never a stack trace
 * (unless it is a bug). The action may return an exit code.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      reportError(err);
      process.exitCode = exitCodeFor(err);
    }
  };
}

/** Usage errors (unknown option, missing argument) exit 2 rather than commander's 1. */
export function usageExit(cmd: Command): Command {
  return cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
  });
}

/** A client of the user's server (started if needed); closed after `fn`. */
export async function withClient<T>(fn: (client: LmmsClient) => Promise<T>, opts: ConnectOptions = {}): Promise<T> {
  const client = await connect({ autoStart: true, ...opts });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** Writes to stdout honouring back-pressure; a closed pipe (`| head`) ends quietly. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.destroyed) return resolve();
    const ok = process.stdout.write(text, () => undefined);
    if (ok) resolve();
    else process.stdout.once('drain', resolve);
  });
}

let epipeGuard = false;
/** `lmms-tui logs x | head` closes our stdout early: exit quietly instead of crashing with EPIPE. */
export function guardEpipe(): void {
  if (epipeGuard) return;
  epipeGuard = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export function printJson(value: unknown): Promise<void> {
  return writeOut(`${JSON.stringify(value, null, 2)}\n`);
}

// ---- formatting ------------------------------------------------------------------------------------

const GLYPH: Record<JobState, string> = { queued: '◷', running: '▶', orphaned: '⚠', succeeded: '✓', failed: '✗', stopped: '■', cancelled: '⊘' };
const ASCII: Record<JobState, string> = { queued: '.', running: '>', orphaned: '!', succeeded: '+', failed: 'x', stopped: '#', cancelled: '-' };

function unicodeOk(): boolean {
  const lang = `${process.env.LC_ALL ?? ''}${process.env.LC_CTYPE ?? ''}${process.env.LANG ?? ''}`;
  return lang === '' || /utf-?8/i.test(lang);
}

export function stateLabel(state: JobState): string {
  return `${(unicodeOk() ? GLYPH : ASCII)[state]} ${state}`;
}


export function formatAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  return `${formatDuration(now - Date.parse(iso))} ago`;
}

/** Run time so far (running) or in total (finished); '-' before it started. */
export function elapsed(job: Pick<JobJson, 'started_at' | 'ended_at'>, now = Date.now()): string {
  if (!job.started_at) return '-';
  return formatDuration((job.ended_at ? Date.parse(job.ended_at) : now) - Date.parse(job.started_at));
}

function width(s: string): number {
  return [...s].length;
}

function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** A plain aligned table; the last column is clipped to the terminal width. */
export function table(headers: string[], rows: string[][], columns = process.stdout.columns || 120): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const used = widths.slice(0, -1).reduce((a, b) => a + b + 2, 0);
  const lastMax = Math.max(10, columns - used - 1);
  widths[widths.length - 1] = Math.min(widths.at(-1)!, lastMax);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const text = i === cells.length - 1 ? clip(c, widths[i]!) : c;
        return i === cells.length - 1 ? text : text + ' '.repeat(widths[i]! - width(text));
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
