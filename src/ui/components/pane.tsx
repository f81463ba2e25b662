/**
 * A bordered pane whose top border carries the title (left) and a status (right), e.g.
 * `╭─ Output · 3f2a ───────── FOLLOW ─╮`. Children get exactly (width - 2) x (height - 2) cells.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { cols, truncate } from '../text.js';
import { useTheme } from '../theme/index.js';

export interface PaneProps {
  title: string;
  width: number;
  height: number;
  focused?: boolean;
  /** Right side of the title line: a state such as FOLLOW or `PAUSED · 12 new`. */
  status?: string;
  /**
   * Clip children to the pane (default). Panes whose rows are pre-cut to the inner width and count pass
   * false: Ink slices every write inside a clipped box through slice-ansi, which was a fifth of a
   * frame's cost in the benchmark profile.
   */
  clip?: boolean;
  children?: ReactNode;
}

export function paneInner(width: number, height: number): { width: number; height: number } {
  return { width: Math.max(0, width - 2), height: Math.max(0, height - 2) };
}

export function Pane({ title, width, height, focused = false, status, clip = true, children }: PaneProps): ReactNode {
  const theme = useTheme();
  const ascii = theme.glyphs.border === 'classic';
  const [tl, tr, h] = ascii ? ['+', '+', '-'] : ['╭', '╮', '─'];
  const color = theme.color(focused ? 'borderFocus' : 'border');
  const inner = Math.max(0, width - 2);
  // Focus is also shown without colour: the title is bold and marked.
  const t = truncate(` ${focused ? `${theme.glyphs.pointer} ` : ''}${title} `, Math.max(0, inner - 2), theme.glyphs.ellipsis);
  const s = status ? truncate(` ${status} `, Math.max(0, inner - 2 - cols(t) - 1), theme.glyphs.ellipsis) : '';
  const fill = Math.max(0, inner - 1 - cols(t) - cols(s) - (s ? 1 : 0));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate-end">
        <Text color={color}>{tl + h}</Text>
        <Text bold={focused} color={theme.color(focused ? 'accent' : 'text')}>{t}</Text>
        <Text color={color}>{h.repeat(fill)}</Text>
        {s ? <Text color={theme.color('warning')}>{s}</Text> : null}
        <Text color={color}>{(s ? h : '') + tr}</Text>
      </Text>
      <Box
        borderStyle={theme.glyphs.border}
        borderTop={false}
        borderColor={color}
        width={width}
        height={Math.max(1, height - 1)}
        flexDirection="column"
        overflow={clip ? 'hidden' : 'visible'}
      >
        {children}
      </Box>
    </Box>
  );
}
