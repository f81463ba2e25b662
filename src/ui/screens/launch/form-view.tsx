/**
 * The form pane: one row per field (label, value), and under a field the problems validation found in it,
 * so the fix sits next to the cause. Only the rows that fit are rendered; the window follows the focused
 * field and keeps its problem lines in view.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { isSecretName, parseEnvLine } from '../../../core/command/env-lines.js';
import { redactSecrets, redactSpec, specSecrets } from '../../../core/redact.js';
import type { EvalSpec } from '../../../core/spec.js';
import { TextInput } from '../../components/text-input.js';
import { windowStart } from '../../components/windowed-list.js';
import { clean, cols, fit, truncate, wrapCols } from '../../text.js';
import { useTheme, type Token } from '../../theme/index.js';
import { isSet, moreSetCount, type FieldDef } from './fields.js';

export interface FieldNote {
  text: string;
  tone: 'error' | 'warning' | 'muted';
}

export interface FormViewProps {
  spec: EvalSpec;
  raw: Readonly<Record<string, string>>;
  fields: readonly FieldDef[];
  focus: string;
  editing: { key: string; draft: string } | null;
  notes: ReadonlyMap<string, readonly FieldNote[]>;
  moreOpen: boolean;
  width: number;
  height: number;
  focused: boolean;
  onDraft(draft: string): void;
  onCommit(text: string): void;
  onCancel(): void;
}

interface Row {
  field: FieldDef;
  note?: FieldNote;
  /** A wrapped note's second and later lines (no glyph). */
  cont?: boolean;
}

const MAX_NOTES = 2;
const NOTE_LINES = 3;

