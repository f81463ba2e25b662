/**
 * A list that renders only the rows that fit (style.md "Every list is windowed"): thousands of items cost
 * the same as twenty. The window scrolls only as far as needed to keep the selection in view, like less.
 * Rows are plain strings pre-cut to the width (performance.md §4.3) unless `renderRow` returns a node.
 */
import { useRef, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { fit, truncate } from '../text.js';
import { useTheme } from '../theme/index.js';

/** First visible index so that `selected` is inside [start, start + height). */
export function windowStart(prevStart: number, selected: number, height: number, count: number): number {
  if (height <= 0 || count <= height) return 0;
  let start = Math.min(prevStart, count - height);
  if (selected < start) start = selected;
  else if (selected >= start + height) start = selected - height + 1;
  return Math.max(0, Math.min(start, count - height));
}

export interface WindowedListProps<T> {
  items: readonly T[];
  selected: number;
  height: number;
  width: number;
  /** A string (cut to the width for you) or a node that fits one row. */
  renderRow(item: T, index: number, selected: boolean): string | ReactNode;
  /** Highlight the selected row (false when the list is not focused: drawn dim instead). */
  focused?: boolean;
  empty?: string;
  /** Clip node rows to the width (default). Pass false when renderRow pre-cuts its rows (cheaper frames). */
  clip?: boolean;
}

export function WindowedList<T>({ items, selected, height, width, renderRow, focused = true, empty, clip = true }: WindowedListProps<T>): ReactNode {
  const theme = useTheme();
  const startRef = useRef(0);
  const start = windowStart(startRef.current, selected, height, items.length);
  startRef.current = start;
  if (items.length === 0) {
    return (
      <Box height={height} width={width}>
        <Text color={theme.color('muted')}>{fit(empty ?? '(empty)', width, theme.glyphs.ellipsis)}</Text>
      </Box>
    );
  }
  const rows: ReactNode[] = [];
  const end = Math.min(items.length, start + height);
  for (let i = start; i < end; i++) {
    const isSel = i === selected;
    const row = renderRow(items[i]!, i, isSel);
    rows.push(
      typeof row === 'string' ? (
        <Text key={i} inverse={isSel && focused} bold={isSel && !focused} wrap="truncate-end">
          {/* Only the selected row is padded (its inverse bar spans the width); trailing spaces elsewhere
              would just be more characters for Ink to tokenize every frame. */}
          {isSel ? fit(row, width, theme.glyphs.ellipsis) : truncate(row, width, theme.glyphs.ellipsis)}
        </Text>
      ) : (
        <Box key={i} width={width} height={1} overflow={clip ? 'hidden' : 'visible'}>
          {row}
        </Box>
      ),
    );
  }
  return (
    <Box flexDirection="column" height={height} width={width}>
      {rows}
    </Box>
  );
}
