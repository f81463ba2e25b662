/**
 * A TuiBackend that is usable before the server answers: the first frame is drawn at once (the header
 * says "server connecting") while the client connects, starting the server if needed. A failed connect is
 * retried on a later call, at most every `retryMs`, so an unreachable server is not re-spawned in a loop.
 *
 * The server may also go away while the TUI is open (`lmms-tui server stop`, a crash, a new version): a
 * call that finds nobody at the socket drops the connection and connects again at once, which starts a new
 * server the way the CLI does (src/client/connect.ts), then repeats the call. Only requests that cannot
 * have reached the old server are repeated, so a submit or stop is never sent twice.
 */
import { isConnectionError } from '../client/errors.js';
import type { SubmitResult, TuiBackend } from './backend.js';

/** The request was refused before any byte reached a server (nothing listens there). */
function neverArrived(err: unknown): boolean {
  const e = err as { code?: unknown; original?: { code?: unknown } } | null;
  const code = e?.original?.code ?? e?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

export function lazyBackend(
  connect: () => Promise<TuiBackend>,
  info: { demo: boolean; graceSeconds: number; where: string; retryMs?: number },
): TuiBackend {
  let current: Promise<TuiBackend> | null = null;
  let resolved: TuiBackend | null = null;
  let failedAt = 0;
  let lastError: unknown = null;
  let closed = false;
  const retryMs = info.retryMs ?? 3000;
  const get = (): Promise<TuiBackend> => {
    // Closed (the TUI is quitting): a request still in flight must not start a server behind it.
    if (closed) return Promise.reject(new Error('the TUI has closed its server connection'));
    if (resolved) return Promise.resolve(resolved);
    if (!current) {
      if (lastError !== null && Date.now() - failedAt < retryMs) return Promise.reject(lastError);
      current = connect().then(
        (b) => {
          lastError = null;
          return (resolved = b);
        },
        (err: unknown) => {
          current = null;
          failedAt = Date.now();
          lastError = err;
          throw err;
        },
      );
    }
    return current;
  };
  /**
   * Runs `fn` on the connection; when the server has gone, forgets it and, for a request that is safe to
   * repeat (`idempotent`, or one that never arrived), connects again (starting a server) and repeats it once.
   */
  const call = async <T>(fn: (b: TuiBackend) => Promise<T>, idempotent: boolean): Promise<T> => {
    const b = await get();
    try {
      return await fn(b);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      if (resolved === b) {
        resolved = null;
        current = null;
        b.close();
      }
      if (!idempotent && !neverArrived(err)) throw err;
      return fn(await get());
    }
  };
  return {
    demo: info.demo,
    get where() {
      return resolved?.where ?? info.where;
    },
    graceSeconds: info.graceSeconds,
    health: () => call((b) => b.health(), true),
    listJobs: () => call((b) => b.listJobs(), true),
    submit: (spec): Promise<SubmitResult> => call((b) => b.submit(spec), false),
    stop: (id) => call((b) => b.stop(id), false),
    cancel: (id) => call((b) => b.cancel(id), false),
    retry: (id) => call((b) => b.retry(id), false),
    remove: (id) => call((b) => b.remove(id), false),
    result: (id) => call((b) => b.result(id), true),
    logTail: (id, lines) => call((b) => b.logTail(id, lines), true),
    close: () => {
      closed = true;
      resolved?.close();
      void current?.then((b) => b.close(), () => undefined);
    },
  };
}
