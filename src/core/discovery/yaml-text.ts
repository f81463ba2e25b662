/** Character-level helpers shared by the parts of the fast YAML reader. */
import { resolvePlain, Unsupported, UNSUPPORTED } from './yaml-scalars.js';

export const SP = 0x20;
export const TAB = 0x09;
export const HASH = 0x23;
export const COLON = 0x3a;
export const DASH = 0x2d;

export function bail(): never {
  throw UNSUPPORTED;
}

export function isBlankChar(c: number): boolean {
  return c === SP || c === TAB;
}

/**
 * A tab where PyYAML's pure-Python scanner (lmms-eval's loader) expects a space or a token: it
 * rejects the file, libyaml (lm-eval's) accepts it. The loader decides what that means per harness.
 */
export class TabFound extends Unsupported {
  constructor(readonly line: number) {
    super('tab character used as whitespace');
  }
}

/** Is s[k] a separating space? A tab there throws TabFound; `line` is 0-based. */
export function space(s: string, k: number, line: number): boolean {
  const c = s.charCodeAt(k);
  if (c === TAB) throw new TabFound(line + 1);
  return c === SP;
}

/** True when position k is the end of the line or a space (what must follow `-`, `:`, `?`). */
export function sepOrEnd(s: string, k: number, line: number): boolean {
  return k >= s.length || space(s, k, line);
}

/** Drops trailing spaces only: PyYAML keeps other whitespace (a no-break space, say) in a plain scalar. */
export function trimSpacesEnd(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === SP) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** Index of the first non-space at or after k. */
export function skipSpaces(s: string, k: number, line: number): number {
  while (k < s.length && space(s, k, line)) k++;
  return k;
}

/** True when nothing but spaces and an optional comment remain from k (a comment needs a space before it). */
export function restIsBlank(s: string, k: number, line: number): boolean {
  const j = skipSpaces(s, k, line);
  return j >= s.length || (s.charCodeAt(j) === HASH && (j > k || j === 0));
}

/** Non-string keys (PyYAML would make them bools, ints, None) are kept apart from string keys. */
export function keyOf(text: string): string {
  const v = resolvePlain(text);
  return typeof v === 'string' ? v : `\u0000${text}`;
}

/** A `---` or `...` marker line: it ends any scalar or collection in PyYAML. */
export function isDocMarker(s: string): boolean {
  return (s.startsWith('---') || s.startsWith('...')) && (s.length === 3 || isBlankChar(s.charCodeAt(3)));
}
