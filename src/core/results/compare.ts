/**
 * N runs compared: a tasks × runs matrix of one metric per task, group rows with their members below them,
 * deltas against a baseline run, and for each delta the statistics to read it by (see stats.ts):
 * - both runs logged samples for the task: a paired test over the doc ids they share (McNemar for 0/1
 *   scores, else a paired bootstrap with a fixed seed);
 * - otherwise, both have a stderr: the unpaired interval from the two stderrs;
 * - otherwise none, and the cell says so.
 * Each cell also carries the smallest delta detectable at its n (stats.minDetectableDelta).
 */
import { metricTree, type MetricRow, type ResultsSummary, type TreeRow } from './parse.js';
import type { RunInfo } from './runs.js';
import { SamplesFile } from './samples.js';
import { correlation, mcnemar, minDetectableDelta, pairedBootstrap, std, unpaired, type DeltaStat, type Method } from './stats.js';

export interface CompareInput {
  run: RunInfo;
  summary: ResultsSummary;
}

export interface CompareOptions {
  /** Index of the baseline run in the input (default 0). */
  baseline?: number;
  /** Metric to compare where a task has it; default each task's headline (its first numeric metric in the baseline). */
  metric?: string;
  filter?: string;
  /** Use samples files for paired tests (default true). */
  paired?: boolean;
  alpha?: number;
  env?: NodeJS.ProcessEnv;
}

export interface CompareCell {
  value: number | null;
  stderr: number | null;
  n: number | null;
  /** value − baseline value; null for the baseline itself or a missing value. */
  delta: number | null;
  stat: DeltaStat | null;
  /** Smallest delta detectable at this n (80% power, the alpha of the comparison). */
  mde: number | null;
}

export interface CompareRow {
  task: string;
  depth: number;
  group: boolean;
  metric: string;
  filter: string;
  higherIsBetter: boolean | null;
  cells: CompareCell[];
}

export interface Comparison {
  runs: Pick<RunInfo, 'id' | 'file' | 'model' | 'harness' | 'version' | 'date' | 'jobId' | 'modelArgs' | 'limit' | 'simulated'>[];
  baseline: number;
  alpha: number;
  rows: CompareRow[];
  /** The methods used, for the legend. */
  methods: Method[];
  /** Every metric name seen, for a picker. */
  metrics: string[];
}

function numeric(r: MetricRow): r is MetricRow & { value: number } {
  return typeof r.value === 'number' && Number.isFinite(r.value);
}

