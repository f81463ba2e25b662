/**
 * `GET /eval/{id}/stream` in the web UI's SSE framing: `data: {"type": "output", "line": …}` per log line,
 * then one of `done {exit_code}`, `stopped` or `error {message}`; no event names or ids.
 *
 * In the original, opening this stream is what launched the process, so a second viewer ran the job twice
 * and a closed tab orphaned it. Here the job is already queued by /eval/start and runs in the lmms-tui
 * server: the stream only attaches (from the first line of the log, so every viewer sees all of it), and
 * closing it leaves the job alone.
 */
import type { ServerResponse } from 'node:http';
import type { LmmsClient } from '../client/client.js';
import type { JobJson } from '../client/types.js';
import { stripAnsi } from '../core/logs/ansi.js';
import { parseProgress, type Progress } from '../core/logs/parse.js';
import { drainedOrClosed } from '../server/events.js';

const frame = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

/** The last event for a finished job, so the UI shows completed / error / stopped correctly. */
export function finalEvent(job: JobJson): Record<string, unknown> {
  if (job.state === 'stopped' || job.state === 'cancelled') return { type: 'stopped' };
  if (job.state === 'succeeded') return { type: 'done', exit_code: job.exit_code ?? 0 };
  // lmms-eval exits 0 on many failures: a `done` with exit code 0 would show as completed, so say why it failed.
  if (job.exit_code !== null && job.exit_code !== 0) return { type: 'done', exit_code: job.exit_code };
  return { type: 'error', message: job.error ?? 'the evaluation failed' };
}

/**
 * What the page cannot learn from the log alone, as output lines: a job waiting in the queue prints
 * nothing, and a stop in its grace period looks like a hang.
 */
export function stateLine(job: JobJson, now: number): string | null {
  if (job.state === 'queued') return `queued: waiting for a slot${job.position ? ` (position ${job.position} in the queue)` : ''}`;
  if (job.state === 'running' && job.stop_requested) {
    const at = job.stop_requested_at ? Date.parse(job.stop_requested_at) : Number.NaN;
    if (!Number.isFinite(at) || job.stop_grace_ms === null || job.stop_grace_ms === undefined) return 'stopping: SIGTERM sent';
    const left = Math.max(0, Math.ceil((at + job.stop_grace_ms - now) / 1000));
    return `stopping: SIGTERM sent, SIGKILL in ${left} s`;
  }
  return null;
}

/** A progress bar's current state as one tqdm-like line (`Model Responding:  45%| 450/1000 [00:10<00:12, 44.10it/s]`). */
export function progressLine(p: Progress): string {
  const pct = p.percent !== null ? `${String(Math.floor(p.percent)).padStart(3)}%|` : '';
  const count = p.total !== null ? `${p.n}/${p.total}` : `${p.n}`;
  const rate = p.rate !== null ? `${p.rate.toFixed(2)}${p.rateUnit ?? ''}` : `?${p.rateUnit ?? 'it/s'}`;
  return `${p.label ? `${p.label}: ` : ''}${pct} ${count} [${p.elapsed ?? '?'}<${p.eta ?? '?'}, ${rate}]`;
}

export interface StreamOptions {
  heartbeatMs: number;
  /** How often the current state of a `\r`-redrawn bar is printed while it changes. */
  progressMs?: number;
  headers?: Record<string, string | string[] | number | undefined>;
}

function openSse(res: ServerResponse, headers: StreamOptions['headers']): void {
  res.writeHead(200, {
    ...Object.fromEntries(Object.entries(headers ?? {}).filter(([, v]) => v !== undefined)),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
}

/**
 * The stream of a configuration /eval/start refused: each problem as an output line, then the page's
 * error event. The shipped page ignores the status of /eval/start and opens the stream of whatever
 * `job_id` came back; without this it asked for `/eval/undefined/stream` and showed "Connection error".
 */
export function streamRefusal(res: ServerResponse, lines: readonly string[], message: string, headers?: StreamOptions['headers']): void {
  openSse(res, headers);
  for (const line of lines) res.write(frame({ type: 'output', line }));
  res.end(frame({ type: 'error', message }));
}

export async function streamJob(client: LmmsClient, id: string, res: ServerResponse, opts: StreamOptions): Promise<void> {
  const abort = new AbortController();
  let closed = false;
  openSse(res, opts.headers);
  const onClose = () => {
    closed = true;
    abort.abort();
  };
  res.on('close', onClose);
  const drained = () => drainedOrClosed(res);
  const write = async (s: string) => {
    if (!closed && !res.write(s)) await drained();
  };
  // A comment line: EventSource ignores it, proxies see a live connection.
  const heartbeat = setInterval(() => void write(': ping\n\n'), opts.heartbeatMs);
  let lastState = '';
  let stopping: JobJson | null = null;
  let bar: Progress | null = null;
  let barShown = '';
  const say = (line: string | null) => {
    if (line === null || line === lastState) return;
    lastState = line;
    void write(frame({ type: 'output', line }));
  };
  // tqdm redraws its bar with `\r` and no newline, so the log has no line to send until the bar ends;
  // the bar's current state is printed every progressMs while it changes.
  const ticker = setInterval(() => {
    if (stopping) say(stateLine(stopping, Date.now()));
    // A finished bar's own line is about to arrive with the next lines.
    if (!bar || (bar.total !== null && bar.n >= bar.total)) return;
    const line = progressLine(bar);
    if (line === barShown) return;
    barShown = line;
    void write(frame({ type: 'output', line }));
  }, opts.progressMs ?? 2000);
  try {
    for await (const ev of client.followLog(id, { signal: abort.signal, ansi: true })) {
      if (closed) break;
      if (ev.type === 'lines') {
        // A finished bar's own line arrives here: what the ticker printed was its earlier state.
        bar = null;
        const last = ev.lines.at(-1);
        const p = last === undefined ? null : parseProgress(stripAnsi(last));
        if (p) barShown = progressLine(p);
        for (const line of ev.lines) await write(frame({ type: 'output', line: line.trimEnd() }));
      } else if (ev.type === 'progress') {
        // The server also reports the bar of the last whole line it sent; that one is already on the page.
        if (progressLine(ev.progress) !== barShown) bar = ev.progress;
      } else if (ev.type === 'state') {
        stopping = ev.job.state === 'running' && ev.job.stop_requested ? ev.job : null;
        say(stateLine(ev.job, Date.now()));
      } else if (ev.type === 'end') {
        await write(frame(finalEvent(ev.job)));
        break;
      }
    }
  } catch (err) {
    if (!closed) await write(frame({ type: 'error', message: (err as Error).message }));
  } finally {
    clearInterval(heartbeat);
    clearInterval(ticker);
    res.off('close', onClose);
    res.end();
  }
}
