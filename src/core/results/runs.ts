/**
 * The run index: every results file under every source (each job's output path, and the folders the user
 * added with `lmms-tui results add`), one entry per file, cached like the discovery index
 * (src/core/discovery/cache.ts): a stat walk decides what changed, and only new or rewritten files are
 * parsed again. An unreadable or half-written file is an entry with its error, never a failure of the index.
 *
 * Layouts (the demo harness in demo/harness/_demo_common writes both for real):
 * - lmms-eval: `<out>[/<model>]/<ts>_results.json`, samples `<ts>_samples_<task>.jsonl` beside it;
 * - lm-eval: `<out>/<model_dir>/results_<date_id>.json`, samples `samples_<task>_<date_id>.jsonl` beside it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { jobsDir, stateDir } from '../paths.js';
import { isResultsFileName } from './find.js';
import { readMetrics, type ResultsHarness, type ResultsSummary } from './parse.js';

export const RUNS_CACHE_SCHEMA = 1;

export interface RunSource {
  path: string;
  kind: 'job' | 'folder';
  /** The lmms-tui job whose output path this is. */
  jobId?: string;
}

export interface RunGroup {
  name: string;
  members: string[];
}

/** One results file, as every face lists it. */
export interface RunInfo {
  /** Short stable id (hash of the file's path): what `results show ID` takes. */
  id: string;
  file: string;
  dir: string;
  harness: ResultsHarness;
  version: string | null;
  /** The model as the user knows it: `model_name`, else `pretrained=` of model_args, else the model type. */
  model: string | null;
  /** The harness's model type (`--model`). */
  modelType: string | null;
  /** Masked with the core rule (src/core/redact.ts): a results file may hold an api_key. */
  modelArgs: string | null;
  /** Tasks that are not groups, in file order. */
  tasks: string[];
  groups: RunGroup[];
  nShot: Record<string, number | null>;
  limit: number | null;
  nSamples: Record<string, number | null>;
  /** ISO-like start time: lmms-eval's stamp as written (its --timezone), lm-eval's epoch in UTC. */
  date: string | null;
  durationSeconds: number | null;
  gitHash: string | null;
  jobId: string | null;
  simulated: boolean;
  /** Samples file per task (written by --log_samples), found beside the results file. */
  samplesFiles: Record<string, string>;
  mtimeMs: number;
  size: number;
  /** Set when the file could not be read or parsed; the other fields are then mostly empty. */
  error: string | null;
}

interface Stamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

type CachedRun = Omit<RunInfo, 'samplesFiles' | 'jobId'>;

interface CacheFile {
  schema: number;
  files: Record<string, { stamp: Stamp; run: CachedRun }>;
}

export interface RunIndexOptions {
  env?: NodeJS.ProcessEnv;
  /** Folders to index besides the jobs' output paths (the persisted setting, usually). */
  folders?: readonly string[];
  /** Leave the jobs' output paths out (a test or bench indexing one folder). */
  noJobs?: boolean;
  /** Cache file; default `<state dir>/cache/results/runs.json`. */
  cacheFile?: string;
  /** Depth below each source; results sit 0-2 levels down, a folder of many runs a level or two more. */
  maxDepth?: number;
}

export interface RunIndex {
  runs: RunInfo[];
  /** Sources that could not be listed (missing folder, permission). */
  problems: { path: string; message: string }[];
  /** Files parsed in this call (the rest came from the cache). */
  parsed: number;
  fromCache: number;
}

export function runsCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'cache', 'results', 'runs.json');
}

export function runId(file: string): string {
  return createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 10);
}

/** Jobs' output paths from the scheduler's store (read only; a damaged job.json is skipped there). */
export function jobSources(env: NodeJS.ProcessEnv = process.env): RunSource[] {
  const root = jobsDir(env);
  const out: RunSource[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    try {
      const job = JSON.parse(readFileSync(path.join(root, e.name, 'job.json'), 'utf8')) as { id?: unknown; output_path?: unknown };
      if (typeof job.id === 'string' && typeof job.output_path === 'string' && job.output_path !== '') {
        out.push({ path: job.output_path, kind: 'job', jobId: job.id });
      }
    } catch {
      // Not a job (yet), or a record the store itself reports as damaged.
    }
  }
  return out;
}

interface Found {
  results: string[];
  /** Directory → the samples file names in it. */
  samples: Map<string, string[]>;
}