export function compareRuns(inputs: readonly CompareInput[], opts: CompareOptions = {}): Comparison {
  if (inputs.length < 1) throw new Error('compare needs at least one run');
  const baseline = opts.baseline ?? 0;
  if (baseline < 0 || baseline >= inputs.length) throw new Error(`baseline ${baseline} is not one of the ${inputs.length} runs`);
  const alpha = opts.alpha ?? 0.05;
  const trees = inputs.map((i) => metricTree(i.summary));
  const order: TreeRow[] = [];
  const seen = new Set<string>();
  // Rows in the baseline's tree order, then what only the other runs have.
  for (const t of [trees[baseline]!, ...trees.filter((_, i) => i !== baseline)]) {
    for (const r of t) if (!seen.has(r.task)) (seen.add(r.task), order.push(r));
  }
  const metrics = new Set<string>();
  for (const t of trees) for (const r of t) if (r.metric && numeric(r)) metrics.add(r.metric);
  const byTask = trees.map((t) => {
    const m = new Map<string, TreeRow[]>();
    for (const r of t) m.set(r.task, [...(m.get(r.task) ?? []), r]);
    return m;
  });
  const samplesCache = new Map<string, SamplesFile | null>();
  const scoresCache = new Map<string, Map<string, number>>();
  const scoresOf = (file: string, metric: string, filter: string): Map<string, number> | null => {
    const key = `${file}\0${metric}\0${filter}`;
    const hit = scoresCache.get(key);
    if (hit) return hit;
    let sf = samplesCache.get(file);
    if (sf === undefined) {
      try {
        sf = SamplesFile.open(file, { env: opts.env });
      } catch {
        sf = null;
      }
      samplesCache.set(file, sf);
    }
    if (!sf) return null;
    const s = sf.scores(metric, filter === 'none' ? null : filter);
    scoresCache.set(key, s);
    return s;
  };
  // A group's n is its members' (n-samples lists tasks only), for the MDE of group rows.
  const groupN = (s: ResultsSummary, task: string, depth = 0): number | null => {
    const own = s.samples[task];
    if (own !== undefined && own !== null) return own;
    const members = s.groupSubtasks[task] ?? [];
    if (!members.length || depth > 8) return null;
    let sum = 0;
    for (const m of members) {
      const n = groupN(s, m, depth + 1);
      if (n === null) return null;
      sum += n;
    }
    return sum;
  };
  const methods = new Set<Method>();
  const rows: CompareRow[] = [];
  try {
    for (const head of order) {
      const pick = (i: number, metric?: string, filter?: string): TreeRow | undefined => {
        const rs = (byTask[i]!.get(head.task) ?? []).filter(numeric);
        if (metric) return rs.find((r) => r.metric === metric && (filter === undefined || r.filter === filter));
        return rs[0];
      };
      let chosen = opts.metric ? pick(baseline, opts.metric, opts.filter) ?? inputs.map((_, i) => pick(i, opts.metric, opts.filter)).find(Boolean) : pick(baseline) ?? inputs.map((_, i) => pick(i)).find(Boolean);
      if (!chosen && opts.metric) chosen = undefined;
      const metric = chosen?.metric ?? (opts.metric && !head.metric ? opts.metric : head.metric);
      const filter = chosen?.filter ?? head.filter;
      const values = inputs.map((_, i) => (chosen ? pick(i, chosen.metric, chosen.filter) : undefined));
      const base = values[baseline];
      const cells: CompareCell[] = values.map((r, i) => {
        const value = r ? (r.value as number) : null;
        const cell: CompareCell = { value, stderr: r?.stderr ?? null, n: r?.n_samples ?? (r && head.group ? groupN(inputs[i]!.summary, head.task) : null), delta: null, stat: null, mde: null };
        if (value === null) return cell;
        const bounded = value >= 0 && value <= 1;
        if (i === baseline || !base) {
          const sd = cell.stderr !== null && cell.n ? cell.stderr * Math.sqrt(cell.n) : bounded ? 0.5 : null;
          cell.mde = cell.n && sd !== null ? minDetectableDelta(cell.n, { stdA: sd, alpha }) : null;
          return cell;
        }
        const bv = base.value as number;
        cell.delta = value - bv;
        let stat: DeltaStat | null = null;
        const baseN = base.n_samples ?? (head.group ? groupN(inputs[baseline]!.summary, head.task) : null);
        let mdeN: number | null = cell.n !== null && baseN !== null ? Math.min(cell.n, baseN) : (cell.n ?? baseN);
        let sdA: number | null = base.stderr !== null && baseN ? base.stderr * Math.sqrt(baseN) : null;
        let sdB: number | null = cell.stderr !== null && cell.n ? cell.stderr * Math.sqrt(cell.n) : null;
        let rho: number | null = null;
        const fa = inputs[baseline]!.run.samplesFiles[head.task];
        const fb = inputs[i]!.run.samplesFiles[head.task];
        if (opts.paired !== false && fa && fb && !head.group) {
          const sa = scoresOf(fa, metric, filter);
          const sb = scoresOf(fb, metric, filter);
          if (sa && sb) {
            const a: number[] = [];
            const b: number[] = [];
            for (const [doc, v] of sa) {
              const w = sb.get(doc);
              if (w !== undefined) (a.push(v), b.push(w));
            }
            if (a.length >= 2) {
              const binary = a.every((x) => x === 0 || x === 1) && b.every((x) => x === 0 || x === 1);
              stat = binary ? mcnemar(a, b, alpha) : pairedBootstrap(a, b, { alpha });
              mdeN = a.length;
              sdA = std(a);
              sdB = std(b);
              rho = correlation(a, b);
            }
          }
        }
        if (!stat && base.stderr !== null && cell.stderr !== null) stat = unpaired(bv, base.stderr, value, cell.stderr, mdeN, alpha);
        if (stat) methods.add(stat.method);
        cell.stat = stat;
        const fallback = bounded && (base.value as number) >= 0 && (base.value as number) <= 1 ? 0.5 : null;
        const stdA = sdA ?? fallback;
        const stdB = sdB ?? fallback;
        cell.mde = mdeN && stdA !== null && stdB !== null ? minDetectableDelta(mdeN, { stdA, stdB, correlation: rho ?? 0.5, alpha }) : null;
        return cell;
      });
      rows.push({ task: head.task, depth: head.depth, group: head.group, metric, filter, higherIsBetter: chosen?.higher_is_better ?? null, cells });
    }
  } finally {
    for (const sf of samplesCache.values()) sf?.close();
  }
  return {
    runs: inputs.map(({ run }) => ({ id: run.id, file: run.file, model: run.model, harness: run.harness, version: run.version, date: run.date, jobId: run.jobId, modelArgs: run.modelArgs, limit: run.limit, simulated: run.simulated })),
    baseline,
    alpha,
    rows,
    methods: [...methods],
    metrics: [...metrics],
  };
}

export const METHOD_NOTES: Record<Method, string> = {
  mcnemar: "McNemar's test on paired 0/1 per-sample scores (same doc ids), Wald interval of the paired difference",
  'paired-bootstrap': 'paired bootstrap of per-sample scores (same doc ids), 2000 resamples, seed 1234, percentile interval',
  'unpaired-stderr': 'unpaired interval from the two runs’ stderrs: delta ± z·√(se₁² + se₂²)',
};
