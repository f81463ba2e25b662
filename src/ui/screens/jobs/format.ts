/** Pure formatting of the jobs table (kept apart from the component so it is cheap to test). */
import type { JobJson } from '../../../client/types.js';
import type { Progress } from '../../../core/logs/parse.js';
import type { Glyphs } from '../../theme/index.js';
import { progressBar, percentText } from '../../components/progress-bar.js';
import { formatDuration, parseClock } from '../../../core/format.js';
import { cols, fit } from '../../text.js';

export interface JobColumns {
  state: number;
  id: number;
  model: number;
  tasks: number;
  gpus: number;
  bar: number;
  pct: number;
  elapsed: number;
  eta: number;
  /** The NAME column (job labels); 0 when there is none and a label is shown in the MODEL cell instead. */
  label: number;
}

/** Widest table without a NAME column: below it a label takes the model's place in its row. */
export const LABEL_COLUMN_MIN_WIDTH = 120;

/**
 * Column widths for a table `width` columns wide (fixed columns first, model and tasks share the rest).
 * `labels`: some job has a label; a NAME column is added when the table is wide enough.
 */
export function jobColumns(width: number, labels = false): JobColumns {
  const fixed = { state: 11, id: 8, gpus: 5, bar: width >= 110 ? 16 : 8, pct: 4, elapsed: 7, eta: 7 };
  const withLabel = labels && width >= LABEL_COLUMN_MIN_WIDTH;
  const gaps = withLabel ? 9 : 8;
  const rest = Math.max(8, width - gaps - Object.values(fixed).reduce((a, b) => a + b, 0));
  const label = withLabel ? Math.min(24, Math.floor(rest * 0.3)) : 0;
  const model = Math.max(4, Math.floor((rest - label) * 0.45));
  return { ...fixed, label, model, tasks: Math.max(4, rest - label - model) };
}

/** The MODEL cell: the model, or the job's label when the table has no NAME column for it. */
export function modelCell(job: Pick<JobJson, 'spec' | 'label'>, c: Pick<JobColumns, 'label'>): string {
  return c.label === 0 && job.label ? job.label : modelLabel(job);
}

/** `qwen2_vl Qwen2-VL-2B` from model + model_args (pretrained=… shown by its last path part). */
export function modelLabel(job: Pick<JobJson, 'spec'>): string {
  const m = /(?:^|,)(?:pretrained|model|model_version|model_name)=([^,]+)/.exec(job.spec.model_args ?? '');
  const detail = m?.[1]?.split('/').filter(Boolean).pop();
  return detail ? `${job.spec.model} ${detail}` : job.spec.model;
}

export function progressFraction(job: Pick<JobJson, 'state'>, p: Progress | undefined): number | null {
  if (job.state === 'succeeded') return 1;
  if (!p) return null;
  if (p.percent !== null) return p.percent / 100;
  if (p.total) return p.n / p.total;
  return null;
}

