/**
 * The per-job log cap. A job's output goes through a small capping writer (the script below, run by the
 * same node that runs lmms-tui) that lives in the job's own process group, so it keeps working when no
 * lmms-tui process runs, exactly like the kernel-written log it replaces.
 *
 * Layout, chosen so that output.log only ever GROWS (every byte offset a reader, a client's `since` or an
 * SSE `Last-Event-ID` holds stays valid, see src/server/log-read.ts and src/core/logs/tailer.ts):
 * - the head: everything up to about `cap - tail` bytes, cut at a line end, written as it comes;
 * - a marker line saying the cap was reached;
 * - while the job runs, later output goes to two alternating segment files (output.log.tail.N, each at
 *   most tail/2), so the newest `tail/2 .. tail` bytes are on disk at any moment, not in memory;
 * - when the job's output ends, a second marker (how much was dropped) and that rolling tail are
 *   appended, so the end of the log (the error, the traceback) is where every reader looks for it.
 * The trade-off: past the cap, followers see nothing new until the job ends (the job's state still
 * changes live). If the writer itself is killed (a stop that had to SIGKILL), the host appends the
 * segments instead (finishLogCap), so a stop does not lose the last lines.
 *
 * The writer ignores SIGTERM/SIGINT/SIGHUP: a stop signals the whole group, and the writer must outlive
 * the job to write its last lines. It ends at end of input (every writer of the pipe gone), or, after
 * the wrapper tells it the job script ended (job.ended appears), once input pauses: a daemonised helper still
 * holding the pipe must not keep the job open.
 */
import { appendFileSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LogCapInfo } from '../scheduler/types.js';

export const LOGCAP_FILES = {
  script: 'logcap.cjs',
  record: 'log-cap.json',
  segmentPrefix: 'output.log.tail.',
} as const;

/** Default cap: 2 GiB. */
export const DEFAULT_LOG_CAP = 2 * 1024 ** 3;

/** Bytes of rolling tail kept for a cap: a quarter of it, at most 64 MiB. */
export function tailBudget(cap: number): number {
  return Math.max(1024, Math.min(Math.floor(cap / 4), 64 * 1024 ** 2));
}

/** Parses a cap: bytes, or with K/M/G/T (binary), or 0 / off / none (no cap). */
export function parseLogCap(value: string): number | null {
  const v = value.trim().toLowerCase();
  if (v === '0' || v === 'off' || v === 'none') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/.exec(v);
  if (!m) return null;
  const n = Math.floor(Number(m[1]) * 1024 ** ' kmgt'.indexOf(m[2] || ' '));
  // Below 16 KiB there is no room for a head, two markers and a tail.
  return Number.isSafeInteger(n) && n >= 16 * 1024 ? n : null;
}

/** What the writer (or finishLogCap) recorded, for the job record; null when the log was not capped. */
export function readLogCapRecord(jobDir: string): LogCapInfo | null {
  try {
    const v = JSON.parse(readFileSync(path.join(jobDir, LOGCAP_FILES.record), 'utf8')) as Record<string, unknown>;
    if (typeof v.cap_bytes === 'number' && typeof v.dropped_bytes === 'number') return { cap_bytes: v.cap_bytes, dropped_bytes: v.dropped_bytes };
  } catch {
    /* not capped */
  }
  return null;
}

function segments(jobDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(jobDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(LOGCAP_FILES.segmentPrefix) && /^\d+$/.test(n.slice(LOGCAP_FILES.segmentPrefix.length)))
    .sort((a, b) => Number(a.slice(LOGCAP_FILES.segmentPrefix.length)) - Number(b.slice(LOGCAP_FILES.segmentPrefix.length)))
    .map((n) => path.join(jobDir, n));
}

/**
 * After the job: if the writer died before appending its rolling tail (SIGKILL), append it now. A no-op
 * when the writer finished (it removes its segments) or the log never reached the cap.
 */
