/**
 * The env editor overlay: one env line per row (`export NAME=value`, `# comment`, `${VAR:-default}`), each
 * checked as it is typed with the same rules the launch uses, the problem shown under its line. Secret
 * values (TOKEN, KEY, SECRET, PASSWORD names) are masked except on the line being edited. Ctrl-S keeps
 * the lines, Esc drops the edit, Ctrl-O hands the text to $EDITOR.
 */
import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { isSecretName, parseEnvLine } from '../../../core/command/env-lines.js';
import { ENV_LIMIT, envSize, formatSize } from '../../../core/limits.js';
import { tooLongMessage } from '../../components/text-input.js';
import { Pane, paneInner } from '../../components/pane.js';
import { windowStart } from '../../components/windowed-list.js';
import { usePaste } from '../../hooks/use-paste.js';
import { useUiStore } from '../../hooks/use-ui.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { clean, cols, fit, sliceCols } from '../../text.js';
import { useTheme } from '../../theme/index.js';
import { LAUNCH_BINDINGS } from './bindings.js';
import { editEnv, envDoc, envLinesOf, envProblems, insertText, type EnvDoc } from './env-edit.js';

export interface EnvEditorProps {
  lines: readonly string[] | undefined;
  width: number;
  height: number;
  reveal: boolean;
  /** Saved lines (undefined: no env lines), or null when the edit was dropped. */
  onDone(lines: string[] | undefined | null): void;
  /** Runs $EDITOR on the text; returns the new text, or null when it failed or was abandoned. */
  onExternal(text: string): string | null;
}

export function EnvEditor({ lines, width, height, reveal, onDone, onExternal }: EnvEditorProps): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const [doc, setDocState] = useState<EnvDoc>(() => envDoc(lines));
  // Keys of one burst (a fast typist, tmux send-keys) arrive before React re-renders: each edit must
  // start from the previous edit's result, not from the last rendered doc.
  const docRef = useRef(doc);
  const setDoc = (next: EnvDoc | ((d: EnvDoc) => EnvDoc)): void => {
    docRef.current = typeof next === 'function' ? next(docRef.current) : next;
    setDocState(docRef.current);
  };

  // The editor owns the keyboard: letters are text here, never commands. A layout effect, so a paste
  // arriving right after the editor opens already finds it.
  useLayoutEffect(() => {
    ui.getState().setTextInputActive(true);
    return () => ui.getState().setTextInputActive(false);
  }, [ui]);

  useKeys('overlay', (key) => {
    const action = actionFor(LAUNCH_BINDINGS, 'form-field', key);
    const doc = docRef.current;
    if (action === 'save') {
      onDone(envLinesOf(doc));
      return true;
    }
    if (action === 'discard') {
      onDone(null);
      return true;
    }
    if (action === 'external-editor') {
      const text = onExternal(doc.lines.join('\n') + '\n');
      if (text !== null) setDoc(envDoc(text.replace(/\n$/, '').split('\n')));
      return true;
    }
    if (key.name === 'C-c') {
      // Ctrl-C policy: the first press clears the current line (and arms quit in the shell).
      setDoc((d) => ({ lines: d.lines.map((l, i) => (i === d.row ? '' : l)), row: d.row, col: 0 }));
      return true;
    }
    const next = editEnv(doc, key);
    if (next && next.lines !== doc.lines && envSize(next.lines) > ENV_LIMIT && envSize(next.lines) > envSize(doc.lines)) {
      ui.getState().setFlash(`env lines are full (limit ${formatSize(ENV_LIMIT)} in all)`, 'warning');
      return true;
    }
    if (next) setDoc(next);
    // Every other key stays here: a stray Tab or digit must not switch panes behind the editor.
    return true;
  });

  usePaste((text) => {
    if (envSize(docRef.current.lines) + text.length > ENV_LIMIT) {
      ui.getState().setFlash(tooLongMessage('env lines', text.length, ENV_LIMIT), 'warning');
      return;
    }
    setDoc((d) => insertText(d, text));
  });

  // Moving the cursor leaves the lines as they are: check them only when they change.
  const problems = useMemo(() => envProblems(doc.lines), [doc.lines]);
  const inner = paneInner(width, height);
  const listH = Math.max(1, inner.height - 2);
  type Row = { line: number; note?: string };
  const rows: Row[] = [];
  let cursorRow = 0;
  doc.lines.forEach((_, i) => {
    rows.push({ line: i });
    if (i === doc.row) cursorRow = rows.length - 1;
    const p = problems.get(i);
    if (p) rows.push({ line: i, note: p });
  });
  const start = windowStart(0, Math.min(rows.length - 1, cursorRow + (problems.has(doc.row) ? 1 : 0)), listH, rows.length);
  const numW = String(doc.lines.length).length;
  const textW = Math.max(1, inner.width - numW - 3);
  const count = problems.size;
  const status = `${doc.lines.length} line${doc.lines.length > 1 ? 's' : ''}${count ? ` ${theme.glyphs.sep} ${count} problem${count > 1 ? 's' : ''}` : ''}`;

  return (
    <Pane title="Env vars" width={width} height={height} focused status={status}>
      <Text color={theme.color('muted')} wrap="truncate-end">
        {fit('export NAME=value · # comment · ${VAR:-default} expands as in bash · Ctrl-S save · Esc discard · Ctrl-O $EDITOR', inner.width, theme.glyphs.ellipsis)}
      </Text>
      <Box flexDirection="column" height={listH} width={inner.width} overflow="hidden">
        {rows.slice(start, start + listH).map((r, i) => {
          if (r.note) {
            return (
              <Text key={`n${start + i}`} color={theme.color('error')} wrap="truncate-end">
                {fit(`${' '.repeat(numW + 3)}${theme.glyphs.state.failed} ${clean(r.note)}`, inner.width, theme.glyphs.ellipsis)}
              </Text>
            );
          }
          const text = doc.lines[r.line]!;
          const bad = problems.has(r.line);
          const gutter = `${String(r.line + 1).padStart(numW)} ${bad ? theme.glyphs.state.failed : ' '} `;
          const isCursor = r.line === doc.row;
          return (
            <Box key={`l${start + i}`} width={inner.width} height={1} overflow="hidden">
              <Text color={theme.color(bad ? 'error' : 'muted')}>{gutter}</Text>
              {isCursor ? <CursorLine text={text} col={doc.col} width={textW} /> : <Text wrap="truncate-end">{fit(shown(text, reveal), textW, theme.glyphs.ellipsis)}</Text>}
            </Box>
          );
        })}
      </Box>
    </Pane>
  );
}

/** The line with its value masked when the name looks secret (not on the line being typed). */
function shown(line: string, reveal: boolean): string {
  const p = parseEnvLine(line);
  if (reveal || p.kind !== 'assign' || !isSecretName(p.name)) return clean(line);
  return clean(line.slice(0, line.indexOf('=') + 1)) + '••••••';
}

function CursorLine({ text, col, width }: { text: string; col: number; width: number }): ReactNode {
  const t = clean(text);
  // Scroll horizontally so the cursor stays in view on a long line.
  const before = cols(t.slice(0, col));
  const start = Math.max(0, before - width + 1);
  const visible = sliceCols(t, start, width);
  const at = before - start;
  return (
    <Text wrap="truncate-end">
      {sliceCols(visible, 0, at)}
      <Text inverse>{sliceCols(visible, at, 1) || ' '}</Text>
      {sliceCols(visible, at + 1, width)}
    </Text>
  );
}
