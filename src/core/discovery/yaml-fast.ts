/**
 * A fast reader for the YAML that task configs are written in: block mappings and sequences, plain,
 * quoted and block scalars, flow collections, comments and `!function` tags.
 *
 * Why not just the `yaml` package: a full parse of lmms-eval's 2,049 task files takes ~500 ms cold in
 * this process, more than the whole budget. This reader follows PyYAML's rules (what the harnesses use)
 * and throws UNSUPPORTED at anything outside that subset (anchors, aliases, other tags, complex keys,
 * directives, tabs in indentation, ...); the caller then hands the file to the full parser, which is
 * also what reports syntax errors. So the fast path never has to be right about invalid YAML: when
 * in doubt it bails.
 */
import { blockScalar } from './yaml-block.js';
import { FlowReader } from './yaml-flow.js';
import { quotedRun, quotedScalar } from './yaml-quoted.js';
import { FunctionRef, resolvePlain } from './yaml-scalars.js';
import { bail, COLON, DASH, HASH, keyOf, restIsBlank, sepOrEnd, skipSpaces, SP, space, TAB, TabFound, trimSpacesEnd } from './yaml-text.js';

export { TabFound } from './yaml-text.js';

interface Key {
  key: string;
  /** Index just after the `:`. */
  after: number;
}

class FastReader {
  private readonly lines: string[];
  /** Indentation of each line; -1 for blank and comment-only lines. */
  private readonly ind: Int32Array;
  private readonly n: number;
  private i = 0;

