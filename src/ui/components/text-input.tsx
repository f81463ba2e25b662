/**
 * Single-line text input. While focused it owns the keyboard: it sets the ui store's `textInputActive` (so
 * global letters are typed, not run), handles keys on the 'input' layer, and receives bracketed pastes.
 * Enter submits, Esc cancels, Ctrl-C clears (the shell's Ctrl-C policy arms "press again to quit" too).
 */
import { useLayoutEffect, useState, type ReactNode } from 'react';
import { Text } from 'ink';
import { useKeys } from '../keymap/dispatch.js';
import { usePaste } from '../hooks/use-paste.js';
import { useUiStore } from '../hooks/use-ui.js';
import { useTheme } from '../theme/index.js';
import type { KeyPress } from '../keymap/keys.js';

export interface TextInputProps {
  value: string;
  onChange(value: string): void;
  onSubmit?(value: string): void;
  onCancel?(): void;
  focus: boolean;
  placeholder?: string;
  /** Draw every character as •, e.g. for a token. */
  mask?: boolean;
  /** Columns available; the view scrolls to keep the cursor visible. */
  width?: number;
  /** Pasted newlines become this (default a space: a single-line field). */
  newlineAs?: string;
}

/** Pure editing step, exported for tests: returns the new value and cursor, or null when the key is not an edit. */
export function editText(value: string, cursor: number, key: KeyPress): { value: string; cursor: number } | null {
  switch (key.name) {
    case 'backspace':
      return cursor > 0 ? { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 } : { value, cursor };
    case 'delete':
    case 'C-d':
      return { value: value.slice(0, cursor) + value.slice(cursor + 1), cursor };
    case 'left':
    case 'C-b':
      return { value, cursor: Math.max(0, cursor - 1) };
    case 'right':
    case 'C-f':
      return { value, cursor: Math.min(value.length, cursor + 1) };
    case 'home':
    case 'C-a':
      return { value, cursor: 0 };
    case 'end':
    case 'C-e':
      return { value, cursor: value.length };
    case 'C-u':
      return { value: value.slice(cursor), cursor: 0 };
    case 'C-k':
      return { value: value.slice(0, cursor), cursor };
    case 'C-w': {
      const before = value.slice(0, cursor).replace(/\S+\s*$/, '');
      return { value: before + value.slice(cursor), cursor: before.length };
    }
    default:
      if (key.text && !key.ctrl && !key.meta) {
        return { value: value.slice(0, cursor) + key.text + value.slice(cursor), cursor: cursor + key.text.length };
      }
      return null;
  }
}

export function TextInput({ value, onChange, onSubmit, onCancel, focus, placeholder, mask, width, newlineAs = ' ' }: TextInputProps): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const [cursor, setCursor] = useState(value.length);
  const pos = Math.min(cursor, value.length);

  // Layout effects (not passive ones) so focus, key and paste routing are in place the moment the field
  // is drawn: a paste arriving right after focusing must land in it.
  useLayoutEffect(() => {
    if (!focus) return;
    ui.getState().setTextInputActive(true);
    return () => ui.getState().setTextInputActive(false);
  }, [focus, ui]);

  useKeys(
    'input',
    (key) => {
      if (key.name === 'enter') {
        onSubmit?.(value);
        return true;
      }
      if (key.name === 'escape') {
        onCancel?.();
        return true;
      }
      if (key.name === 'C-c') {
        onChange('');
        setCursor(0);
        return true;
      }
      const next = editText(value, pos, key);
      if (!next) return false;
      if (next.value !== value) onChange(next.value);
      setCursor(next.cursor);
      return true;
    },
    focus,
  );

  usePaste((text) => {
    const clean = text.replace(/\n/g, newlineAs);
    onChange(value.slice(0, pos) + clean + value.slice(pos));
    setCursor(pos + clean.length);
  }, focus);

  const shown = mask ? '•'.repeat(value.length) : value;
  if (!focus && shown === '' && placeholder) return <Text color={theme.color('muted')}>{placeholder}</Text>;
  if (!focus) return <Text wrap="truncate-end">{shown}</Text>;
  // Keep the cursor in view: show the window of `width` columns that ends just after it.
  const w = Math.max(1, (width ?? shown.length + 1) - 1);
  const start = Math.max(0, pos - w);
  const visible = shown.slice(start, start + w + 1);
  const at = pos - start;
  return (
    <Text wrap="truncate-end">
      {visible.slice(0, at)}
      <Text inverse>{visible[at] ?? ' '}</Text>
      {visible.slice(at + 1)}
    </Text>
  );
}
