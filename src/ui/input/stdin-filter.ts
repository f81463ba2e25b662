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
import { stripVTControlCharacters } from 'node:util';
import { parseKey } from '../keymap/keys.js';

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
  return scanKeys(text).tokens;
}

/**
 * Tokens of `text`, plus the start of an escape sequence at its end that is not complete yet (a read can
 * end in the middle of one). A lone ESC at the end is complete: it is the Escape key.
 */
function scanKeys(text: string): { tokens: string[]; incomplete: string } {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x1b) {
      const cp = text.codePointAt(i)!;
      const len = cp > 0xffff ? 2 : 1;
      out.push(text.slice(i, i + len));
      i += len;
      continue;
    }
    const end = escapeEnd(text, i);
    if (end < 0) return { tokens: out, incomplete: text.slice(i) };
    out.push(text.slice(i, end));
    i = end;
  }
  return { tokens: out, incomplete: '' };
}

/** Index just past the escape sequence starting at `start`, or -1 when the text ends inside it. */
function escapeEnd(text: string, start: number): number {
  let i = start + 1;
  if (i >= text.length) return i;
  // ESC ESC [A and friends: meta + a sequence; ESC ESC alone: meta + escape.
  if (text[i] === '\x1b') {
    if (text[i + 1] === '[' || text[i + 1] === 'O') return escapeEnd(text, i);
    return i + 1;
  }
  if (text[i] === 'O') return i + 2 <= text.length ? i + 2 : -1;
  // OSC, DCS, SOS, PM, APC strings (a hyperlink or a title in copied terminal output) run to BEL or ESC \.
  if (text[i] === ']' || text[i] === 'P' || text[i] === 'X' || text[i] === '^' || text[i] === '_') {
    for (let j = i + 1; j < text.length; j++) {
      if (text.charCodeAt(j) === 0x07) return j + 1;
      if (text.charCodeAt(j) === 0x1b) return text[j + 1] === '\\' ? j + 2 : j + 1 < text.length ? j : -1;
    }
    return -1;
  }
  if (text[i] !== '[') {
    const cp = text.codePointAt(i)!;
    return i + (cp > 0xffff ? 2 : 1);
  }
  i++;
  // Legacy function keys: ESC [ [ A.
  if (text[i] === '[') return i + 2 <= text.length ? i + 2 : -1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x3f) return i; // malformed: stop before the odd byte
    i++;
  }
  return -1;
}

/**
 * Whether a token may go to Ink. Ink 6.8's useInput throws on escape sequences it has no key name for
 * (an SGR colour such as ESC[31m parses as a Ctrl chord with no name, and node_modules/ink/build/hooks/
 * use-input.js calls `input.startsWith` on that undefined name), and the app binds none of them anyway;
 * so only sequences our key parser names go through. Typed or pasted colour codes, cursor reports and
 * OSC strings are dropped, and the text around them is kept.
 */
export function isKeyToken(token: string): boolean {
  if (token.charCodeAt(0) !== 0x1b || token.length === 1) return true;
  if (token[1] === 'O' && token.length !== 3) return false;
  const key = parseKey(token);
  if (key.name === '' || key.name.includes('unknown:')) return false;
  // Meta + something that is not a single key (ESC followed by a control string, ESC ESC + junk).
  return key.name !== 'M-';
}

/** Pasted text as a field may take it: escape sequences and control characters out, newlines and tabs kept. */
export function cleanPaste(text: string): string {
  return stripVTControlCharacters(text.replace(/\r\n?/g, '\n')).replace(/[\x00-\x08\x0b-\x1f\x7f\x1b]/g, '');
}

/**
 * A read holding at least this many printable characters is a paste the terminal did not bracket (a
 * terminal without bracketed paste, `tmux send-keys -l`, a program writing to the pty): nobody types that
 * fast. Delivering it as one paste keeps the cost linear in its size (one edit and one render instead of
 * one per character) and keeps pasted text from running as commands.
 */
export const UNBRACKETED_PASTE_MIN = 64;
/** Reads arriving within this long of such a paste's last read are more of it. */
export const UNBRACKETED_PASTE_QUIET_MS = 50;

/** A bracketed paste is buffered up to this size; the rest is dropped (every field's limit is smaller). */
export const PASTE_BUFFER_MAX = 4 * 1024 * 1024;

/** Length of the longest suffix of `s` that is a proper prefix of `marker`. */
function partialMarker(s: string, marker: string): number {
  for (let k = Math.min(marker.length - 1, s.length); k > 0; k--) {
    if (s.endsWith(marker.slice(0, k))) return k;
  }
  return 0;
}

/** A printable character (what a paste is mostly made of). */
function isText(t: string): boolean {
  return t.length <= 2 && t.charCodeAt(0) >= 0x20 && t !== '\x7f';
}

/** Could be part of pasted text: text, a newline or tab, or an escape sequence that is no key (a colour). */
function pasteLike(t: string): boolean {
  return isText(t) || t === '\r' || t === '\n' || t === '\t' || (t.charCodeAt(0) === 0x1b && !isKeyToken(t));
}

/** A paste waiting in the key queue, so keys before and after it keep their order. */
interface QueuedPaste {
  paste: string;
}

