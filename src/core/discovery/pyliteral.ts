/**
 * Reads top-level `NAME = {...}` dict literals out of Python source without running it: enough of
 * Python's literal syntax for model registries (strings with prefixes and implicit concatenation,
 * tuples, lists, dicts, numbers, True/False/None, comments, trailing commas). Anything else inside
 * (a call, a name) becomes `undefined` so one odd entry does not lose the rest.
 */

export type PyValue = string | number | boolean | null | undefined | PyValue[] | { [k: string]: PyValue };

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  ws(): void {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.pos++;
      else if (c === '\\' && s[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else return;
    }
  }

  peek(): string {
    return this.src[this.pos] ?? '';
  }

  string(): string | null {
    const s = this.src;
    const m = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(s.slice(this.pos, this.pos + 5));
    if (!m) return null;
    const raw = /r/i.test(m[1]!);
    const quote = m[2]!;
    let k = this.pos + m[0].length;
    let out = '';
    while (k < s.length) {
      if (s.startsWith(quote, k)) {
        this.pos = k + quote.length;
        return out;
      }
      const c = s[k]!;
      if (c === '\\' && k + 1 < s.length) {
        const n = s[k + 1]!;
        if (raw) out += c + n;
        else out += ({ n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"', '\n': '' } as Record<string, string>)[n] ?? c + n;
        k += 2;
      } else {
        if (c === '\n' && quote.length === 1) return null;
        out += c;
        k++;
      }
    }
    return null;
  }

  /** One value; on anything unknown, skips to the next `,` or closing bracket at this depth. */
  value(): PyValue {
    this.ws();
    const c = this.peek();
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.seq(c === '(' ? ')' : ']');
    const str = this.string();
    if (str !== null) {
      let out = str;
      for (;;) {
        this.ws();
        const more = this.string();
        if (more === null) return out;
        out += more;
      }
    }
    const m = /^(True|False|None|-?\d+(?:\.\d+)?)(?![\w.])/.exec(this.src.slice(this.pos, this.pos + 40));
    if (m) {
      this.pos += m[0].length;
      return m[1] === 'True' ? true : m[1] === 'False' ? false : m[1] === 'None' ? null : Number(m[1]);
    }
    this.skipExpression();
    return undefined;
  }

  private skipExpression(): void {
    let depth = 0;
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '"' || c === "'") {
        if (this.string() === null) this.pos++;
        continue;
      }
      if (c === '#') {
        this.ws();
        continue;
      }
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) {
        if (depth === 0) return;
        depth--;
      } else if ((c === ',' || c === ':') && depth === 0) return;
      this.pos++;
    }
  }

  /** A list or tuple; `(x)` without a comma is just x in parentheses. */
  private seq(close: string): PyValue {
    this.pos++;
    const out: PyValue[] = [];
    let comma = false;
    for (;;) {
      this.ws();
      if (this.peek() === close) {
        this.pos++;
        return close === ')' && out.length === 1 && !comma ? out[0] : out;
      }
      if (this.pos >= this.src.length) return out;
      out.push(this.value());
      this.ws();
      if (this.peek() === ',') {
        comma = true;
        this.pos++;
      } else if (this.peek() !== close) this.skipExpression();
    }
  }

  private dict(): { [k: string]: PyValue } {
    this.pos++;
    const out: { [k: string]: PyValue } = Object.create(null);
    for (;;) {
      this.ws();
      if (this.peek() === '}') {
        this.pos++;
        return out;
      }
      if (this.pos >= this.src.length) return out;
      const key = this.value();
      this.ws();
      if (this.peek() === ':') {
        this.pos++;
        const v = this.value();
        if (typeof key === 'string') out[key] = v;
      }
      this.ws();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') {
        this.skipExpression();
        if (this.peek() === ',' || this.peek() === ':') this.pos++;
      }
    }
  }
}

/**
 * The value assigned at top level to `name` (`NAME = …` or `NAME: type = …`), or undefined when the
 * source has no such literal. The last assignment wins, as when the module runs.
 */
export function readPyAssignment(source: string, name: string): PyValue {
  const re = new RegExp(`^${name}\\s*(?::[^=\\n]*)?=\\s*(?=[\\[{(])`, 'gm');
  let found: PyValue = undefined;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const r = new Reader(source);
    r.pos = m.index + m[0].length;
    found = r.value();
  }
  return found;
}
