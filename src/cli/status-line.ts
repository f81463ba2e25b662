/**
 * The one-line summary of `lmms-tui status` (for tmux's `status-right`): counts per state, the progress
 * of what runs, and a `--format` template over named placeholders. Pure: the command gathers the jobs
 * (from the server, or from the state dir when none runs) and the progress bars; this only counts and
 * renders, so the wording can be tested without processes.
 */
import { parseClock } from '../core/format.js';
import type { Progress } from '../core/logs/parse.js';
import { JOB_STATES, type JobState } from '../core/scheduler/types.js';
import type { Glyphs } from '../ui/theme/glyphs.js';

export interface StatusJob {
  state: JobState;
  ended_at: string | null;
}

export interface StatusSummary {
  /** Jobs per state; finished states count only jobs that ended inside the window (`--since`). */
  counts: Record<JobState, number>;
  /** Mean percent of the running jobs whose bar shows one; null when none does. */
  percent: number | null;
  /** Seconds until the last running job's bar is done (the longest ETA); null when unknown. */
  etaSeconds: number | null;
  /** Dispatch of queued jobs is paused. */
  paused: boolean;
  /** Where the figures came from: the running server, or job.json files read directly. */
  source: 'server' | 'disk';
}

/** `since`: count finished jobs that ended within this many ms (Infinity: all kept jobs). */
export function summarize(
  jobs: readonly StatusJob[],
  progress: readonly (Progress | null)[],
  opts: { now?: number; sinceMs?: number; paused?: boolean; source: 'server' | 'disk' },
): StatusSummary {
  const now = opts.now ?? Date.now();
  const since = opts.sinceMs ?? Infinity;
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const j of jobs) {
    if (j.state === 'succeeded' || j.state === 'failed' || j.state === 'stopped' || j.state === 'cancelled') {
      const ended = j.ended_at ? Date.parse(j.ended_at) : NaN;
      // A finished job with no readable end time is counted: dropping it would hide a failure.
      if (Number.isFinite(since) && Number.isFinite(ended) && now - ended > since) continue;
    }
    counts[j.state]++;
  }
  const percents = progress.flatMap((p) => (p?.percent !== null && p?.percent !== undefined && Number.isFinite(p.percent) ? [p.percent] : []));
  const etas = progress.flatMap((p) => {
    const s = p ? parseEta(p.eta) : null;
    return s === null ? [] : [s];
  });
  return {
    counts,
    percent: percents.length ? Math.max(0, Math.min(100, percents.reduce((a, b) => a + b, 0) / percents.length)) : null,
    etaSeconds: etas.length ? Math.max(...etas) : null,
    paused: opts.paused ?? false,
    source: opts.source,
  };
}

/** Seconds in an ETA as the bars print them (parseClock, shared with the TUI's jobs table); null when unknown. */
export function parseEta(eta: string | null | undefined): number | null {
  const ms = parseClock(eta);
  return ms === null ? null : Math.round(ms / 1000);
}

/** Short enough for a status bar: `45s`, `12m`, `1h05m`, `2d03h`. */
export function compactDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 48) return `${h}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** Placeholders of `--format`, in the order `--help` lists them, with what each expands to. */
export const PLACEHOLDERS: readonly [string, string][] = [
  ['summary', 'the default line: non-zero counts with their glyphs, then progress (e.g. ▶2 ◷3 ✗1 · 45% ETA 12m)'],
  ['counts', 'the non-zero counts with glyphs only (▶2 ◷3 ✗1), "idle" when there are none'],
  ['progress', '"45% ETA 12m" (either part alone when only it is known), empty when nothing runs'],
  ['percent', 'mean percent of the running jobs\' bars ("45%"), empty when unknown'],
  ['eta', 'time until the last running job\'s bar is done ("12m"), empty when unknown'],
  ...JOB_STATES.map((s): [string, string] => [s, `number of ${s} jobs${s === 'succeeded' || s === 'failed' || s === 'stopped' || s === 'cancelled' ? ' (ended within --since)' : ''}`]),
  ...JOB_STATES.map((s): [string, string] => [`${s}_icon`, `the glyph of ${s} (follows --ascii)`]),
  ['active', 'running + orphaned + queued'],
  ['paused', '"paused" when dispatch is paused, else empty'],
  ['sep', 'the separator glyph (· or |)'],
  ['source', '"server" or "disk" (no server was running: job.json files were read)'],
];

const NAMES = new Set(PLACEHOLDERS.map(([n]) => n));
const TOKEN = /\{([a-z_]+)\}/g;

/** The placeholders in `format` that are not known; empty when it is fine. */
export function unknownPlaceholders(format: string): string[] {
  return [...format.matchAll(TOKEN)].map((m) => m[1]!).filter((n) => !NAMES.has(n));
}

/** States shown by the default line, in this order, each only when non-zero. */
const SHOWN: readonly JobState[] = ['running', 'orphaned', 'queued', 'failed'];

export function renderStatus(sum: StatusSummary, glyphs: Glyphs, format?: string): string {
  const counts = SHOWN.filter((s) => sum.counts[s] > 0).map((s) => `${glyphs.state[s]}${sum.counts[s]}`);
  const percent = sum.percent === null ? '' : `${Math.floor(sum.percent)}%`;
  const eta = sum.etaSeconds === null ? '' : compactDuration(sum.etaSeconds);
  const progress = sum.counts.running > 0 ? [percent, eta && `ETA ${eta}`].filter(Boolean).join(' ') : '';
  const paused = sum.paused ? 'paused' : '';
  const countsText = [paused, ...counts].filter(Boolean).join(' ') || 'idle';
  const values: Record<string, string> = {
    summary: [countsText, progress].filter(Boolean).join(` ${glyphs.sep} `),
    counts: countsText,
    progress,
    percent: sum.counts.running > 0 ? percent : '',
    eta: sum.counts.running > 0 ? eta : '',
    active: String(sum.counts.running + sum.counts.orphaned + sum.counts.queued),
    paused,
    sep: glyphs.sep,
    source: sum.source,
  };
  for (const s of JOB_STATES) {
    values[s] = String(sum.counts[s]);
    values[`${s}_icon`] = glyphs.state[s];
  }
  // Unknown names were refused before (unknownPlaceholders); any left are kept as typed.
  return (format ?? '{summary}').replace(TOKEN, (whole, name: string) => values[name] ?? whole);
}
