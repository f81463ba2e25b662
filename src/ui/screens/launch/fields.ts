/**
 * The launch form as data: which rows it has, in which order, how each shows its value and turns typed
 * text back into a spec value. Derived from the FLAGS table, so a flag added there appears in the form
 * ("more" section unless it is marked common) with no change here.
 */
import type { Problem } from '../../../core/errors.js';
import { FLAG_BY_NAME, FLAGS, HARNESSES, type EvalSpec, type FlagDef } from '../../../core/spec.js';

export type FieldKind = 'choice' | 'text' | 'number' | 'bool' | 'optbool' | 'model' | 'tasks' | 'env' | 'args' | 'more';

export interface FieldDef {
  /** Spec key (or 'more' for the section toggle). Also what Problem.field names. */
  key: string;
  kind: FieldKind;
  help: string;
  /** For 'choice': the values Space cycles through; '' means unset (the harness default). */
  choices?: readonly string[];
  flag?: FlagDef;
  /** Integer-only numbers. */
  integer?: boolean;
  section: 'main' | 'more';
}

/** The main section, in the order the issue lists the spec's parts. */
const MAIN: readonly FieldDef[] = [
  { key: 'harness', kind: 'choice', choices: HARNESSES, help: 'which evaluation harness runs the job', section: 'main' },
  { key: 'python', kind: 'text', help: 'interpreter (default python3, or python after setup)', section: 'main' },
  { key: 'setup', kind: 'text', help: 'shell line run first, e.g. source .venv/bin/activate', section: 'main' },
  { key: 'model', kind: 'model', help: 'model registry name (Enter: pick from the installed harness)', section: 'main' },
  { key: 'model_args', kind: 'text', help: 'k=v,… passed to the model, e.g. pretrained=org/name', section: 'main' },
  { key: 'tasks', kind: 'tasks', help: 'tasks, groups, tags or wildcards (Enter: pick)', section: 'main' },
  { key: 'env', kind: 'env', help: 'environment lines, e.g. export HF_HOME=/data/hf (Enter: edit)', section: 'main' },
];

const MAIN_FLAGS = ['batch_size', 'limit', 'num_fewshot', 'output_path', 'log_samples', 'verbosity', 'device'] as const;
const AFTER_GPUS = ['gen_kwargs', 'seed'] as const;

const GPUS: FieldDef = { key: 'num_gpus', kind: 'number', integer: true, help: 'GPUs; above 1 runs through accelerate launch', section: 'main' };
const MORE: FieldDef = { key: 'more', kind: 'more', help: 'every other harness flag', section: 'main' };
const EXTRA: FieldDef = { key: 'extra_args', kind: 'args', help: 'arguments appended verbatim, split like a shell would', section: 'more' };

function flagField(flag: FlagDef, section: 'main' | 'more'): FieldDef {
  const base = { key: flag.name, flag, help: flag.help, section };
  switch (flag.kind) {
    case 'bool':
      return { ...base, kind: 'bool' };
    case 'optbool':
      return { ...base, kind: 'optbool' };
    case 'int':
      return { ...base, kind: 'number', integer: true };
    case 'float':
    case 'limit':
      return { ...base, kind: 'number' };
    default:
      return flag.choices ? { ...base, kind: 'choice', choices: ['', ...flag.choices] } : { ...base, kind: 'text' };
  }
}

const COMMON_ORDER = new Set<string>([...MAIN_FLAGS, ...AFTER_GPUS]);

/**
 * Rows of the form for this spec. The "more" section lists the flags of the chosen harness, plus any flag
 * of the other harness that is set (so the user can see and clear what validation complains about).
 */
export function formFields(spec: EvalSpec, moreOpen: boolean): FieldDef[] {
  const rows: FieldDef[] = [...MAIN];
  for (const name of MAIN_FLAGS) rows.push(flagField(FLAG_BY_NAME.get(name)!, 'main'));
  rows.push(GPUS);
  for (const name of AFTER_GPUS) rows.push(flagField(FLAG_BY_NAME.get(name)!, 'main'));
  rows.push(MORE);
  if (moreOpen) {
    for (const flag of moreFlags(spec)) rows.push(flagField(flag, 'more'));
    rows.push(EXTRA);
  }
  return rows;
}

export function moreFlags(spec: EvalSpec): FlagDef[] {
  return FLAGS.filter((f) => !COMMON_ORDER.has(f.name) && (f.harnesses.includes(spec.harness) || isSet(spec[f.name])));
}

/** How many "more" flags hold a value (shown on the collapsed row). */
export function moreSetCount(spec: EvalSpec): number {
  return moreFlags(spec).filter((f) => isSet(spec[f.name])).length + ((spec.extra_args?.length ?? 0) > 0 ? 1 : 0);
}

export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== false && !(Array.isArray(v) && v.length === 0);
}

/** The field a problem belongs to: `env line 3` → env, the rest by name. */
export function problemField(p: Problem): string {
  return p.field.startsWith('env line') ? 'env' : p.field;
}

/** The text an edit starts from: what the field shows, minus decoration. */
export function editText(spec: EvalSpec, field: FieldDef, raw: Readonly<Record<string, string>>): string {
  if (raw[field.key] !== undefined) return raw[field.key]!;
  const v = (spec as unknown as Record<string, unknown>)[field.key];
  if (v === undefined || v === null || v === false || v === true) return '';
  if (Array.isArray(v)) return field.kind === 'args' ? v.map(quoteArg).join(' ') : v.join(',');
  return String(v);
}

/** Numbers parse strictly; anything else is NaN so validation names the field (the CLI does the same). */
export function parseNumber(s: string): number {
  return /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(s) ? Number(s) : Number.NaN;
}

/** The spec value for typed text; undefined clears the field. */
export function valueFromText(field: FieldDef, text: string): unknown {
  const t = field.kind === 'text' || field.kind === 'optbool' ? text : text.trim();
  if (t.trim() === '') return field.key === 'model' ? '' : field.key === 'tasks' ? [] : undefined;
  switch (field.kind) {
    case 'number':
      return parseNumber(t);
    case 'tasks':
      return t.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'args':
      return splitArgs(t);
    default:
      return t;
  }
}

/** Splits like a shell for plain quoting: 'a b' and "a b" stay one argument; backslash escapes one char. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let has = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur !== '') out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur !== '') out.push(cur);
  return out;
}

function quoteArg(a: string): string {
  return a === '' || /[\s'"\\]/.test(a) ? `'${a.replace(/'/g, `'"'"'`)}'` : a;
}

/** Next value of a choice field (wrapping). */
export function cycleChoice(field: FieldDef, current: unknown, dir: 1 | -1): string {
  const choices = field.choices ?? [];
  const i = choices.indexOf(typeof current === 'string' ? current : '');
  return choices[(i + dir + choices.length) % choices.length] ?? '';
}
