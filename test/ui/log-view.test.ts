import { describe, expect, it } from 'vitest';
import { LogRing } from '../../src/core/logs/ring.js';
import { bottomTop, createLogViewStore, findMatch, visibleLines } from '../../src/state/log-view.js';

function ringOf(n: number): LogRing {
  const r = new LogRing({ capacity: 50 });
  for (let i = 1; i <= n; i++) r.push(`line ${i}${i % 10 === 0 ? ' ERROR boom' : ''}`);
  return r;
}

describe('log view follow / pause', () => {
  it('follows by default, pauses on scroll up, counts new lines, resumes at the bottom', () => {
    const v = createLogViewStore();
    v.getState().tick(1, 30, 1);
    expect(v.getState().follow).toBe(true);
    v.getState().scroll(-3, 10);
    expect(v.getState()).toMatchObject({ follow: false, top: bottomTop(30, 1, 10) - 3, pausedAt: 30 });
    v.getState().tick(2, 45, 1);
    // Paused: the view stays where it was while lines arrive.
    expect(v.getState().top).toBe(18);
    expect(v.getState().lineCount - v.getState().pausedAt).toBe(15);
    v.getState().scroll(100, 10);
    expect(v.getState().follow).toBe(true);
  });

  it('G resumes; g goes to the oldest line held; a paused top never points at dropped lines', () => {
    const v = createLogViewStore();
    v.getState().tick(1, 100, 51);
    v.getState().toTop();
    expect(v.getState()).toMatchObject({ follow: false, top: 51 });
    v.getState().tick(2, 120, 71);
    expect(v.getState().top).toBe(71);
    v.getState().resume();
    expect(v.getState().follow).toBe(true);
  });
});

describe('findMatch and visibleLines', () => {
  it('finds the next and previous matching line, wrapping around', () => {
    const r = ringOf(30);
    expect(findMatch(r, 'error', 31, -1)).toBe(30);
    expect(findMatch(r, 'error', 30, -1)).toBe(20);
    expect(findMatch(r, 'ERROR', 30, 1)).toBe(10);
    expect(findMatch(r, 'nope', 1, 1)).toBeNull();
  });

  it('shows the newest lines when following, and fills rows with wrapped lines', () => {
    const r = ringOf(30);
    expect(visibleLines(r, { follow: true, top: 1, wrap: false }, 5, () => 1).map((l) => l.no)).toEqual([26, 27, 28, 29, 30]);
    expect(visibleLines(r, { follow: false, top: 3, wrap: false }, 2, () => 1).map((l) => l.no)).toEqual([3, 4]);
    expect(visibleLines(r, { follow: true, top: 1, wrap: true }, 5, () => 2).map((l) => l.no)).toEqual([28, 29, 30]);
  });
});

describe('LogFeed commit rate', () => {
  it('commits every tick normally, but at most every slowTickMs when flooding or unfocused', async () => {
    const { LogFeed } = await import('../../src/state/log-feed.js');
    const { mkdtempSync, writeFileSync, appendFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'feed-')), 'output.log');
    writeFileSync(file, 'a\n');
    const view = createLogViewStore();
    const feed = new LogFeed(view, { tickMs: 1_000_000, slowTickMs: 200, floodLines: 50 });
    feed.follow('j1', file);
    // Reads the file without committing (drain() would force a commit); ticks use a fake clock.
    const read = (): Promise<void> => (feed as unknown as { tailer: { readToEnd(): Promise<void> } }).tailer.readToEnd();
    let t = 10_000;
    await read();
    feed.tick(false, t);
    expect(view.getState().lineCount).toBe(1);
    // A few lines: committed on the next tick.
    appendFileSync(file, 'b\nc\n');
    await read();
    feed.tick(false, (t += 80));
    expect(view.getState().lineCount).toBe(3);
    // A flood: the next commit waits for the slow interval.
    appendFileSync(file, Array.from({ length: 100 }, (_, i) => `x${i}`).join('\n') + '\n');
    await read();
    feed.tick(false, (t += 50));
    expect(view.getState().lineCount).toBe(3);
    feed.tick(false, (t += 200));
    expect(view.getState().lineCount).toBe(103);
    // Unfocused: slow too, even for one line.
    feed.setFocused(false);
    appendFileSync(file, 'y\n');
    await read();
    feed.tick(false, (t += 50));
    expect(view.getState().lineCount).toBe(103);
    feed.tick(false, (t += 200));
    expect(view.getState().lineCount).toBe(104);
    feed.close();
  });
});
