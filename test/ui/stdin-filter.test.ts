import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { FilteredStdin, tokenizeKeys } from '../../src/ui/input/stdin-filter.js';

function filter(): { f: FilteredStdin; pastes: string[]; keys(): string[]; settle(): Promise<void> } {
  const src = Object.assign(new EventEmitter(), { read: () => null });
  const pastes: string[] = [];
  const f = new FilteredStdin(src, (t) => pastes.push(t));
  const collected: string[] = [];
  f.on('readable', () => {
    for (let c = f.read(); c !== null; c = f.read()) collected.push(c);
  });
  return {
    f,
    pastes,
    // Tokens are served one per turn: collect them the way Ink does, on each 'readable'.
    keys() {
      return collected;
    },
    async settle() {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    },
  };
}

describe('tokenizeKeys', () => {
  it('splits a typed burst into keys and keeps escape sequences whole', () => {
    expect(tokenizeKeys('jj\x1b[Aq\x1b[5~\x1bOBé😀\r')).toEqual(['j', 'j', '\x1b[A', 'q', '\x1b[5~', '\x1bOB', 'é', '😀', '\r']);
    expect(tokenizeKeys('\x1b')).toEqual(['\x1b']);
    expect(tokenizeKeys('\x1b\x1b[A')).toEqual(['\x1b\x1b[A']);
    expect(tokenizeKeys('\x1b[1;5A')).toEqual(['\x1b[1;5A']);
  });
});

describe('FilteredStdin', () => {
  it('takes a bracketed paste out of the key stream', async () => {
    const t = filter();
    t.f.feed('a\x1b[200~qSq\r\nline2\x1b[201~b');
    await t.settle();
    expect(t.pastes).toEqual(['qSq\nline2']);
    expect(t.keys()).toEqual(['a', 'b']);
  });

  it('reassembles a paste and its markers split across reads', async () => {
    const t = filter();
    for (const chunk of ['x\x1b[2', '00~hel', 'lo\x1b[20', '1~y']) t.f.feed(chunk);
    await t.settle();
    expect(t.pastes).toEqual(['hello']);
    expect(t.keys()).toEqual(['x', 'y']);
  });

  it('passes a lone Escape through at once (it is a key, not half a marker)', async () => {
    const t = filter();
    t.f.feed('\x1b');
    await t.settle();
    expect(t.keys()).toEqual(['\x1b']);
  });
});

describe('one key per turn', () => {
  it('serves a burst one token per read turn, so each key is handled after the previous render', async () => {
    const t = filter();
    const turns: string[][] = [];
    let current: string[] = [];
    t.f.on('readable', () => {
      current = [];
      turns.push(current);
    });
    t.f.feed('abc');
    await t.settle();
    expect(t.keys()).toEqual(['a', 'b', 'c']);
    expect(turns.length).toBe(3);
  });
});
