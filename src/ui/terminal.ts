/**
 * Terminal control Ink 6.8 does not do for us: the alternate screen and bracketed paste (Ink 7 has both),
 * restored on every exit path, a suspend for programs that need the terminal (pager, $EDITOR), and a
 * forced full redraw after one.
 *
 * Ink writes to a TermOut rather than to process.stdout directly. It forwards everything, counts bytes
 * (the benchmark's bytes/s), and can briefly report one column less: Ink repaints the whole frame only
 * when the width shrinks (ink.tsx `resized`), and that is exactly what a screen wiped by a pager needs.
 *
 * In the alternate screen it also puts the cursor home before each of Ink's writes (`anchorHome`). Ink
 * 6.8's incremental renderer is off by one for frames shorter than the terminal (log-update.js moves up
 * `visibleLines - 1` from the line *below* the frame), so every update would land one row lower and
 * leave stale rows behind; our frame always starts at the top-left of the alternate screen, so homing the
 * cursor first makes each update land where it belongs. Inline mode uses Ink's standard renderer instead.
 */
import { EventEmitter } from 'node:events';

export const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
export const ALT_SCREEN_OFF = '\x1b[?1049l';
export const PASTE_ON = '\x1b[?2004h';
export const PASTE_OFF = '\x1b[?2004l';
/** Ends a synchronized update (DEC 2026) in case we leave in the middle of one. */
export const SYNC_END = '\x1b[?2026l';
export const CURSOR_SHOW = '\x1b[?25h';

export const CURSOR_HOME = '\x1b[H';

export class TermOut extends EventEmitter {
  bytes = 0;
  /** Prefix Ink's writes with cursor-home (alternate screen only; see above). */
  anchorHome = false;
  /**
   * Set once the terminal is restored: Ink's later writes are dropped. Ink unmounts itself from an exit
   * handler and draws a last frame, which must not land on the user's primary screen.
   */
  closed = false;
  private narrow = false;

  constructor(readonly real: NodeJS.WriteStream) {
    super();
    real.on('resize', () => this.emit('resize'));
  }

  get isTTY(): boolean {
    return this.real.isTTY === true;
  }
  get columns(): number {
    const c = this.real.columns || Number(process.env.COLUMNS) || 80;
    return this.narrow ? Math.max(1, c - 1) : c;
  }
  get rows(): number {
    return this.real.rows || Number(process.env.LINES) || 24;
  }

  /** Ink's writes. */
  write(data: string | Uint8Array, ...rest: unknown[]): boolean {
    if (this.closed) return true;
    return this.anchorHome && typeof data === 'string' && data !== '' ? this.raw(CURSOR_HOME + data, ...rest) : this.raw(data, ...rest);
  }

  /** Our own writes (escape sequences, OSC 52), exactly as given. */
  raw(data: string | Uint8Array, ...rest: unknown[]): boolean {
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    try {
      return (this.real.write as (d: string | Uint8Array, ...r: unknown[]) => boolean)(data, ...rest);
    } catch {
      // The terminal went away (SIGHUP, closed pty): nothing left to draw on.
      return false;
    }
  }

  /** Makes Ink repaint everything: a narrower then the real width, as two resize events. */
  forceRedraw(): void {
    this.narrow = true;
    this.emit('resize');
    this.narrow = false;
    this.emit('resize');
  }
}

export interface TerminalSession {
  /** Puts the terminal back as it was (idempotent; safe from signal and exit handlers). */
  restore(): void;
  /**
   * Removes the signal handlers (after restore, once the app has shut down). Not done inside restore():
   * Ink's signal-exit re-raises a signal when it sees no other listener, so ours must stay registered
   * while that signal is being delivered or the process dies before it can exit cleanly.
   */
  dispose(): void;
  /** Hands the terminal to `fn` (synchronous, e.g. spawnSync of a pager) and takes it back. */
  suspend<T>(fn: () => T): T;
}

/**
 * Enters the alternate screen (unless inline) and bracketed paste, and guarantees restore on normal exit,
 * thrown errors, SIGTERM, SIGHUP and SIGINT. `onSignal` runs after restore (the runner exits there).
 */
export function openTerminal(opts: {
  out: TermOut;
  stdin: NodeJS.ReadStream;
  inline: boolean;
  onSignal(signal: NodeJS.Signals): void;
}): TerminalSession {
  const { out, stdin, inline } = opts;
  let active = true;
  const enter = (): void => {
    out.raw((inline ? '' : ALT_SCREEN_ON) + PASTE_ON);
    out.anchorHome = !inline;
  };
  const leave = (): void => {
    out.anchorHome = false;
    out.raw(SYNC_END + PASTE_OFF + CURSOR_SHOW + (inline ? '' : ALT_SCREEN_OFF));
  };
  const setRaw = (on: boolean): void => {
    try {
      if (stdin.isTTY) stdin.setRawMode(on);
    } catch {
      // stdin already closed.
    }
  };
  const restore = (): void => {
    if (!active) return;
    active = false;
    leave();
    out.closed = true;
    setRaw(false);
  };
  const handlers: [NodeJS.Signals, () => void][] = (['SIGTERM', 'SIGHUP', 'SIGINT'] as NodeJS.Signals[]).map((sig) => [
    sig,
    () => {
      restore();
      opts.onSignal(sig);
    },
  ]);
  for (const [sig, fn] of handlers) process.on(sig, fn);
  process.on('exit', restore);
  enter();
  return {
    restore,
    dispose() {
      restore();
      for (const [sig, fn] of handlers) process.off(sig, fn);
      process.off('exit', restore);
    },
    suspend<T>(fn: () => T): T {
      if (!active) return fn();
      leave();
      setRaw(false);
      try {
        return fn();
      } finally {
        setRaw(true);
        enter();
        out.forceRedraw();
      }
    },
  };
}
