/**
 * One-shot readers for log files that may be hundreds of MB: the last lines (read backwards from the end)
 * and the complete lines after a byte offset (for clients that resume where they left off).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { stripAnsi } from './ansi.js';
import { parseLevel, type Level } from './parse.js';
import { collapseCR, compactPartial } from './ring.js';

const BLOCK = 64 * 1024;

export interface ReadTailOptions {
  /** Keep ANSI escapes. Default false. */
  keepAnsi?: boolean;
  /** Also return the unfinished last line (text after the last newline), when not blank. Default false. */
  includePartial?: boolean;
  /** Read at most this many bytes back from the end, so one endless tqdm line cannot make us read it all. Default 8 MiB. */
  maxBytes?: number;
}

export interface ReadLine {
  /** Byte offset of the line's start. */
  offset: number;
  text: string;
  level: Level | null;
}

export interface ReadSinceResult {
  lines: ReadLine[];
  /** Offset after the last newline consumed: pass it to the next call. */
  nextOffset: number;
  /** File size seen; smaller than the offset asked for means the file was truncated or replaced. */
  size: number;
}

function clean(raw: string, keepAnsi: boolean): string {
  const c = collapseCR(raw);
  return keepAnsi ? c : stripAnsi(c);
}

async function openIfExists(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** The last `n` complete lines of a file, `\r` redraws collapsed, ANSI stripped. Missing file → []. */
export async function readTail(path: string, n: number, opts: ReadTailOptions = {}): Promise<string[]> {
  if (n <= 0) return [];
  const fh = await openIfExists(path);
  if (!fh) return [];
  try {
    const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
    const size = (await fh.stat()).size;
    const blocks: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    // n lines need n terminating newlines plus the one before the first line (or the start of the file).
    while (pos > 0 && newlines <= n && size - pos < maxBytes) {
      const len = Math.min(BLOCK, pos);
      pos -= len;
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const got = buf.subarray(0, bytesRead);
      blocks.unshift(got);
      newlines += countNewlines(got);
    }
    const parts = Buffer.concat(blocks).toString('utf8').split('\n');
    const last = parts.pop() ?? '';
    if (pos > 0) {
      // We did not reach the start of the first line. Its last `\r` segment is still whole if it has one
      // (a long tqdm line), so keep that; otherwise it is a fragment.
      const first = parts.shift() ?? '';
      if (parts.length < n && first.includes('\r')) parts.unshift(first);
    }
    const lines = parts.map((p) => clean(p, opts.keepAnsi ?? false));
    if (opts.includePartial && collapseCR(last).trim() !== '') lines.push(clean(last, opts.keepAnsi ?? false));
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}

/**
 * Complete lines starting at byte `offset`, reading at most about `maxBytes`. A single line longer than
 * `maxBytes` is still returned (once complete), reduced as an unfinished line would be, so callers always
 * make progress.
 */
export async function readSince(path: string, offset: number, maxBytes = 1024 * 1024, opts: { keepAnsi?: boolean } = {}): Promise<ReadSinceResult> {
  const keepAnsi = opts.keepAnsi ?? false;
  const fh = await openIfExists(path);
  if (!fh) return { lines: [], nextOffset: offset, size: 0 };
  try {
    const size = (await fh.stat()).size;
    if (offset >= size) return { lines: [], nextOffset: offset, size };
    const len = Math.min(Math.max(1, maxBytes), size - offset);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await fh.read(buf, 0, len, offset);
    const got = buf.subarray(0, bytesRead);
    const lastNL = got.lastIndexOf(0x0a);
    if (lastNL >= 0) {
      const lines: ReadLine[] = [];
      for (let start = 0; start <= lastNL; ) {
        const nl = got.indexOf(0x0a, start);
        const text = clean(got.toString('utf8', start, nl), keepAnsi);
        lines.push({ offset: offset + start, text, level: parseLevel(text) });
        start = nl + 1;
      }
      return { lines, nextOffset: offset + lastNL + 1, size };
    }
    if (bytesRead < maxBytes) return { lines: [], nextOffset: offset, size };
    return await readLongLine(fh, offset, got, size, keepAnsi);
  } finally {
    await fh.close();
  }
}

/** Scans past a line longer than the read window, keeping only what compactPartial would keep. */
async function readLongLine(fh: FileHandle, offset: number, head: Buffer, size: number, keepAnsi: boolean): Promise<ReadSinceResult> {
  const decoder = new StringDecoder('utf8');
  let text = compactPartial(decoder.write(head));
  let pos = offset + head.length;
  const buf = Buffer.allocUnsafe(BLOCK);
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(BLOCK, size - pos), pos);
    if (bytesRead === 0) break;
    const got = buf.subarray(0, bytesRead);
    const nl = got.indexOf(0x0a);
    if (nl >= 0) {
      text = compactPartial(text + decoder.write(got.subarray(0, nl)) + decoder.end());
      const line = clean(text, keepAnsi);
      return { lines: [{ offset, text: line, level: parseLevel(line) }], nextOffset: pos + nl + 1, size };
    }
    text = compactPartial(text + decoder.write(got));
    pos += bytesRead;
  }
  // The line is not finished yet.
  return { lines: [], nextOffset: offset, size };
}
