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

export async function streamJob(
  client: LmmsClient,
  id: string,
  res: ServerResponse,
  opts: { heartbeatMs: number; headers?: Record<string, string | string[] | number | undefined> },
): Promise<void> {
  const abort = new AbortController();
  let closed = false;
  res.writeHead(200, {
    ...Object.fromEntries(Object.entries(opts.headers ?? {}).filter(([, v]) => v !== undefined)),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
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
  try {
    for await (const ev of client.followLog(id, { signal: abort.signal })) {
      if (closed) break;
      if (ev.type === 'lines') {
        for (const line of ev.lines) await write(frame({ type: 'output', line: line.trimEnd() }));
      } else if (ev.type === 'end') {
        await write(frame(finalEvent(ev.job)));
        break;
      }
    }
  } catch (err) {
    if (!closed) await write(frame({ type: 'error', message: (err as Error).message }));
  } finally {
    clearInterval(heartbeat);
    res.off('close', onClose);
    res.end();
  }
}
