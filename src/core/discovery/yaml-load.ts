/**
 * Reading one YAML file the way the harnesses do (PyYAML on the raw bytes), never executing anything:
 * the fast reader first, the `yaml` package (loaded on first need: it costs ~25 ms to import) for
 * whatever the fast reader leaves, and for the error message and line of a broken file.
 */
import { readFileSync } from 'node:fs';
import { parseYamlFast, TabFound } from './yaml-fast.js';
import { FunctionRef, Unsupported } from './yaml-scalars.js';

export type YamlResult = { ok: true; value: unknown } | { ok: false; line: number | null; message: string };

type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | null = null;

/** Loads the full parser; call (and await) before `parseYamlText` may need it, e.g. once per build. */
export async function loadYamlLib(): Promise<void> {
  if (yamlLib) return;
  // `yaml` is CommonJS (its package.json maps "node" to dist/index.js). Node's own ESM loader gives the
  // namespace named exports, but esbuild's bundle of a dynamically imported CommonJS module
  // (scripts/build.mjs) exposes only `default`, the module.exports object. Take whichever has the API.
  const mod = (await import('yaml')) as YamlLib & { default?: YamlLib };
  const lib = typeof mod.parseAllDocuments === 'function' ? mod : mod.default;
  if (!lib || typeof lib.parseAllDocuments !== 'function') throw new Error('the yaml package has no parseAllDocuments export');
  yamlLib = lib;
}

export function yamlLibLoaded(): boolean {
  return yamlLib !== null;
}

/** Signals that the full parser is needed but not loaded yet; the caller loads it and retries. */
export class NeedsYamlLib extends Error {}

// PyYAML's reader refuses these code points anywhere in the stream.
const NON_PRINTABLE = /[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\ud800-\udfff]/;

/** The `yaml` package's message without the position it repeats and the code excerpt it appends. */
function cleanMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k !== -1 && k < index; k = text.indexOf('\n', k + 1)) line++;
  return line;
}

/** Decodes bytes as PyYAML does: a UTF-16 BOM selects UTF-16, anything else must be valid UTF-8. */
export function decodeYamlBytes(buf: Buffer): { ok: true; text: string } | { ok: false; line: null; message: string } {
  let text: string;
  try {
    if (buf[0] === 0xff && buf[1] === 0xfe) text = new TextDecoder('utf-16le', { fatal: true }).decode(buf.subarray(2));
    else if (buf[0] === 0xfe && buf[1] === 0xff) text = new TextDecoder('utf-16be', { fatal: true }).decode(buf.subarray(2));
    else text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return { ok: false, line: null, message: 'the file is not valid UTF-8 (or UTF-16 with a BOM)' };
  }
  return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

function fullParse(text: string, file: string): YamlResult {
  if (!yamlLib) throw new NeedsYamlLib();
  const lib = yamlLib;
  const functionTag = {
    tag: '!function',
    resolve: (value: string) => new FunctionRef(value, file),
  };
  const docs = lib.parseAllDocuments(text, { version: '1.1', customTags: [functionTag], uniqueKeys: false, merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > 1) {
    const second = list[1]!;
    const line = second.range ? lineOf(text, second.range[0]) : null;
    return { ok: false, line, message: 'expected a single document in the stream, but found another document' };
  }
  const doc = list[0];
  if (!doc) return { ok: true, value: null };
  const err = doc.errors[0];
  if (err) return { ok: false, line: err.linePos?.[0]?.line ?? null, message: cleanMessage(err.message) };
  // An unknown tag is only a warning to the `yaml` package, but both harnesses' loaders reject it.
  const unresolved = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (unresolved) return { ok: false, line: unresolved.linePos?.[0]?.line ?? null, message: cleanMessage(unresolved.message) };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: -1 }) };
  } catch (e) {
    return { ok: false, line: null, message: (e as Error).message };
  }
}

export interface ParseOptions {
  /**
   * Reject tabs used as whitespace outside quoted and block scalars, as PyYAML's pure-Python loader
   * (lmms-eval's) does; libyaml (lm-eval's) accepts them.
   */
  strictTabs?: boolean;
}

/**
 * Parses one YAML document. Throws NeedsYamlLib when the text needs the full parser and it has
 * not been loaded (keeps this function synchronous for the indexer's hot loop).
 */
export function parseYamlText(text: string, file: string, options: ParseOptions = {}): YamlResult {
  let src = text;
  if (src.includes('\r')) {
    src = src.replace(/\r\n?/g, '\n');
  }
  const bad = NON_PRINTABLE.exec(src);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).padStart(4, '0');
    return { ok: false, line: lineOf(src, bad.index), message: `unacceptable character #x${code}: special characters are not allowed` };
  }
  try {
    return { ok: true, value: parseYamlFast(src, file) };
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    if (e instanceof TabFound && options.strictTabs) {
      return { ok: false, line: e.line, message: "found character '\\t' that cannot start any token (PyYAML's pure-Python loader refuses tabs here)" };
    }
  }
  return fullParse(src, file);
}

/** Reads and parses a YAML file; I/O problems come back as results, never as exceptions. */
export function readYamlFile(file: string, options: ParseOptions = {}): YamlResult {
  let text: string;
  try {
    // Node's one-call UTF-8 read is the fastest way in; it replaces bad bytes with U+FFFD, and only
    // then (or for a UTF-16 file, whose BOM is such a byte) are the raw bytes decoded strictly.
    text = readFileSync(file, 'utf8');
    if (text.includes('\ufffd')) {
      const decoded = decodeYamlBytes(readFileSync(file));
      if (!decoded.ok) return decoded;
      text = decoded.text;
    } else if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return { ok: false, line: null, message };
  }
  return parseYamlText(text, file, options);
}
