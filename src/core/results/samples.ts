/**
 * A paged reader for a `--log_samples` JSONL file of either harness. The first open reads the file once to
 * index where each line starts (with progress, for files of gigabytes); every page after that is one
 * positioned read of just its lines, whatever the file's size. The index is kept on disk beside the runs
 * cache, keyed by the file's identity (inode, size, mtime), so the next process starts paging at once too.
 *
 * Record shapes (demo/harness/_demo_common/common.py writes both, modelled on the real trackers):
 * - lmms-eval: `{doc_id, input, target, resps?, filtered_resps, <metric>: value, …}`;
 * - lm-eval: `{doc_id, doc, target, arguments, resps, filtered_resps, filter, metrics: [names], <metric>: value}`.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { stateDir } from '../paths.js';

export interface Sample {
  /** Line number in the file (0-based). */
  line: number;
  docId: string | number | null;
  input: string | null;
  target: unknown;
  /** Raw responses (`resps`), as the harness wrote them. */
  resps: unknown;
  filteredResps: unknown;
  /** lm-eval's filter name for this line; null for lmms-eval. */
  filter: string | null;
  /** Every per-sample metric with a numeric (or boolean) value. */
  metrics: Record<string, number>;
  /** Paths of images, videos or audio named anywhere in the record. */
  media: string[];
  /** Set when the line is not valid JSON (a truncated last line while the run is still writing). */
  error?: string;
  raw?: Record<string, unknown>;
}

export interface SampleFilter {
  /** `acc<1`, `exact_match=0`, `score>=0.5`: metric, operator, number. */
  metric?: { name: string; op: '<' | '<=' | '=' | '!=' | '>' | '>='; value: number };
  /** Case-insensitive text searched in the whole record. */
  search?: string;
}

export interface Page {
  total: number;
  /** Lines that match the filter (equal to total without one). */
  matched: number;
  offset: number;
  samples: Sample[];
}

export type Progress = (p: { bytes: number; total: number }) => void;

const CHUNK = 4 << 20;
const INDEX_SCHEMA = 1;
const PERSIST_MIN_BYTES = 4 << 20;
/** Keys of a record that are not metrics even when numeric. */
const NOT_METRIC = new Set(['doc_id', 'line', 'idx', 'index', 'id']);
const MEDIA = /\.(?:png|jpe?g|gif|webp|bmp|tiff?|mp4|avi|mov|mkv|webm|wav|mp3|flac|ogg|m4a)$/i;

/** `acc<1` → the parts; a UserError naming the expected form otherwise. */
export function parseMetricFilter(expr: string): NonNullable<SampleFilter['metric']> {
  const m = /^\s*([A-Za-z0-9_.\-/ ]+?)\s*(<=|>=|!=|==|=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?)\s*$/i.exec(expr);
  if (!m) throw new UserError(`cannot read the metric filter "${expr}"`, 'write METRIC OP NUMBER, e.g. acc=0 (wrong answers), exact_match<1, score>=0.5');
  const op = (m[2] === '==' ? '=' : m[2]) as NonNullable<SampleFilter['metric']>['op'];
  return { name: m[1]!.trim(), op, value: Number(m[3]) };
}

