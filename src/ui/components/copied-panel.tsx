/**
 * Shows what `y` just copied, in full, above the footer: OSC 52 may be off, refused by tmux or too long,
 * and the text must then be selectable by hand (style.md B.11.4). Esc dismisses it.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { useUi } from '../hooks/use-ui.js';
import { useTheme } from '../theme/index.js';
import { clean, fit, wrapCols } from '../text.js';
import type { Copied } from '../../state/ui.js';

/** The panel's lines for a width, at most `maxLines` (the last says how many more there are). */
export function copiedLines(c: Copied, width: number, maxLines: number): string[] {
  const body = c.text.split('\n').flatMap((l) => wrapCols(clean(l), width));
  const room = Math.max(1, maxLines - 1);
  const shown = body.length > room ? [...body.slice(0, room - 1), `… ${body.length - room + 1} more lines`] : body;
  return [`${c.what}: ${c.note} (Esc hides this)`, ...shown];
}

export function copiedPanelHeight(c: Copied | null, width: number, maxLines: number): number {
  return c ? copiedLines(c, width, maxLines).length : 0;
}

export function CopiedPanel({ width, maxLines }: { width: number; maxLines: number }): ReactNode {
  const theme = useTheme();
  const copied = useUi((s) => s.copied);
  if (!copied) return null;
  const [head, ...body] = copiedLines(copied, width, maxLines);
  return (
    <Box flexDirection="column" width={width}>
      <Text color={theme.color(copied.note.startsWith('sent') ? 'success' : 'warning')} bold wrap="truncate-end">
        {fit(head!, width, theme.glyphs.ellipsis)}
      </Text>
      {body.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l}
        </Text>
      ))}
    </Box>
  );
}
