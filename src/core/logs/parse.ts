/**
 * Progress and level extraction from harness output (harness-facts §6). Every function takes text that
 * may still carry ANSI codes and strips them itself, so callers can pass raw log lines.
 */
import { stripAnsi } from './ansi.js';

export interface Progress {
  /** The bar's description (`Model Responding`), '' for unlabelled bars. */
  label: string;
  n: number;
  total: number | null;
  percent: number | null;
  /** Items per second or seconds per item, as printed; null while tqdm still shows `?it/s`. */
  rate: number | null;
  rateUnit: string | null;
  /** Elapsed and remaining time as printed (`00:12`, `1m08s`); null when unknown (`?`). */
  elapsed: string | null;
  eta: string | null;
}

export type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'SUCCESS' | 'WARNING' | 'ERROR' | 'CRITICAL';
export const LEVELS: readonly Level[] = ['TRACE', 'DEBUG', 'INFO', 'SUCCESS', 'WARNING', 'ERROR', 'CRITICAL'];

// tqdm's default format: `{desc}: {pct}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}{postfix}]`.
// Not anchored: in a merged stdout+stderr log a bar can follow other text on the same line. The label is
// taken from the text before the match rather than with a leading `(.*?)`, which would make an unanchored
// search quadratic on long lines. n/total may be unit-scaled (`1.2k`), the rate `?` at the start, the unit
// custom (`B/s`) or inverted (`s/it`).
const TQDM_RE = /(\d{1,3})%\|[^|]*\|\s*([\d.]+[kMGTP]?)\/([\d.]+[kMGTP]?) \[([^<\],]+)(?:<([^,\]]+))?,\s*([\d.]+|\?)\s*([A-Za-z]*\/[A-Za-z]+)/;
// Unknown total: `Postprocessing: 84it [00:12, 7.01it/s]`.
const TQDM_NOTOTAL_RE = /(?:^|\s)(\d[\d.]*[kMGTP]?)([A-Za-z]+) \[([^<\],]+)(?:<([^,\]]+))?,\s*([\d.]+|\?)\s*([A-Za-z]*\/[A-Za-z]+)/;
/** Longest tail of a segment searched for a bar; bars are short, and this bounds the work on huge lines. */
const MAX_SCAN = 2000;
// lmms-eval's batch-mode progress (models/model_utils/progress.py), logged through loguru when stderr is
// not a TTY: `[rank 0] Model Responding: 104/2837 (3.7%) | 1.52 it/s | elapsed 1m08s | ETA 30m02s` and the
// closing `[rank 0] Model Responding: done 2837/2837 in 31m10s (1.52 it/s)`.
const LMMS_LINE_RE = /\[rank \d+\] (.*?): (\d+)\/(\d+) \(([\d.]+)%\) \| ([\d.]+) (it\/s|s\/it) \| elapsed (\S+) \| ETA (\S+)/;
const LMMS_DONE_RE = /\[rank \d+\] (.*?): done (\d+)\/(\d+) in (\S+) \(([\d.]+) (it\/s|s\/it)\)/;

const SCALE: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

function scaled(s: string): number {
  const last = s.at(-1) ?? '';
  const mult = SCALE[last];
  return mult ? Number(s.slice(0, -1)) * mult : Number(s);
}

function time(s: string | undefined): string | null {
  const t = s?.trim();
  return !t || t === '?' ? null : t;
}

function rateOf(s: string): number | null {
  return s === '?' ? null : Number(s);
}

/** Parses one `\r`-separated segment of output. Returns null when it holds no progress report. */
/** The bar's description: the text before the match, without tqdm's `: ` separator. */
function labelBefore(s: string, end: number): string {
  return s.slice(0, end).trim().replace(/:$/, '').trim();
}