export class FilteredStdin extends EventEmitter {
  /** Tokens and pastes not yet handed on; `head` indexes the next (an array shift per key would be quadratic). */
  private queue: (string | QueuedPaste)[] = [];
  private head = 0;
  private inPaste = false;
  private pasteBuf = '';
  private pasteLen = 0;
  private carry = '';
  private carryTimer: NodeJS.Timeout | null = null;
  /** An unbracketed paste still arriving (a pty hands it over in reads of a few KiB), and its quiet timer. */
  private loose: string | null = null;
  private looseTimer: NodeJS.Timeout | null = null;
  private looseGeneration = 0;
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
    return this.queue.length - this.head + (this.scheduled ? 1 : 0);
  }

  read(): string | null {
    if (this.served || this.head >= this.queue.length) return null;
    const item = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.served = true;
    if (typeof item !== 'string') {
      // A paste takes a turn of its own, in order with the keys around it; Ink gets nothing for it.
      this.scheduleNext(false);
      this.onPaste(item.paste);
      return null;
    }
    this.scheduleNext(item === '\x1b');
    return item;
  }

  private scheduleNext(afterEscape: boolean): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const next = (): void => {
      this.scheduled = false;
      this.served = false;
      if (this.head < this.queue.length) this.emit('readable');
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

  /** Queues the keys of unbracketed input, or all of it as one paste when it is too much to be typing. */
  private pushKeys(tokens: readonly string[]): void {
    if (tokens.length === 0) return;
    let printable = 0;
    for (const t of tokens) if (isText(t)) printable++;
    if (printable >= UNBRACKETED_PASTE_MIN && this.loose === null) {
      // Keys pressed just before the paste can share its read ("Enter, Ctrl-U, then paste"): the paste is
      // the run of text at the end, after the last key that no paste contains (a control key, an arrow).
      let start = tokens.length;
      while (start > 0 && pasteLike(tokens[start - 1]!)) start--;
      let tail = 0;
      for (let i = start; i < tokens.length; i++) if (isText(tokens[i]!)) tail++;
      if (start > 0 && tail >= UNBRACKETED_PASTE_MIN) {
        for (const t of tokens.slice(0, start)) if (isKeyToken(t)) this.queue.push(t);
        tokens = tokens.slice(start);
      }
    }
    // Reads that follow within the quiet time belong to the same paste (its last read may be short), so
    // the field sees it whole: refused or taken as one, never cut where a read happened to end. A read of
    // one key (Esc, Enter, a letter) is a person again: it ends the paste and runs as a key.
    if (printable >= UNBRACKETED_PASTE_MIN || (this.loose !== null && tokens.length > 1)) {
      this.loose = (this.loose ?? '') + cleanPaste(tokens.filter((t) => t.charCodeAt(0) !== 0x1b).join(''));
      if (this.looseTimer) clearTimeout(this.looseTimer);
      const generation = ++this.looseGeneration;
      this.looseTimer = setTimeout(() => {
        // After a busy spell (a slow render) the expired timer runs before the reads that queued up
        // meanwhile; setImmediate lets the poll phase deliver those first, and they extend the paste.
        setImmediate(() => {
          if (generation !== this.looseGeneration || this.loose === null) return;
          this.flushLoose();
          if (this.head < this.queue.length && !this.served) this.emit('readable');
        });
      }, UNBRACKETED_PASTE_QUIET_MS);
      this.looseTimer.unref?.();
      return;
    }
    this.flushLoose();
    for (const t of tokens) if (isKeyToken(t)) this.queue.push(t);
  }

  private flushLoose(): void {
    if (this.looseTimer) clearTimeout(this.looseTimer);
    this.looseTimer = null;
    const text = this.loose;
    this.loose = null;
    if (text) this.queue.push({ paste: text });
  }

  private endPaste(): void {
    this.inPaste = false;
    const text = cleanPaste(this.pasteBuf);
    this.pasteBuf = '';
    this.pasteLen = 0;
    if (text !== '') this.queue.push({ paste: text });
  }

  private addPaste(text: string): void {
    // Past the cap the rest is counted, not kept: the field refuses the paste by its size either way.
    if (this.pasteLen < PASTE_BUFFER_MAX) this.pasteBuf += text.slice(0, PASTE_BUFFER_MAX - this.pasteLen);
    this.pasteLen += text.length;
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
          this.addPaste(data.slice(0, data.length - k));
          this.carry = data.slice(data.length - k);
          break;
        }
        this.addPaste(data.slice(0, idx));
        this.endPaste();
        data = data.slice(idx + PASTE_END.length);
        continue;
      }
      const idx = data.indexOf(PASTE_START);
      if (idx < 0) {
        // A read may end inside an escape sequence (or a paste marker): hold that part for the next read.
        const { tokens, incomplete } = scanKeys(data);
        this.pushKeys(tokens);
        this.carry = incomplete;
        break;
      }
      this.pushKeys(scanKeys(data.slice(0, idx)).tokens);
      this.flushLoose();
      this.inPaste = true;
      data = data.slice(idx + PASTE_START.length);
    }
    if (this.carry && !this.inPaste) {
      // A sequence that is never completed is no key: drop it, so it can neither crash Ink nor type junk.
      this.carryTimer = setTimeout(() => {
        this.carry = '';
        this.carryTimer = null;
      }, 30);
      this.carryTimer.unref?.();
    }
    if (this.head < this.queue.length && !this.served) this.emit('readable');
  }

  private readonly pump = (): void => {
    let chunk: string | Buffer | null;
    while ((chunk = this.source.read()) !== null) this.feed(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  };
}
