/**
 * Glyphs with an ASCII fallback. A UTF-8 locale gets the Unicode set; otherwise (LANG unset or C, common on
 * GPU boxes and inside tmux without -u, which draws non-ASCII as `_`) the ASCII set. Every entry is one
 * column wide in both sets so layouts do not shift.
 */
import type { JobState } from '../../core/scheduler/types.js';

export interface Glyphs {
  state: Record<JobState, string>;
  barFull: string;
  barEmpty: string;
  pointer: string;
  mark: string;
  unmark: string;
  ellipsis: string;
  sep: string;
  up: string;
  down: string;
  expand: string;
  collapse: string;
  /** A vertical rule between panes inside one box. */
  rule: string;
  border: 'round' | 'classic';
}

export const UNICODE: Glyphs = {
  state: { queued: '◷', running: '▶', orphaned: '⚠', succeeded: '✓', failed: '✗', stopped: '■', cancelled: '⊘' },
  barFull: '█',
  barEmpty: '░',
  pointer: '›',
  mark: '●',
  unmark: '○',
  ellipsis: '…',
  sep: '·',
  up: '↑',
  down: '↓',
  expand: '▸',
  collapse: '▾',
  rule: '│',
  border: 'round',
};

export const ASCII: Glyphs = {
  state: { queued: '.', running: '>', orphaned: '!', succeeded: '+', failed: 'x', stopped: '#', cancelled: '-' },
  barFull: '#',
  barEmpty: '-',
  pointer: '>',
  mark: '*',
  unmark: ' ',
  ellipsis: '~',
  sep: '|',
  up: '^',
  down: 'v',
  expand: '+',
  collapse: '-',
  rule: '|',
  border: 'classic',
};

export type GlyphMode = 'unicode' | 'ascii';

/** `setting` (from settings: 'unicode'|'ascii'|'auto') wins; then LMMS_TUI_GLYPHS; then the locale. */
export function detectGlyphMode(env: NodeJS.ProcessEnv = process.env, setting?: string): GlyphMode {
  const pick = setting && setting !== 'auto' ? setting : env.LMMS_TUI_GLYPHS;
  if (pick === 'ascii' || pick === 'unicode') return pick;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale) ? 'unicode' : 'ascii';
}
