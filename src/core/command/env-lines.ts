/**
 * Env lines (`NAME=value`, `export NAME=value`, `# comment`, blank). The value is shell text the user wrote
 * and is kept verbatim so `${HF_HOME:-~/.cache}` expands as it would in their shell; the scanner below only
 * catches the mistakes that would break the rest of the job script.
 */

export const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type EnvLine =
  | { kind: 'blank' | 'comment'; text: string }
  | { kind: 'assign'; name: string; value: string }
  | { kind: 'invalid'; reason: 'form' | 'name' | 'unterminated' | 'space'; name?: string };

export function parseEnvLine(line: string): EnvLine {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'blank', text: '' };
  if (trimmed.startsWith('#')) return { kind: 'comment', text: trimmed };
  const rest = trimmed.replace(/^export\s+/, '');
  const eq = rest.indexOf('=');
  if (eq <= 0 || /\s/.test(rest.slice(0, eq))) return { kind: 'invalid', reason: 'form' };
  const name = rest.slice(0, eq);
  if (!SHELL_NAME.test(name)) return { kind: 'invalid', reason: 'name', name };
  const value = rest.slice(eq + 1);
  const scan = scanValue(value);
  if (scan !== 'ok') return { kind: 'invalid', reason: scan, name };
  return { kind: 'assign', name, value };
}

/** The line as it appears in the job script: assignments are exported so the harness process sees them. */
export function renderEnvLine(line: EnvLine): string {
  if (line.kind === 'assign') return `export ${line.name}=${line.value}`;
  if (line.kind === 'invalid') throw new Error('renderEnvLine: invalid env line (validate the spec first)');
  return line.text;
}

type Scan = 'ok' | 'unterminated' | 'space';

/**
 * Checks that `value` is one shell word: quotes, `$(…)`, `${…}` and backticks all close, and there is no
 * unquoted whitespace (`export A=x y` would also export `y`, and `A=--x --y` makes export fail).
 */
export function scanValue(value: string): Scan {
  try {
    const end = scanPlain(value, 0, null);
    return end === value.length ? 'ok' : 'unterminated';
  } catch (err) {
    if (err === SPACE) return 'space';
    if (err === OPEN) return 'unterminated';
    throw err;
  }
}

const SPACE = Symbol('space');
const OPEN = Symbol('open');

/** Scan unquoted text until `closer` (inside `$(`/`${`, where spaces are fine) or the end. */
function scanPlain(s: string, i: number, closer: ')' | '}' | null): number {
  while (i < s.length) {
    const c = s[i]!;
    if (c === closer) return i + 1;
    if (c === '\\') i = escaped(s, i);
    else if (c === '$' && s[i + 1] === "'") i = scanAnsiC(s, i + 2);
    else if (c === "'") i = closeAt(s, s.indexOf("'", i + 1));
    else if (c === '"') i = scanDouble(s, i + 1);
    else if (c === '`') i = scanBacktick(s, i + 1);
    else if (c === '$' && s[i + 1] === '(') i = scanPlain(s, i + 2, ')');
    else if (c === '$' && s[i + 1] === '{') i = scanPlain(s, i + 2, '}');
    else if (closer === ')' && c === '(') i = scanPlain(s, i + 1, ')'); // $((1+2)), subshells
    else if (closer === null && /\s/.test(c)) throw SPACE;
    else i += 1;
  }
  if (closer !== null) throw OPEN;
  return i;
}

function scanDouble(s: string, i: number): number {
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') return i + 1;
    if (c === '\\') i = escaped(s, i);
    else if (c === '`') i = scanBacktick(s, i + 1);
    else if (c === '$' && s[i + 1] === '(') i = scanPlain(s, i + 2, ')');
    else if (c === '$' && s[i + 1] === '{') i = scanPlain(s, i + 2, '}');
    else i += 1;
  }
  throw OPEN;
}

/** `$'…'`: like single quotes, except that `\'` does not end it. */
function scanAnsiC(s: string, i: number): number {
  while (i < s.length) {
    if (s[i] === "'") return i + 1;
    i = s[i] === '\\' ? escaped(s, i) : i + 1;
  }
  throw OPEN;
}

function scanBacktick(s: string, i: number): number {
  while (i < s.length) {
    if (s[i] === '`') return i + 1;
    i = s[i] === '\\' ? escaped(s, i) : i + 1;
  }
  throw OPEN;
}

/** A backslash at the very end would join the next script line onto this one. */
function escaped(s: string, i: number): number {
  if (i + 1 >= s.length) throw OPEN;
  return i + 2;
}

function closeAt(_s: string, j: number): number {
  if (j < 0) throw OPEN;
  return j + 1;
}

/** Env names whose values are hidden in anything shown: the one rule of src/core/redact.ts. */
export { isSecretName } from '../redact.js';
