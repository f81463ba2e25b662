/**
 * One-line footer: the latest status message (copy confirmations, "press Ctrl-C again", errors in short)
 * and the key hints for the focused scope, generated from the bindings table.
 */
import { useEffect, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { footerHints } from '../keymap/help.js';
import type { Binding, Scope } from '../keymap/types.js';
import { useUi, useUiStore } from '../hooks/use-ui.js';
import { useTheme, type Token } from '../theme/index.js';
import { cols, truncate } from '../text.js';
import type { FlashKind } from '../../state/ui.js';

const FLASH_TOKEN: Record<FlashKind, Token> = { info: 'info', success: 'success', warning: 'warning', error: 'error' };

export interface FooterProps {
  width: number;
  scopes: readonly Scope[];
  bindings: readonly Binding[];
  /** How long a status message stays (ms). */
  flashMs?: number;
}

export function Footer({ width, scopes, bindings, flashMs = 5000 }: FooterProps): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const flash = useUi((s) => s.flash);

  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => {
      if (ui.getState().flash === flash) ui.getState().clearFlash();
    }, Math.max(0, flash.at + flashMs - Date.now()));
    return () => clearTimeout(t);
  }, [flash, flashMs, ui]);

  const ascii = theme.glyphMode === 'ascii';
  const hints = footerHints(bindings, scopes, ascii);
  const flashText = flash ? truncate(flash.text, Math.max(10, Math.floor(width * 0.6)), theme.glyphs.ellipsis) : '';
  let room = width - (flashText ? cols(flashText) + 3 : 0);
  const parts: ReactNode[] = [];
  for (const h of hints) {
    const w = cols(h.key) + 1 + cols(h.label) + 2;
    if (w > room) break;
    room -= w;
    parts.push(
      <Text key={h.key + h.label}>
        <Text bold color={theme.color('accent')}>
          {h.key}
        </Text>
        <Text color={theme.color('muted')}>{` ${h.label}  `}</Text>
      </Text>,
    );
  }
  return (
    <Box width={width} height={1}>
      {flashText ? (
        <Text wrap="truncate-end">
          <Text color={theme.color(FLASH_TOKEN[flash!.kind])} bold>
            {flashText}
          </Text>
          <Text color={theme.color('muted')}>{` ${theme.glyphs.sep} `}</Text>
        </Text>
      ) : null}
      <Text wrap="truncate-end">{parts}</Text>
    </Box>
  );
}
