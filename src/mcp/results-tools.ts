/**
 * `list_results_runs` and `compare_runs`: the results workbench (src/core/results/service.ts) for an agent.
 * They call the same core service `lmms-tui results list|compare` calls, in this process, over the files on
 * this machine: reading results needs no server (the per-user server's /api/v1/results routes answer the
 * same thing for remote callers, but take full ids only, while an agent holds the job ids evaluate gave it).
 *
 * Answers are small: one row per task with a compact cell per run (value, delta, the method and interval
 * the delta was judged by, significance), rows paged with offset/limit. model_args are masked by the core
 * rule in the index already, and every string of the answer goes through it again (tools.ts ok()).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { METHOD_NOTES, type CompareCell } from '../core/results/compare.js';
import { compareRefs, filterRuns, loadIndex } from '../core/results/service.js';
import type { RunInfo } from '../core/results/runs.js';

export const RESULTS_TOOL_NAMES = ['list_results_runs', 'compare_runs'] as const;

/** Numbers as computed (a score of 1400 needs its decimals); a non-finite one is null, as JSON has no NaN. */
const round = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

function runSummary(r: RunInfo): Record<string, unknown> {
  return {
    run_id: r.id,
    job_id: r.jobId,
    file: r.file,
    harness: r.harness,
    model: r.model,
    model_type: r.modelType,
    model_args: r.modelArgs,
    tasks: r.tasks,
    groups: r.groups.map((g) => g.name),
    date: r.date,
    limit: r.limit,
    simulated: r.simulated,
    has_samples: Object.keys(r.samplesFiles),
    ...(r.error ? { error: r.error } : {}),
  };
}

function cellSummary(c: CompareCell): Record<string, unknown> {
  return {
    value: round(c.value),
    stderr: round(c.stderr),
    n: c.n,
    delta: round(c.delta),
    method: c.stat?.method ?? null,
    // What the test measured, the interval is around: a paired test's mean per-sample difference, which for an
    // aggregated metric (mme's perception score sums per-sample points) is not in the metric's own units.
    tested_delta: round(c.stat?.delta),
    ci: c.stat ? [round(c.stat.ci[0]), round(c.stat.ci[1])] : null,
    p: round(c.stat?.p),
    significant: c.stat ? c.stat.significant : null,
    ...(c.stat?.discordant ? { discordant: c.stat.discordant } : {}),
    mde: round(c.mde),
  };
}

export interface ResultsToolDeps {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A run reference that names a file: resolved against the session's directory, its folder indexed for this call. */
function fileRef(ref: string, cwd: string): string | null {
  if (!ref.includes('/') && !ref.endsWith('.json')) return null;
  const abs = path.resolve(cwd, ref);
  return existsSync(abs) ? abs : null;
}

const offsetArg = z.number().int().min(0).default(0).describe('first item to return (a previous next_offset)');
const limitArg = (n: number) => z.number().int().min(1).max(1000).default(n).describe(`most items to return (default ${n})`);

export const listResultsRunsTool = {
  name: 'list_results_runs',
  config: {
    title: 'List results runs',
    description: 'Results files on this machine (every job\'s output, plus the folders added with `lmms-tui results add`), newest first, with the run_id compare_runs takes. A job\'s own id (evaluate\'s run_id) works in compare_runs too. Paged.',
    inputSchema: {
      model: z.string().optional().describe('only runs whose model contains this text'),
      task: z.string().optional().describe('only runs with a task or group containing this text'),
      harness: z.enum(['lmms-eval', 'lm-eval', 'unknown']).optional().describe('only runs of this harness'),
      since: z.string().optional().describe('only runs dated on or after this, e.g. 2026-12-01'),
      offset: offsetArg,
      limit: limitArg(50),
    },
    annotations: { readOnlyHint: true },
  },
  handler: (deps: ResultsToolDeps) => async (a: { model?: string; task?: string; harness?: string; since?: string; offset: number; limit: number }): Promise<Record<string, unknown>> => {
    const idx = loadIndex({ env: deps.env });
    const runs = filterRuns(idx.runs, { model: a.model, task: a.task, harness: a.harness, since: a.since });
    const items = runs.slice(a.offset, a.offset + a.limit);
    const next = a.offset + items.length;
    return { runs: items.map(runSummary), total: runs.length, offset: a.offset, next_offset: next < runs.length ? next : null, problems: idx.problems };
  },
};

export const compareRunsTool = {
  name: 'compare_runs',
  config: {
    title: 'Compare runs',
    description:
      'Compare two or more finished runs: one row per task (groups above their members) of one metric, a cell per run with its value and, against the baseline, the delta, the method it was judged by (mcnemar / paired-bootstrap over shared doc ids when both logged samples, else unpaired-stderr), its interval, p and whether it is significant. Rows are paged.',
    inputSchema: {
      runs: z.array(z.string().min(1)).min(2).describe('two or more runs: evaluate\'s run_id (a job id), a run_id from list_results_runs (a unique prefix is enough), or a results file path'),
      baseline: z.string().optional().describe('the run (one of runs) deltas are against; default the first'),
      metric: z.string().optional().describe('metric to compare where a task has it (default: each task\'s headline metric)'),
      filter: z.string().optional().describe('with metric: its filter, e.g. "none"'),
      paired: z.boolean().default(true).describe('use the samples files for paired tests (false: stderr intervals only)'),
      offset: offsetArg,
      limit: limitArg(50),
    },
    annotations: { readOnlyHint: true },
  },
  handler: (deps: ResultsToolDeps) => async (a: { runs: string[]; baseline?: string; metric?: string; filter?: string; paired: boolean; offset: number; limit: number }): Promise<Record<string, unknown>> => {
    const files = [...a.runs, ...(a.baseline ? [a.baseline] : [])].map((r) => fileRef(r, deps.cwd));
    const refs = a.runs.map((r, i) => files[i] ?? r);
    const baseline = a.baseline === undefined ? undefined : (files[a.runs.length] ?? a.baseline);
    const folders = [...new Set(files.filter((f): f is string => f !== null).map((f) => path.dirname(f)))];
    const c = compareRefs(refs, { baseline, metric: a.metric, filter: a.filter, paired: a.paired }, { env: deps.env, folders });
    const rows = c.rows.slice(a.offset, a.offset + a.limit);
    const next = a.offset + rows.length;
    return {
      runs: c.runs.map((r, i) => ({ index: i, run_id: r.id, job_id: r.jobId, file: r.file, model: r.model, harness: r.harness, model_args: r.modelArgs, date: r.date, limit: r.limit, simulated: r.simulated })),
      baseline: c.baseline,
      alpha: c.alpha,
      methods: Object.fromEntries(c.methods.map((m) => [m, METHOD_NOTES[m]])),
      metrics: c.metrics,
      rows: rows.map((r) => ({ task: r.task, depth: r.depth, group: r.group, metric: r.metric, filter: r.filter, higher_is_better: r.higherIsBetter, cells: r.cells.map(cellSummary) })),
      total_rows: c.rows.length,
      offset: a.offset,
      next_offset: next < c.rows.length ? next : null,
      ...(c.runs.some((r) => r.limit) ? { partial: 'a run used --limit: its scores are over part of each task' } : {}),
      ...(c.runs.some((r) => r.simulated) ? { simulated: 'a run is from the demo harness: its results are simulated' } : {}),
    };
  },
};
