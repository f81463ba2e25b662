import { describe, expect, it } from 'vitest';
import { collapseCR, compactPartial, LogRing } from '../../src/core/logs/ring.js';

describe('LogRing', () => {
  it('numbers lines from 1 and slices half-open ranges', () => {
    const ring = new LogRing();
    for (const t of ['a', 'b', 'c', 'd']) ring.push(t);
    expect(ring.totalLines).toBe(4);
    expect(ring.slice(2, 4).map((l) => [l.no, l.text])).toEqual([
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(ring.slice(0).map((l) => l.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(ring.tail(2).map((l) => l.text)).toEqual(['c', 'd']);
    expect(ring.get(4)?.text).toBe('d');
    expect(ring.get(5)).toBeUndefined();
  });

  it('keeps only the newest `capacity` lines while numbering keeps climbing', () => {
    const ring = new LogRing({ capacity: 3 });
    for (let i = 1; i <= 10; i++) ring.push(`line ${i}`);
    expect(ring.size).toBe(3);
    expect(ring.totalLines).toBe(10);
    expect(ring.firstLineNo).toBe(8);
    expect(ring.slice(1, 100).map((l) => l.no)).toEqual([8, 9, 10]);
    expect(ring.get(7)).toBeUndefined();
    expect(ring.get(8)?.text).toBe('line 8');
  });

  it('bumps version on every change and not on a no-op partial', () => {
    const ring = new LogRing();
    const v0 = ring.version;
    ring.push('x');
    expect(ring.version).toBe(v0 + 1);
    expect(ring.setPartial('bar 1')).toBe(true);
    const v2 = ring.version;
    expect(ring.setPartial('bar 1')).toBe(false);
    expect(ring.version).toBe(v2);
    ring.clear();
    expect(ring.version).toBe(v2 + 1);
    expect(ring.size).toBe(0);
  });

  it('shows only the latest redraw of a `\\r` progress bar as the partial line', () => {
    const ring = new LogRing();
    ring.write('\rModel Responding:   0%|          | 0/4 [00:00<?, ?it/s]');
    ring.write('\rModel Responding:  50%|█████     | 2/4 [00:01<00:01,  2.00it/s]');
    expect(ring.partial).toBe('Model Responding:  50%|█████     | 2/4 [00:01<00:01,  2.00it/s]');
    expect(ring.totalLines).toBe(0);
  });

  it('stores a completed line of redraws as its last segment only, so bars never fill the ring', () => {
    const ring = new LogRing({ capacity: 5 });
    for (let i = 0; i <= 1000; i++) ring.write(`\rbar ${i}/1000`);
    ring.write('\nnext line\n');
    expect(ring.slice(1).map((l) => l.text)).toEqual(['bar 1000/1000', 'next line']);
    expect(ring.partial).toBe('');
    expect(ring.push('a\rb\rc').text).toBe('c');
  });

  it('strips ANSI by default, keeps it on request, and reads levels either way', () => {
    const line = '\x1b[32m2026-11-22 10:06:37\x1b[0m | \x1b[1mWARNING \x1b[0m | m:f:1 - careful';
    expect(new LogRing().push(line)).toMatchObject({ text: '2026-11-22 10:06:37 | WARNING  | m:f:1 - careful', level: 'WARNING' });
    expect(new LogRing({ keepAnsi: true }).push(line)).toMatchObject({ text: line, level: 'WARNING' });
  });

  it('write() assigns byte offsets that count multi-byte characters', () => {
    const ring = new LogRing();
    ring.write('héllo\nwörld\n', 10);
    expect(ring.slice(1).map((l) => l.offset)).toEqual([10, 17]);
  });

  it('rejects a nonsensical capacity', () => {
    expect(() => new LogRing({ capacity: 0 })).toThrow(RangeError);
  });
});

describe('collapseCR / compactPartial', () => {
  it('keeps the last non-blank segment (CRLF endings and cleared bars)', () => {
    expect(collapseCR('text\r')).toBe('text');
    expect(collapseCR('\rbar 9\r      \r')).toBe('bar 9');
    expect(collapseCR('no carriage return')).toBe('no carriage return');
  });
  it('bounds an endless redraw line without changing what it shows', () => {
    let s = '';
    for (let i = 0; i < 5000; i++) s = compactPartial(`${s}\rModel Responding: ${i}/5000`, 200);
    expect(s.length).toBeLessThanOrEqual(201);
    expect(collapseCR(s)).toBe('Model Responding: 4999/5000');
    expect(compactPartial('x'.repeat(500), 100)).toBe(`…${'x'.repeat(100)}`);
  });
});
