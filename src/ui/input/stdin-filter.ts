/**
 * A stdin wrapper handed to Ink in place of the real stdin. It does two jobs Ink 6.8 does not:
 *
 * 1. Bracketed paste. Text between `ESC[200~` and `ESC[201~` is taken out of the key stream and delivered
 *    to `onPaste`, so a pasted "q" or "S" can never run as a command (zellij #491); the focused text field
 *    receives it through usePaste().
 * 2. One key per turn of the event loop. Ink hands everything a single read() returns to useInput as ONE
 *    event, so typing bursts ("jjj", or tmux `send-keys -l`) would arrive as one multi-character "key";
 *    and even split into several reads, Ink emits them all in one task, before React renders (its
 *    scheduler runs on a later setImmediate), so every handler after the first would see stale state
 *    ("mme" typed fast into a picker became "me"). So read() serves one token, then reports nothing until the next turn, when 'readable'
 *    is emitted again: each key is handled after the previous key's render.
 */
import { EventEmitter } from 'node:events';

export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';

/** What we need of the source: the real process.stdin, or a fake in tests. */
export interface StdinLike extends EventEmitter {
  isTTY?: boolean;
  read(): string | Buffer | null;
  setRawMode?(mode: boolean): unknown;
  setEncoding?(enc: BufferEncoding): unknown;
  ref?(): unknown;
  unref?(): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

/** Splits key input into tokens: each escape sequence whole, every other code point alone. */
export function tokenizeKeys(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '\x1b') {
      const cp = text.codePointAt(i)!;
      const len = cp > 0xffff ? 2 : 1;
      out.push(text.slice(i, i + len));
      i += len;
      continue;
    }
    const end = escapeEnd(text, i);
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** Index just past the escape sequence starting at `start` (or the end of text when it is incomplete). */
function escapeEnd(text: string, start: number): number {
  let i = start + 1;
  if (i >= text.length) return i;
  // ESC ESC [A and friends: meta + a sequence; ESC ESC alone: meta + escape.
  if (text[i] === '\x1b') {
    if (text[i + 1] === '[' || text[i + 1] === 'O') return escapeEnd(text, i);
    return i + 1;
  }
  if (text[i] === 'O') return Math.min(text.length, i + 2);
  if (text[i] !== '[') {
    const cp = text.codePointAt(i)!;
    return i + (cp > 0xffff ? 2 : 1);
  }
  i++;
  // Legacy function keys: ESC [ [ A.
  if (text[i] === '[') return Math.min(text.length, i + 2);
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x3f) return i; // malformed: stop before the odd byte
    i++;
  }
  return i;
}

/** Length of the longest suffix of `s` that is a proper prefix of `marker`. */
function partialMarker(s: string, marker: string): number {
  for (let k = Math.min(marker.length - 1, s.length); k > 0; k--) {
    if (s.endsWith(marker.slice(0, k))) return k;
  }
  return 0;
}

export class FilteredStdin extends EventEmitter {
  private queue: string[] = [];
  private inPaste = false;
  private pasteBuf = '';
  private carry = '';
  private carryTimer: NodeJS.Timeout | null = null;
  private attached = false;
  /** A token was served this turn; the next is due after the next 'readable'. */
  private served = false;
  private scheduled = false;

  constructor(
    private readonly source: StdinLike,
    private readonly onPaste: (text: string) => void,
  ) {
    super();
  }

  get isTTY(): boolean {
    return this.source.isTTY ?? false;
  }

  setRawMode(mode: boolean): this {
    this.source.setRawMode?.(mode);
    if (mode && !this.attached) {
      this.source.on('readable', this.pump);
      this.attached = true;
    } else if (!mode && this.attached) {
      this.source.off('readable', this.pump);
      this.attached = false;
    }
    return this;
  }

  setEncoding(): this {
    this.source.setEncoding?.('utf8');
    return this;
  }

  ref(): this {
    this.source.ref?.();
    return this;
  }

  unref(): this {
    this.source.unref?.();
    return this;
  }

  resume(): this {
    this.source.resume?.();
    return this;
  }

  pause(): this {
    this.source.pause?.();
    return this;
  }

  /** Keys received but not yet handed to Ink (tests wait for 0). */
  get pending(): number {
    return this.queue.length + (this.scheduled ? 1 : 0);
  }

  read(): string | null {
    if (this.served) return null;
    const token = this.queue.shift();
    if (token === undefined) return null;
    this.served = true;
    this.scheduleNext(token === '\x1b');
    return token;
  }

  private scheduleNext(afterEscape: boolean): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const next = (): void => {
      this.scheduled = false;
      this.served = false;
      if (this.queue.length > 0) this.emit('readable');
    };
    // This runs inside read(), before Ink hands the token to the handlers, so a single setImmediate would
    // queue ahead of the render React schedules (through its scheduler, also a setImmediate) for this key.
    // Waiting one more turn puts the next key after that render. After a lone Esc, Ink also waits one
    // setImmediate to see whether a sequence follows; one turn more keeps Esc + j from reading as Alt-j.
    let turns = afterEscape ? 3 : 2;
    const wait = (): void => {
      if (--turns > 0) setImmediate(wait);
      else next();
    };
    setImmediate(wait);
  }

  /** Feeds raw terminal input (exposed for tests and for the pump). */
  feed(chunk: string): void {
    let data = this.carry + chunk;
    this.carry = '';
    if (this.carryTimer) clearTimeout(this.carryTimer);
    this.carryTimer = null;
    while (data.length > 0) {
      if (this.inPaste) {
        const idx = data.indexOf(PASTE_END);
        if (idx < 0) {
          const k = partialMarker(data, PASTE_END);
          this.pasteBuf += data.slice(0, data.length - k);
          this.carry = data.slice(data.length - k);
          break;
        }
        this.pasteBuf += data.slice(0, idx);
        this.inPaste = false;
        const text = this.pasteBuf.replace(/\r\n?/g, '\n');
        this.pasteBuf = '';
        this.onPaste(text);
        data = data.slice(idx + PASTE_END.length);
        continue;
      }
      const idx = data.indexOf(PASTE_START);
      if (idx < 0) {
        // Hold back a possible half marker ("ESC[20"), but never a lone ESC: that is the Escape key.
        const k = partialMarker(data, PASTE_START);
        const hold = k >= 2 ? k : 0;
        this.queue.push(...tokenizeKeys(data.slice(0, data.length - hold)));
        this.carry = data.slice(data.length - hold);
        break;
      }
      this.queue.push(...tokenizeKeys(data.slice(0, idx)));
      this.inPaste = true;
      data = data.slice(idx + PASTE_START.length);
    }
    if (this.carry && !this.inPaste) {
      // A half marker that is never completed was ordinary input after all.
      this.carryTimer = setTimeout(() => {
        const c = this.carry;
        this.carry = '';
        this.queue.push(...tokenizeKeys(c));
        if (!this.served) this.emit('readable');
      }, 30);
      this.carryTimer.unref?.();
    }
    if (this.queue.length > 0 && !this.served) this.emit('readable');
  }

  private readonly pump = (): void => {
    let chunk: string | Buffer | null;
    while ((chunk = this.source.read()) !== null) this.feed(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  };
}
