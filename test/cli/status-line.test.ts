/** The status-bar line's counting and wording (the command itself is tested in test/server/status.test.ts). */
import { describe, expect, it } from 'vitest';
import { compactDuration, parseEta, renderStatus, summarize, unknownPlaceholders } from '../../src/cli/status-line.js';
import { parseProgress } from '../../src/core/logs/parse.js';
import { ASCII, UNICODE } from '../../src/ui/theme/glyphs.js';

const now = Date.parse('2026-12-04T12:00:00Z');
const ago = (min: number) => new Date(now - min * 60_000).toISOString();

describe('ETAs as the bars print them', () => {
  it('reads tqdm clocks and lmms-eval unit strings; unknown is null', () => {
    expect(parseEta('00:26')).toBe(26);
    expect(parseEta('12:34')).toBe(754);
    expect(parseEta('1:02:03')).toBe(3723);
    expect(parseEta('30m02s')).toBe(1802);
    expect(parseEta('1h02m')).toBe(3720);
    expect(parseEta('?')).toBeNull();
    expect(parseEta(null)).toBeNull();
    expect(parseEta('soon')).toBeNull();
  });

  it('shortens for a status bar', () => {
    expect(compactDuration(45)).toBe('45s');
    expect(compactDuration(754)).toBe('13m');
    expect(compactDuration(3723)).toBe('1h02m');
    expect(compactDuration(3 * 86400 + 4 * 3600)).toBe('3d04h');
  });
});

describe('summary', () => {
  const tq = (pct: number, eta: string) => parseProgress(`Model Responding:  ${pct}%|██   | ${pct}/100 [00:10<${eta},  3.33it/s]`);

  it('averages the running bars, takes the longest ETA, and counts only recent finishes', () => {
    const jobs = [
      { state: 'running' as const, ended_at: null },
      { state: 'running' as const, ended_at: null },
      { state: 'queued' as const, ended_at: null },
      { state: 'failed' as const, ended_at: ago(5) },
      { state: 'failed' as const, ended_at: ago(60 * 48) },
    ];
    const sum = summarize(jobs, [tq(40, '00:30'), tq(50, '12:00')], { now, sinceMs: 24 * 3600e3, source: 'server' });
    expect(sum.counts).toMatchObject({ running: 2, queued: 1, failed: 1 });
    expect(sum.percent).toBe(45);
    expect(sum.etaSeconds).toBe(720);
    expect(renderStatus(sum, UNICODE)).toBe('▶2 ◷1 ✗1 · 45% ETA 12m');
    expect(renderStatus(sum, ASCII)).toBe('>2 .1 x1 | 45% ETA 12m');
    expect(summarize(jobs, [], { now, sinceMs: Infinity, source: 'disk' }).counts.failed).toBe(2);
  });

  it('is "idle" with nothing to show, and says paused', () => {
    const idle = summarize([{ state: 'succeeded', ended_at: ago(1) }], [], { now, source: 'disk' });
    expect(renderStatus(idle, UNICODE)).toBe('idle');
    expect(renderStatus({ ...idle, paused: true }, UNICODE)).toBe('paused');
    const q = summarize([{ state: 'queued', ended_at: null }], [], { now, paused: true, source: 'server' });
    expect(renderStatus(q, UNICODE)).toBe('paused ◷1');
    expect(renderStatus(q, UNICODE, '{paused}|{queued}|{percent}|{eta}')).toBe('paused|1||');
  });

  it('names unknown placeholders', () => {
    expect(unknownPlaceholders('{running} {bogus} {eta} {x}')).toEqual(['bogus', 'x']);
    expect(unknownPlaceholders('plain {summary}')).toEqual([]);
  });
});