function walk(dir: string, depth: number, maxDepth: number, found: Found, problems: RunIndex['problems'], top: boolean): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (top) problems.push({ path: dir, message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message });
    return;
  }
  const samples: string[] = [];
  for (const e of entries) {
    // Symlinked directories are not followed: no loops.
    if (e.isDirectory()) {
      if (depth < maxDepth) walk(path.join(dir, e.name), depth + 1, maxDepth, found, problems, false);
    } else if (e.name.endsWith('.jsonl') && e.name.includes('samples_')) {
      samples.push(e.name);
    } else if ((e.isFile() || e.isSymbolicLink()) && isResultsFileName(e.name)) {
      found.results.push(path.join(dir, e.name));
    }
  }
  if (samples.length) found.samples.set(dir, samples);
}

/** The samples files that belong to a results file, by the naming rule of its harness. */
export function samplesFor(resultsFile: string, namesInDir: readonly string[]): Record<string, string> {
  const dir = path.dirname(resultsFile);
  const base = path.basename(resultsFile);
  const out: Record<string, string> = {};
  const lmms = /^(.*)_results\.json$/.exec(base);
  const lme = /^results_(.+)\.json$/.exec(base);
  for (const name of namesInDir) {
    if (lme) {
      const suffix = `_${lme[1]}.jsonl`;
      if (name.startsWith('samples_') && name.endsWith(suffix)) out[name.slice('samples_'.length, -suffix.length)] = path.join(dir, name);
    } else if (lmms) {
      const prefix = `${lmms[1]}_samples_`;
      if (name.startsWith(prefix)) out[name.slice(prefix.length, -'.jsonl'.length)] = path.join(dir, name);
    }
  }
  return out;
}

function pretrainedOf(modelArgs: string | null): string | null {
  const m = modelArgs ? /(?:^|,)\s*pretrained=([^,]+)/.exec(modelArgs) : null;
  return m ? m[1]!.trim() : null;
}

/** `20261122_100637` → `2026-11-22T10:06:37`; anything else as the parser gave it. */
function normalDate(date: string | null): string | null {
  if (!date) return null;
  const m = /^(\d{4})(\d\d)(\d\d)_(\d\d)(\d\d)(\d\d)$/.exec(date);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : date;
}

export function runFromSummary(s: ResultsSummary, stamp: Stamp): CachedRun {
  const groupNames = new Set([...Object.entries(s.groupSubtasks).filter(([, m]) => m.length > 0).map(([g]) => g), ...s.groups.map((g) => g.task)]);
  const tasks: string[] = [];
  for (const r of s.rows) if (!groupNames.has(r.task) && !tasks.includes(r.task)) tasks.push(r.task);
  const modelArgs = s.config.model_args === null ? null : redactSecrets(s.config.model_args);
  return {
    id: runId(s.file),
    file: s.file,
    dir: path.dirname(s.file),
    harness: s.harness,
    version: s.version,
    model: s.modelName ?? pretrainedOf(modelArgs) ?? s.config.model,
    modelType: s.config.model,
    modelArgs,
    tasks,
    groups: [...groupNames].map((name) => ({ name, members: s.groupSubtasks[name] ?? [] })),
    nShot: s.nShot,
    limit: s.config.limit,
    nSamples: s.samples,
    date: normalDate(s.date),
    durationSeconds: s.evalSeconds,
    gitHash: s.gitHash,
    simulated: s.simulated,
    mtimeMs: stamp.mtimeMs,
    size: stamp.size,
    error: null,
  };
}

function errorRun(file: string, stamp: Stamp, message: string): CachedRun {
  return {
    id: runId(file), file, dir: path.dirname(file), harness: 'unknown', version: null, model: null, modelType: null, modelArgs: null,
    tasks: [], groups: [], nShot: {}, limit: null, nSamples: {}, date: null, durationSeconds: null, gitHash: null, simulated: false,
    mtimeMs: stamp.mtimeMs, size: stamp.size, error: message,
  };
}

function readCache(file: string): CacheFile {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (raw && raw.schema === RUNS_CACHE_SCHEMA && typeof raw.files === 'object' && raw.files !== null) return raw;
  } catch {
    // Missing or damaged: a cold index.
  }
  return { schema: RUNS_CACHE_SCHEMA, files: {} };
}

function writeCache(file: string, cache: CacheFile): void {
  // Written whole to a temporary file and renamed, so a reader never sees half of it.
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written costs speed next time, nothing else.
    rmSync(tmp, { force: true });
  }
}

