/**
 * A one-line question (preset name, YAML path). Enter submits; when the answer is refused the reason is
 * shown and the prompt stays open with the text kept, so a typo costs one edit, not a retype.
 */
import { useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { TextInput } from '../../components/text-input.js';
import { useKeys } from '../../keymap/dispatch.js';
import { clean, fit, wrapCols } from '../../text.js';
import { useTheme } from '../../theme/index.js';

export interface PromptProps {
  title: string;
  label: string;
  initial: string;
  /** Lines of context under the field (e.g. what the import does with unknown keys). */
  help: readonly string[];
  width: number;
  height: number;
  /** Returns an error to show, or null when the prompt may close. */
  onSubmit(value: string): string | null;
  onCancel(): void;
}

export function Prompt({ title, label, initial, help, width, height, onSubmit, onCancel }: PromptProps): ReactNode {
  const theme = useTheme();
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const w = Math.min(width, Math.max(40, Math.min(100, width - 4)));
  const inner = paneInner(w, height);
  const lines = [...help.flatMap((h) => wrapCols(clean(h), inner.width))];
  const fixed = 4 + (error ? 1 : 0); // borders, the field, the error, a blank line
  const h = Math.min(height, fixed + lines.length);

  // Ctrl-C on an empty field closes the prompt (the field clears itself on the first press).
  useKeys('overlay', (key) => {
    if (key.name === 'C-c' && value === '') {
      onCancel();
      return true;
    }
    return false;
  });

  return (
    <Box width={width} height={height} justifyContent="center" alignItems="center">
      <Pane title={title} width={w} height={h} focused>
        <Box width={inner.width} height={1} overflow="hidden">
          <Text bold color={theme.color('accent')}>{`${label} `}</Text>
          <TextInput
            value={value}
            onChange={(v) => {
              setValue(v);
              setError(null);
            }}
            onSubmit={(v) => {
              const e = onSubmit(v);
              if (e) setError(e);
            }}
            onCancel={onCancel}
            focus
            width={Math.max(4, inner.width - label.length - 1)}
          />
        </Box>
        {error ? (
          <Text color={theme.color('error')} wrap="truncate-end">
            {fit(`${theme.glyphs.state.failed} ${clean(error)}`, inner.width, theme.glyphs.ellipsis)}
          </Text>
        ) : null}
        <Text> </Text>
        {lines.slice(0, Math.max(0, h - fixed)).map((l, i) => (
          <Text key={i} color={theme.color('muted')} wrap="truncate-end">
            {fit(l, inner.width, theme.glyphs.ellipsis)}
          </Text>
        ))}
      </Pane>
    </Box>
  );
}
