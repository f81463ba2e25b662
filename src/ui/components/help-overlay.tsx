/** `?` help: every binding, grouped by where it works, generated from the bindings table; `/` filters. */
import { useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from './pane.js';
import { TextInput } from './text-input.js';
import { helpLines } from '../keymap/help.js';
import { actionFor, useKeys } from '../keymap/dispatch.js';
import { OVERLAY_BINDINGS } from '../keymap/bindings.js';
import type { Binding } from '../keymap/types.js';
import { useTheme } from '../theme/index.js';
import { fit } from '../text.js';

export interface HelpOverlayProps {
  bindings: readonly Binding[];
  width: number;
  height: number;
  onClose(): void;
}

export function HelpOverlay({ bindings, width, height, onClose }: HelpOverlayProps): ReactNode {
  const theme = useTheme();
  const [top, setTop] = useState(0);
  const [filter, setFilter] = useState('');
  const [filtering, setFiltering] = useState(false);
  const inner = paneInner(width, height);
  const bodyH = Math.max(1, inner.height - 1);
  const lines = helpLines(bindings, filter, theme.glyphMode === 'ascii');
  const maxTop = Math.max(0, lines.length - bodyH);

  useKeys(
    'overlay',
    (key) => {
      if (filtering) return false;
      if (key.name === '/') {
        setFiltering(true);
        return true;
      }
      if (key.name === 'C-c') {
        onClose();
        return true;
      }
      const action = actionFor(OVERLAY_BINDINGS, 'overlay', key);
      if (action === 'close' || action === 'close-help' || action === 'confirm') onClose();
      else if (action === 'down') setTop((t) => Math.min(maxTop, t + 1));
      else if (action === 'up') setTop((t) => Math.max(0, t - 1));
      else if (key.name === 'pagedown' || key.name === 'C-d' || key.name === 'space') setTop((t) => Math.min(maxTop, t + bodyH));
      else if (key.name === 'pageup' || key.name === 'C-u') setTop((t) => Math.max(0, t - bodyH));
      // Every other key is swallowed: while help is open nothing behind it runs.
      return true;
    },
  );

  const shown = lines.slice(Math.min(top, maxTop), Math.min(top, maxTop) + bodyH);
  return (
    <Pane title="Help" width={width} height={height} focused status={`${lines.length} lines`}>
      <Box height={1} width={inner.width}>
        {filtering ? (
          <Text>
            {'/ '}
            <TextInput
              value={filter}
              onChange={(v) => {
                setFilter(v);
                setTop(0);
              }}
              onSubmit={() => setFiltering(false)}
              onCancel={() => {
                setFilter('');
                setFiltering(false);
              }}
              focus
              width={inner.width - 2}
            />
          </Text>
        ) : (
          <Text color={theme.color('muted')}>
            {fit(filter ? `filter: ${filter}  (/ to change)` : '/ filter  j/k scroll  Esc or ? close', inner.width, theme.glyphs.ellipsis)}
          </Text>
        )}
      </Box>
      {shown.map((line, i) => (
        <Text key={i} bold={!line.startsWith(' ') && line !== ''} wrap="truncate-end">
          {fit(line, inner.width, theme.glyphs.ellipsis)}
        </Text>
      ))}
    </Pane>
  );
}
