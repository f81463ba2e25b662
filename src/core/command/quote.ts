/**
 * Bash quoting for the job script. The script is both what runs and what a person reads and may paste
 * into an interactive shell, so values stay bare when that is unambiguous and otherwise use single
 * quotes, the only bash quoting with no special characters inside (no `$`, backtick, `\` or history `!`).
 *
 * Control characters (tab and newline included) are the exception: they are written as ANSI-C escapes
 * (`$'\t'`) joined to the single-quoted parts. Single quotes would carry them correctly into a script
 * file, but a raw tab pasted into interactive bash triggers completion, a raw CR ends the line, ESC starts
 * a key sequence, and any of them garbles the preview on screen. `\xHH` escapes are byte values, so they
 * do not depend on the locale.
 */

/** Characters that never mean anything to bash inside a word (deliberately smaller than bash's real set). */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_RUNS = /[\u0000-\u001f\u007f]+|[^\u0000-\u001f\u007f]+/g;
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Quote `s` so bash reads it back as exactly one word equal to `s`. (NUL cannot be in an argv value at
 * all; validation rejects it before a script is built.)
 */
export function shellQuote(s: string): string {
  if (SAFE.test(s)) return s;
  if (!CONTROL.test(s)) return singleQuote(s);
  return (s.match(CONTROL_RUNS) ?? []).map((part) => (CONTROL.test(part) ? ansiC(part) : singleQuote(part))).join('');
}

function singleQuote(s: string): string {
  // Close the quote, add an escaped quote, reopen: the POSIX way to put `'` inside single quotes.
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function ansiC(controls: string): string {
  const escaped = [...controls].map((c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `$'${escaped.join('')}'`;
}

/**
 * Quote the command word of a simple command. A bare `NAME=x` there would be read as a variable
 * assignment rather than the program to run, so any word with `=` is quoted (quoting defeats assignment).
 */
export function quoteCommandWord(s: string): string {
  const q = shellQuote(s);
  return q === s && s.includes('=') ? `'${s}'` : q;
}

/** Join argv into one line of bash text that reproduces it. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
