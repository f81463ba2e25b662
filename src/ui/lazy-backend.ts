/**
 * A TuiBackend that is usable before the server answers: the first frame is drawn at once (the header
 * says "server connecting") while the client connects, starting the server if needed. A failed connect is
 * retried on a later call, at most every `retryMs`, so an unreachable server is not re-spawned in a loop.
 */
import type { SubmitResult, TuiBackend } from './backend.js';

export function lazyBackend(
  connect: () => Promise<TuiBackend>,
  info: { demo: boolean; graceSeconds: number; where: string; retryMs?: number },
): TuiBackend {
  let current: Promise<TuiBackend> | null = null;
  let resolved: TuiBackend | null = null;
  let failedAt = 0;
  let lastError: unknown = null;
  const retryMs = info.retryMs ?? 3000;
  const get = (): Promise<TuiBackend> => {
    if (resolved) return Promise.resolve(resolved);
    if (!current) {
      if (lastError !== null && Date.now() - failedAt < retryMs) return Promise.reject(lastError);
      current = connect().then(
        (b) => (resolved = b),
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
  return {
    demo: info.demo,
    get where() {
      return resolved?.where ?? info.where;
    },
    graceSeconds: info.graceSeconds,
    health: async () => (await get()).health(),
    listJobs: async () => (await get()).listJobs(),
    submit: async (spec): Promise<SubmitResult> => (await get()).submit(spec),
    stop: async (id) => (await get()).stop(id),
    cancel: async (id) => (await get()).cancel(id),
    retry: async (id) => (await get()).retry(id),
    remove: async (id) => (await get()).remove(id),
    result: async (id) => (await get()).result(id),
    logTail: async (id, lines) => (await get()).logTail(id, lines),
    close: () => {
      resolved?.close();
      void current?.then((b) => b.close(), () => undefined);
    },
  };
}
