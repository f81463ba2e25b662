/**
 * Frame geometry. The frame is never taller than rows - 1: once Ink's output reaches the terminal height
 * it clears the whole screen on every frame (ink.tsx shouldClearTerminalForFrame), the flicker tmux users
 * report. Header and footer take one row each; the body gets the rest.
 */
import type { Scope } from '../keymap/types.js';
import type { UiState } from '../../state/ui.js';
import { launchFooterScopes } from '../screens/launch/bindings.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface Layout {
  tooSmall: boolean;
  width: number;
  /** Rows the whole frame may use (rows - 1). */
  frameRows: number;
  bodyRows: number;
}

export function layout(columns: number, rows: number, bannerRows = 0): Layout {
  const frameRows = Math.max(1, rows - 1);
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  return { tooSmall, width: columns, frameRows, bodyRows: Math.max(0, frameRows - 2 - bannerRows) };
}

/** The scopes whose keys work right now, most specific first: the footer shows their hints. */
export function focusedScopes(s: Pick<UiState, 'overlay' | 'textInputActive' | 'screen' | 'pane'> & { view?: string | null }): Scope[] {
  if (s.overlay === 'help' || s.overlay === 'confirm') return ['overlay'];
  // The Launch screen knows its overlays (pickers, the env editor where Enter is a new line) best.
  if (s.screen === 'launch') return launchFooterScopes(s.overlay, s.textInputActive);
  if (s.textInputActive) return ['input'];
  if (s.screen === 'jobs') return s.pane === 'log' ? ['log', 'global'] : ['jobs', 'list', 'global'];
  // The workbench's views each have their own keys (bindings.ts RUNS/COMPARE/SAMPLES_BINDINGS).
  if (s.view === 'runs' || s.view === 'compare' || s.view === 'samples') return [s.view, 'list', 'global'];
  return ['results', 'list', 'global'];
}
