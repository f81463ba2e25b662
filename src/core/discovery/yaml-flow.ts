/** Flow collections of the fast YAML reader. */
import { resolvePlain } from './yaml-scalars.js';
import { quotedScalar } from './yaml-quoted.js';
import { bail, HASH, isDocMarker, keyOf, sepOrEnd, skipSpaces, TabFound, trimSpacesEnd } from './yaml-text.js';

/** Flow collections (`[a, b]`, `{k: v}`), possibly over several lines; no indentation rule inside (PyYAML). */
export class FlowReader {
  constructor(
    private readonly lines: string[],
    public line: number,
    public col: number,
  ) {}

  private get s(): string {
    return this.lines[this.line]!;
  }

  /** Skips blanks, line breaks and comments; fails at the end of the file. */
  private ws(): void {
    for (;;) {
      const s = this.s;
      this.col = skipSpaces(s, this.col, this.line);
      if (this.col < s.length && s.charCodeAt(this.col) !== HASH) return;
      this.line++;
      this.col = 0;
      if (this.line >= this.lines.length) bail();
      const t = this.s;
      if (isDocMarker(t)) bail();
    }
  }

  node(): unknown {
    const c = this.s.charCodeAt(this.col);
    if (c === 0x5b) return this.seq();
    if (c === 0x7b) return this.map();
    if (c === 0x22 || c === 0x27) {
      const [value, line, end] = quotedScalar(this.lines, this.line, this.col);
      this.line = line;
      this.col = end;
      return value;
    }
    return resolvePlain(this.plain());
  }

  private plain(): string {
    const s = this.s;
    const start = this.col;
    const c = s[start];
    if (c === undefined || '!&*|>%@`#,[]{}?'.includes(c)) bail();
    if ((c === '-' || c === ':') && sepOrEnd(s, start + 1, this.line)) bail();
    let k = start;
    for (; k < s.length; k++) {
      const ch = s[k]!;
      if (ch === '\t') throw new TabFound(this.line + 1);
      if (',[]{}?'.includes(ch)) break;
      if (ch === ':' && (k + 1 >= s.length || ' ,[]{}'.includes(s[k + 1]!))) break;
      if (ch === '#' && s[k - 1] === ' ') break;
    }
    if (s[k] === '?') bail();
    this.col = k;
    const text = trimSpacesEnd(s.slice(start, k));
    if (text === '') bail();
    return text;
  }

  private seq(): unknown[] {
    const arr: unknown[] = [];
    this.col++;
    this.ws();
    if (this.s[this.col] === ']') {
      this.col++;
      return arr;
    }
    for (;;) {
      arr.push(this.node());
      this.ws();
      const ch = this.s[this.col];
      if (ch === ':') bail(); // single-pair mapping inside a sequence
      this.col++;
      if (ch === ']') return arr;
      if (ch !== ',') bail();
      this.ws();
      if (this.s[this.col] === ']') {
        this.col++;
        return arr;
      }
    }
  }

  private map(): Record<string, unknown> {
    const obj: Record<string, unknown> = Object.create(null);
    this.col++;
    this.ws();
    if (this.s[this.col] === '}') {
      this.col++;
      return obj;
    }
    for (;;) {
      const c = this.s.charCodeAt(this.col);
      if (c === 0x5b || c === 0x7b) bail(); // collection keys
      let key: string;
      if (c === 0x22 || c === 0x27) {
        const [value, line, end] = quotedScalar(this.lines, this.line, this.col);
        this.line = line;
        this.col = end;
        key = value;
      } else key = keyOf(this.plain());
      this.ws();
      let value: unknown = null;
      if (this.s[this.col] === ':') {
        this.col++;
        this.ws();
        const v = this.s[this.col];
        if (v !== ',' && v !== '}') value = this.node();
        this.ws();
      }
      obj[key] = value;
      const ch = this.s[this.col];
      this.col++;
      if (ch === '}') return obj;
      if (ch !== ',') bail();
      this.ws();
      if (this.s[this.col] === '}') {
        this.col++;
        return obj;
      }
    }
  }
}
