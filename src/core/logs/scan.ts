/**
 * Streaming search of a whole log for error markers (harness-facts §6.1: lmms-eval exits 0 after most
 * failures, so the log is the evidence). Logs can be hundreds of MB of tqdm redraws, so the file is read in
 * chunks and a chunk with none of the marker words in it is skipped without being split into lines.
 */
import { open } from 'node:fs/promises';
import { stripAnsi } from './ansi.js';
import { isTracebackStart, parseLevel, recordMessage, type Level } from './parse.js';

export interface ErrorMarker {
  kind: 'record' | 'traceback';
  level: Level;
  /** Byte offset of the line that holds the marker. */
  offset: number;
  /** The marker line, ANSI stripped. */
  line: string;
  /** What went wrong in a sentence: the record's message, or the traceback's exception line. */
  message: string;
}

export interface ScanOptions {
  /** Read size. Default 256 KiB. */
  chunkBytes?: number;
}

const KEYWORDS = ['ERROR', 'CRITICAL', 'Traceback'];
const RANK_PREFIX = /^\[rank ?\d+\]:\s?/;
/** A line longer than this is cut to its tail while scanning; markers sit at the start of short lines. */
const MAX_CARRY = 1024 * 1024;

class Scanner {
  record: ErrorMarker | null = null;
  traceback: ErrorMarker | null = null;
  private inTraceback = false;

  /** Returns true once a decisive marker (an ERROR/CRITICAL record) is found. */
  line(raw: string, offset: number): boolean {
    for (const seg0 of stripAnsi(raw).split('\r')) {
      const seg = seg0.replace(RANK_PREFIX, '');
      if (seg.trim() === '') continue;
      const level = parseLevel(seg);
      if (this.inTraceback && level === null) {
        // Frames are indented; chained-exception banners are not the exception itself.
        if (/^\s/.test(seg) || /^(During handling|The above exception)/.test(seg)) continue;
        if (this.traceback) this.traceback.message = seg.trim();
        this.inTraceback = false;
        continue;
      }
      if (isTracebackStart(seg)) {
        this.inTraceback = true;
        this.traceback = { kind: 'traceback', level: 'ERROR', offset, line: seg, message: 'a Python traceback' };
      } else if (level === 'ERROR' || level === 'CRITICAL') {
        this.record = { kind: 'record', level, offset, line: seg, message: recordMessage(seg) };
        return true;
      }
    }
    return false;
  }

  get busy(): boolean {
    return this.inTraceback;
  }
}

/**
 * The first ERROR/CRITICAL log record in the file or, failing that, the last Python traceback (with its
 * exception line as the message). Null when the log is clean or missing.
 */
export async function findErrorMarker(path: string, opts: ScanOptions = {}): Promise<ErrorMarker | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const scanner = new Scanner();
  try {
    const chunk = Buffer.allocUnsafe(opts.chunkBytes ?? 256 * 1024);
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastNL = buf.lastIndexOf(0x0a);
      if (lastNL >= 0) {
        const complete = buf.subarray(0, lastNL);
        // A keyword cut by the chunk boundary is whole here: the carry is prepended before this test.
        if (scanner.busy || KEYWORDS.some((k) => complete.includes(k))) {
          if (scanLines(scanner, complete, carryOffset)) return scanner.record;
        }
      }
      const rest = buf.subarray(lastNL + 1);
      carryOffset += lastNL + 1;
      if (rest.length > MAX_CARRY) {
        carry = Buffer.from(rest.subarray(rest.length - 64 * 1024));
        carryOffset += rest.length - carry.length;
      } else {
        carry = Buffer.from(rest);
      }
    }
    if (carry.length && scanner.line(carry.toString('utf8'), carryOffset)) return scanner.record;
    return scanner.record ?? scanner.traceback;
  } finally {
    await fh.close();
  }
}

function scanLines(scanner: Scanner, buf: Buffer, base: number): boolean {
  for (let start = 0; start <= buf.length; ) {
    let nl = buf.indexOf(0x0a, start);
    if (nl < 0) nl = buf.length;
    if (scanner.line(buf.toString('utf8', start, nl), base + start)) return true;
    start = nl + 1;
  }
  return false;
}
