/**
 * What the faces (CLI `lmms-tui results …`, the API's /api/v1/results routes, the TUI) ask of the results
 * workbench, in one place: the index over the jobs and the user's folders, a run with its metrics, a page of
 * samples, a comparison. Each face only formats.
 */
import { UserError } from '../errors.js';
import { openSettings } from '../settings.js';
import { compareRuns, type CompareOptions, type Comparison } from './compare.js';
import { metricTree, readMetrics, type TreeRow } from './parse.js';
import { findRun, indexRuns, type RunIndex, type RunInfo } from './runs.js';
import { parseMetricFilter, SamplesFile, type Page, type Progress } from './samples.js';

export interface WorkbenchOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra folders for this call, besides the persisted ones. */
  folders?: readonly string[];
  /**
   * Only a full run id or a full job id names a run (the API): a caller that can only guess must not get
   * far with one-character prefixes or arbitrary file paths.
   */
  exact?: boolean;
}

function pick(runs: readonly RunInfo[], ref: string, opts: WorkbenchOptions): RunInfo {
  if (!opts.exact) return findRun(runs, ref);
  const hit = runs.find((r) => r.id === ref.toLowerCase()) ?? runs.find((r) => r.jobId === ref.toLowerCase());
  if (!hit) throw new UserError(`no run "${ref}"`, 'send a full run id (GET /api/v1/results/runs lists them) or a full job id');
  return hit;
}

export interface RunFilter {
  model?: string;
  task?: string;
  /** Runs dated on or after this (ISO date or date-time prefix compared as text, e.g. 2026-12-01). */
  since?: string;
  harness?: string;
  sort?: 'date' | 'model';
}

export function resultsFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  return openSettings({ env }).resultsFolders();
}

export function loadIndex(opts: WorkbenchOptions = {}): RunIndex {
  const env = opts.env ?? process.env;
  return indexRuns({ env, folders: [...resultsFolders(env), ...(opts.folders ?? [])] });
}

export function filterRuns(runs: readonly RunInfo[], f: RunFilter): RunInfo[] {
  const lc = (s: string | null | undefined): string => (s ?? '').toLowerCase();
  let out = runs.filter(
    (r) =>
      (!f.model || lc(r.model).includes(lc(f.model)) || lc(r.modelType).includes(lc(f.model))) &&
      (!f.task || [...r.tasks, ...r.groups.map((g) => g.name)].some((t) => lc(t).includes(lc(f.task)))) &&
      (!f.harness || r.harness === f.harness) &&
      (!f.since || (r.date ?? new Date(r.mtimeMs).toISOString()) >= f.since),
  );
  if (f.sort === 'model') out = [...out].sort((a, b) => lc(a.model).localeCompare(lc(b.model)) || b.mtimeMs - a.mtimeMs);
  return out;
}

/**
 * The runs list's free-text filter: every whitespace-separated word must occur (case-insensitive) in one of
 * the run's model, model type, task or group names, harness, date, run id or lmms-tui job id.
 */
export function searchRuns(runs: readonly RunInfo[], text: string): RunInfo[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...runs];
  return runs.filter((r) => {
    const hay = [r.model, r.modelType, ...r.tasks, ...r.groups.map((g) => g.name), r.harness, r.date, r.id, r.jobId]
      .filter((x): x is string => typeof x === 'string')
      .map((x) => x.toLowerCase());
    return words.every((w) => hay.some((h) => h.includes(w)));
  });
}

export interface RunDetail {
  run: RunInfo;
  metrics: TreeRow[];
}

export function showRun(ref: string, opts: WorkbenchOptions = {}): RunDetail {
  const run = pick(loadIndex(opts).runs, ref, opts);
  if (run.error) return { run, metrics: [] };
  return { run, metrics: metricTree(readMetrics(run.file)) };
}

export interface SamplesQuery {
  offset?: number;
  limit?: number;
  /** `acc=0`, `exact_match<1`. */
  where?: string;
  search?: string;
  onProgress?: Progress;
  /** Also plan a re-run of every matching doc (rerunPlan). */
  rerun?: boolean;
}

export interface SamplesAnswer extends Page {
  run: string;
  task: string;
  file: string;
  metrics: string[];
  /** With `rerun`: how to re-run the matching docs. */
  rerun?: RerunPlan;
}