/**
 * Indexes every source; newest first. Sources are the jobs' output paths (unless noJobs) and `folders`. A run
 * under a job's output path carries that job's id, whichever source found it.
 */
export function indexRuns(opts: RunIndexOptions = {}): RunIndex {
  const env = opts.env ?? process.env;
  const sources: RunSource[] = [...(opts.noJobs ? [] : jobSources(env)), ...(opts.folders ?? []).map((f) => ({ path: path.resolve(f), kind: 'folder' as const }))];
  const found: Found = { results: [], samples: new Map() };
  const problems: RunIndex['problems'] = [];
  const maxDepth = opts.maxDepth ?? 5;
  const jobRoots: { root: string; jobId: string }[] = [];
  for (const src of sources) {
    let root = src.path;
    if (src.kind === 'job') {
      // lm-eval with `--output_path x.json` writes `x_<date_id>.json` beside it.
      if (root.endsWith('.json')) root = path.dirname(root);
      jobRoots.push({ root, jobId: src.jobId! });
      // A job that has not written anything yet has no output dir: not a problem worth listing.
      if (!existsDir(root)) continue;
    }
    walk(root, 0, src.kind === 'job' && src.path.endsWith('.json') ? 0 : maxDepth, found, problems, true);
  }
  const cacheFile = opts.cacheFile ?? runsCacheFile(env);
  const cache = readCache(cacheFile);
  const next: CacheFile = { schema: RUNS_CACHE_SCHEMA, files: {} };
  const runs: RunInfo[] = [];
  let parsed = 0;
  let fromCache = 0;
  // Longest root first, so a job whose output path is inside another source's tree wins.
  jobRoots.sort((a, b) => b.root.length - a.root.length);
  for (const file of new Set(found.results)) {
    let st;
    try {
      st = statSync(file);
    } catch {
      continue; // removed between listing and stat
    }
    const stamp: Stamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    const old = cache.files[file];
    let run: CachedRun;
    if (old && old.stamp.ino === stamp.ino && old.stamp.size === stamp.size && old.stamp.mtimeMs === stamp.mtimeMs) {
      run = old.run;
      fromCache++;
    } else {
      parsed++;
      try {
        run = runFromSummary(readMetrics(file), stamp);
      } catch (err) {
        run = errorRun(file, stamp, (err as Error).message);
      }
    }
    next.files[file] = { stamp, run };
    const dir = path.dirname(file);
    const job = jobRoots.find((j) => file === j.root || file.startsWith(j.root.endsWith(path.sep) ? j.root : j.root + path.sep));
    runs.push({ ...run, jobId: job?.jobId ?? null, samplesFiles: samplesFor(file, found.samples.get(dir) ?? []) });
  }
  if (parsed > 0 || Object.keys(cache.files).length !== Object.keys(next.files).length) writeCache(cacheFile, next);
  // Newest first by the harness's own start time (mtime when the file has none, e.g. unreadable).
  const when = (r: RunInfo): string => r.date ?? new Date(r.mtimeMs).toISOString();
  runs.sort((a, b) => (when(a) < when(b) ? 1 : when(a) > when(b) ? -1 : b.mtimeMs - a.mtimeMs || (a.file < b.file ? 1 : -1)));
  return { runs, problems, parsed, fromCache };
}

function existsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A run by reference: its id or a unique id prefix, a results file path, or a job id (that job's newest run).
 * Throws a UserError naming what was asked and what matched.
 */
export function findRun(runs: readonly RunInfo[], ref: string): RunInfo {
  const abs = path.resolve(ref);
  const byFile = runs.find((r) => r.file === abs);
  if (byFile) return byFile;
  const byJob = runs.filter((r) => r.jobId === ref);
  if (byJob.length) return byJob[0]!;
  const byId = runs.filter((r) => r.id.startsWith(ref.toLowerCase()));
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) throw new UserError(`run "${ref}" is ambiguous: ${byId.map((r) => r.id).join(', ')}`, 'give more characters of the id');
  const byJobPrefix = [...new Set(runs.filter((r) => r.jobId?.startsWith(ref)).map((r) => r.jobId))];
  if (byJobPrefix.length === 1) return runs.find((r) => r.jobId === byJobPrefix[0])!;
  throw new UserError(`no run "${ref}"`, 'give a run id from `lmms-tui results list`, a job id, or a results file path (add its folder with `lmms-tui results add DIR`)');
}

