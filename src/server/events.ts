/**
 * `GET /jobs/:id/events`: a job's log and state as server-sent events. Every `lines` event carries the byte
 * offset after its last line as its SSE id, so a client that reconnects with `Last-Event-ID` (or `?since=`)
 * continues exactly where it stopped. The stream ends with `end` once the job has finished and every byte
 * of its log has been sent. Writes respect back-pressure, so a job printing faster than the client reads
 * costs the server one batch of memory, not the backlog.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { parseProgress, type Progress } from '../core/logs/parse.js';
import { readSince } from '../core/logs/read.js';
import { isFinished, type JobRecord } from '../core/scheduler/types.js';
import { jobJson, type JobJsonOptions, type ServerContext } from './context.js';
import { finishText, jobSecrets, readRemainder, type TextOptions } from './log-read.js';

/** Resolves the pending wait early (file changed, job changed, client gone). */
class Waker {
  private fire: (() => void) | null = null;
  wake(): void {
    const f = this.fire;
    this.fire = null;
    f?.();
  }
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => this.wake(), ms);
      this.fire = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

function frame(event: string, data: unknown, id?: number): string {
  return `event: ${event}\n${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/** The bar being redrawn on the unfinished last line, if any (tqdm writes `\r<bar>` without a newline). */
async function partialProgress(path: string, from: number, size: number): Promise<Progress | null> {
  const len = Math.min(size - from, 4096);
  if (len <= 0) return null;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await fh.read(buf, 0, len, size - len);
    const segments = buf.toString('utf8', 0, bytesRead).split('\r');
    // The very last segment may be half-written; the one before it is whole.
    for (let i = segments.length - 1; i >= Math.max(0, segments.length - 3); i--) {
      const p = parseProgress(segments[i] ?? '');
      if (p) return p;
    }
    return null;
  } finally {
    await fh.close();
  }
}

function lineProgress(lines: readonly string[]): Progress | null {
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 20); i--) {
    const p = parseProgress(lines[i]!);
    if (p) return p;
  }
  return null;
}

/** Resolves when a response that refused a write can take more, or has closed. */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export async function streamEvents(ctx: ServerContext, job: JobRecord, since: number, ansi: boolean, res: ServerResponse, shown: JobJsonOptions = {}): Promise<void> {
  const { scheduler, timings } = ctx;
  const logPath = scheduler.store.logPath(job.id);
  const text: TextOptions = { ansi, secrets: jobSecrets(job) };
  const waker = new Waker();
  let closed = false;
  let removed = false;
  let offset = since;
  let lastProgress = '';
  let watcher: FSWatcher | null = null;

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const write = (s: string): boolean => (closed ? true : res.write(s));
  const onClose = () => {
    closed = true;
    waker.wake();
  };
  // The response's close (not the request's: that fires once the request body is read) means the client left.
  res.on('close', onClose);
  const onJob = (j: JobRecord) => {
    if (j.id !== job.id) return;
    write(frame('state', jobJson(ctx, j, undefined, shown)));
    waker.wake();
  };
  const onRemoved = (id: string) => {
    if (id !== job.id) return;
    removed = true;
    waker.wake();
  };
  scheduler.on('job', onJob);
  scheduler.on('removed', onRemoved);
  const heartbeat = setInterval(() => write(': ping\n\n'), timings.heartbeatMs);
  const sendProgress = (p: Progress | null) => {
    if (!p) return;
    const key = JSON.stringify(p);
    if (key === lastProgress) return;
    lastProgress = key;
    write(frame('progress', p));
  };
  const drained = () => drainedOrClosed(res);

  try {
    write(`retry: 1000\n${frame('state', jobJson(ctx, job, undefined, shown))}`);
    while (!closed) {
      if (!watcher) {
        try {
          watcher = watch(logPath, { persistent: false }, () => waker.wake());
          watcher.on('error', () => undefined);
        } catch {
          /* not created yet (queued job): the poll covers it */
        }
      }
      // Read the state before the file: once finished, the job's process group is gone, so this read
      // and the ones after it see the log's final size.
      const finished = isFinished(job.state) || removed;
      const read = await readSince(logPath, offset, timings.maxBatchBytes, { keepAnsi: ansi });
      if (read.lines.length) {
        const lines = read.lines.map((l) => finishText(l.text, text));
        const ok = write(frame('lines', { offset, lines, next_offset: read.nextOffset }, read.nextOffset));
        offset = read.nextOffset;
        sendProgress(lineProgress(lines));
        if (!ok) await drained();
        continue;
      }
      if (finished) {
        const last = await readRemainder(logPath, offset, read.size, text);
        if (last) {
          write(frame('lines', { offset, lines: [last.text], next_offset: read.size }, read.size));
          offset = read.size;
        }
        write(frame('end', { job: jobJson(ctx, job, undefined, shown), next_offset: offset }, offset));
        break;
      }
      if (read.size > offset) sendProgress(await partialProgress(logPath, offset, read.size));
      await waker.wait(timings.pollMs);
    }
  } catch (err) {
    ctx.log(`event stream for ${job.id} failed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    clearInterval(heartbeat);
    watcher?.close();
    scheduler.off('job', onJob);
    scheduler.off('removed', onRemoved);
    res.off('close', onClose);
    res.end();
  }
}
