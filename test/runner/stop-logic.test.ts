// The escalation logic of stopGroup against a scripted fake group, driven by vitest's fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stopGroupWith, type GroupOps, type StopResult } from '../../src/core/runner/index.js';

/** A fake process group: `diesOn` says which signal makes it exit (after `exitDelayMs`), null: it never dies. */
function fakeGroup(diesOn: 'SIGTERM' | 'SIGKILL' | null, exitDelayMs = 0) {
  const sent: { signal: string; at: number }[] = [];
  let alive = true;
  const ops: GroupOps = {
    kill(_pgid, signal) {
      if (!alive) return false;
      sent.push({ signal, at: Date.now() });
      if (signal === diesOn || (signal === 'SIGKILL' && diesOn !== null)) setTimeout(() => (alive = false), exitDelayMs);
      return true;
    },
    members: () => (alive ? [101, 102] : []),
  };
  return { ops, sent, kill: () => (alive = false) };
}

/** Starts a stop and records when (fake time) it settled. */
function start(ops: GroupOps, opts: Parameters<typeof stopGroupWith>[2]) {
  const t0 = Date.now();
  const state: { result?: StopResult; after?: number } = {};
  void stopGroupWith(ops, 100, opts).then((r) => {
    state.result = r;
    state.after = Date.now() - t0;
  });
  return state;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('stopGroupWith (escalation)', () => {
  it('sends SIGKILL exactly graceMs after SIGTERM when the group ignores SIGTERM', async () => {
    const g = fakeGroup('SIGKILL');
    const t0 = Date.now();
    const s = start(g.ops, { graceMs: 1000, pollMs: 30 });
    await vi.advanceTimersByTimeAsync(999);
    expect(g.sent.map((x) => x.signal)).toEqual(['SIGTERM']);
    expect(s.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(g.sent).toEqual([
      { signal: 'SIGTERM', at: t0 },
      { signal: 'SIGKILL', at: t0 + 1000 },
    ]);
    await vi.advanceTimersByTimeAsync(30);
    expect(s.result).toEqual({ signal: 'SIGKILL' });
  });

  it('never sends SIGKILL when the group exits within the grace period', async () => {
    const g = fakeGroup('SIGTERM', 400);
    const s = start(g.ops, { graceMs: 1000, pollMs: 50 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(g.sent.map((x) => x.signal)).toEqual(['SIGTERM']);
    expect(s.result).toEqual({ signal: 'SIGTERM' });
    // Noticed at the first poll after the exit (within one poll interval), not at the end of the grace period.
    expect(s.after).toBeGreaterThanOrEqual(400);
    expect(s.after).toBeLessThanOrEqual(450);
  });

  it('uses a 10 s grace period by default', async () => {
    const g = fakeGroup('SIGKILL');
    start(g.ops, {});
    await vi.advanceTimersByTimeAsync(9_999);
    expect(g.sent.map((x) => x.signal)).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.sent.map((x) => x.signal)).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('sends nothing and reports null when the group is already gone', async () => {
    const g = fakeGroup('SIGTERM');
    g.kill();
    const s = start(g.ops, { graceMs: 100 });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.result).toEqual({ signal: null });
    expect(g.sent).toEqual([]);
  });

  it('reports SIGTERM when the group vanishes just before the SIGKILL', async () => {
    const members = [7];
    const sent: string[] = [];
    // kill() answers ESRCH for SIGKILL: the last member exited between the final poll and the SIGKILL.
    const ops: GroupOps = { kill: (_p, signal) => (sent.push(signal), signal === 'SIGTERM'), members: () => members };
    const s = start(ops, { graceMs: 200, pollMs: 50 });
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toEqual(['SIGTERM', 'SIGKILL']);
    expect(s.result).toEqual({ signal: 'SIGTERM' });
  });

  it('gives up after killWaitMs and names the processes SIGKILL could not remove', async () => {
    const g = fakeGroup(null);
    const s = start(g.ops, { graceMs: 100, pollMs: 10, killWaitMs: 500 });
    await vi.advanceTimersByTimeAsync(599);
    expect(s.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(s.result).toEqual({ signal: 'SIGKILL', remaining: [101, 102] });
  });

  it('re-sends SIGKILL while processes remain, so one that appeared after the first SIGKILL gets it too', async () => {
    // A process forked between the sweep and the signal: the first SIGKILL misses it, the next look finds it.
    let members = [1, 2];
    const sent: { signal: string; at: number }[] = [];
    const ops: GroupOps = {
      kill(_p, signal) {
        sent.push({ signal, at: Date.now() });
        if (signal === 'SIGKILL') members = sent.filter((x) => x.signal === 'SIGKILL').length === 1 ? [3] : [];
        return true;
      },
      members: () => members,
    };
    const t0 = Date.now();
    const s = start(ops, { graceMs: 100, pollMs: 10, killWaitMs: 1000 });
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((x) => x.signal)).toEqual(['SIGTERM', 'SIGKILL', 'SIGKILL']);
    expect(sent[1]!.at).toBe(t0 + 100);
    expect(s.result).toEqual({ signal: 'SIGKILL' });
  });

  it('works with an injected clock instead of timers', async () => {
    vi.useRealTimers();
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const sent: { signal: string; at: number }[] = [];
    const ops: GroupOps = {
      kill: (_p, signal) => (sent.push({ signal, at: now }), true),
      members: () => (sent.some((x) => x.signal === 'SIGKILL') ? [] : [1]),
    };
    expect(await stopGroupWith(ops, 1, { graceMs: 250, pollMs: 100, clock })).toEqual({ signal: 'SIGKILL' });
    expect(sent).toEqual([
      { signal: 'SIGTERM', at: 0 },
      { signal: 'SIGKILL', at: 250 },
    ]);
  });
});