/** Parses one `\r`-separated segment of output. Returns null when it holds no progress report. */
export function parseProgress(segment: string): Progress | null {
  const stripped = stripAnsi(segment);
  const s = stripped.length > MAX_SCAN ? stripped.slice(-MAX_SCAN) : stripped;
  // Cheap pre-checks keep this fast on the common non-progress line.
  if (s.includes('[rank ')) {
    let m = LMMS_LINE_RE.exec(s);
    if (m) {
      const [, label = '', n = '', total = '', pct = '', rate = '', unit = '', elapsed, eta] = m;
      return { label, n: Number(n), total: Number(total), percent: Number(pct), rate: Number(rate), rateUnit: unit, elapsed: time(elapsed), eta: time(eta) };
    }
    m = LMMS_DONE_RE.exec(s);
    if (m) {
      const [, label = '', n = '', total = '', elapsed, rate = '', unit = ''] = m;
      const t = Number(total);
      return { label, n: Number(n), total: t, percent: t > 0 ? (100 * Number(n)) / t : null, rate: Number(rate), rateUnit: unit, elapsed: time(elapsed), eta: null };
    }
  }
  if (!s.includes('[')) return null;
  if (s.includes('%|')) {
    const m = TQDM_RE.exec(s);
    if (m) {
      const [, pct = '', n = '', total = '', elapsed, eta, rate = '', unit = ''] = m;
      const nn = scaled(n);
      const tt = scaled(total);
      // n/total is more precise than tqdm's rounded percentage.
      const percent = tt > 0 ? (100 * nn) / tt : Number(pct);
      return { label: labelBefore(s, m.index), n: nn, total: tt, percent, rate: rateOf(rate), rateUnit: unit, elapsed: time(elapsed), eta: time(eta) };
    }
  }
  const m = TQDM_NOTOTAL_RE.exec(s);
  if (m) {
    const [whole, n = '', , elapsed, eta, rate = '', unit = ''] = m;
    // The match may start with the whitespace before n; the label ends where n begins.
    const start = m.index + whole.indexOf(n);
    return { label: labelBefore(s, start), n: scaled(n), total: null, percent: null, rate: rateOf(rate), rateUnit: unit, elapsed: time(elapsed), eta: time(eta) };
  }
  return null;
}

// loguru (lmms-eval): `2026-11-22 10:06:37 | INFO     | module:function:line - message`; some
// configurations add milliseconds. stdlib (lm-eval): `2026-08-21:19:56:54 INFO     [_cli.run:388] message`.
const LOGURU_RE = /(?:^|[^\d])\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d+)? \| ([A-Z]+) *\| /;
const STDLIB_RE = /(?:^|[^\d])\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d ([A-Z]+) +\[/;
// torchrun/accelerate may prefix worker lines with `[rank0]: `.
const TRACEBACK_RE = /^(?:\[rank ?\d+\]:\s*)?Traceback \(most recent call last\):/;

const LEVEL_ALIASES: Record<string, Level> = { WARN: 'WARNING', FATAL: 'CRITICAL' };

function toLevel(name: string): Level | null {
  if ((LEVELS as readonly string[]).includes(name)) return name as Level;
  return LEVEL_ALIASES[name] ?? null;
}

/**
 * The level of a log record, or null for lines that are not records (continuations, bars, prints).
 * The record may start mid-line: with stdout and stderr merged, a loguru line written while a tqdm bar is
 * on screen lands right after the bar's last redraw with no newline in between.
 */
export function parseLevel(line: string): Level | null {
  const s = stripAnsi(line);
  const loguru = LOGURU_RE.exec(s);
  if (loguru) return toLevel(loguru[1] ?? '');
  const std = STDLIB_RE.exec(s);
  if (std) return toLevel(std[1] ?? '');
  if (s.includes('Traceback') && TRACEBACK_RE.test(s.trimStart())) return 'ERROR';
  return null;
}

/** The message part of a log record (after loguru's ` - ` or lm-eval's `[logger:line] `), for summaries. */
export function recordMessage(line: string): string {
  const s = stripAnsi(line);
  const loguru = LOGURU_RE.exec(s);
  if (loguru) {
    const rest = s.slice(loguru.index + loguru[0].length);
    const dash = rest.indexOf(' - ');
    return (dash >= 0 ? rest.slice(dash + 3) : rest).trim();
  }
  const std = STDLIB_RE.exec(s);
  if (std) {
    const rest = s.slice(std.index + std[0].length);
    const close = rest.indexOf('] ');
    return (close >= 0 ? rest.slice(close + 2) : rest).trim();
  }
  return s.trim();
}

/** True for the first line of a Python traceback. */
export function isTracebackStart(line: string): boolean {
  return TRACEBACK_RE.test(stripAnsi(line).trimStart());
}
