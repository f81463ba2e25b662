/**
 * Python's `fnmatch.fnmatchcase` on POSIX (what both harnesses use for `--tasks` patterns): `*`, `?`,
 * `[seq]`, `[!seq]`; case-sensitive; everything else literal (parentheses too). An unclosed `[`
 * is a literal bracket, and a reversed range like `[z-a]` matches nothing, as in Python ≥ 3.9.
 */

const cache = new Map<string, RegExp>();

// Only syntax characters may be escaped in a `u` regex; `-` outside a class needs no escape.
function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function classItem(ch: string): string {
  return /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
}

/** The body of a `[...]` class (without brackets) as a JS regex fragment. */
function translateClass(body: string): string {
  let negate = false;
  let i = 0;
  if (body[0] === '!') {
    negate = true;
    i = 1;
  }
  let parts = '';
  const chars = [...body.slice(i)];
  for (let k = 0; k < chars.length; k++) {
    const a = chars[k]!;
    if (k + 2 < chars.length && chars[k + 1] === '-') {
      const b = chars[k + 2]!;
      if (a.codePointAt(0)! <= b.codePointAt(0)!) parts += `${classItem(a)}-${classItem(b)}`;
      k += 2;
    } else parts += classItem(a);
  }
  if (parts === '') return negate ? '[^]' : '(?!)';
  return negate ? `[^${parts}]` : `[${parts}]`;
}

export function translate(pattern: string): string {
  let out = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i++]!;
    if (c === '*') {
      while (pattern[i] === '*') i++;
      out += '[^]*';
    } else if (c === '?') out += '[^]';
    else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) out += '\\[';
      else {
        out += translateClass(pattern.slice(i, j));
        i = j + 1;
      }
    } else out += escapeRe(c);
  }
  return `^(?:${out})$`;
}

export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

export function fnmatchRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(translate(pattern), 'u');
    if (cache.size > 500) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

export function fnmatch(name: string, pattern: string): boolean {
  return hasWildcard(pattern) ? fnmatchRegex(pattern).test(name) : name === pattern;
}
