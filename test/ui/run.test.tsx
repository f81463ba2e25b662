/**
 * runTui on fake TTY streams: what reaches the terminal on each exit path (alternate screen and bracketed
 * paste in, and out again), the quit summary, OSC 52 copies, inline mode, and the Ink cache cap.
 * The signal paths run in real tmux (test/e2e/tui.test.ts).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTui } from '../../src/ui/run.js';
import { ALT_SCREEN_OFF, ALT_SCREEN_ON, PASTE_OFF, PASTE_ON } from '../../src/ui/terminal.js';
import { createTheme, type Theme } from '../../src/ui/theme/index.js';
import { inkMeasureCache, MEASURE_CACHE_LIMIT } from '../../src/ui/ink-cache-cap.js';
import { osc52 } from '../../src/ui/clipboard.js';
import { fakeBackend, makeJob } from './helpers/fake-backend.js';

beforeAll(() => {
  process.env.LMMS_TUI_HOME = mkdtempSync(path.join(tmpdir(), 'tui-run-'));
});

class FakeTty extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  out = '';
  write = (d: string | Uint8Array): boolean => {
    this.out += typeof d === 'string' ? d : Buffer.from(d).toString('utf8');
    return true;
  };
}

class FakeIn extends EventEmitter {
  isTTY = true;
  isRaw = false;
  private q: string[] = [];
  type(s: string): void {
    this.q.push(s);
    this.emit('readable');
  }
  read(): string | null {
    return this.q.shift() ?? null;
  }
  setRawMode(v: boolean): this {
    this.isRaw = v;
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}

async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const plain = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

function start(opts: { inline?: boolean; clipboard?: 'osc52' | 'off' | 'auto'; theme?: Theme; firstFrameExit?: boolean } = {}) {
  const stdout = new FakeTty();
  const stdin = new FakeIn();
  const backend = fakeBackend([makeJob({ id: 'a1b2c3d4', state: 'succeeded' }), makeJob({ id: 'c0ffee00', state: 'running', log_path: '/nonexistent/output.log' })]);
  const done = runTui({
    backend,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    screen: 'jobs',
    inline: opts.inline,
    clipboard: opts.clipboard ?? 'osc52',
    theme: opts.theme ?? createTheme({ colorMode: 'none', glyphMode: 'unicode' }),
    firstFrameExit: opts.firstFrameExit,
    pollMs: 20,
    tickMs: 20,
  });
  return { stdout, stdin, backend, done };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runTui', () => {
  it('enters the alternate screen with bracketed paste, and on q restores both and reports what keeps running', async () => {
    const { stdout, stdin, done } = start();
    await until(() => plain(stdout.out).includes('c0ffee00'), 'the jobs table');
    expect(stdout.out.startsWith(ALT_SCREEN_ON + PASTE_ON)).toBe(true);
    expect(stdin.isRaw).toBe(true);
    stdin.type('q');
    const result = await done;
    expect(result).toMatchObject({ exitCode: 0, summary: '1 running: lmms-tui jobs' });
    expect(stdout.out.endsWith(PASTE_OFF + '\x1b[?25h' + ALT_SCREEN_OFF)).toBe(true);
    expect(stdin.isRaw).toBe(false);
  });

  it('restores the terminal and reports the error when rendering throws', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let broken = false;
    const base = createTheme({ colorMode: 'none', glyphMode: 'unicode' });
    const theme: Theme = {
      ...base,
      color: (t) => {
        // Fine until the test breaks it: a bug in some later render.
        if (broken) throw new Error('boom in render');
        return base.color(t);
      },
    };
    const { stdout, stdin, done } = start({ theme });
    await until(() => plain(stdout.out).includes('c0ffee00'), 'the jobs table');
    broken = true;
    stdin.type('?');
    const result = await done;
    expect(result.exitCode).toBe(1);
    expect(stdout.out.endsWith(ALT_SCREEN_OFF)).toBe(true);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('boom in render');
  });

  it('copies with OSC 52 straight to the terminal, and shows the copied text', async () => {
    const { stdout, stdin, done } = start({ clipboard: 'osc52' });
    await until(() => plain(stdout.out).includes('c0ffee00'), 'the jobs table');
    stdin.type('Y');
    await until(() => stdout.out.includes(osc52('/nonexistent/output.log')), 'the OSC 52 sequence');
    await until(() => plain(stdout.out).includes('log path: sent to the clipboard with OSC 52'), 'the copy panel');
    expect(plain(stdout.out)).toContain('\n/nonexistent/output.log');
    stdin.type('q');
    await done;
  });

  it('with the clipboard off, writes no OSC 52 but still shows the text', async () => {
    const { stdout, stdin, done } = start({ clipboard: 'off' });
    await until(() => plain(stdout.out).includes('c0ffee00'), 'the jobs table');
    stdin.type('Y');
    await until(() => plain(stdout.out).includes('clipboard is off'), 'the message');
    expect(stdout.out).not.toContain('\x1b]52;');
    expect(plain(stdout.out)).toContain('/nonexistent/output.log');
    stdin.type('q');
    await done;
  });

  it('stays on the primary screen with --inline', async () => {
    const { stdout, stdin, done } = start({ inline: true });
    await until(() => plain(stdout.out).includes('c0ffee00'), 'the jobs table');
    stdin.type('q');
    await done;
    expect(stdout.out).not.toContain('\x1b[?1049h');
    expect(stdout.out).toContain(PASTE_ON);
  });

  it('draws one frame and exits with --first-frame-exit, with Ink\'s text cache capped', async () => {
    const { stdout, done } = start({ firstFrameExit: true });
    const result = await done;
    expect(result.exitCode).toBe(0);
    expect(plain(stdout.out)).toContain('lmms-tui');
    const cache = inkMeasureCache();
    expect(cache).not.toBeNull();
    for (let i = 0; i < MEASURE_CACHE_LIMIT + 50; i++) cache!.set(`line ${i}`, { width: 1, height: 1 });
    expect(cache!.size).toBeLessThanOrEqual(MEASURE_CACHE_LIMIT);
  });
});