/** The samples file of a run's task; a UserError naming the tasks that have one otherwise. */
export function samplesFileOf(run: RunInfo, task: string): string {
  const file = run.samplesFiles[task];
  if (file) return file;
  const have = Object.keys(run.samplesFiles);
  throw new UserError(
    `run ${run.id} has no samples file for task "${task}"`,
    have.length ? `tasks with samples: ${have.join(', ')}` : 'the run did not log samples: run it with --log_samples',
  );
}

export function readSamples(ref: string, task: string, q: SamplesQuery = {}, opts: WorkbenchOptions = {}): SamplesAnswer {
  const run = pick(loadIndex(opts).runs, ref, opts);
  const file = samplesFileOf(run, task);
  const sf = SamplesFile.open(file, { env: opts.env, onProgress: q.onProgress });
  try {
    const filter = { ...(q.where ? { metric: parseMetricFilter(q.where) } : {}), ...(q.search ? { search: q.search } : {}) };
    const page = sf.page(Math.max(0, q.offset ?? 0), Math.min(1000, Math.max(1, q.limit ?? 20)), filter);
    const rerun = q.rerun ? rerunPlan(run, task, sf.docIds(filter)) : undefined;
    return { run: run.id, task, file, metrics: sf.metricNames(), ...page, ...(rerun ? { rerun } : {}) };
  } finally {
    sf.close();
  }
}

export interface CompareQuery extends Omit<CompareOptions, 'baseline' | 'env'> {
  /** A run reference (one of `refs`) to use as the baseline; default the first. */
  baseline?: string;
}

export function compareRefs(refs: readonly string[], q: CompareQuery = {}, opts: WorkbenchOptions = {}): Comparison {
  if (refs.length < 2) throw new UserError('compare needs at least two runs', 'give two or more run ids from `lmms-tui results list`');
  const { runs } = loadIndex(opts);
  const picked = refs.map((r) => pick(runs, r, opts));
  for (const p of picked) if (p.error) throw new UserError(`run ${p.id} (${p.file}) cannot be read: ${p.error}`);
  const baseline = q.baseline === undefined ? 0 : picked.findIndex((p) => p.id === pick(runs, q.baseline!, opts).id);
  if (baseline < 0) throw new UserError(`baseline "${q.baseline}" is not one of the compared runs`, 'give one of the run ids being compared');
  return compareRuns(
    picked.map((run) => ({ run, summary: readMetrics(run.file) })),
    { ...q, baseline, env: opts.env },
  );
}

export interface RerunPlan {
  /** The spec to launch (model_args as recorded, secrets masked: fill them in before running). */
  spec: { harness: 'lmms-eval' | 'lm-eval'; model: string; model_args?: string; tasks: string[]; samples?: string; offset?: number; limit?: number; log_samples: true };
  docIds: (string | number)[];
  /** Exact for lm-eval (`--samples`); for lmms-eval the contiguous range covering the docs, and this says so. */
  note: string;
}

/**
 * "Re-run these docs": lm-eval takes `--samples '{task: [ids]}'` (exclusive with --limit) and evaluates exactly
 * those docs. lmms-eval has no such flag; the closest honest equivalent is `--offset first --limit span`, the
 * contiguous range from the first to the last chosen doc, which also re-runs the docs between them.
 */
export function rerunPlan(run: RunInfo, task: string, docIds: readonly (string | number)[]): RerunPlan {
  if (docIds.length === 0) throw new UserError('no samples match, so there is nothing to re-run', 'loosen --where / --search');
  const base = { model: run.modelType ?? run.model ?? '', ...(run.modelArgs ? { model_args: run.modelArgs } : {}), tasks: [task], log_samples: true as const };
  if (run.harness === 'lm-eval') {
    const ids = docIds.map((d) => (typeof d === 'number' ? d : Number(d))).filter((d) => Number.isInteger(d));
    return { spec: { harness: 'lm-eval', ...base, samples: JSON.stringify({ [task]: ids }) }, docIds: ids, note: `lm-eval evaluates exactly these ${ids.length} docs (--samples)` };
  }
  const nums = docIds.map(Number).filter((d) => Number.isInteger(d) && d >= 0);
  if (nums.length === 0) throw new UserError(`the doc ids of ${task} are not numbers, so lmms-eval cannot select them by --offset/--limit`);
  const lo = Math.min(...nums);
  const hi = Math.max(...nums);
  const span = hi - lo + 1;
  return {
    spec: { harness: 'lmms-eval', ...base, offset: lo, limit: span },
    docIds: nums,
    note: `lmms-eval has no --samples: --offset ${lo} --limit ${span} re-runs docs ${lo}-${hi}, ${span - nums.length} more than the ${nums.length} chosen`,
  };
}
