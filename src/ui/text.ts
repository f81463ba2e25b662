/**
 * Column arithmetic for pre-cutting text to a pane's width in JS (performance.md §2.5: a 100 kB line
 * handed to Ink with wrap costs ~770 ms a frame; pre-sliced it costs 0.2 ms). Handles wide (CJK, emoji)
 * and zero-width (combining) code points well enough for log lines; control characters are shown as `?`
 * so a stray byte can never move the cursor.
 */

function cpWidth(cp: number): number {
  if (cp === 0) return 0;
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0)) return 1; // replaced by '?' in clean()
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Replaces control characters (tabs become spaces) so the text is safe to draw. */
export function clean(s: string): string {
  return s.replace(/\t/g, '    ').replace(CONTROL, '?');
}

/** Display width in terminal columns. */
export function cols(s: string): number {
  let w = 0;
  for (const ch of s) w += cpWidth(ch.codePointAt(0)!);
  return w;
}

/** The part of `s` covering columns [start, start + width). */
export function sliceCols(s: string, start: number, width: number): string {
  if (width <= 0) return '';
  // Fast path: pure ASCII needs no per-character width.
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(s)) return s.slice(start, start + width);
  let col = 0;
  let out = '';
  for (const ch of s) {
    const w = cpWidth(ch.codePointAt(0)!);
    if (col >= start + width) break;
    if (col >= start && col + w <= start + width) out += ch;
    col += w;
  }
  return out;
}

/** Cuts `s` to `width` columns, ending with `ellipsis` when it was longer. */
export function truncate(s: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return '';
  if (cols(s) <= width) return s;
  return sliceCols(s, 0, width - cols(ellipsis)) + ellipsis;
}

/** Pads (or truncates) to exactly `width` columns. */
export function fit(s: string, width: number, ellipsis = '…', align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, width, ellipsis);
  const pad = ' '.repeat(Math.max(0, width - cols(t)));
  return align === 'left' ? t + pad : pad + t;
}

/** Splits into rows of `width` columns (for the wrap toggle). Always at least one row. */
export function wrapCols(s: string, width: number): string[] {
  if (width <= 0) return [''];
  const total = cols(s);
  if (total <= width) return [s];
  const rows: string[] = [];
  for (let start = 0; start < total; start += width) rows.push(sliceCols(s, start, width));
  return rows;
}

/**
 * Wraps at spaces where it can (dialog text), cutting words longer than the width. Leading indentation is
 * kept on the first row, so a command's continuation lines (`  --model x \\`) show as they will run.
 */
export function wordWrap(s: string, width: number): string[] {
  if (width <= 0) return [''];
  const indent = /^ */.exec(s)![0];
  if (indent.length >= width) return wrapCols(s, width);
  const out: string[] = [];
  let line = indent;
  for (const word of s.slice(indent.length).split(/ +/)) {
    const candidate = line.trim() ? `${line} ${word}` : `${line}${word}`;
    if (cols(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line.trim()) out.push(line);
    if (cols(word) <= width) line = word;
    else {
      const pieces = wrapCols(word, width);
      out.push(...pieces.slice(0, -1));
      line = pieces[pieces.length - 1] ?? '';
    }
  }
  out.push(line);
  return out;
}


/**
 * Wraps one line of a bash script so that the rows, copied off the screen and pasted into a shell, run
 * the same command: a row ends in ` \` at a space between words, or in `\` inside a word (bash removes
 * backslash-newline outside single quotes, so `$PY\` + `THONPATH` is still `$PYTHONPATH`); inside single
 * quotes the quote is closed first (`'ab'\` + `'cd'` is `abcd`). A break is never put between a
 * backslash and the character it escapes. Comment rows continue as comments.
 */
export function wrapShellLine(line: string, width: number): string[] {
  if (cols(line) <= width) return [line];
  if (width < 8) return wrapCols(line, width);
  const comment = /^(\s*)#\s?/.exec(line);
  if (comment) {
    const lead = `${comment[1]}# `;
    return wordWrap(line.slice(comment[0].length), width - cols(lead)).map((r) => lead + r);
  }
  const out: string[] = [];
  let rest = line;
  // A row can start inside a double-quoted word (a break there needs no closing quote).
  let startQuote: '"' | null = null;
  while (cols(rest) > width) {
    let quote: "'" | '"' | null = startQuote;
    let escaped = false;
    let col = 0;
    let space = -1;
    let cut = -1;
    let cutQuote: "'" | '"' | null = null;
    for (let i = 0; i < rest.length; i++) {
      const ch = rest[i]!;
      const w = cols(ch);
      // Rows end in at most two extra columns (` \` or `'\`).
      if (col + w > width - 2) break;
      if (i > 0 && !escaped) {
        if (quote === null && ch === ' ' && rest[i - 1] !== ' ') space = i;
        if (ch !== ' ') {
          cut = i;
          cutQuote = quote;
        }
      }
      if (escaped) escaped = false;
      else if (quote === "'") {
        if (ch === "'") quote = null;
      } else if (ch === '\\') escaped = true;
      else if (quote === '"') {
        if (ch === '"') quote = null;
      } else if (ch === "'" || ch === '"') quote = ch;
      col += w;
    }
    // A space break is the clearest, unless it would leave most of the row empty.
    if (space > 0 && (space >= width / 3 || cut <= 0)) {
      out.push(`${rest.slice(0, space)} \\`);
      rest = `    ${rest.slice(space).trimStart()}`;
      startQuote = null;
    } else if (cut > 0) {
      if (cutQuote === "'") {
        out.push(`${rest.slice(0, cut)}'\\`);
        rest = `'${rest.slice(cut)}`;
        startQuote = null;
      } else {
        out.push(`${rest.slice(0, cut)}\\`);
        rest = rest.slice(cut);
        startQuote = cutQuote;
      }
    } else {
      // Nothing safe fits (a row of escapes): fall back to a plain cut rather than loop.
      return [...out, ...wrapCols(rest, width)];
    }
  }
  out.push(rest);
  return out;
}