function test(v: number, op: NonNullable<SampleFilter['metric']>['op'], x: number): boolean {
  switch (op) {
    case '<': return v < x;
    case '<=': return v <= x;
    case '=': return v === x;
    case '!=': return v !== x;
    case '>': return v > x;
    case '>=': return v >= x;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function inputOf(rec: Record<string, unknown>): string | null {
  if (typeof rec.input === 'string') return rec.input;
  if (typeof rec.prompt === 'string') return rec.prompt;
  const args = rec.arguments;
  // lm-eval: {gen_args_0: {arg_0: prompt, arg_1: …}}; older versions a list of argument lists.
  if (isObject(args)) {
    const first = Object.values(args)[0];
    if (isObject(first) && typeof first.arg_0 === 'string') return first.arg_0;
  }
  if (Array.isArray(args) && Array.isArray(args[0]) && typeof args[0][0] === 'string') return args[0][0];
  if (isObject(rec.doc)) for (const k of ['query', 'question', 'prompt', 'input', 'text']) if (typeof rec.doc[k] === 'string') return rec.doc[k] as string;
  return null;
}

function mediaOf(v: unknown, out: string[], depth = 0): void {
  if (depth > 4 || out.length >= 16) return;
  if (typeof v === 'string') {
    if (v.length < 1024 && MEDIA.test(v) && !/\s/.test(v)) out.push(v);
  } else if (Array.isArray(v)) for (const x of v) mediaOf(x, out, depth + 1);
  else if (isObject(v)) for (const x of Object.values(v)) mediaOf(x, out, depth + 1);
}

export function normalizeSample(rec: unknown, line: number, keepRaw = false): Sample {
  if (!isObject(rec)) return { line, docId: null, input: null, target: null, resps: null, filteredResps: null, filter: null, metrics: {}, media: [], error: 'not a JSON object' };
  const metrics: Record<string, number> = {};
  const named = Array.isArray(rec.metrics) ? rec.metrics.filter((m): m is string => typeof m === 'string') : null;
  for (const [k, v] of Object.entries(rec)) {
    if (NOT_METRIC.has(k)) continue;
    if (named && !named.includes(k)) continue;
    if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
    else if (typeof v === 'boolean') metrics[k] = v ? 1 : 0;
  }
  const media: string[] = [];
  mediaOf(rec.doc, media);
  mediaOf(rec.input, media);
  const docId = typeof rec.doc_id === 'number' || typeof rec.doc_id === 'string' ? rec.doc_id : null;
  return {
    line,
    docId,
    input: inputOf(rec),
    target: rec.target ?? null,
    resps: rec.resps ?? null,
    filteredResps: rec.filtered_resps ?? null,
    filter: typeof rec.filter === 'string' ? rec.filter : null,
    metrics,
    media,
    ...(keepRaw ? { raw: rec } : {}),
  };
}

/** Where a file's line index is kept: one file per samples file, named by its path. */
function indexFileFor(file: string, env: NodeJS.ProcessEnv): string {
  const h = createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 24);
  return path.join(stateDir(env), 'cache', 'results', 'samples', `${h}.idx`);
}

export interface OpenSamplesOptions {
  onProgress?: Progress;
  env?: NodeJS.ProcessEnv;
  /** Keep the line index on disk (default: for files of 4 MiB and more; a small file is indexed faster than the index is read). */
  persist?: boolean;
}

export class SamplesFile {
  readonly #fd: number;
  /** Start offset of each line, plus the end of the last one: line i is [starts[i], starts[i+1]). */
  readonly #starts: Float64Array;
  readonly total: number;
  readonly fromCache: boolean;

  private constructor(readonly file: string, fd: number, starts: Float64Array, fromCache: boolean) {
    this.#fd = fd;
    this.#starts = starts;
    this.total = starts.length - 1;
    this.fromCache = fromCache;
  }

  static open(file: string, opts: OpenSamplesOptions = {}): SamplesFile {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      throw new UserError(`cannot open samples file ${file}: ${(err as Error).message}`, 'the run writes samples only with --log_samples');
    }
    try {
      const st = fstatSync(fd);
      const env = opts.env ?? process.env;
      const persist = opts.persist ?? st.size >= PERSIST_MIN_BYTES;
      const idxFile = indexFileFor(file, env);
      const key = `${INDEX_SCHEMA}:${st.ino}:${st.size}:${st.mtimeMs}`;
      if (persist) {
        const cached = readIndex(idxFile, key);
        if (cached) return new SamplesFile(file, fd, cached, true);
      }
      const starts = scanLines(fd, st.size, opts.onProgress);
      if (persist) writeIndex(idxFile, key, starts);
      return new SamplesFile(file, fd, starts, false);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** The raw text of lines [from, to), one positioned read. */
  rawLines(from: number, to: number): string[] {
    const a = Math.max(0, from);
    const b = Math.min(this.total, to);
    if (b <= a) return [];
    const start = this.#starts[a]!;
    const len = this.#starts[b]! - start;
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.#fd, buf, got, len - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const out: string[] = [];
    for (let i = a; i < b; i++) {
      const s = this.#starts[i]! - start;
      let e = this.#starts[i + 1]! - start;
      while (e > s && (buf[e - 1] === 0x0a || buf[e - 1] === 0x0d)) e--;
      out.push(buf.toString('utf8', s, Math.min(e, got)));
    }
    return out;
  }

  sample(line: number, keepRaw = true): Sample | null {
    const [text] = this.rawLines(line, line + 1);
    return text === undefined ? null : parseLine(text, line, keepRaw);
  }

  /** A page of samples; with a filter, the page is over the matching lines (a scan of the file). */
  page(offset: number, limit: number, filter: SampleFilter = {}): Page {
    if (!filter.metric && !filter.search) {
      const texts = this.rawLines(offset, offset + limit);
      return { total: this.total, matched: this.total, offset, samples: texts.map((t, i) => parseLine(t, offset + i, false)) };
    }
    const needle = filter.search?.toLowerCase();
    const samples: Sample[] = [];
    let matched = 0;
    const BATCH = 4096;
    for (let from = 0; from < this.total; from += BATCH) {
      const texts = this.rawLines(from, from + BATCH);
      for (let i = 0; i < texts.length; i++) {
        const t = texts[i]!;
        // The search runs on the raw line first: most lines are rejected without parsing them.
        if (needle && !t.toLowerCase().includes(needle)) continue;
        let s: Sample | null = null;
        if (filter.metric) {
          s = parseLine(t, from + i, false);
          const v = s.metrics[filter.metric.name];
          if (v === undefined || !test(v, filter.metric.op, filter.metric.value)) continue;
        }
        if (matched >= offset && samples.length < limit) samples.push(s ?? parseLine(t, from + i, false));
        matched++;
      }
    }
    return { total: this.total, matched, offset, samples };
  }

  /**
   * Line numbers of every line that matches, in order, without keeping the parsed samples (the TUI's search
   * steps through these; on a file of gigabytes a page of all matches would hold them all in memory).
   */
  matchingLines(filter: SampleFilter = {}): number[] {
    if (!filter.metric && !filter.search) return Array.from({ length: this.total }, (_, i) => i);
    const needle = filter.search?.toLowerCase();
    const out: number[] = [];
    const BATCH = 4096;
    for (let from = 0; from < this.total; from += BATCH) {
      const texts = this.rawLines(from, from + BATCH);
      for (let i = 0; i < texts.length; i++) {
        const t = texts[i]!;
        if (needle && !t.toLowerCase().includes(needle)) continue;
        if (filter.metric) {
          const v = parseLine(t, from + i, false).metrics[filter.metric.name];
          if (v === undefined || !test(v, filter.metric.op, filter.metric.value)) continue;
        }
        out.push(from + i);
      }
    }
    return out;
  }

  /** The doc ids of every line that matches (for "re-run these docs"). */
  docIds(filter: SampleFilter = {}): (string | number)[] {
    return this.page(0, Number.MAX_SAFE_INTEGER, filter).samples.map((s) => s.docId).filter((d): d is string | number => d !== null);
  }

  /** Every line's score for one metric, by doc id (the paired statistics of compare use it). */
  scores(metric: string, filter?: string | null): Map<string, number> {
    const out = new Map<string, number>();
    const BATCH = 8192;
    for (let from = 0; from < this.total; from += BATCH) {
      for (const text of this.rawLines(from, from + BATCH)) {
        // Only the three fields the statistics need: no normalising of the whole record.
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue; // a truncated line has no score
        }
        const doc = rec.doc_id;
        if (typeof doc !== 'number' && typeof doc !== 'string') continue;
        // lm-eval writes one line per doc and filter: keep the asked one (or the first seen).
        if (filter && typeof rec.filter === 'string' && rec.filter !== filter) continue;
        const raw = rec[metric];
        const v = typeof raw === 'number' && Number.isFinite(raw) ? raw : typeof raw === 'boolean' ? (raw ? 1 : 0) : undefined;
        const key = String(doc);
        if (v !== undefined && !out.has(key)) out.set(key, v);
      }
    }
    return out;
  }

  /** Metric names seen in the first lines (for pickers and `--metric` errors). */
  metricNames(probe = 50): string[] {
    const names = new Set<string>();
    for (const s of this.page(0, probe).samples) for (const k of Object.keys(s.metrics)) names.add(k);
    return [...names];
  }
}

function parseLine(text: string, line: number, keepRaw: boolean): Sample {
  try {
    return normalizeSample(JSON.parse(text), line, keepRaw);
  } catch (err) {
    return { line, docId: null, input: null, target: null, resps: null, filteredResps: null, filter: null, metrics: {}, media: [], error: `line ${line + 1} is not valid JSON (${(err as Error).message}); a run still writing, or a truncated file` };
  }
}

function scanLines(fd: number, size: number, onProgress?: Progress): Float64Array {
  let starts = new Float64Array(1024);
  let n = 0;
  const push = (v: number): void => {
    if (n === starts.length) {
      const bigger = new Float64Array(starts.length * 2);
      bigger.set(starts);
      starts = bigger;
    }
    starts[n++] = v;
  };
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  let lineStart = 0;
  let lastReport = 0;
  onProgress?.({ bytes: 0, total: size });
  while (pos < size) {
    const got = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
    if (got === 0) break;
    let i = buf.indexOf(0x0a, 0);
    while (i !== -1 && i < got) {
      const end = pos + i + 1;
      if (end - lineStart > 1) push(lineStart);
      lineStart = end;
      i = buf.indexOf(0x0a, i + 1);
    }
    pos += got;
    if (onProgress && (pos - lastReport >= 64 << 20 || pos >= size)) {
      lastReport = pos;
      onProgress({ bytes: pos, total: size });
    }
  }
  // A last line without its newline (the run was killed mid-write) still counts; its parse error says so.
  if (pos > lineStart) push(lineStart);
  push(pos);
  return starts.slice(0, n);
}

function readIndex(file: string, key: string): Float64Array | null {
  try {
    const buf = readFileSync(file);
    const nl = buf.indexOf(0x0a);
    if (nl < 0 || buf.toString('utf8', 0, nl) !== key) return null;
    // Offsets start at an 8-byte boundary after the header line.
    const at = Math.ceil((nl + 1) / 8) * 8;
    const copy = new Float64Array((buf.length - at) / 8);
    new Uint8Array(copy.buffer).set(buf.subarray(at));
    return copy.length >= 1 ? copy : null;
  } catch {
    return null;
  }
}

function writeIndex(file: string, key: string, starts: Float64Array): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const head = Buffer.from(`${key}\n`);
    const at = Math.ceil(head.length / 8) * 8;
    const out = Buffer.alloc(at + starts.byteLength);
    head.copy(out, 0);
    Buffer.from(starts.buffer, starts.byteOffset, starts.byteLength).copy(out, at);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, out, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    rmSync(`${file}.${process.pid}.tmp`, { force: true });
  }
}
