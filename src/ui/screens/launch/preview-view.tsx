/**
 * The preview pane: the exact script the job would run, wrapped between words with a ` \` continuation
 * (never truncated, never cut mid-token: what is shown, and copied off the screen, is what runs) and scrolled with [ / ] or, when the pane has focus, the list keys.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { clean, fit, wrapShellLine } from '../../text.js';
import { useTheme } from '../../theme/index.js';
import type { Preview } from './preview-model.js';

export interface PreviewViewProps {
  preview: Preview;
  width: number;
  height: number;
  scroll: number;
  reveal: boolean;
  focused: boolean;
  hasSecrets: boolean;
}

/** Display lines of the preview for a pane this wide (also used to bound scrolling). */
export function previewLines(preview: Preview, innerWidth: number): string[] {
  if (preview.script === null) return ['(nothing to preview yet: fix the problems marked in the form)'];
  const lines = preview.script.replace(/\n$/, '').split('\n');
  // Wrapped so that rows copied off the screen still run as one command (text.ts wrapShellLine).
  const out = lines.flatMap((l) => wrapShellLine(clean(l), Math.max(1, innerWidth)));
  if (preview.problems.length > 0) out.push('', `# incomplete: ${preview.problems.length} problem${preview.problems.length > 1 ? 's' : ''} to fix (marked in the form)`);
  return out;
}

export function PreviewView({ preview, width, height, scroll, reveal, focused, hasSecrets }: PreviewViewProps): ReactNode {
  const theme = useTheme();
  const inner = paneInner(width, height);
  const lines = previewLines(preview, inner.width);
  const start = Math.max(0, Math.min(scroll, lines.length - inner.height));
  const shown = lines.slice(start, start + inner.height);
  const more = lines.length - start - shown.length;
  const status = [
    preview.problems.length > 0 ? 'incomplete' : 'exact',
    hasSecrets ? (reveal ? 'secrets shown (r)' : 'secrets masked (r)') : '',
    more > 0 ? `${theme.glyphs.down}${more}` : '',
    start > 0 ? `${theme.glyphs.up}${start}` : '',
  ]
    .filter(Boolean)
    .join(` ${theme.glyphs.sep} `);
  return (
    <Pane title="Command" width={width} height={height} focused={focused} status={status}>
      <Box flexDirection="column" width={inner.width} height={inner.height} overflow="hidden">
        {shown.map((l, i) => (
          <Text key={i} wrap="truncate-end" color={l.startsWith('#') ? theme.color('muted') : undefined}>
            {fit(l, inner.width, theme.glyphs.ellipsis)}
          </Text>
        ))}
      </Box>
    </Pane>
  );
}
