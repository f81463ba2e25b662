/**
 * The web UI's Log Viewer API (`/logs/runs…`): results files found under a logs directory, their JSON, and
 * their per-sample jsonl, in the original's shapes. Differences: the scan is bounded (depth, entries) and
 * asynchronous, so `logs_path=/` cannot stall the server; symlinks are resolved before the containment
 * check; dataset media previews are not served.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Checker, httpError, isObject, unprocessable } from './fastapi.js';

export interface LogRunSummary {
  run_id: string;
  model_name: string;
  date: string;
  tasks: string[];
  metrics: Record<string, Record<string, unknown>>;
  total_evaluation_time_seconds: unknown;
  config: Record<string, unknown>;
  n_samples: Record<string, unknown>;
}

export interface ScanLimits {
  maxDepth: number;
  maxEntries: number;
}

export const DEFAULT_SCAN: ScanLimits = { maxDepth: 8, maxEntries: 50_000 };

/** Python's `urllib.parse.quote(s, safe="")`. */
export function pyQuote(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function resolveRoot(logsPath: string, cwd: string): string {
  const p = logsPath === '~' || logsPath.startsWith('~/') ? path.join(homedir(), logsPath.slice(1)) : logsPath;
  return path.resolve(cwd, p);
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function realRoot(logsPath: string, cwd: string): Promise<string | null> {
  try {
    const r = await realpath(resolveRoot(logsPath, cwd));
    return (await stat(r)).isDirectory() ? r : null;
  } catch {
    return null;
  }
}

async function findResults(root: string, limits: ScanLimits): Promise<string[]> {
  const out: string[] = [];
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > limits.maxDepth || seen >= limits.maxEntries) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (++seen > limits.maxEntries) return;
      const full = path.join(dir, e.name);
      // Directory symlinks are not followed (as Path.rglob), which also rules out loops.
      if (e.isDirectory()) await walk(full, depth + 1);
      else if (e.name.endsWith('_results.json') && (e.isFile() || e.isSymbolicLink())) out.push(full);
    }
  };
  await walk(root, 0);
  return out;
}

export async function listRuns(logsPath: string, cwd: string, limits: ScanLimits = DEFAULT_SCAN): Promise<LogRunSummary[]> {
  const root = await realRoot(logsPath, cwd);
  if (!root) return [];
  const runs: LogRunSummary[] = [];
  for (const file of await findResults(root, limits)) {
    let real: string;
    let data: unknown;
    try {
      real = await realpath(file);
      if (!inside(root, real)) continue;
      data = JSON.parse(await readFile(real, 'utf8'));
    } catch {
      continue;
    }
    if (!isObject(data)) continue;
    const results = isObject(data.results) ? data.results : {};
    const metrics: Record<string, Record<string, unknown>> = {};
    for (const [task, m] of Object.entries(results)) {
      if (!isObject(m)) continue;
      metrics[task] = Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'alias'));
    }
    const rel = path.relative(root, real).split(path.sep).join('/');
    runs.push({
      run_id: pyQuote(rel),
      model_name: data.model_name === undefined || data.model_name === null ? '' : String(data.model_name),
      date: data.date === undefined || data.date === null ? path.basename(real, '.json').replace(/_results$/, '') : String(data.date),
      tasks: Object.keys(results),
      metrics,
      total_evaluation_time_seconds: data.total_evaluation_time_seconds ?? null,
      config: isObject(data.config) ? data.config : {},
      n_samples: isObject(data['n-samples']) ? data['n-samples'] : {},
    });
  }
  return runs.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

/** The resolved logs root of a request (for confining files found beside a results file), or 404. */
export async function logsRoot(logsPath: string, cwd: string): Promise<string> {
  const root = await realRoot(logsPath, cwd);
  if (!root) throw httpError(404, 'Logs path not found');
  return root;
}

/** The results file a run id names, confined to the logs directory (after resolving symlinks). */
export async function runResultsPath(logsPath: string, runId: string, cwd: string): Promise<string> {
  const root = await realRoot(logsPath, cwd);
  if (!root) throw httpError(404, 'Logs path not found');
  let decoded: string;
  try {
    decoded = decodeURIComponent(runId);
  } catch {
    throw httpError(400, 'Invalid run_id');
  }
  if (decoded.includes('\0') || path.isAbsolute(decoded)) throw httpError(400, 'Invalid run_id');
  const target = path.resolve(root, decoded);
  if (!inside(root, target)) throw httpError(400, 'Path escapes logs directory');
  if (!target.endsWith('_results.json')) throw httpError(404, 'Run results not found');
  let real: string;
  try {
    real = await realpath(target);
    if (!(await stat(real)).isFile()) throw new Error('not a file');
  } catch {
    throw httpError(404, 'Run results not found');
  }
  if (!inside(root, real)) throw httpError(400, 'Path escapes logs directory');
  return real;
}

export async function runResults(file: string): Promise<Record<string, unknown>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw httpError(404, 'Run results not found');
    throw httpError(500, 'Run results JSON is invalid');
  }
  if (!isObject(data)) throw httpError(500, 'Run results must be a JSON object');
  return data;
}

/** `offset` ≥ 0 and 1 ≤ `limit` ≤ 500, with FastAPI's constraint errors. */
export function pageQuery(q: Record<string, string | undefined>): { offset: number; limit: number } {
  const c = new Checker();
  const offset = q.offset === undefined ? 0 : c.int(q.offset, ['query', 'offset']);
  const limit = q.limit === undefined ? 50 : c.int(q.limit, ['query', 'limit']);
  c.throwIfAny();
  const errs = [];
  if (offset! < 0) errs.push({ type: 'greater_than_equal', loc: ['query', 'offset'], msg: 'Input should be greater than or equal to 0', input: q.offset, ctx: { ge: 0 } });
  if (limit! < 1) errs.push({ type: 'greater_than_equal', loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1', input: q.limit, ctx: { ge: 1 } });
  if (limit! > 500) errs.push({ type: 'less_than_equal', loc: ['query', 'limit'], msg: 'Input should be less than or equal to 500', input: q.limit, ctx: { le: 500 } });
  if (errs.length) throw unprocessable(errs);
  return { offset: offset!, limit: limit! };
}

/** One page of `<stamp>_samples_<task>.jsonl` beside a results file, read as a stream (files can be large). */
export async function runSamples(resultsFile: string, task: string, page: { offset: number; limit: number }, root: string) {
  if (task.includes('/') || task.includes('\\')) throw httpError(400, 'Invalid task name');
  const prefix = path.basename(resultsFile).replace(/_results\.json$/, '');
  let file = path.join(path.dirname(resultsFile), `${prefix}_samples_${task}.jsonl`);
  try {
    // Resolved like the results file: a samples symlink pointing out of the logs root (at ~/.ssh/…,
    // another user's run) is not served, and the resolved path is what gets opened.
    file = await realpath(file);
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch {
    throw httpError(404, 'Samples file not found');
  }
  if (!inside(root, file)) throw httpError(400, 'Path escapes logs directory');
  const samples: unknown[] = [];
  let total = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    let sample: unknown;
    try {
      sample = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObject(sample)) continue;
    if (total >= page.offset && samples.length < page.limit) samples.push(sample);
    total++;
  }
  return { samples, total, offset: page.offset, limit: page.limit };
}
