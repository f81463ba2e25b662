/**
 * The yes/no dialog for launch, stop, cancel, retry and remove. It states exactly what will happen (the
 * command, or "SIGTERM, then SIGKILL after 10 s") before anything irreversible runs.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from './pane.js';
import { actionFor, useKeys } from '../keymap/dispatch.js';
import { OVERLAY_BINDINGS } from '../keymap/bindings.js';
import { useUi, useUiStore } from '../hooks/use-ui.js';
import { useTheme } from '../theme/index.js';
import { clean, fit, wordWrap, wrapCols, wrapShellLine } from '../text.js';

export function ConfirmDialog({ width, height }: { width: number; height: number }): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const req = useUi((s) => s.confirm);
  const [scroll, setScroll] = useState(0);
  useEffect(() => setScroll(0), [req]);

  const w = Math.min(width, Math.max(40, Math.min(100, width - 4)));
  const inner = paneInner(w, height);
  // Body lines wrap (a long command must be readable in full). A script wraps between words with a
  // continuation; prose wraps at spaces; a line with no spaces wraps at the width.
  const body = !req
    ? []
    : req.body.flatMap((l) =>
        req.script && !l.startsWith('! ') ? wrapShellLine(clean(l), inner.width) : /^\S+$/.test(l) ? wrapCols(clean(l), inner.width) : wordWrap(clean(l), inner.width),
      );
  // A body taller than the dialog scrolls (j/k, arrows, PgUp/PgDn): one row says where it is and how.
  const room = Math.max(1, inner.height - 2);
  const fits = body.length <= room;
  const rows = fits ? room : Math.max(1, room - 1);
  const maxStart = Math.max(0, body.length - rows);
  const start = Math.min(scroll, maxStart);

  useKeys(
    'overlay',
    (key) => {
      const action = actionFor(OVERLAY_BINDINGS, 'overlay', key);
      if (action === 'confirm') ui.getState().resolveConfirm(true);
      else if (action === 'close' || key.name === 'C-c') ui.getState().resolveConfirm(false);
      else if (action === 'down' || action === 'up' || action === 'page-down' || action === 'page-up') {
        const step = action === 'down' ? 1 : action === 'up' ? -1 : action === 'page-down' ? rows : -rows;
        setScroll(Math.max(0, Math.min(maxStart, start + step)));
      }
      return true;
    },
    req !== null,
  );

  if (!req) return null;
  const below = body.length - start - rows;
  const where = [start > 0 ? `${theme.glyphs.up}${start}` : '', below > 0 ? `${theme.glyphs.down}${below}` : ''].filter(Boolean).join(' ');
  const shown = fits ? body : [...body.slice(start, start + rows), `${theme.glyphs.ellipsis} ${where} more line${start + below === 1 ? '' : 's'}: j/k or ${theme.glyphs.down}/${theme.glyphs.up} scroll`];
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