  constructor(
    text: string,
    private readonly file: string,
  ) {
    const lines = text.split('\n');
    const n = lines.length;
    const ind = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const s = lines[k]!;
      let j = 0;
      while (j < s.length && s.charCodeAt(j) === SP) j++;
      if (j === s.length) ind[k] = -1;
      else {
        const c = s.charCodeAt(j);
        if (c === HASH) ind[k] = -1;
        // PyYAML rejects a tab where indentation is read, even on a blank line: leave it to the full parser.
        else if (c === TAB) bail();
        else ind[k] = j;
      }
    }
    this.lines = lines;
    this.ind = ind;
    this.n = n;
  }

  document(): unknown {
    this.skipBlank();
    if (this.i >= this.n) return null;
    const first = this.lines[this.i]!;
    if (first.charCodeAt(0) === 0x25) bail(); // % directive
    if (first.startsWith('---')) {
      if (!(first.length === 3 || (space(first, 3, this.i) && restIsBlank(first, 3, this.i)))) bail();
      this.i++;
      this.skipBlank();
      if (this.i >= this.n) return null;
    }
    const value = this.node(-1);
    this.skipBlank();
    if (this.i < this.n) bail(); // `...`, a second document, or indentation we did not expect
    return value;
  }

  private skipBlank(): void {
    while (this.i < this.n && this.ind[this.i] === -1) this.i++;
  }

  /** The node starting at the first non-blank line (its indentation is > parent). */
  private node(parent: number): unknown {
    return this.nodeAt(this.i, this.ind[this.i]!, parent);
  }

  private nodeAt(li: number, col: number, parent: number): unknown {
    const s = this.lines[li]!;
    if (s.charCodeAt(col) === DASH && sepOrEnd(s, col + 1, li)) return this.sequence(li, col);
    const key = this.tryKey(s, col, li);
    if (key) return this.mapping(li, col, key);
    return this.inline(li, col, parent);
  }

  /** A mapping key starting at col, or null when the text there is not `key:`. */
  private tryKey(s: string, col: number, li: number): Key | null {
    const c = s.charCodeAt(col);
    if (c === 0x22 || c === 0x27) {
      const q = this.quotedOnLine(s, col);
      if (!q) return null;
      const j = skipSpaces(s, q[1], li);
      if (s.charCodeAt(j) === COLON && sepOrEnd(s, j + 1, li)) return { key: q[0], after: j + 1 };
      return null;
    }
    if (c === 0x3f && sepOrEnd(s, col + 1, li)) bail(); // complex key
    if (c === 0x2c || c === 0x5d || c === 0x7d) bail(); // , ] } cannot start a plain scalar
    if ('[{&*!|>%@`'.includes(s[col]!)) return null;
    // Native searches rather than a loop per character: a cold process runs this before the JIT warms up.
    const hash = s.indexOf(' #', col);
    const commentAt = hash === -1 ? s.length : hash + 1;
    const tab = s.indexOf('\t', col);
    let colon = s.indexOf(':', col);
    while (colon !== -1 && colon < commentAt) {
      const next = s.charCodeAt(colon + 1);
      if (colon + 1 >= s.length || next === SP || next === TAB) {
        if (tab !== -1 && tab <= colon + 1) throw new TabFound(li + 1);
        const text = trimSpacesEnd(s.slice(col, colon));
        if (text === '') bail();
        return { key: keyOf(text), after: colon + 1 };
      }
      colon = s.indexOf(':', colon + 1);
    }
    if (tab !== -1 && tab < commentAt) throw new TabFound(li + 1);
    return null;
  }

  private mapping(li: number, col: number, first: Key): Record<string, unknown> {
    // Null prototype: `__proto__` or `constructor` keys are plain data, and (measured) building many
    // differently-shaped configs is faster in V8's dictionary mode than with hidden classes.
    const obj: Record<string, unknown> = Object.create(null);
    let key = first;
    let line = li;
    for (;;) {
      obj[key.key] = this.mappingValue(line, key.after, col);
      this.skipBlank();
      if (this.i >= this.n) break;
      const ni = this.ind[this.i]!;
      if (ni < col) break;
      if (ni > col) bail();
      line = this.i;
      const next = this.tryKey(this.lines[line]!, col, line);
      if (!next) bail();
      key = next;
    }
    return obj;
  }

  private mappingValue(li: number, after: number, mapIndent: number): unknown {
    const s = this.lines[li]!;
    const j = skipSpaces(s, after, li);
    if (j < s.length && s.charCodeAt(j) !== HASH) return this.inline(li, j, mapIndent);
    this.i = li + 1;
    this.skipBlank();
    if (this.i < this.n) {
      const ni = this.ind[this.i]!;
      if (ni > mapIndent) return this.node(mapIndent);
      // A sequence may sit at its key's own indentation (`key:\n- a`).
      const t = this.lines[this.i]!;
      if (ni === mapIndent && t.charCodeAt(ni) === DASH && sepOrEnd(t, ni + 1, this.i)) return this.sequence(this.i, ni);
    }
    return null;
  }

  private sequence(li: number, col: number): unknown[] {
    const arr: unknown[] = [];
    let line = li;
    for (;;) {
      const s = this.lines[line]!;
      const j = skipSpaces(s, col + 1, line);
      if (j >= s.length || s.charCodeAt(j) === HASH) {
        this.i = line + 1;
        this.skipBlank();
        arr.push(this.i < this.n && this.ind[this.i]! > col ? this.node(col) : null);
      } else {
        arr.push(this.nodeAt(line, j, col));
      }
      this.skipBlank();
      if (this.i >= this.n) break;
      const ni = this.ind[this.i]!;
      if (ni > col) bail();
      const t = this.lines[this.i]!;
      if (ni < col || t.charCodeAt(col) !== DASH || !sepOrEnd(t, col + 1, this.i)) break;
      line = this.i;
    }
    return arr;
  }

  /** A scalar, flow collection or tagged scalar starting mid-line; `parent` is the enclosing block's indent. */
  private inline(li: number, col: number, parent: number): unknown {
    const s = this.lines[li]!;
    const c = s.charCodeAt(col);
    switch (c) {
      case 0x22: // "
      case 0x27: // '
        return this.quoted(li, col);
      case 0x5b: // [
      case 0x7b: // {
        return this.flowTop(li, col);
      case 0x7c: // |
      case 0x3e: // >
      {
        const [value, next] = blockScalar(this.lines, li, col, parent);
        this.i = next;
        return value;
      }
      case 0x21: // !
        return this.tagged(li, col, parent);
      case 0x26: case 0x2a: case 0x25: case 0x40: case 0x60: // & * % @ `
      case 0x2c: case 0x5d: case 0x7d: // , ] }
        return bail();
      case 0x3f: case COLON: case DASH: // ? : -
        if (sepOrEnd(s, col + 1, li)) bail();
        break;
      default:
        break;
    }
    return resolvePlain(this.plain(li, col, parent));
  }

  private tagged(li: number, col: number, parent: number): FunctionRef {
    const s = this.lines[li]!;
    if (!s.startsWith('!function', col) || col + 9 >= s.length || !space(s, col + 9, li)) bail();
    const j = skipSpaces(s, col + 9, li);
    if (j >= s.length || '#[{|>!&*'.includes(s[j]!)) bail();
    const c = s.charCodeAt(j);
    const text = c === 0x22 || c === 0x27 ? this.quoted(li, j) : this.plain(li, j, parent);
    return new FunctionRef(text, this.file);
  }

  /** Plain scalar text (before type resolution), folding continuation lines as PyYAML does. */
  private plain(li: number, col: number, parent: number): string {
    const first = this.plainLine(this.lines[li]!, col, li);
    let out = first.text;
    this.i = li + 1;
    if (first.comment) return out;
    let breaks = 0;
    for (let k = li + 1; k < this.n; k++) {
      const ik = this.ind[k]!;
      const t = this.lines[k]!;
      if (ik === -1) {
        if (t.trim() === '') {
          breaks++;
          continue;
        }
        break; // a comment line ends the scalar
      }
      if (ik <= parent) break;
      if (ik === 0 && (t.startsWith('---') || t.startsWith('...'))) bail();
      const piece = this.plainLine(t, ik, k);
      out += breaks > 0 ? '\n'.repeat(breaks) : ' ';
      out += piece.text;
      breaks = 0;
      this.i = k + 1;
      if (piece.comment) break;
    }
    return out;
  }

  /**
   * One line of a block-context plain scalar: up to ` #`. `: ` inside is an error, left to the full
   * parser; so is a tab, which PyYAML's pure-Python scanner refuses inside a plain scalar.
   */
  private plainLine(s: string, col: number, li: number): { text: string; comment: boolean } {
    const hash = s.indexOf(' #', col);
    const end = hash === -1 ? s.length : hash + 1;
    const tab = s.indexOf('\t', col);
    if (tab !== -1 && tab < end) throw new TabFound(li + 1);
    for (let colon = s.indexOf(':', col); colon !== -1 && colon < end; colon = s.indexOf(':', colon + 1)) {
      if (colon + 1 >= s.length || s.charCodeAt(colon + 1) === SP) bail();
    }
    return { text: trimSpacesEnd(s.slice(col, end)), comment: hash !== -1 };
  }

  /** A quoted scalar that opens and closes on this line: [value, index after the closing quote]. */
  private quotedOnLine(s: string, col: number): [string, number] | null {
    const [text, end] = quotedRun(s, col + 1, s.charCodeAt(col) === 0x22);
    return end >= 0 ? [text, end] : null;
  }

  /** A quoted scalar in block context, possibly over several lines; the rest of its last line must be empty. */
  private quoted(li: number, col: number): string {
    const [value, line, end] = quotedScalar(this.lines, li, col);
    if (!restIsBlank(this.lines[line]!, end, line)) bail();
    this.i = line + 1;
    return value;
  }

  private flowTop(li: number, col: number): unknown {
    const flow = new FlowReader(this.lines, li, col);
    const value = flow.node();
    if (!restIsBlank(this.lines[flow.line]!, flow.col, flow.line)) bail();
    this.i = flow.line + 1;
    return value;
  }

}

/**
 * Parses `text` (one YAML document) the way PyYAML would, or throws UNSUPPORTED when the text uses
 * something this reader leaves to the full parser. `file` is recorded in `!function` values.
 */
export function parseYamlFast(text: string, file: string): unknown {
  return new FastReader(text, file).document();
}
