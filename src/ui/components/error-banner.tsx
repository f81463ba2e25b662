/**
 * The one place errors are shown (style.md "Errors"): message, then detail and a hint; no stack for user
 * errors. Esc dismisses it (handled by the shell).
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { useUi } from '../hooks/use-ui.js';
import { useTheme } from '../theme/index.js';
import { clean, fit } from '../text.js';

/** Rows the banner takes for the current error (0 when none), so the shell can size the body. */
export function errorBannerHeight(err: { detail?: string; hint?: string } | null, maxDetail = 3): number {
  if (!err) return 0;
  const detail = err.detail ? Math.min(maxDetail, err.detail.split('\n').length) : 0;
  return 1 + detail + (err.hint ? 1 : 0);
}

export function ErrorBanner({ width, maxDetail = 3 }: { width: number; maxDetail?: number }): ReactNode {
  const theme = useTheme();
  const err = useUi((s) => s.error);
  if (!err) return null;
  const detail = err.detail ? err.detail.split('\n').slice(0, maxDetail) : [];
  return (
    <Box flexDirection="column" width={width}>
      <Text color={theme.color('error')} bold wrap="truncate-end">
        {fit(`${theme.glyphs.state.failed} ${clean(err.title)}  (Esc dismisses)`, width, theme.glyphs.ellipsis)}
      </Text>
      {detail.map((d, i) => (
        <Text key={i} wrap="truncate-end">
          {fit(`  ${clean(d)}`, width, theme.glyphs.ellipsis)}
        </Text>
      ))}
      {err.hint ? (
        <Text color={theme.color('warning')} wrap="truncate-end">
          {fit(`  hint: ${clean(err.hint)}`, width, theme.glyphs.ellipsis)}
        </Text>
      ) : null}
    </Box>
  );
}