export function elapsedMs(job: Pick<JobJson, 'started_at' | 'ended_at'>, now: number): number | null {
  if (!job.started_at) return null;
  const start = Date.parse(job.started_at);
  const end = job.ended_at ? Date.parse(job.ended_at) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

export const TABLE_TITLES = { state: 'STATE', id: 'ID', label: 'NAME', model: 'MODEL', tasks: 'TASKS', gpus: 'GPUS', progress: 'PROGRESS', elapsed: 'ELAPSED', eta: 'ETA' };

export function headerRow(c: JobColumns, ell: string): string {
  return [
    fit(TABLE_TITLES.state, c.state, ell),
    fit(TABLE_TITLES.id, c.id, ell),
    ...(c.label ? [fit(TABLE_TITLES.label, c.label, ell)] : []),
    fit(TABLE_TITLES.model, c.model, ell),
    fit(TABLE_TITLES.tasks, c.tasks, ell),
    fit(TABLE_TITLES.gpus, c.gpus, ell),
    fit(TABLE_TITLES.progress, c.bar + 1 + c.pct, ell),
    fit(TABLE_TITLES.elapsed, c.elapsed, ell, 'right'),
    fit(TABLE_TITLES.eta, c.eta, ell, 'right'),
  ].join(' ');
}

// parseClock lives in core (src/core/format.ts) since `lmms-tui status` reads ETAs too; re-exported for the table's callers.
export { parseClock };

/** ETA in the same format as ELAPSED (core/format.ts formatDuration), or '-'. */
export function etaText(p: Progress | undefined): string {
  const ms = parseClock(p?.eta);
  return ms === null ? '-' : formatDuration(ms);
}

/**
 * A progress cell `width` columns wide: the bar's phase name, its own bar and percentage. A harness runs
 * several bars one after another (model responding, then postprocessing), each from 0; naming the phase
 * keeps 75 % → 30 % from reading as progress lost. Narrow cells drop the bar before the name.
 */
export function progressCell(job: Pick<JobJson, 'state'>, p: Progress | undefined, width: number, g: Glyphs): string {
  const ell = g.ellipsis;
  const label = p?.label ?? '';
  if (job.state === 'running' && p && p.total === null && p.percent === null) return fit(label ? `${label} ${p.n}it` : `${p.n}it`, width, ell);
  const f = progressFraction(job, p);
  const pct = percentText(f);
  if (!label || job.state !== 'running') return `${progressBar(f, width - 5, g.barFull, g.barEmpty)} ${pct}`;
  const room = width - 5; // for the name and the bar
  const bar = Math.min(room - 5, Math.max(6, room - cols(label) - 1));
  if (bar < 6) return `${fit(label, room, ell)} ${pct}`;
  return `${fit(label, room - bar - 1, ell)} ${progressBar(f, bar, g.barFull, g.barEmpty)} ${pct}`;
}

/** Stop in progress: SIGTERM went out at stop_requested_at; SIGKILL follows after the server's grace. */
export function stoppingText(job: Pick<JobJson, 'stop_requested_at' | 'stop_grace_ms'>, now: number, width: number): string {
  const at = job.stop_requested_at ? Date.parse(job.stop_requested_at) : NaN;
  if (!Number.isFinite(at) || job.stop_grace_ms === null || job.stop_grace_ms === undefined) return 'SIGTERM sent';
  const left = at + job.stop_grace_ms - now;
  if (left <= 0) return 'SIGKILL sent';
  // Whole seconds, rounded up: "in 0s" would be a lie while the kill is still to come.
  const d = formatDuration(Math.ceil(left / 1000) * 1000);
  const long = `SIGKILL in ${d}`;
  return cols(long) <= width ? long : `KILL in ${d}`;
}

/** A running job whose stop was asked for: the row says "stopping", not "running · starting…". */
export function isStopping(job: Pick<JobJson, 'state' | 'stop_requested'>): boolean {
  return job.state === 'running' && job.stop_requested;
}

/**
 * Processes of a finished job that stop could not remove (they may still hold GPU memory), first in
 * the row so a narrow terminal still shows them. Records from an older server have no `escaped`.
 */
export function escapedNote(job: Pick<JobJson, 'escaped'>): string {
  const n = job.escaped?.length ?? 0;
  return n ? `${n} escaped · ` : '';
}

/** The pids themselves, for the output pane's title (the row has no room for them). */
export function escapedTitle(job: Pick<JobJson, 'escaped'>, sep: string): string {
  const pids = job.escaped ?? [];
  return pids.length ? ` ${sep} left running after stop: pid ${pids.join(',')}` : '';
}

/** The row after the state column (which is drawn separately, in its colour). */
export function rowRest(job: JobJson, p: Progress | undefined, c: JobColumns, g: Glyphs, now: number): string {
  const ell = g.ellipsis;
  const cell = c.bar + 1 + c.pct;
  const gpus = job.gpus.length > 0 ? job.gpus.join(',') : job.state === 'queued' ? `(${job.spec.num_gpus ?? 1})` : '-';
  let progress: string;
  if (job.state === 'queued') progress = fit(job.position ? `#${job.position} in queue` : 'queued', cell, ell);
  else if (isStopping(job)) progress = fit(stoppingText(job, now, cell), cell, ell);
  else if (job.state === 'running' && !p) progress = fit('starting…'.replace('…', ell), cell, ell);
  else if (job.state === 'succeeded' || job.state === 'running') progress = progressCell(job, p, cell, g);
  else progress = fit(escapedNote(job) + (job.error ?? ''), cell, ell);
  const el = elapsedMs(job, now);
  const eta = job.state === 'running' && !isStopping(job) ? etaText(p) : '-';
  return [
    fit(job.id, c.id, ell),
    ...(c.label ? [fit(job.label ?? '-', c.label, ell)] : []),
    fit(modelCell(job, c), c.model, ell),
    fit(job.spec.tasks.join(','), c.tasks, ell),
    fit(gpus, c.gpus, ell),
    progress,
    fit(el === null ? '-' : formatDuration(el), c.elapsed, ell, 'right'),
    fit(eta, c.eta, ell, 'right'),
  ].join(' ');
}
