import { describe, expect, it } from 'vitest';
import { lazyBackend } from '../../src/ui/lazy-backend.js';
import { graceSecondsFromEnv } from '../../src/ui/backend.js';
import { fakeBackend } from './helpers/fake-backend.js';
import { ServerUnreachableError } from '../../src/client/errors.js';

describe('lazyBackend', () => {
  it('connects on first use, retries a failed connect only after retryMs, then keeps the connection', async () => {
    let attempts = 0;
    let fail = true;
    const real = fakeBackend([]);
    const b = lazyBackend(
      async () => {
        attempts++;
        if (fail) throw new Error('no server');
        return real;
      },
      { demo: true, graceSeconds: 10, where: '/state', retryMs: 60_000 },
    );
    expect(attempts).toBe(0);
    await expect(b.listJobs()).rejects.toThrow('no server');
    // Within retryMs the same error comes back without another connect (no server spawned in a loop).
    await expect(b.health()).rejects.toThrow('no server');
    expect(attempts).toBe(1);
    const quick = lazyBackend(
      async () => {
        attempts++;
        if (fail) throw new Error('no server');
        return real;
      },
      { demo: true, graceSeconds: 10, where: '/state', retryMs: 0 },
    );
    await expect(quick.listJobs()).rejects.toThrow();
    fail = false;
    await expect(quick.listJobs()).resolves.toEqual([]);
    await quick.health();
    expect(attempts).toBe(3);
    expect(quick.where).toBe('/tmp/fake.sock');
  });

  it('when the server goes away, connects again (starting one) and repeats only what cannot have reached it', async () => {
    const gone = (code: string) => new ServerUnreachableError(`cannot reach the lmms-tui server: ${code}`, undefined, Object.assign(new Error(code), { code }));
    const backends = [fakeBackend([]), fakeBackend([]), fakeBackend([])];
    let connects = 0;
    const b = lazyBackend(async () => backends[connects++]!, { demo: true, graceSeconds: 10, where: '/state', retryMs: 0 });
    await b.listJobs();
    // Nobody at the socket: the read is repeated on a fresh connection.
    backends[0]!.listJobs = async () => {
      throw gone('ENOENT');
    };
    await expect(b.listJobs()).resolves.toEqual([]);
    expect(connects).toBe(2);
    // A connection reset mid-request may have reached the server: a stop is not sent twice.
    let stops = 0;
    backends[1]!.stop = async () => {
      stops++;
      throw gone('ECONNRESET');
    };
    await expect(b.stop('x')).rejects.toThrow('ECONNRESET');
    expect(stops).toBe(1);
    // The broken connection is dropped all the same: the next call connects again.
    await b.health();
    expect(connects).toBe(3);
  });

  it('reads the stop grace from LMMS_TUI_GRACE_MS, else the scheduler default', () => {
    expect(graceSecondsFromEnv({ LMMS_TUI_GRACE_MS: '2500' })).toBe(2.5);
    expect(graceSecondsFromEnv({})).toBe(10);
  });
});
