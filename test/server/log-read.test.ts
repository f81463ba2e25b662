/** Byte-offset log reading for the API: pages, tails and the unterminated last line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLog, tailStart } from '../../src/server/log-read.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lmms-logread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const opts = { maxBytes: 1 << 20, ansi: false, secrets: [] as string[] };

describe('readLog', () => {
  const text = 'alpha\n\x1b[32mbeta\x1b[0m\nbar 10%\rbar 90%\ngamma\npartial';
  const p = file('a.log', text);

  it('gives complete lines with their byte offsets; the partial line only once the job has finished', async () => {
    const running = await readLog(p, { ...opts, finished: false });
    expect(running.lines).toEqual([
      { offset: 0, text: 'alpha' },
      { offset: 6, text: 'beta' },
      { offset: Buffer.byteLength('alpha\n\x1b[32mbeta\x1b[0m\n'), text: 'bar 90%' },
      { offset: text.indexOf('gamma'), text: 'gamma' },
    ]);
    expect(running.next_offset).toBe(text.indexOf('partial'));
    expect(running.size).toBe(text.length);
    const finished = await readLog(p, { ...opts, finished: true });
    expect(finished.lines.at(-1)).toEqual({ offset: text.indexOf('partial'), text: 'partial' });
    expect(finished.next_offset).toBe(text.length);
  });

  it('pages by max_bytes without losing or repeating lines', async () => {
    const seen: string[] = [];
    let since = 0;
    for (let i = 0; i < 50; i++) {
      const r = await readLog(p, { ...opts, maxBytes: 7, since, finished: true });
      seen.push(...r.lines.map((l) => l.text));
      if (r.next_offset === since) break;
      since = r.next_offset;
    }
    expect(seen).toEqual(['alpha', 'beta', 'bar 90%', 'gamma', 'partial']);
  });

  it('tails the last N lines, after `since` when both are given', async () => {
    expect((await readLog(p, { ...opts, tail: 2, finished: false })).lines.map((l) => l.text)).toEqual(['bar 90%', 'gamma']);
    expect((await readLog(p, { ...opts, tail: 2, finished: true })).lines.map((l) => l.text)).toEqual(['gamma', 'partial']);
    expect((await readLog(p, { ...opts, tail: 10, since: text.indexOf('gamma'), finished: false })).lines.map((l) => l.text)).toEqual(['gamma']);
    expect((await readLog(p, { ...opts, tail: 0, finished: false })).lines).toEqual([]);
  });

  it('handles a missing file and keeps ANSI on request', async () => {
    expect(await readLog(path.join(dir, 'none.log'), { ...opts, finished: false })).toEqual({ lines: [], next_offset: 0, size: 0 });
    const ansi = await readLog(p, { ...opts, ansi: true, finished: false });
    expect(ansi.lines[1]!.text).toBe('\x1b[32mbeta\x1b[0m');
  });

  it('masks secrets', async () => {
    const s = file('s.log', 'token=hf_abcdefghijklmnopqrstuvwxyz\nplain my-secret-value here\n');
    const r = await readLog(s, { ...opts, secrets: ['my-secret-value'], finished: true });
    expect(r.lines.map((l) => l.text).join('\n')).not.toMatch(/hf_abc|my-secret-value/);
  });
});

describe('tailStart', () => {
  it('finds where the last N lines start, scanning back across read blocks', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    const text = `${lines.join('\n')}\n`;
    const p = file('big.log', text);
    const start = await tailStart(p, 1234, Buffer.byteLength(text));
    expect(text.slice(start).split('\n').slice(0, -1)).toEqual(lines.slice(-1234));
    expect(await tailStart(p, 10_000, Buffer.byteLength(text))).toBe(0);
  });
});
