/** Quoted scalars of the fast YAML reader, folded over lines as PyYAML folds them. */
import { decodeEscape } from './yaml-scalars.js';
import { bail, isBlankChar, isDocMarker } from './yaml-text.js';

/**
 * A quoted scalar that may span lines, folded as PyYAML does: a single line break becomes a space,
 * n empty lines become n newlines, trailing and leading blanks around breaks are dropped, and a
 * backslash before the break joins the lines. Returns [value, last line, index after the quote].
 */
export function quotedScalar(lines: string[], li: number, col: number): [string, number, number] {
  let s = lines[li]!;
  const dq = s.charCodeAt(col) === 0x22;
  let out = '';
  let line = li;
  let k = col + 1;
  for (;;) {
    const [text, end, escapedBreak] = quotedRun(s, k, dq);
    out += text;
    if (end >= 0) return [out, line, end];
    let empties = 0;
    line++;
    for (;;) {
      if (line >= lines.length || (line === lines.length - 1 && lines[line] === '')) bail(); // unterminated
      s = lines[line]!;
      if (isDocMarker(s)) bail();
      if (s.trim() !== '') break;
      empties++;
      line++;
    }
    if (escapedBreak) out += '\n'.repeat(empties);
    else out += empties > 0 ? '\n'.repeat(empties) : ' ';
    k = 0;
    while (k < s.length && isBlankChar(s.charCodeAt(k))) k++;
  }
}

/**
 * The quoted text of one line from k: [text, index after the closing quote or -1 at the end of the
 * line, whether the line ended in an escaped line break]. At a plain line end the trailing blanks go.
 */
export function quotedRun(s: string, k: number, dq: boolean): [string, number, boolean] {
  const quote = dq ? '"' : "'";
  let out = '';
  let q = s.indexOf(quote, k);
  for (;;) {
    const b = dq ? s.indexOf('\\', k) : -1;
    if (b !== -1 && (q === -1 || b < q)) {
      out += s.slice(k, b);
      if (b + 1 >= s.length) return [out, -1, true];
      const [text, next] = decodeEscape(s, b + 1);
      out += text;
      k = next;
      if (q !== -1 && q < k) q = s.indexOf(quote, k);
      continue;
    }
    if (q === -1) {
      let e = s.length;
      while (e > k && isBlankChar(s.charCodeAt(e - 1))) e--;
      return [out + s.slice(k, e), -1, false];
    }
    if (!dq && s.charCodeAt(q + 1) === 0x27) {
      out += s.slice(k, q + 1); // '' is one quote
      k = q + 2;
      q = s.indexOf(quote, k);
      continue;
    }
    return [out + s.slice(k, q), q + 1, false];
  }
}
