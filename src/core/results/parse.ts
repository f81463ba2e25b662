/**
 * Reading a results JSON of either harness into flat metric rows (harness-facts §5.2).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export type ResultsHarness = 'lmms-eval' | 'lm-eval' | 'unknown';

export interface MetricRow {
  task: string;
  /** As written; lmms-eval's aliases carry hierarchy indentation (` - child`). */
  alias?: string;
  filter: string;
  metric: string;
  value: number | string | null;
  stderr: number | null;
  n_samples: number | null;
  higher_is_better: boolean | null;
}

export interface ResultsConfig {
  model: string | null;
  model_args: string | null;
  batch_size: string | null;
  device: string | null;
  limit: number | null;
  gen_kwargs: string | null;
}

export interface ResultsSummary {
  file: string;
  harness: ResultsHarness;
  /** Written by the built-in demo harness (`"simulated": true`), not by a real evaluation. */
  simulated: boolean;
  rows: MetricRow[];
  groups: MetricRow[];
  /** Docs evaluated per task (`n-samples.effective`), null when the file does not say. */
  samples: Record<string, number | null>;
  config: ResultsConfig;
  /** The harness's own start stamp: lmms-eval `YYYYMMDD_HHMMSS` (its --timezone), lm-eval an ISO time. */
  date: string | null;
  /** Harness version recorded in the file. */
  version: string | null;
  /** Each group's direct members (`group_subtasks`); a plain task maps to []. */
  groupSubtasks: Record<string, string[]>;
  /** `total_evaluation_time_seconds` (a string in lmms-eval's files), null when absent. */
  evalSeconds: number | null;
  /** Few-shot count per task (`n-shot`), null where the file says nothing usable. */
  nShot: Record<string, number | null>;
  /** `git_hash` of the harness checkout, when the harness recorded one. */
  gitHash: string | null;
  /** `model_name` (the pretrained name both harnesses record), null when absent. */
  modelName: string | null;
}

/** A metric row placed in the task hierarchy: members follow their group, one level deeper. */
export interface TreeRow extends MetricRow {
  depth: number;
  /** The row belongs to a group (its aggregate), not to a task. */
  group: boolean;
}

type Json = Record<string, unknown>;

/** Per-task keys that are not metrics. */
const NOT_METRICS = new Set(['alias', 'name', 'sample_len', 'sample_count', 'samples', 'group_alias']);
/** Companion columns of a metric, not metrics themselves (lmms-eval adds most of them). */
const EXTRA_SUFFIXES = ['_stderr', '_stderr_clt', '_stderr_clustered', '_expected_accuracy', '_consensus_accuracy', '_internal_variance', '_consistency_rate'];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // lm-eval may store model_args as a dict: show it the way it is typed on the command line.
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`).join(',');
  return JSON.stringify(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function metricValue(v: unknown): number | string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return null;
  // Some tasks aggregate to lists or dicts; show them compactly rather than drop them.
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 199)}…` : s;
}

function detectHarness(json: Json, file: string): ResultsHarness {
  if ('lmms_eval_version' in json) return 'lmms-eval';
  if ('lm_eval_version' in json) return 'lm-eval';
  if (typeof json.date === 'string' && /^\d{8}_\d{6}$/.test(json.date)) return 'lmms-eval';
  if (typeof json.date === 'number') return 'lm-eval';
  const base = path.basename(file);
  if (/_results\.json$/.test(base)) return 'lmms-eval';
  if (/^results_/.test(base)) return 'lm-eval';
  return 'unknown';
}

function sampleCount(entry: unknown): number | null {
  if (typeof entry === 'number') return entry;
  if (!isObject(entry)) return null;
  const eff = num(entry.effective);
  const orig = num(entry.original);
  if (eff === null) return orig;
  // lmms-eval records min(limit, len), which is the fraction itself for a fractional --limit; both
  // harnesses evaluate ceil(len * limit) docs in that case.
  if (eff > 0 && eff < 1 && orig !== null) return Math.ceil(orig * eff);
  return eff;
}

function rowsOf(section: unknown, hib: Json, samples: Record<string, number | null>): MetricRow[] {
  if (!isObject(section)) return [];
  const rows: MetricRow[] = [];
  for (const [task, entry] of Object.entries(section)) {
    if (!isObject(entry)) continue;
    const alias = typeof entry.alias === 'string' ? entry.alias : undefined;
    const hibTask = isObject(hib[task]) ? (hib[task] as Json) : {};
    const n = samples[task] ?? num(entry.sample_len) ?? num(entry.sample_count);
    for (const [key, value] of Object.entries(entry)) {
      // A group without aggregate metrics gets the placeholder `" ": " "` (lmms-eval 0.7.3 writes it).
      if (NOT_METRICS.has(key) || key.trim() === '') continue;
      const comma = key.indexOf(',');
      // Old files have bare metric keys; they were computed without a filter.
      const metric = comma >= 0 ? key.slice(0, comma) : key;
      const filter = comma >= 0 ? key.slice(comma + 1) : 'none';
      if (EXTRA_SUFFIXES.some((s) => metric.endsWith(s)) || metric.startsWith('paired_')) continue;
      const stderrKey = comma >= 0 ? `${metric}_stderr,${filter}` : `${metric}_stderr`;
      const h = hibTask[metric];
      rows.push({
        task,
        ...(alias !== undefined ? { alias } : {}),
        filter,
        metric,
        value: metricValue(value),
        // "N/A" (one sample, or bootstrap skipped) and anything else non-numeric mean "no stderr".
        stderr: num(entry[stderrKey]),
        n_samples: n,
        higher_is_better: typeof h === 'boolean' ? h : null,
      });
    }
  }
  return rows;
}

