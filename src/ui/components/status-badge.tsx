/** A job state as glyph + word (never colour alone), coloured by meaning. */
import type { ReactNode } from 'react';
import { Text } from 'ink';
import type { JobState } from '../../core/scheduler/types.js';
import { useTheme, type Token } from '../theme/index.js';

export const STATE_TOKEN: Record<JobState, Token> = {
  queued: 'queued',
  running: 'running',
  // Runs, but its record was lost: a warning until it ends.
  orphaned: 'warning',
  succeeded: 'success',
  failed: 'error',
  stopped: 'stopped',
  cancelled: 'muted',
};

export function stateLabel(state: JobState, glyphs: { state: Record<JobState, string> }): string {
  return `${glyphs.state[state]} ${state}`;
}

export function StatusBadge({ state, width }: { state: JobState; width?: number }): ReactNode {
  const theme = useTheme();
  const label = stateLabel(state, theme.glyphs);
  return <Text color={theme.color(STATE_TOKEN[state])}>{width ? label.padEnd(width) : label}</Text>;
}
