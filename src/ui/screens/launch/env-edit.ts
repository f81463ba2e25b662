/**
 * The env editor's text model: lines and a cursor, edited by key. Single-line edits reuse the text input's
 * editing step so both fields behave the same; this adds what only a multi-line field has (Enter splits,
 * Backspace at a line start joins, arrows cross lines, a multi-line paste inserts lines).
 */
import { validateSpec } from '../../../core/command/validate.js';
import type { KeyPress } from '../../keymap/keys.js';
import { editText } from '../../components/text-input.js';

export interface EnvDoc {
  lines: string[];
  row: number;
  col: number;
}

export function envDoc(lines: readonly string[] | undefined): EnvDoc {
  const l = lines && lines.length > 0 ? [...lines] : [''];
  return { lines: l, row: l.length - 1, col: l[l.length - 1]!.length };
}

/** The doc after `key`, or null when the key is not an edit (the caller may use it for something else). */
export function editEnv(doc: EnvDoc, key: KeyPress): EnvDoc | null {
  const { lines, row, col } = doc;
  const line = lines[row] ?? '';
  switch (key.name) {
    case 'enter':
      return { lines: [...lines.slice(0, row), line.slice(0, col), line.slice(col), ...lines.slice(row + 1)], row: row + 1, col: 0 };
    case 'up':
      return row > 0 ? { lines, row: row - 1, col: Math.min(col, lines[row - 1]!.length) } : { ...doc, col: 0 };
    case 'down':
      return row < lines.length - 1 ? { lines, row: row + 1, col: Math.min(col, lines[row + 1]!.length) } : { ...doc, col: line.length };
    case 'backspace':
      if (col === 0 && row > 0) {
        const prev = lines[row - 1]!;
        return { lines: [...lines.slice(0, row - 1), prev + line, ...lines.slice(row + 1)], row: row - 1, col: prev.length };
      }
      break;
    case 'delete':
    case 'C-d':
      if (col >= line.length && row < lines.length - 1) {
        return { lines: [...lines.slice(0, row), line + lines[row + 1]!, ...lines.slice(row + 2)], row, col };
      }
      break;
    case 'left':
    case 'C-b':
      if (col === 0 && row > 0) return { lines, row: row - 1, col: lines[row - 1]!.length };
      break;
    case 'right':
    case 'C-f':
      if (col >= line.length && row < lines.length - 1) return { lines, row: row + 1, col: 0 };
      break;
    case 'tab':
      return insertText(doc, '  ');
  }
  const next = editText(line, Math.min(col, line.length), key);
  if (!next) return null;
  return { lines: [...lines.slice(0, row), next.value, ...lines.slice(row + 1)], row, col: next.cursor };
}

/** Inserts text at the cursor; newlines in it (a pasted block) start new lines. */
export function insertText(doc: EnvDoc, text: string): EnvDoc {
  const parts = text.replace(/\r\n?/g, '\n').split('\n');
  const line = doc.lines[doc.row] ?? '';
  const before = line.slice(0, doc.col);
  const after = line.slice(doc.col);
  const inserted = parts.length === 1 ? [before + parts[0]! + after] : [before + parts[0]!, ...parts.slice(1, -1), parts[parts.length - 1]! + after];
  const lines = [...doc.lines.slice(0, doc.row), ...inserted, ...doc.lines.slice(doc.row + 1)];
  const row = doc.row + parts.length - 1;
  const col = parts.length === 1 ? doc.col + parts[0]!.length : parts[parts.length - 1]!.length;
  return { lines, row, col };
}

/** Lines to store in the spec: trailing blank lines dropped; undefined when nothing is left. */
export function envLinesOf(doc: EnvDoc): string[] | undefined {
  const lines = [...doc.lines];
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.length > 0 ? lines : undefined;
}

/** Per-line problems (index → "message — fix"), with the same wording validation uses for the spec. */
export function envProblems(lines: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const p of validateSpec({ harness: 'lmms-eval', model: 'm', tasks: ['t'], env: [...lines] })) {
    const m = /^env line (\d+)$/.exec(p.field);
    if (m && !out.has(Number(m[1]) - 1)) out.set(Number(m[1]) - 1, `${p.message}: ${p.fix}`);
  }
  return out;
}
