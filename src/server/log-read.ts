/**
 * Reading a job's output.log for the API. Positions are byte offsets into the file, which only ever grows
 * (the kernel appends), so a client that passes back `next_offset` gets exactly the lines that followed:
 * nothing lost, nothing twice, across reconnects and server restarts.
 */
import { open, stat } from 'node:fs/promises';
import { rethrowResource } from '../core/errors.js';
import { HttpError } from './http-errors.js';
import { stripAnsi } from '../core/logs/ansi.js';
import { readSince } from '../core/logs/read.js';
import { redactSecrets, specSecrets } from '../core/redact.js';
import { collapseCR } from '../core/logs/ring.js';
import type { JobRecord } from '../core/scheduler/types.js';
import type { LogLineJson, LogResponse } from '../client/types.js';

const BLOCK = 64 * 1024;
/** How far back `tail` looks for line starts; past it, the tail starts at the first line boundary found. */
const MAX_TAIL_SCAN = 16 * 1024 * 1024;

export interface TextOptions {
  ansi: boolean;
  /** Literal secret values of the job's environment, masked in every line. */
  secrets: readonly string[];
}

/** Secret values of the job: its captured environment, env lines, set-up exports and k=v fields (core rule). */
export function jobSecrets(job: JobRecord): string[] {
  return specSecrets(job.spec, job.env);
}

export function finishText(text: string, opts: TextOptions): string {
  return redactSecrets(text, opts.secrets);
}

/** The last line of a finished job's log when it has no trailing newline (a crash mid-line). */
export async function readRemainder(path: string, from: number, to: number, opts: TextOptions): Promise<LogLineJson | null> {
  if (to <= from) return null;
  const fh = await open(path, 'r');
  try {
    const len = Math.min(to - from, 4 * 1024 * 1024);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await fh.read(buf, 0, len, to - len);
    const raw = collapseCR(buf.toString('utf8', 0, bytesRead));
    return { offset: from, text: finishText(opts.ansi ? raw : stripAnsi(raw), opts) };
  } finally {
    await fh.close();
  }
}

/** Byte offset where the last `n` lines ending at `end` start. */
export async function tailStart(path: string, n: number, end: number): Promise<number> {
  if (n <= 0) return end;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return 0;
  }
  try {
    // The byte before `end` terminates the last line; newlines before it separate lines.
    let pos = end - 1;
    let found = 0;
    const buf = Buffer.allocUnsafe(BLOCK);
    while (pos > 0 && end - pos < MAX_TAIL_SCAN) {
      const len = Math.min(BLOCK, pos);
      const start = pos - len;
      const { bytesRead } = await fh.read(buf, 0, len, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (buf[i] === 0x0a && ++found === n) return start + i + 1;
      }
      pos = start;
    }
    if (pos <= 0) return 0;
    // Scanned too far: start at the next line boundary rather than mid-line.
    const { bytesRead } = await fh.read(buf, 0, BLOCK, pos);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    return nl >= 0 ? pos + nl + 1 : end;
  } finally {
    await fh.close();
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const fh = await open(path, 'r');
    try {
      return (await fh.stat()).size;
    } finally {
      await fh.close();
    }
  } catch {
    return 0;
  }
}

/**
 * `GET /log`: complete lines from `since` (default 0), or the last `tail` lines (after `since`), at most
 * about `maxBytes`. A finished job's unterminated last line is included, since nothing will complete it.
 */
export async function readLog(
  path: string,
  q: { tail?: number; since?: number; maxBytes: number; finished: boolean } & TextOptions,
): Promise<LogResponse> {
  const size = await fileSize(path);
  let from = Math.min(q.since ?? 0, size);
  if (q.tail !== undefined) {
    // For a finished job the unterminated last line counts as a line; for a running one it is not one yet.
    const end = q.finished ? size : await lastNewlineEnd(path, size);
    from = Math.max(from, await tailStart(path, q.tail, end));
  }
  const read = await readSince(path, from, q.maxBytes, { keepAnsi: q.ansi });
  const lines: LogLineJson[] = read.lines.map((l) => ({ offset: l.offset, text: finishText(l.text, q) }));
  let next = read.nextOffset;
  // Only when the read window covered the rest of the file is everything after `next` one unterminated line
  // (or when nothing complete came back at all, so the client is not left re-asking forever).
  if (q.finished && read.size > next && (read.size - from <= q.maxBytes || !read.lines.length)) {
    const last = await readRemainder(path, next, read.size, q);
    if (last) lines.push(last);
    next = read.size;
  }
  if (q.tail !== undefined && lines.length > q.tail) lines.splice(0, lines.length - q.tail);
  return { lines, next_offset: next, size: Math.max(size, read.size) };
}

/** Offset just after the last newline at or before `size` (0 when there is none). */
async function lastNewlineEnd(path: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const start = await tailStart(path, 1, size + 1);
  // tailStart(…, 1, size + 1) treats byte size as a terminator and returns the start of the unterminated part.
  return start;
}

/**
 * Refuses to read a log that should exist but does not (deleted under a job that ran) or cannot be read,
 * so a reader is told so instead of seeing an empty log and exit 0. A job that never ran (queued,
 * cancelled, failed to start) simply has no log yet: nothing to refuse.
 */
export async function assertLogReadable(job: JobRecord, path: string): Promise<void> {
  try {
    await (await open(path, 'r')).close();
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') rethrowResource(err, path);
  }
  if (job.pid === null) return;
  let dirGone = false;
  try {
    await stat(path.replace(/\/[^/]+$/, ''));
  } catch {
    dirGone = true;
  }
  throw new HttpError(
    410,
    'log_missing',
    `the log of job ${job.id} is missing: ${path} ${dirGone ? 'and its job directory were' : 'was'} deleted`,
    'nothing is left to show; the job record (lmms-tui show) and any results files are unaffected',
  );
}
