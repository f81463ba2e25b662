/**
 * How a metric value is written, for every face (`lmms-tui show`, the TUI's Results screen, the API's
 * clients): one rule, so the same run never reads 0.41 in one place and 0.4123 in another.
 */

/** Decimals for scores and their stderr. Enough to tell runs apart; the results file keeps the full value. */
export const METRIC_DECIMALS = 4;

/**
 * Numbers with 4 decimals, whole numbers too: JSON cannot tell `1.0` from `1`, so a precision of exactly 1
 * must read `1.0000` to line up with `0.8000` in the column above it. Strings (a task's own summary
 * text) verbatim, null as `-`.
 */
export function formatMetricValue(v: number | string | null): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  return Number.isFinite(v) ? v.toFixed(METRIC_DECIMALS) : String(v);
}

/** `± 0.0165`, or `-` when the harness computed none. */
export function formatStderr(v: number | null): string {
  return v === null ? '-' : `± ${formatMetricValue(v)}`;
}

/**
 * What a run's `--limit` means for its scores, or null when it evaluated everything. Below 1 the limit is a
 * fraction of each task, from 1 up a number of documents; -1 (lmms-eval) and 0 or less mean no limit.
 */
export function limitNote(limit: number | null | undefined): string | null {
  if (limit === null || limit === undefined || !Number.isFinite(limit) || limit <= 0) return null;
  const what = limit < 1 ? `${+(limit * 100).toFixed(2)}% of each task` : `the first ${limit} documents of each task`;
  return `--limit ${limit}: only ${what} ${limit < 1 ? 'was' : 'were'} evaluated; not a real score`;
}
