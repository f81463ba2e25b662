/**
 * Test harness for TUI components (style.md "Testing approach"): renders through Ink with a fake terminal of
 * a given size, sends keys through the same stdin filter and key bus as the real app, and waits for what the
 * screen shows by polling (setImmediate / setTimeout(0)), never by sleeping.
 *
 *   const ui = renderTui(<JobsScreen … />, { columns: 80, rows: 24 });
 *   await ui.press('j', 'j', 'Enter');
 *   await ui.find('✓ mmlu');
 *   expect(ui.frame()).toMatchSnapshot();
 *
 * Every element gets fresh providers (ui store, key and paste buses, theme) unless the test passes its own.
 */
import { EventEmitter } from 'node:events';
import type { ReactElement } from 'react';
import { render } from 'ink';
import { stripAnsi } from '../../../src/core/logs/ansi.js';
import { createUiStore, type UiStore } from '../../../src/state/ui.js';
import { Providers } from '../../../src/ui/providers.js';
import { KeyBus } from '../../../src/ui/keymap/dispatch.js';
import { PasteBus } from '../../../src/ui/hooks/use-paste.js';
import { FilteredStdin, PASTE_END, PASTE_START } from '../../../src/ui/input/stdin-filter.js';
import { keyToRaw } from '../../../src/ui/keymap/keys.js';
import { FakeTty } from './fake-tty.js';
import { createTheme, type Theme } from '../../../src/ui/theme/index.js';

// Ink decides "am I in CI" when it is first imported; vitest.config sets CI=false, repeat it for safety.
process.env.CI = 'false';

class FakeStdout extends EventEmitter {
  readonly frames: string[] = [];
  bytes = 0;
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (data: string): boolean => {
    this.frames.push(data);
    this.bytes += Buffer.byteLength(data);
    return true;
  };
}


export interface RenderTuiOptions {
  columns?: number;
  rows?: number;
  /** Use this ui store (to preset or inspect state); a fresh one otherwise. */
  ui?: UiStore;
  theme?: Theme;
  /** frame() throws when the frame has more than rows - 1 lines (the no-flicker rule). Default true. */
  checkHeight?: boolean;
}

export interface RenderedTui {
  /** The latest frame, ANSI stripped. Throws when nothing has been rendered. */
  frame(): string;
  /** The latest frame with ANSI codes (for colour assertions). */
  rawFrame(): string;
  /** Sends keys by name ('j', 'Enter', 'Escape', 'Tab', 'S-Tab', 'Up', 'Down', 'Space', 'C-c', …) or raw text. */
  press(...keys: string[]): Promise<void>;
  /** Sends text as a bracketed paste. */
  paste(text: string): Promise<void>;
  /** Waits until the frame contains `text` (or matches the RegExp); resolves with the frame. */
  find(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits until the frame no longer contains `text`. */
  findNo(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits until `predicate()` is true (store state, backend calls, …). */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Changes the terminal size and emits 'resize' as a real terminal would. */
  resize(columns: number, rows: number): Promise<void>;
  rerender(element: ReactElement): void;
  unmount(): void;
  ui: UiStore;
  keyBus: KeyBus;
  pasteBus: PasteBus;
  stdout: { bytes: number; frames: string[] };
  columns(): number;
  rows(): number;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const macrotick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function matches(frame: string, text: string | RegExp): boolean {
  return typeof text === 'string' ? frame.includes(text) : text.test(frame);
}

export function renderTui(element: ReactElement, opts: RenderTuiOptions = {}): RenderedTui {
  const stdout = new FakeStdout(opts.columns ?? 80, opts.rows ?? 24);
  const stderr = new FakeStdout(opts.columns ?? 80, opts.rows ?? 24);
  const rawStdin = new FakeTty();
  const ui = opts.ui ?? createUiStore();
  const keyBus = new KeyBus();
  const pasteBus = new PasteBus();
  const stdin = new FilteredStdin(rawStdin, (text) => pasteBus.emit(text));
  const theme = opts.theme ?? createTheme({ colorMode: 'none', glyphMode: 'unicode' });
  const checkHeight = opts.checkHeight ?? true;

  const wrap = (el: ReactElement): ReactElement => (
    <Providers ui={ui} theme={theme} keyBus={keyBus} pasteBus={pasteBus}>
      {el}
    </Providers>
  );

  const instance = render(wrap(element), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });

  const rawFrame = (): string => {
    const last = stdout.frames[stdout.frames.length - 1];
    if (last === undefined || last === '') throw new Error('renderTui: nothing has been rendered yet');
    return last;
  };
  const frame = (): string => {
    const text = stripAnsi(rawFrame());
    if (checkHeight) {
      const lines = text.split('\n').length;
      if (lines > stdout.rows - 1) {
        throw new Error(`renderTui: frame has ${lines} lines, more than rows - 1 = ${stdout.rows - 1}:\n${text}`);
      }
    }
    return text;
  };

  const waitFor = async (predicate: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let i = 0;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`renderTui: timed out after ${timeoutMs} ms waiting for ${what}`);
      // Alternate micro-ish and macro ticks so both React commits and timers/IO get a chance to run.
      await (i++ % 2 === 0 ? tick() : macrotick());
    }
  };

  const find = async (text: string | RegExp, timeoutMs = 3000): Promise<string> => {
    let last = '';
    try {
      await waitFor(
        () => {
          try {
            last = frame();
          } catch (err) {
            if (err instanceof Error && err.message.includes('more than rows')) throw err;
            return false;
          }
          return matches(last, text);
        },
        timeoutMs,
        String(text),
      );
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('renderTui: timed out')) {
        throw new Error(`${err.message}\n--- last frame ---\n${last}`);
      }
      throw err;
    }
    return last;
  };

  const findNo = async (text: string | RegExp, timeoutMs = 3000): Promise<string> => {
    let last = '';
    await waitFor(
      () => {
        last = frame();
        return !matches(last, text);
      },
      timeoutMs,
      `absence of ${String(text)}`,
    );
    return last;
  };

  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      const raw = keyToRaw(k);
      rawStdin.write(raw);
      // Keys go to Ink one per turn (stdin-filter.ts), and a lone Esc is held one setImmediate longer.
      for (let i = 0; stdin.pending > 0 && i < 10_000; i++) await tick();
      await tick();
      if (raw === '\x1b') await tick();
      await macrotick();
    }
  };

  const paste = async (text: string): Promise<void> => {
    rawStdin.write(PASTE_START + text + PASTE_END);
    await tick();
    await macrotick();
  };

  const resize = async (columns: number, rows: number): Promise<void> => {
    stdout.columns = columns;
    stdout.rows = rows;
    stdout.emit('resize');
    await tick();
    await macrotick();
  };

  return {
    frame,
    rawFrame,
    press,
    paste,
    find,
    findNo,
    waitFor,
    resize,
    rerender: (el) => instance.rerender(wrap(el)),
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
    ui,
    keyBus,
    pasteBus,
    stdout,
    columns: () => stdout.columns,
    rows: () => stdout.rows,
  };
}