export function finishLogCap(jobDir: string): void {
  const segs = segments(jobDir);
  if (segs.length === 0) return;
  const rec = (() => {
    try {
      return JSON.parse(readFileSync(path.join(jobDir, LOGCAP_FILES.record), 'utf8')) as { cap_bytes: number; segment_bytes?: number };
    } catch {
      return null;
    }
  })();
  const kept = segs.slice(-2).map((f) => readFileSync(f));
  let tail = Buffer.concat(kept);
  // Every segment but the newest was filled to segment_bytes before the next began (older ones are gone).
  const newest = Number(path.basename(segs[segs.length - 1]!).slice(LOGCAP_FILES.segmentPrefix.length));
  const seen = Math.max(rec?.segment_bytes ? newest * rec.segment_bytes + safeSize(segs[segs.length - 1]!) : 0, tail.length);
  let dropped = seen - tail.length;
  if (dropped > 0) {
    const nl = tail.indexOf(0x0a);
    if (nl >= 0 && nl < tail.length - 1) {
      dropped += nl + 1;
      tail = tail.subarray(nl + 1);
    }
  }
  const log = path.join(jobDir, 'output.log');
  appendFileSync(log, `[lmms-tui] ${dropped} bytes of output were dropped here (log cap); the last ${tail.length} bytes follow (recovered by the host: the log writer was killed)\n`);
  appendFileSync(log, tail);
  for (const f of segs) rmSync(f, { force: true });
  writeRecord(jobDir, rec?.cap_bytes ?? 0, dropped);
}

function safeSize(f: string): number {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
}

function writeRecord(jobDir: string, cap: number, dropped: number): void {
  const file = path.join(jobDir, LOGCAP_FILES.record);
  try {
    writeFileSync(`${file}.tmp`, JSON.stringify({ cap_bytes: cap, dropped_bytes: dropped, state: 'done' }));
    renameSync(`${file}.tmp`, file);
  } catch {
    rmSync(`${file}.tmp`, { force: true });
    /* disk full: the marker line in the log still says it */
  }
}

/**
 * The writer, run as `node logcap.cjs <jobDir> <capBytes>` with the job's output on stdin. Plain
 * CommonJS with no imports of ours: it is copied into the job dir, so an upgrade or a removed checkout
 * of lmms-tui cannot break a running job.
 */
