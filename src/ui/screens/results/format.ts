/** Formatting of the metrics table. */
import type { MetricJson } from '../../../client/types.js';
import { fit } from '../../text.js';

export interface MetricColumns {
  task: number;
  metric: number;
  value: number;
  stderr: number;
  samples: number;
}

export function metricColumns(width: number): MetricColumns {
  const value = 10;
  const stderr = 10;
  const samples = 8;
  const rest = Math.max(10, width - value - stderr - samples - 4);
  const task = Math.floor(rest * 0.55);
  return { task, metric: rest - task, value, stderr, samples };
}

/** Scores with 4 decimals (2 from 100 up, e.g. MME's sums), integers as they are, strings verbatim. */
export function formatValue(v: number | string | null): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(2) : v.toFixed(4);
}

export function metricHeader(c: MetricColumns, ell: string): string {
  return [fit('TASK', c.task, ell), fit('METRIC', c.metric, ell), fit('VALUE', c.value, ell, 'right'), fit('± STDERR', c.stderr, ell, 'right'), fit('SAMPLES', c.samples, ell, 'right')].join(' ');
}

export function formatMetricRow(m: MetricJson, c: MetricColumns, ell: string): string {
  const metric = m.filter && m.filter !== 'none' ? `${m.metric} (${m.filter})` : m.metric;
  return [
    fit(m.task, c.task, ell),
    fit(metric, c.metric, ell),
    fit(formatValue(m.value), c.value, ell, 'right'),
    fit(m.stderr === null ? '-' : `± ${formatValue(m.stderr)}`, c.stderr, ell, 'right'),
    fit(m.n_samples === null ? '-' : String(m.n_samples), c.samples, ell, 'right'),
  ].join(' ');
}
