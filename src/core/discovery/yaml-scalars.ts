/**
 * Scalar rules of PyYAML (YAML 1.1), which both harnesses parse with. The fast reader uses these so
 * that a value means here what it means to the harness: `yes` is a boolean, `1e3` is a string (PyYAML's
 * float pattern needs a dot), `0755` is octal.
 */

/** A `!function module.attr` value. Never imported or executed; kept as text plus the file it came from. */
export class FunctionRef {
  constructor(
    readonly ref: string,
    /** The YAML file holding the tag: lm-eval turns the ref into `<dir of this file>/<ref>`. */
    readonly file: string,
  ) {}

  toString(): string {
    return `!function ${this.ref}`;
  }
}

/** Thrown (one shared instance, no stack) when the fast reader meets YAML it does not handle. */
export class Unsupported extends Error {}
export const UNSUPPORTED = new Unsupported('unsupported YAML construct');

const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// Dates become datetime objects in Python; rare in task configs, so they go to the full parser.
const TIMESTAMP_START = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

function sexagesimal(body: string): number {
  let value = 0;
  for (const part of body.split(':')) value = value * 60 + Number(part);
  return value;
}

function toInt(text: string): number {
  let s = text.replace(/_/g, '');
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
  if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
  if (s[0] === '0') return sign * parseInt(s, 8);
  if (s.includes(':')) return sign * sexagesimal(s);
  return sign * parseInt(s, 10);
}

function toFloat(text: string): number {
  let s = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) return sign * sexagesimal(s);
  return sign * parseFloat(s);
}

/** The value of an untagged plain scalar, by PyYAML's implicit resolvers (first character decides which apply). */
export function resolvePlain(text: string): unknown {
  if (text === '') return null;
  switch (text.charCodeAt(0)) {
    case 0x7e: // ~
      return text === '~' ? null : text;
    case 0x6e: case 0x4e: // n N
      if (text === 'null' || text === 'Null' || text === 'NULL') return null;
      if (text === 'no' || text === 'No' || text === 'NO') return false;
      return text;
    case 0x79: case 0x59: // y Y
      return text === 'yes' || text === 'Yes' || text === 'YES' ? true : text;
    case 0x74: case 0x54: // t T
      return text === 'true' || text === 'True' || text === 'TRUE' ? true : text;
    case 0x66: case 0x46: // f F
      return text === 'false' || text === 'False' || text === 'FALSE' ? false : text;
    case 0x6f: case 0x4f: // o O
      if (text === 'on' || text === 'On' || text === 'ON') return true;
      if (text === 'off' || text === 'Off' || text === 'OFF') return false;
      return text;
    case 0x3c: // <
      if (text === '<<') throw UNSUPPORTED; // merge key
      return text;
    case 0x3d: // =
      if (text === '=') throw UNSUPPORTED; // PyYAML's "value" tag has no constructor
      return text;
    default:
      break;
  }
  const c = text.charCodeAt(0);
  const numeric = (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e;
  if (!numeric) return text;
  if (FLOAT_RE.test(text)) return toFloat(text);
  if (INT_RE.test(text)) return toInt(text);
  if (TIMESTAMP_START.test(text)) throw UNSUPPORTED;
  return text;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * Decodes the escape at `s[k]` (the character after a backslash). Returns the text and the index after
 * the escape; an escape PyYAML rejects sends the file to the full parser, which reports it.
 */
export function decodeEscape(s: string, k: number): [string, number] {
  const ch = s[k] ?? '';
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return [simple, k + 1];
  const len = HEX_LENGTH[ch];
  if (len === undefined) throw UNSUPPORTED;
  const hex = s.slice(k + 1, k + 1 + len);
  if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) throw UNSUPPORTED;
  const code = parseInt(hex, 16);
  if (code > 0x10ffff) throw UNSUPPORTED;
  return [String.fromCodePoint(code), k + 1 + len];
}