export const LOGCAP_SCRIPT = String.raw`'use strict';
// lmms-tui log cap writer (generated); see src/core/runner/logcap.ts in lmms-tui.
const fs = require('fs');
const path = require('path');
const [dir, capArg] = process.argv.slice(2);
const cap = Number(capArg);
const TAIL = Math.max(1024, Math.min(Math.floor(cap / 4), 64 * 1024 * 1024));
const SEG = Math.max(512, Math.floor(TAIL / 2));
const RESERVE = 1024; // room for the two marker lines
const logFile = path.join(dir, 'output.log');
const recFile = path.join(dir, 'log-cap.json');
const out = fs.openSync(logFile, 'a');
let size = fs.fstatSync(out).size;
const headLimit = Math.max(0, cap - TAIL - RESERVE);
let mode = 'head';
let lost = 0; // bytes that could not be written (disk full); said in the log once writing works again
let seg = -1, segFd = null, segLen = 0, tailSeen = 0;
let atLineStart = true;

function human(n) {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0; let v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return i ? v.toFixed(1) + ' ' + u[i] : n + ' B';
}
function writeAll(fd, buf) {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}
function emit(buf) {
  if (buf.length === 0) return;
  try {
    if (lost > 0) {
      const note = Buffer.from((atLineStart ? '' : '\n') + '[lmms-tui] ' + lost + ' bytes of output could not be written here (the disk was full)\n');
      writeAll(out, note);
      size += note.length;
      lost = 0;
      atLineStart = true;
    }
    writeAll(out, buf);
    size += buf.length;
    atLineStart = buf[buf.length - 1] === 0x0a;
  } catch (e) {
    lost += buf.length;
  }
}
function record(state, dropped) {
  try {
    fs.writeFileSync(recFile + '.tmp', JSON.stringify({ cap_bytes: cap, dropped_bytes: dropped, segment_bytes: SEG, state }));
    fs.renameSync(recFile + '.tmp', recFile);
  } catch (e) {
    try { fs.rmSync(recFile + '.tmp', { force: true }); } catch (e2) {}
  }
}
function startCapping() {
  mode = 'capping';
  emit(Buffer.from((atLineStart ? '' : '\n') + '[lmms-tui] output.log reached its cap of ' + human(cap) + ' (lmms-tui --log-cap / LMMS_TUI_LOG_CAP): later output is kept as a rolling tail of the last ' + human(TAIL) + ', added below when the job ends\n'));
  record('capping', 0);
}
function segPath(n) { return path.join(dir, 'output.log.tail.' + n); }
function toTail(buf) {
  tailSeen += buf.length;
  let off = 0;
  while (off < buf.length) {
    if (segFd === null || segLen >= SEG) {
      if (segFd !== null) fs.closeSync(segFd);
      seg++;
      segFd = fs.openSync(segPath(seg), 'w');
      segLen = 0;
      try { fs.rmSync(segPath(seg - 2), { force: true }); } catch (e) {}
    }
    const n = Math.min(SEG - segLen, buf.length - off);
    try { writeAll(segFd, buf.subarray(off, off + n)); } catch (e) { /* disk full: the tail has a gap */ }
    segLen += n;
    off += n;
  }
}
function onData(buf) {
  if (mode === 'head') {
    if (size + buf.length <= headLimit) return emit(buf);
    // Cut the head at the last line end that fits, so the marker starts a line of its own.
    const room = Math.max(0, headLimit - size);
    const nl = room > 0 ? buf.lastIndexOf(0x0a, room - 1) : -1;
    const cut = nl >= 0 ? nl + 1 : room;
    emit(buf.subarray(0, cut));
    startCapping();
    buf = buf.subarray(cut);
  }
  if (buf.length) toTail(buf);
}
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  if (segFd !== null) fs.closeSync(segFd);
  if (seg >= 0) {
    const parts = [];
    for (let n = Math.max(0, seg - 1); n <= seg; n++) { try { parts.push(fs.readFileSync(segPath(n))); } catch (e) {} }
    let tail = Buffer.concat(parts);
    let dropped = tailSeen - tail.length;
    if (dropped > 0) {
      const nl = tail.indexOf(0x0a);
      if (nl >= 0 && nl < tail.length - 1) { dropped += nl + 1; tail = tail.subarray(nl + 1); }
    }
    emit(Buffer.from((atLineStart ? '' : '\n') + '[lmms-tui] ' + dropped + ' bytes (' + human(dropped) + ') of output were dropped here (log cap); the last ' + human(tail.length) + ' follow\n'));
    emit(tail);
    record('done', dropped);
    for (let n = Math.max(0, seg - 1); n <= seg; n++) { try { fs.rmSync(segPath(n), { force: true }); } catch (e) {} }
  }
  try { fs.closeSync(out); } catch (e) {}
  process.exit(0);
}
// A stop signals the whole group; this process must outlive the job to write its last lines.
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
// The job script ended (the wrapper creates job.ended): finish at end of input, or once input pauses,
// so that a daemonised helper still holding the pipe does not keep the job open.
let idle = null;
const endedFlag = path.join(dir, 'job.ended');
const poll = setInterval(() => {
  if (!fs.existsSync(endedFlag)) return;
  clearInterval(poll);
  const arm = () => { clearTimeout(idle); idle = setTimeout(finish, 300); };
  arm();
  process.stdin.on('data', arm);
  setTimeout(finish, 3000);
}, 50);
process.stdin.on('data', onData);
process.stdin.on('end', finish);
process.stdin.on('error', finish);
`;