function parseDate(json: Json): string | null {
  if (typeof json.date === 'string') return json.date;
  if (typeof json.date === 'number' && Number.isFinite(json.date)) return new Date(json.date * 1000).toISOString();
  return null;
}

/** Reads one results file. Throws a UserError naming the file when it is missing or not a results JSON. */
export function readMetrics(file: string): ResultsSummary {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read results file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`results file ${file} is not valid JSON: ${(err as Error).message}`, 'the run may have been killed while writing it; re-run the evaluation');
  }
  if (!isObject(json) || !isObject(json.results)) {
    throw new UserError(`${file} is not a harness results file (no "results" object)`, 'results files are named *_results.json (lmms-eval) or results_*.json (lm-eval)');
  }
  const samples: Record<string, number | null> = {};
  if (isObject(json['n-samples'])) for (const [task, entry] of Object.entries(json['n-samples'])) samples[task] = sampleCount(entry);
  const hib = isObject(json.higher_is_better) ? json.higher_is_better : {};
  const cfg = isObject(json.config) ? json.config : {};
  const harness = detectHarness(json, file);
  const version = str(json.lmms_eval_version ?? json.lm_eval_version);
  return {
    file,
    harness,
    simulated: json.simulated === true || cfg.simulated === true,
    rows: rowsOf(json.results, hib, samples),
    groups: rowsOf(json.groups, hib, samples),
    samples,
    config: {
      model: str(cfg.model),
      model_args: str(cfg.model_args),
      batch_size: str(cfg.batch_size),
      device: str(cfg.device),
      limit: num(cfg.limit),
      gen_kwargs: str(cfg.gen_kwargs),
    },
    date: parseDate(json),
    version,
    groupSubtasks: subtasksOf(json.group_subtasks),
    evalSeconds: secondsOf(json.total_evaluation_time_seconds),
    nShot: nShotOf(json['n-shot']),
    gitHash: typeof json.git_hash === 'string' && json.git_hash !== '' ? json.git_hash : null,
    modelName: typeof json.model_name === 'string' && json.model_name !== '' ? json.model_name : null,
  };
}

function subtasksOf(v: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isObject(v)) return out;
  for (const [group, members] of Object.entries(v)) out[group] = Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
  return out;
}

function nShotOf(v: unknown): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  if (!isObject(v)) return out;
  for (const [task, n] of Object.entries(v)) out[task] = num(n);
  return out;
}

function secondsOf(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

/**
 * The rows in the order of the task tree (`group_subtasks`): each root group, its aggregate, then its
 * members indented below it, recursively; tasks outside any group keep their order at depth 0. A group's
 * aggregate comes from `results` when the harness put it there (lm-eval, newer lmms-eval), else from
 * `groups`; a group with no aggregate at all still gets one row (metric '', value null) so its members
 * have a heading.
 */
export function metricTree(summary: Pick<ResultsSummary, 'rows' | 'groups' | 'groupSubtasks'>): TreeRow[] {
  const byTask = (rows: MetricRow[]): Map<string, MetricRow[]> => {
    const m = new Map<string, MetricRow[]>();
    for (const r of rows) m.set(r.task, [...(m.get(r.task) ?? []), r]);
    return m;
  };
  const results = byTask(summary.rows);
  const groups = byTask(summary.groups);
  const children = summary.groupSubtasks;
  const isGroup = (t: string): boolean => (children[t]?.length ?? 0) > 0 || groups.has(t);
  const out: TreeRow[] = [];
  const seen = new Set<string>();
  const visit = (task: string, depth: number): void => {
    // A task listed under two groups, or a cycle in a damaged file, is shown once.
    if (seen.has(task)) return;
    seen.add(task);
    const group = isGroup(task);
    const own = results.get(task) ?? [];
    const rows = own.length > 0 ? own : group ? (groups.get(task) ?? []) : [];
    if (rows.length === 0 && group) {
      out.push({ task, filter: 'none', metric: '', value: null, stderr: null, n_samples: null, higher_is_better: null, depth, group });
    }
    for (const r of rows) out.push({ ...r, depth, group });
    for (const c of children[task] ?? []) visit(c, depth + 1);
  };
  const members = new Set(Object.values(children).flat());
  for (const root of Object.keys(children)) if (!members.has(root)) visit(root, 0);
  // Whatever the tree does not reach (old files without group_subtasks): in file order, flat.
  for (const r of [...summary.rows, ...summary.groups]) visit(r.task, 0);
  return out;
}
