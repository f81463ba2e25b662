/** Below 80x24 the screens cannot lay out; say so plainly instead of drawing garbage. */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { MIN_COLUMNS, MIN_ROWS } from './layout.js';
import { truncate } from '../text.js';

export function TooSmall({ columns, rows }: { columns: number; rows: number }): ReactNode {
  const lines = [
    `terminal too small (need ${MIN_COLUMNS}x${MIN_ROWS}, have ${columns}x${rows})`,
    'enlarge the window, or press q to quit',
  ];
  const shown = lines.slice(0, Math.max(1, rows - 1));
  return (
    <Box flexDirection="column" width={columns}>
      {shown.map((l, i) => (
        <Text key={i} bold={i === 0}>
          {truncate(l, Math.max(1, columns), '~')}
        </Text>
      ))}
    </Box>
  );
}
