/**
 * A bounded ring of the most recent log lines, kept outside React (style.md: "logs in a bounded buffer").
 * Views read `version` to know when to re-render and `slice()` the window they show.
 */
import { stripAnsi } from './ansi.js';
import { parseLevel, type Level } from './parse.js';

export interface LogLine {
  /** 1-based number of the line among the lines this ring has seen (not the file's, after fromOffset). */
  no: number;
  /** Byte offset of the line's start in the file, or -1 when fed text with no file behind it. */
  offset: number;
  text: string;
  level: Level | null;
}

export interface LogRingOptions {
  /** Lines kept; older ones are dropped. Default 10_000. */
  capacity?: number;
  /** Keep ANSI escapes in stored text (levels are always read from the stripped text). Default false. */
  keepAnsi?: boolean;
}

/**
 * What a terminal would show for a line written with `\r` redraws: the last segment. A trailing `\r` (CRLF
 * endings, or tqdm clearing a bar with `leave=False`) leaves an empty last segment, so the last segment that
 * is not blank wins.
 */
export function collapseCR(raw: string): string {
  if (!raw.includes('\r')) return raw;
  const parts = raw.split('\r');
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i] ?? '';
    if (p.trim() !== '') return p;
  }
  return '';
}

/** Longest unfinished line kept, in UTF-16 units; see compactPartial. */
export const MAX_PARTIAL_CHARS = 64 * 1024;

/**
 * Bounds the text of an unfinished line. A tqdm bar redraws with `\r` for the whole run and only ends with
 * `\n` when it closes, so its "line" can grow to megabytes; only the last non-blank segment and the text after
 * the last `\r` can ever be shown, so the rest is dropped. A line with no `\r` that is still too long keeps
 * its tail, marked with a leading `…`.
 */
export function compactPartial(raw: string, maxChars: number = MAX_PARTIAL_CHARS): string {
  if (raw.length <= maxChars) return raw;
  let s = raw;
  const lastCR = s.lastIndexOf('\r');
  if (lastCR >= 0) {
    const before = collapseCR(s.slice(0, lastCR));
    s = `${before}\r${s.slice(lastCR + 1)}`;
  }
  return s.length <= maxChars ? s : `…${s.slice(-maxChars)}`;
}

export class LogRing {
  readonly capacity: number;
  readonly keepAnsi: boolean;
  private readonly buf: (LogLine | undefined)[];
  /** Index in buf of the oldest stored line. */
  private head = 0;
  private count = 0;
  private total = 0;
  private partialText = '';
  private ver = 0;
  // State for write(): raw text after the last newline and the byte offset where it starts.
  private pendingRaw = '';
  private pendingBytes = 0;
  private writeOffset = 0;

  constructor(opts: LogRingOptions = {}) {
    const cap = opts.capacity ?? 10_000;
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`LogRing capacity must be a positive integer, got ${cap}`);
    this.capacity = cap;
    this.keepAnsi = opts.keepAnsi ?? false;
    this.buf = new Array<LogLine | undefined>(cap);
  }

  /** Bumped on every change (line added, partial changed, cleared): cheap change detection for views. */
  get version(): number {
    return this.ver;
  }
  /** Lines ever pushed; also the number of the newest line. */
  get totalLines(): number {
    return this.total;
  }
  /** Lines currently held (≤ capacity). */
  get size(): number {
    return this.count;
  }
  /** Number of the oldest line still held (totalLines + 1 when empty). */
  get firstLineNo(): number {
    return this.total - this.count + 1;
  }
  /** The unfinished last line, `\r` redraws collapsed to the latest segment. */
  get partial(): string {
    return this.partialText;
  }

  /** Adds one complete line (without its `\n`). O(1) apart from the line's own strip/collapse. */
  push(raw: string, offset = -1): LogLine {
    const text = this.clean(raw);
    const line: LogLine = { no: ++this.total, offset, text, level: parseLevel(text) };
    const idx = (this.head + this.count) % this.capacity;
    this.buf[idx] = line;
    if (this.count < this.capacity) this.count++;
    else this.head = (this.head + 1) % this.capacity;
    // A completed line replaces whatever partial was showing for it.
    this.partialText = '';
    this.ver++;
    return line;
  }

  /** Sets the unfinished last line. Returns true when what it shows changed. */
  setPartial(raw: string): boolean {
    const text = this.clean(raw);
    if (text === this.partialText) return false;
    this.partialText = text;
    this.ver++;
    return true;
  }

  /**
   * Feeds raw text (any chunking), for output that is not in a file. Offsets count UTF-16-to-UTF-8 bytes of
   * the text given, starting at `startOffset` on first use. Returns the lines completed by this call.
   */
  write(text: string, startOffset?: number): LogLine[] {
    if (startOffset !== undefined && this.pendingBytes === 0) this.writeOffset = startOffset;
    const out: LogLine[] = [];
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const piece = text.slice(from, nl);
      out.push(this.push(this.pendingRaw + piece, this.writeOffset));
      this.writeOffset += this.pendingBytes + Buffer.byteLength(piece) + 1;
      this.pendingRaw = '';
      this.pendingBytes = 0;
      from = nl + 1;
    }
    if (from < text.length) {
      const rest = text.slice(from);
      this.pendingRaw = compactPartial(this.pendingRaw + rest);
      this.pendingBytes += Buffer.byteLength(rest);
      this.setPartial(this.pendingRaw);
    }
    return out;
  }

  /** The line numbered `no`, if still held. */
  get(no: number): LogLine | undefined {
    if (no < this.firstLineNo || no > this.total) return undefined;
    return this.buf[(this.head + (no - this.firstLineNo)) % this.capacity];
  }

  /** Lines numbered from `fromLineNo` (inclusive) to `toLineNo` (exclusive), clamped to what is held. */
  slice(fromLineNo: number, toLineNo: number = this.total + 1): LogLine[] {
    const from = Math.max(fromLineNo, this.firstLineNo);
    const to = Math.min(toLineNo, this.total + 1);
    const out: LogLine[] = [];
    for (let no = from; no < to; no++) {
      const line = this.buf[(this.head + (no - this.firstLineNo)) % this.capacity];
      if (line) out.push(line);
    }
    return out;
  }

  /** The newest `n` lines. */
  tail(n: number): LogLine[] {
    return this.slice(this.total + 1 - n);
  }

  /** Drops all lines and the shown partial; numbering (and write()'s offsets) continue, so line numbers stay unique. */
  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.partialText = '';
    this.ver++;
  }

  private clean(raw: string): string {
    const collapsed = collapseCR(raw);
    return this.keepAnsi ? collapsed : stripAnsi(collapsed);
  }
}
