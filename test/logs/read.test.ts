import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readSince, readTail } from '../../src/core/logs/read.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const file = (name: string, content: string | Buffer) => {
  const p = tmp.file(name);
  writeFileSync(p, content);
  return p;
};

describe('readTail', () => {
  it('returns the last n complete lines of a big file', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `2026-08-21:19:56:54 INFO     [x:1] line ${i} ✓`);
    const p = file('big.log', `${lines.join('\n')}\n`);
    expect(await readTail(p, 3)).toEqual(lines.slice(-3));
    expect(await readTail(p, 2000)).toEqual(lines.slice(-2000));
  });

  it('leaves out the unfinished last line unless asked, and collapses redraws and ANSI', async () => {
    const p = file('bar.log', 'first\n\x1b[31msecond\x1b[0m\n\rbar 1/4\rbar 2/4');
    expect(await readTail(p, 5)).toEqual(['first', 'second']);
    expect(await readTail(p, 2, { includePartial: true })).toEqual(['second', 'bar 2/4']);
  });

  it('keeps the latest redraw of a line longer than it is willing to read', async () => {
    let bar = '';
    for (let i = 0; i <= 20_000; i++) bar += `\rModel Responding: ${i}/20000`;
    const p = file('longbar.log', `start\n${bar}\nError during evaluation: boom\n`);
    expect(await readTail(p, 2, { maxBytes: 64 * 1024 })).toEqual(['Model Responding: 20000/20000', 'Error during evaluation: boom']);
  });

  it('gives [] for a missing file and for n = 0', async () => {
    expect(await readTail(tmp.file('nope.log'), 10)).toEqual([]);
    expect(await readTail(file('x.log', 'a\n'), 0)).toEqual([]);
  });
});

describe('readSince', () => {
  it('returns complete lines with their offsets and where to continue', async () => {
    const p = file('s.log', 'héllo\nworld\npartial');
    const r1 = await readSince(p, 0);
    expect(r1.lines).toEqual([
      { offset: 0, text: 'héllo', level: null },
      { offset: 7, text: 'world', level: null },
    ]);
    expect(r1.nextOffset).toBe(13);
    expect(await readSince(p, r1.nextOffset)).toMatchObject({ lines: [], nextOffset: 13 });
  });

  it('stops at the last newline that fits in maxBytes', async () => {
    const p = file('m.log', 'aaaa\nbbbb\ncccc\n');
    const r = await readSince(p, 0, 12);
    expect(r.lines.map((l) => l.text)).toEqual(['aaaa', 'bbbb']);
    expect(r.nextOffset).toBe(10);
    const r2 = await readSince(p, r.nextOffset, 12);
    expect(r2.lines.map((l) => l.text)).toEqual(['cccc']);
  });

  it('still makes progress past a line longer than maxBytes once it is complete', async () => {
    let bar = '';
    for (let i = 0; i <= 3000; i++) bar += `\rbar ${i}/3000`;
    const p = file('l.log', `${bar}\nnext\n`);
    const r = await readSince(p, 0, 100);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]?.text).toBe('bar 3000/3000');
    expect(r.nextOffset).toBe(Buffer.byteLength(bar) + 1);
    expect((await readSince(p, r.nextOffset, 100)).lines.map((l) => l.text)).toEqual(['next']);
    const unfinished = file('u.log', 'x'.repeat(500));
    expect(await readSince(unfinished, 0, 100)).toMatchObject({ lines: [], nextOffset: 0 });
  });

  it('marks levels and reports a missing file as empty', async () => {
    const p = file('lv.log', '2026-08-21:19:56:54 ERROR    [x:1] boom\n');
    expect((await readSince(p, 0)).lines[0]?.level).toBe('ERROR');
    expect(await readSince(tmp.file('none.log'), 5)).toEqual({ lines: [], nextOffset: 5, size: 0 });
  });
});
