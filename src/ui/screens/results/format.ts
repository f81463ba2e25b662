/** Formatting of the metrics table and the lines above it. */
import type { JobJson, MetricJson } from '../../../client/types.js';
import { formatMetricValue, formatStderr } from '../../../core/results/format.js';
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

/** The same rule as `lmms-tui show` (core/results/format.ts). */
export const formatValue = formatMetricValue;

export function metricHeader(c: MetricColumns, ell: string): string {
  return [fit('TASK', c.task, ell), fit('METRIC', c.metric, ell), fit('VALUE', c.value, ell, 'right'), fit('± STDERR', c.stderr, ell, 'right'), fit('SAMPLES', c.samples, ell, 'right')].join(' ');
}

/** One row; a group's members are indented under it (two columns per level of the task tree). */
export function formatMetricRow(m: MetricJson, c: MetricColumns, ell: string): string {
  const metric = m.filter && m.filter !== 'none' ? `${m.metric} (${m.filter})` : m.metric;
  const task = `${'  '.repeat(m.depth ?? 0)}${m.task}`;
  // A group without an aggregate of its own is only the heading of its members.
  const heading = m.group === true && m.metric === '';
  return [
    fit(task, c.task, ell),
    fit(heading ? '(group)' : metric, c.metric, ell),
    fit(heading ? '' : formatMetricValue(m.value), c.value, ell, 'right'),
    fit(heading ? '' : formatStderr(m.stderr), c.stderr, ell, 'right'),
    fit(m.n_samples === null ? (heading ? '' : '-') : String(m.n_samples), c.samples, ell, 'right'),
  ].join(' ');
}

/**
 * Why a finished job has no metrics, from what the judge recorded (core/results/judge.ts): lmms-eval exits 0
 * on most failures, so "the run did not finish" would be false for a run that finished with an error.
 */
export function noMetricsText(job: Pick<JobJson, 'state' | 'error' | 'exit_code' | 'signal'>): string {
  const err = job.error ?? '';
  switch (job.state) {
    case 'succeeded':
      return 'no metrics in the results file';
    case 'cancelled':
      return 'no metrics: cancelled before it started';
    case 'stopped':
      return `no metrics: stopped before it wrote results${job.signal ? ` (ended by ${job.signal})` : ''}`;
    default:
      break;
  }
  if (err.startsWith('exited 0 but logged an error')) return 'no metrics: the run exited 0, but its log has an error (lmms-eval exits 0 on most failures), so it counts as failed';
  if (err.startsWith('exited 0 but')) return `no metrics: the run exited 0, but ${err.slice('exited 0 but '.length).replace(/:.*$/s, '')}`;
  if (job.signal || /^killed by /.test(err)) return `no metrics: the run was killed${job.signal ? ` by ${job.signal}` : ''} before it wrote results`;
  if (job.exit_code !== null && job.exit_code !== 0) return `no metrics: the run exited with code ${job.exit_code} before it wrote results`;
  return 'no metrics: the run failed before it wrote results';
}
