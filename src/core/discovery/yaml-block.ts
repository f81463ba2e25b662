/** Block scalars (`|`, `>`) of the fast YAML reader. */
import { bail, isBlankChar, restIsBlank, SP } from './yaml-text.js';

/**
 * A `|` or `>` scalar whose header is at lines[li][col], following PyYAML's scan_block_scalar line by
 * line; `parent` is the indentation of the enclosing block. Returns [value, first line after it].
 */
export function blockScalar(lines: string[], li: number, col: number, parent: number): [string, number] {
  const s = lines[li]!;
  const folded = s.charCodeAt(col) === 0x3e;
  let chomp: 'clip' | 'strip' | 'keep' = 'clip';
  let increment = 0;
  let k = col + 1;
  for (let t = 0; t < 2 && k < s.length; t++) {
    const c = s[k]!;
    if ((c === '-' || c === '+') && chomp === 'clip') chomp = c === '-' ? 'strip' : 'keep';
    else if (c >= '1' && c <= '9' && increment === 0) increment = c.charCodeAt(0) - 0x30;
    else break;
    k++;
  }
  if (!restIsBlank(s, k, li)) bail();
  const n = lines.length;
  const minIndent = Math.max(parent + 1, 1);
  const leadOf = (t: string): number => {
    let j = 0;
    while (j < t.length && t.charCodeAt(j) === SP) j++;
    return j;
  };
  const atEof = (c: number): boolean => c >= n || (c === n - 1 && lines[c] === '');
  let cur = li + 1;
  let breaks = '';
  let indent: number;
  let firstLead: number;
  if (increment > 0) {
    indent = minIndent + increment - 1;
    // Leading lines with at most `indent` spaces are line breaks.
    while (cur < n - 1 && lines[cur]!.length <= indent && leadOf(lines[cur]!) === lines[cur]!.length) {
      breaks += '\n';
      cur++;
    }
    firstLead = atEof(cur) ? 0 : Math.min(leadOf(lines[cur]!), indent);
  } else {
    let maxIndent = 0;
    // Leading lines holding only spaces count as line breaks; the widest sets a floor for the indent.
    while (cur < n - 1 && /^ *$/.test(lines[cur]!)) {
      maxIndent = Math.max(maxIndent, lines[cur]!.length);
      breaks += '\n';
      cur++;
    }
    firstLead = atEof(cur) ? 0 : leadOf(lines[cur]!);
    indent = Math.max(minIndent, maxIndent, firstLead);
  }
  let out = '';
  let lineBreak = '';
  if (!atEof(cur) && firstLead !== indent) {
    if (firstLead > parent) bail(); // PyYAML would go on to fail on this line
  } else {
    while (!atEof(cur) && Math.min(leadOf(lines[cur]!), indent) === indent) {
      out += breaks;
      const t = lines[cur]!;
      const content = t.slice(indent);
      const leadingNonSpace = content.length > 0 && !isBlankChar(content.charCodeAt(0));
      out += content;
      lineBreak = cur < n - 1 ? '\n' : '';
      cur++;
      breaks = '';
      while (cur < n - 1) {
        const u = lines[cur]!;
        if (u.length <= indent && leadOf(u) === u.length) {
          breaks += '\n';
          cur++;
        } else break;
      }
      if (atEof(cur) || Math.min(leadOf(lines[cur]!), indent) !== indent) break;
      const next = lines[cur]!.charCodeAt(indent);
      if (folded && lineBreak === '\n' && leadingNonSpace && !isBlankChar(next)) {
        if (breaks === '') out += ' ';
      } else out += lineBreak;
    }
  }
  if (chomp !== 'strip') out += lineBreak;
  if (chomp === 'keep') {
    if (out === '' && lineBreak === '') bail();
    out += breaks;
  }
  return [out, cur];
}
