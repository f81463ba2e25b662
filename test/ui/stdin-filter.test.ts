import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { FilteredStdin, tokenizeKeys, UNBRACKETED_PASTE_QUIET_MS } from '../../src/ui/input/stdin-filter.js';

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

describe('escape sequences that are not keys', () => {
  it('drops colour codes, cursor reports and OSC strings typed without bracketed paste, keeping the text', async () => {
    const t = filter();
    t.f.feed('\x1b[31mred\x1b[0m \x1b[38;5;196mx\x1b[1;31m\x1b[?25h\x1b]8;;http://h/\x07link\x1b]8;;\x1b\\\x1b[A');
    await t.settle();
    expect(t.keys().join('')).toBe('red xlink\x1b[A');
    expect(t.pastes).toEqual([]);
  });

  it('holds a sequence split across reads and drops one that never completes', async () => {
    const t = filter();
    t.f.feed('a\x1b[3');
    t.f.feed('1mb\x1b[');
    await t.settle();
    expect(t.keys()).toEqual(['a', 'b']);
    await new Promise((r) => setTimeout(r, 60));
    t.f.feed('c');
    await t.settle();
    expect(t.keys()).toEqual(['a', 'b', 'c']);
  });

  it('strips escapes from a bracketed paste and keeps the text', async () => {
    const t = filter();
    t.f.feed('\x1b[200~\x1b[1;32mok\x1b[0m\tdone\x1b]0;title\x07\r\nnext\x1b[201~');
    await t.settle();
    expect(t.pastes).toEqual(['ok\tdone\nnext']);
  });

  it('takes a burst too long to be typing as one paste, with the reads that follow it closely', async () => {
    const t = filter();
    const long = 'x'.repeat(200);
    t.f.feed('a');
    t.f.feed(`\x1b[31m${long}`);
    // The pty's last read of the same paste can be short: it still belongs to it.
    t.f.feed('\x1b[0mtail\r');
    await t.settle();
    expect(t.pastes).toEqual([]);
    await new Promise((r) => setTimeout(r, UNBRACKETED_PASTE_QUIET_MS * 3));
    t.f.feed('b');
    await t.settle();
    expect(t.pastes).toEqual([`${long}tail\n`]);
    expect(t.keys()).toEqual(['a', 'b']);
  });
});

describe('keys sharing a read with an unbracketed paste', () => {
  it('runs the keys before the paste as keys (a slow reader gets "Enter, Ctrl-U, paste" in one read)', async () => {
    const t = filter();
    const text = `\x1b[1m${'u'.repeat(100)}\x1b[0m`;
    t.f.feed(`gjj\r\x15${text}`);
    await new Promise((r) => setTimeout(r, UNBRACKETED_PASTE_QUIET_MS * 3));
    await t.settle();
    expect(t.keys()).toEqual(['g', 'j', 'j', '\r', '\x15']);
    expect(t.pastes).toEqual(['u'.repeat(100)]);
  });
});

describe('what reaches Ink never crashes it', () => {
  it('survives any mix of escape bytes, brackets, digits and finals (property)', async () => {
    const { default: fc } = await import('fast-check');
    const { render, Text, useInput } = await import('ink');
    const React = await import('react');
    const { FakeTty } = await import('./helpers/fake-tty.js');
    const tty = new FakeTty();
    const f = new FilteredStdin(tty, () => undefined);
    let inputs = 0;
    function Probe(): React.ReactNode {
      useInput(() => {
        inputs++;
      });
      return React.createElement(Text, null, 'ok');
    }
    // Ink reads the filter on its 'readable' event: an exception in Ink's input handling comes back out here.
    const errors: unknown[] = [];
    const emit = f.emit.bind(f);
    f.emit = (event: string | symbol, ...args: unknown[]): boolean => {
      try {
        return emit(event, ...args);
      } catch (err) {
        errors.push(err);
        return true;
      }
    };
    const out = Object.assign(new EventEmitter(), { columns: 80, rows: 24, isTTY: true, write: () => true });
    const app = render(React.createElement(Probe), { stdin: f as never, stdout: out as never, stderr: out as never, debug: true, exitOnCtrlC: false, patchConsole: false });
    try {
      // Pieces of escape sequences (introducers, parameters, finals, terminators) and plain keys, in any order.
      const piece = fc.constantFrom('\x1b', '\x1b[', '\x1bO', '\x1b]', '\x1bP', '[', '0', '1', '31', '5', ';', '?', 'm', 'A', 'Z', 'G', 'H', '~', 'u', '\x07', '\\', 'a', 'j', ' ', '\r');
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(piece, { maxLength: 10 }).map((a) => a.join('')), { minLength: 1, maxLength: 4 }), async (chunks) => {
          for (const c of chunks) tty.write(c);
          for (let i = 0; i < 200 && f.pending > 0; i++) await new Promise((r) => setImmediate(r));
          expect(errors).toEqual([]);
        }),
        { numRuns: 300 },
      );
    } finally {
      app.unmount();
    }
    expect(inputs).toBeGreaterThan(0);
  });
});
