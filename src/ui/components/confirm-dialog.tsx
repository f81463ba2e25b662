/**
 * The yes/no dialog for launch, stop, cancel, retry and remove. It states exactly what will happen (the
 * command, or "SIGTERM, then SIGKILL after 10 s") before anything irreversible runs.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from './pane.js';
import { actionFor, useKeys } from '../keymap/dispatch.js';
import { OVERLAY_BINDINGS } from '../keymap/bindings.js';
import { useUi, useUiStore } from '../hooks/use-ui.js';
import { useTheme } from '../theme/index.js';
import { clean, fit, wordWrap, wrapCols } from '../text.js';

export function ConfirmDialog({ width, height }: { width: number; height: number }): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const req = useUi((s) => s.confirm);

  useKeys(
    'overlay',
    (key) => {
      const action = actionFor(OVERLAY_BINDINGS, 'overlay', key);
      if (action === 'confirm') ui.getState().resolveConfirm(true);
      else if (action === 'close' || key.name === 'C-c') ui.getState().resolveConfirm(false);
      return true;
    },
    req !== null,
  );

  if (!req) return null;
  const w = Math.min(width, Math.max(40, Math.min(100, width - 4)));
  const inner = paneInner(w, height);
  // Body lines wrap (a long command must be readable in full), then are cut to the space there is.
  // Prose wraps at spaces; a command line (no spaces to spare) wraps at the width.
  const body = req.body.flatMap((l) => (/^\S+$/.test(l) ? wrapCols(clean(l), inner.width) : wordWrap(clean(l), inner.width)));
  const room = Math.max(0, inner.height - 2);
  const shown = body.length > room ? [...body.slice(0, Math.max(0, room - 1)), `${theme.glyphs.ellipsis} (${body.length - room + 1} more lines)`] : body;
  const h = Math.min(height, shown.length + 4);
  return (
    <Box width={width} height={height} justifyContent="center" alignItems="center">
      <Pane title={req.title} width={w} height={h} focused>
        {shown.map((l, i) => (
          <Text key={i} wrap="truncate-end">
            {fit(l, inner.width, theme.glyphs.ellipsis)}
          </Text>
        ))}
        <Text> </Text>
        <Text wrap="truncate-end">
          <Text bold inverse color={theme.color(req.danger ? 'error' : 'success')}>
            {` Enter/y ${req.confirmLabel} `}
          </Text>
          <Text color={theme.color('muted')}>{'   Esc/n cancel'}</Text>
        </Text>
      </Pane>
    </Box>
  );
}
