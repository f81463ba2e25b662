/**
 * Single-line text input. While focused it owns the keyboard: it sets the ui store's `textInputActive` (so
 * global letters are typed, not run), handles keys on the 'input' layer, and receives bracketed pastes.
 * Enter submits, Esc cancels, Ctrl-C clears (the shell's Ctrl-C policy arms "press again to quit" too).
 */
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { Text } from 'ink';
import { useKeys } from '../keymap/dispatch.js';
import { usePaste } from '../hooks/use-paste.js';
import { useUiStore } from '../hooks/use-ui.js';
import { useTheme } from '../theme/index.js';
import type { KeyPress } from '../keymap/keys.js';
import { FIELD_LIMIT, formatSize } from '../../core/limits.js';

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
  /** Longest value the field takes (default FIELD_LIMIT); a longer paste is refused with a message. */
  maxLength?: number;
  /** The field's name, for that message. */
  label?: string;
  /** Key names the field leaves to the layers under it (e.g. Home/End to a picker's list). */
  passKeys?: readonly string[];
}

/** The message for a value that would be too long, naming the field, the sizes and what was done. */
export function tooLongMessage(label: string | undefined, size: number, limit: number): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `${label ?? 'this field'}: ${n(size)}-character paste refused (limit ${formatSize(limit)})`;
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

export function TextInput({ value, onChange, onSubmit, onCancel, focus, placeholder, mask, width, newlineAs = ' ', maxLength = FIELD_LIMIT, label, passKeys }: TextInputProps): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  // Two edits can arrive before the next render (a paste right after a key): each must start from the
  // previous edit's result, so the latest value and cursor live in a ref, not only in this render's props.
  const st = useRef({ value, cursor: value.length });
  const seen = useRef(value);
  if (seen.current !== value) {
    seen.current = value;
    // Changed from outside (a picker filled it, a reset): keep the cursor where it can be.
    if (st.current.value !== value) st.current = { value, cursor: Math.min(st.current.cursor, value.length) };
  }
  const [, setTick] = useState(0);
  const apply = (next: { value: string; cursor: number }): void => {
    const changed = next.value !== st.current.value;
    st.current = next;
    if (changed) onChange(next.value);
    setTick((t) => t + 1);
  };
  const pos = Math.min(st.current.cursor, value.length);

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
      const cur = st.current;
      if (passKeys?.includes(key.name)) return false;
      if (key.name === 'enter') {
        onSubmit?.(cur.value);
        return true;
      }
      if (key.name === 'escape') {
        onCancel?.();
        return true;
      }
      if (key.name === 'C-c') {
        apply({ value: '', cursor: 0 });
        return true;
      }
      const next = editText(cur.value, Math.min(cur.cursor, cur.value.length), key);
      if (!next) return false;
      if (next.value.length > maxLength && next.value.length > cur.value.length) {
        ui.getState().setFlash(`${label ?? 'this field'} is full (limit ${formatSize(maxLength)})`, 'warning');
        return true;
      }
      apply(next);
      return true;
    },
    focus,
  );

  usePaste((text) => {
    const cur = st.current;
    const at = Math.min(cur.cursor, cur.value.length);
    const clean = text.replace(/\n/g, newlineAs).replace(/\t/g, ' ');
    if (cur.value.length + clean.length > maxLength) {
      // Refused whole rather than cut: a silently shortened token or path is worse than none.
      ui.getState().setFlash(tooLongMessage(label, clean.length, maxLength), 'warning');
      return;
    }
    apply({ value: cur.value.slice(0, at) + clean + cur.value.slice(at), cursor: at + clean.length });
  }, focus);

  const shown = mask ? '•'.repeat(value.length) : value;
  if (!focus && shown === '' && placeholder) return <Text color={theme.color('muted')}>{placeholder}</Text>;
  // Cut before Ink measures it: a long value costs a render per frame otherwise.
  if (!focus) return <Text wrap="truncate-end">{width !== undefined ? shown.slice(0, width + 1) : shown}</Text>;
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