export function FormView(props: FormViewProps): ReactNode {
  const { fields, focus, width, height, notes } = props;
  const theme = useTheme();
  const rows: Row[] = [];
  let focusFirst = 0;
  let focusLast = 0;
  const labelW = Math.min(Math.max(10, ...fields.map((f) => cols(f.key))) + 1, Math.floor(width * 0.42));
  const valueW = Math.max(4, width - labelW - 3);
  for (const field of fields) {
    if (field.key === focus) focusFirst = rows.length;
    rows.push({ field });
    const list = notes.get(field.key) ?? [];
    const shown = list.length > MAX_NOTES ? [...list.slice(0, MAX_NOTES - 1), { text: `+${list.length - MAX_NOTES + 1} more problems`, tone: 'error' as const }] : list;
    // A problem is read in full (its fix is the point): wrapped under the value column, a few lines at most.
    for (const note of shown) {
      wordWrap(clean(note.text), Math.max(4, valueW - 2))
        .slice(0, NOTE_LINES)
        .forEach((text, i) => rows.push({ field, note: { text, tone: note.tone }, cont: i > 0 }));
    }
    if (field.key === focus) focusLast = rows.length - 1;
  }
  // Keep the focused field's notes in view too: window around its last line, then make sure its first fits.
  let start = windowStart(0, focusLast, height, rows.length);
  if (focusFirst < start) start = focusFirst;
  const out: ReactNode[] = [];
  for (let i = start; i < Math.min(rows.length, start + height); i++) {
    const row = rows[i]!;
    const isFocus = row.field.key === focus;
    if (row.note) {
      const glyph = row.cont ? ' ' : row.note.tone === 'error' ? theme.glyphs.state.failed : row.note.tone === 'warning' ? '!' : ' ';
      out.push(
        <Text key={`n${i}`} color={theme.color(row.note.tone === 'muted' ? 'muted' : row.note.tone)} wrap="truncate-end">
          {fit(`${' '.repeat(labelW + 3)}${glyph} ${row.note.text}`, width, theme.glyphs.ellipsis)}
        </Text>,
      );
      continue;
    }
    const pointer = isFocus ? theme.glyphs.pointer : ' ';
    const label = fit(row.field.key === 'more' ? '' : row.field.key, labelW, theme.glyphs.ellipsis);
    const editingThis = props.editing?.key === row.field.key;
    out.push(
      <Box key={`f${i}`} width={width} height={1} overflow="hidden">
        <Text color={theme.color(isFocus ? 'accent' : 'text')} bold={isFocus}>
          {`${pointer} `}
        </Text>
        <Text inverse={isFocus && props.focused && !editingThis} bold={isFocus} color={theme.color(row.field.section === 'more' ? 'muted' : 'text')}>
          {label}
        </Text>
        <Text> </Text>
        {editingThis ? (
          <TextInput value={props.editing!.draft} onChange={props.onDraft} onSubmit={props.onCommit} onCancel={props.onCancel} focus width={valueW} label={row.field.key} />
        ) : (
          <ValueText {...props} field={row.field} width={valueW} />
        )}
      </Box>,
    );
  }
  // Rows the fields leave free (a tall terminal) show the focused field in full: what it is for and its
  // whole value, which its row may have cut.
  const spare = height - out.length;
  const focused = fields.find((f) => f.key === focus);
  if (focused && spare >= DETAIL_MIN_ROWS) {
    const detail = fieldDetail(focused, props.spec, props.raw, width);
    out.push(
      <Text key="rule" color={theme.color('muted')}>
        {'─'.repeat(Math.max(0, width))}
      </Text>,
    );
    detail.slice(0, spare - 1).forEach((line, i) =>
      out.push(
        <Text key={`d${i}`} color={theme.color(i === 0 ? 'accent' : line.startsWith('  ') ? 'text' : 'muted')} wrap="truncate-end">
          {fit(line, width, theme.glyphs.ellipsis)}
        </Text>,
      ),
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {out}
    </Box>
  );
}

/** Free rows under the fields needed before the focused field's details are shown. */
const DETAIL_MIN_ROWS = 4;

/** The focused field described: its name and help, then its whole value (secrets masked). */
export function fieldDetail(field: FieldDef, spec: EvalSpec, raw: Readonly<Record<string, string>>, width: number): string[] {
  if (field.kind === 'more') return [`more flags: ${field.help}`];
  const lines = wordWrap(clean(`${field.key}: ${field.help}`), width);
  if (field.choices) lines.push(...wordWrap(`choices: ${field.choices.map((c) => c || '(default)').join(', ')} (Space / h l cycle)`, width));
  const v = (spec as unknown as Record<string, unknown>)[field.key];
  const text = raw[field.key] ?? (Array.isArray(v) ? (field.key === 'tasks' ? v.join(',') : field.key === 'env' ? '' : v.join(' ')) : v === undefined || v === '' ? '' : String(v));
  if (field.key === 'env' && Array.isArray(v)) {
    for (const l of v as string[]) {
      const p = parseEnvLine(l);
      lines.push(...wrapCols(clean(p.kind === 'assign' && isSecretName(p.name) ? `${l.slice(0, l.indexOf('=') + 1)}••••••` : l), Math.max(1, width - 2)).map((r) => `  ${r}`));
    }
  } else if (text !== '') {
    lines.push(...wrapCols(clean(text), Math.max(1, width - 2)).map((r) => `  ${r}`));
  }
  return lines;
}

function ValueText({ spec, raw, field, width, moreOpen }: FormViewProps & { field: FieldDef; width: number }): ReactNode {
  const theme = useTheme();
  const { text, token } = displayValue(spec, raw, field, moreOpen, theme.glyphs);
  return (
    <Text color={token ? theme.color(token) : undefined} wrap="truncate-end">
      {truncate(clean(text), width, theme.glyphs.ellipsis)}
    </Text>
  );
}

/** The value as the form shows it; exported for tests. */
export function displayValue(
  spec: EvalSpec,
  raw: Readonly<Record<string, string>>,
  field: FieldDef,
  moreOpen: boolean,
  glyphs: { expand: string; collapse: string; sep: string },
): { text: string; token?: Token } {
  const v = (spec as unknown as Record<string, unknown>)[field.key];
  switch (field.kind) {
    case 'more': {
      const n = moreSetCount(spec);
      return { text: `${moreOpen ? glyphs.collapse : glyphs.expand} more flags${n ? ` ${glyphs.sep} ${n} set` : ''}`, token: 'accent' };
    }
    case 'bool':
      return v === true ? { text: '[x] on' } : { text: '[ ] off', token: 'muted' };
    case 'optbool':
      return v === true ? { text: '[x] on' } : typeof v === 'string' && v !== '' ? { text: `[x] ${v}` } : { text: '[ ] off', token: 'muted' };
    case 'choice':
      if (field.key === 'harness') return { text: `${spec.harness}${spec.demo ? '  (demo harness: simulated)' : ''}` };
      return isSet(v) ? { text: String(v) } : unset(field);
    case 'tasks':
      return spec.tasks.length ? { text: `${spec.tasks.join(',')}  (${spec.tasks.length})` } : { text: 'none: Enter or t to pick', token: 'muted' };
    case 'model':
      return spec.model ? { text: spec.model } : { text: 'none: Enter or m to pick', token: 'muted' };
    case 'env':
      return envSummary(spec.env ?? []);
    case 'args':
      return spec.extra_args?.length ? { text: redactSpec({ extra_args: spec.extra_args }).extra_args!.join(' ') } : unset(field);
    default:
      if (raw[field.key] !== undefined) return { text: raw[field.key]!, token: 'error' };
      // Shown masked (api_key= in model_args, an export in the set-up line); the field editor shows it whole.
      return isSet(v) && !(typeof v === 'number' && Number.isNaN(v)) ? { text: typeof v === 'string' ? redactSecrets(v, specSecrets(spec)) : String(v) } : unset(field);
  }
}

function unset(field: FieldDef): { text: string; token: Token } {
  const d = field.flag?.default;
  return { text: d !== undefined ? `default ${d}` : '-', token: 'muted' };
}

function envSummary(lines: readonly string[]): { text: string; token?: Token } {
  const names: string[] = [];
  for (const l of lines) {
    const p = parseEnvLine(l);
    if (p.kind === 'assign') names.push(isSecretName(p.name) ? `${p.name}=••••` : p.name);
    else if (p.kind === 'invalid') names.push(`${p.name ?? '?'}(invalid)`);
  }
  if (names.length === 0) return { text: lines.length ? `${lines.length} comment line(s)` : 'none: Enter or v to edit', token: 'muted' };
  return { text: names.join(', ') };
}

/** Wraps at spaces (a word longer than the width is cut by columns). */
export function wordWrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (cols(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') out.push(line);
    const pieces = wrapCols(word, width);
    line = pieces.pop() ?? '';
    out.push(...pieces);
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}
