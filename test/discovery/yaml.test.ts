import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYamlFast } from '../../src/core/discovery/yaml-fast.js';
import { loadYamlLib, parseYamlText, readYamlFile } from '../../src/core/discovery/yaml-load.js';
import { FunctionRef, Unsupported } from '../../src/core/discovery/yaml-scalars.js';
import { pyyamlAvailable, pyyamlParse, toOracleShape } from './yaml-oracle.js';

if (!pyyamlAvailable) console.log('PyYAML comparisons skipped: python3 with PyYAML is not installed');

const fast = (text: string): unknown => toOracleShape(parseYamlFast(text, '/t/f.yaml'));

describe('fast YAML reader', () => {
  it('types plain scalars as PyYAML (YAML 1.1) does', () => {
    expect(fast('a: [yes, No, on, OFF, y, ~, null, "", 010, 0x1F, 1_000, 1:30, 1e3, 1.5e+3, .5, .inf, -.inf, 3.0]\n')).toEqual({
      a: [true, false, true, false, 'y', null, null, '', 8, 31, 1000, 90, '1e3', 1500, 0.5, '__inf__', '__-inf__', 3],
    });
  });

  it('folds plain, quoted and block scalars', () => {
    expect(fast('a: one\n  two\n\n  three\n')).toEqual({ a: 'one two\nthree' });
    expect(fast('a: "x\\ty  \n   z\\\n   w"\n')).toEqual({ a: 'x\ty zw' });
    expect(fast("a: 'it''s\n\n  here'\n")).toEqual({ a: "it's\nhere" });
    expect(fast('a: >\n  one\n  two\n\n  three\n    deeper\n  four\nb: 1\n')).toEqual({ a: 'one two\nthree\n  deeper\nfour\n', b: 1 });
    expect(fast('a: |-\n  keep\n   lines\n\n')).toEqual({ a: 'keep\n lines' });
    expect(fast('a: |+\n  x\n\n\nb: 1\n')).toEqual({ a: 'x\n\n\n', b: 1 });
    expect(fast('a: |2\n    two more\n  base\n')).toEqual({ a: '  two more\nbase\n' });
    expect(fast('a: |\n  at end of file')).toEqual({ a: 'at end of file' });
  });

  it('reads block and flow collections, comments and compact forms', () => {
    expect(fast('k:\n- 1\n- two # c\nm: {x: 1, y: [a, "b"], z}\n# trailing\n')).toEqual({ k: [1, 'two'], m: { x: 1, y: ['a', 'b'], z: null } });
    expect(fast('- - a\n  - b\n- c: 1\n  d: 2\n-\n  e\n')).toEqual([['a', 'b'], { c: 1, d: 2 }, 'e']);
    expect(fast('l: [1,\n  2, # two\n  3]\n')).toEqual({ l: [1, 2, 3] });
    expect(fast('"q k": 1\n\'s\': 2\nurl: http://x/y#z\n')).toEqual({ 'q k': 1, s: 2, url: 'http://x/y#z' });
    expect(fast('a: 1\na: 2\n')).toEqual({ a: 2 });
    expect(fast('---\nx: 1\n')).toEqual({ x: 1 });
    expect(fast('')).toBeNull();
  });

  it('keeps !function as an opaque reference, never resolved', () => {
    const v = parseYamlFast('process: !function utils.process_results\n', '/tasks/x/t.yaml') as Record<string, unknown>;
    expect(v.process).toBeInstanceOf(FunctionRef);
    expect(v.process).toMatchObject({ ref: 'utils.process_results', file: '/tasks/x/t.yaml' });
  });

  it('leaves anchors, other tags, complex keys and errors to the full parser', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', '? a\n: b\n', 'a: b: c\n', 'a:\n  - b\n  c: d\n', 'a: 2023-01-01\n']) {
      expect(() => parseYamlFast(text, 'f'), text).toThrow(Unsupported);
    }
  });
});

describe('parseYamlText', () => {
  it('falls back to the full parser, which resolves anchors and locates errors', async () => {
    await loadYamlLib();
    expect(parseYamlText('a: &x 1\nb: *x\n', 'f')).toEqual({ ok: true, value: { a: 1, b: 1 } });
    const bad = parseYamlText('task: t\nmetric_list: [a,\nb: 1\n', 'f');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.line).toBeGreaterThanOrEqual(2);
    const tag = parseYamlText('task: !unknown x\n', 'f');
    expect(tag.ok).toBe(false);
  });

  it('rejects what PyYAML rejects before parsing: control characters, and tabs for lmms-eval', () => {
    expect(parseYamlText('a: b\nc: \u0007\n', 'f')).toMatchObject({ ok: false, line: 2 });
    expect(parseYamlText('a:\tb\n', 'f', { strictTabs: true })).toMatchObject({ ok: false, line: 1 });
    expect(parseYamlText('a: "tab\tinside quotes"\n', 'f', { strictTabs: true })).toEqual({ ok: true, value: { a: 'tab\tinside quotes' } });
    expect(parseYamlText('a: b\r\nc: d\r\n', 'f')).toEqual({ ok: true, value: { a: 'b', c: 'd' } });
  });
});

describe('readYamlFile', () => {
  it('decodes files as PyYAML does: UTF-8 (BOM or not), UTF-16 with a BOM, and refuses invalid bytes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lmms-tui-yaml-'));
    const file = (name: string, bytes: Buffer): string => {
      writeFileSync(path.join(dir, name), bytes);
      return path.join(dir, name);
    };
    expect(readYamlFile(file('bom8.yaml', Buffer.from('\ufefftask: é\n', 'utf8')))).toEqual({ ok: true, value: { task: 'é' } });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('task: t16\n', 'utf16le')]);
    expect(readYamlFile(file('u16.yaml', utf16))).toEqual({ ok: true, value: { task: 't16' } });
    expect(readYamlFile(file('bad.yaml', Buffer.from([0x74, 0x3a, 0x20, 0xc3, 0x28, 0x0a])))).toMatchObject({ ok: false, message: /not valid UTF-8/ });
    expect(readYamlFile(file('fffd.yaml', Buffer.from('task: "\ufffd"\n', 'utf8')))).toEqual({ ok: true, value: { task: '\ufffd' } });
    expect(readYamlFile(path.join(dir, 'missing.yaml'))).toEqual({ ok: false, line: null, message: 'no such file' });
    rmSync(dir, { recursive: true, force: true });
  });
});

const TRICKY = [
  'a: b\n  c\n\n  d\ne: f\n',
  'a: "x\\ty\n   z  \n\n  w\\\n   v"\n',
  'a: >\n  one\n  two\n\n  three\n    more\n  four\n\nb: 1\n',
  'a: >-\n  one\n  two\n',
  'a: |+\n  keep\n\n\nb: 2\n',
  'a: >\n\n  lead\n',
  'p: >\n  a\n\n   b\n\n  c\n',
  'a: [1, 2,\n  3, "four", five six]\nb: {x: 1, y: [a, b], "z": null}\n',
  'i: [0x1F, 010, 1_000, 1:30, +5, -0, 0b101, 0o7, 09, 0]\n',
  'f: [1.5, 1e3, 1.0e+3, .5, .inf, -.inf, .nan, 1:30.5, 1., -1.5e-3, 3.14_15]\n',
  'b: [yes, No, ON, off, y, n, True, FALSE, tRue, ~, Null]\n',
  'just a scalar\n',
  'a: "unicode é ✓ 😀"\nb: "\\u00e9\\x41\\U0001F600\\N\\_"\n',
  'fn: !function utils.process\nl:\n  - !function a.b\n',
  'a:\n  b:\n    c: 1\n  d: 2\n',
  'a: b:c\nurl: http://x.y/z?a=b#frag\n',
  'a: {x: 1,\n  # comment\n  y: 2}\n',
  'a: "a\\\n  b"\n',
  'k: |\n  line\n\n  more\n   indented\n',
  '- a\n-\n- c: d\n  e: [f]\n',
  '123: x\ntrue: y\n~: z\n',
  'a: -1\nb: -x\nc: .\n',
  'a: "\\/\\ "\nb: \'\'\n',
];

describe.skipIf(!pyyamlAvailable)('agreement with PyYAML', () => {
  it('reads tricky documents exactly as PyYAML does', () => {
    const answers = pyyamlParse(TRICKY);
    TRICKY.forEach((doc, i) => {
      expect({ ok: fast(doc) }, JSON.stringify(doc)).toEqual(answers[i]);
    });
  });

  it('reads generated task-like documents as PyYAML does', () => {
    const docs = fc.sample(yamlDoc(), { numRuns: 200, seed: 4 });
    const answers = pyyamlParse(docs);
    let handled = 0;
    docs.forEach((doc, i) => {
      let ours: unknown;
      try {
        ours = { ok: fast(doc) };
      } catch (e) {
        if (e instanceof Unsupported) return; // left to the full parser: not the fast reader's answer
        throw e;
      }
      handled++;
      expect(ours, doc).toEqual(answers[i]);
    });
    // The generator stays inside the supported subset, so nearly every document takes the fast path.
    expect(handled).toBeGreaterThan(docs.length * 0.9);
  });
});

// ---- a generator of config-like YAML text in varied styles --------------------------------------

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const text = fc.stringMatching(/^[A-Za-z0-9 ,.:#'"\\/!?-]{0,24}$/);
const dq = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const sq = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function scalar(): fc.Arbitrary<string> {
  return fc.oneof(
    word,
    fc.integer({ min: -1000, max: 100000 }).map(String),
    fc.constantFrom('true', 'false', 'yes', 'null', '~', '1.5', '.5', '1e3', 'on', '0x10', '010'),
    text.map(dq),
    text.map(sq),
    fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
  );
}

function node(depth: number, indent: number): fc.Arbitrary<string> {
  const pad = ' '.repeat(indent);
  const comment = fc.constantFrom('', '', ' # note');
  const inline = fc.tuple(scalar(), comment).map(([s, c]) => ` ${s}${c}\n`);
  const flow = fc.array(scalar(), { maxLength: 4 }).map((xs) => ` [${xs.join(', ')}]\n`);
  const block = fc.array(text, { minLength: 1, maxLength: 3 }).map((ls) => ` |\n${ls.map((l) => `${pad}  ${l.trimStart()}`).join('\n')}\n`);
  if (depth <= 0) return fc.oneof(inline, flow, block);
  const map = fc.uniqueArray(word, { minLength: 1, maxLength: 4 }).chain((keys) =>
    fc.tuple(...keys.map(() => node(depth - 1, indent + 2))).map((vals) => `\n${keys.map((k, i) => `${pad}  ${k}:${vals[i]}`).join('')}`),
  );
  const seq = fc.array(fc.oneof(inline, flow), { minLength: 1, maxLength: 3 }).map((items) => `\n${items.map((v) => `${pad}  -${v}`).join('')}`);
  const compact = fc.array(fc.tuple(word, inline, word, inline), { minLength: 1, maxLength: 2 }).map(
    (items) => `\n${items.map(([k1, v1, k2, v2]) => (k1 === k2 ? `${pad}- ${k1}:${v1}` : `${pad}- ${k1}:${v1}${pad}  ${k2}:${v2}`)).join('')}`,
  );
  return fc.oneof(inline, flow, block, map, seq, compact);
}

function yamlDoc(): fc.Arbitrary<string> {
  return fc
    .uniqueArray(word, { minLength: 1, maxLength: 6 })
    .chain((keys) => fc.tuple(...keys.map(() => node(2, 0)), fc.boolean()).map((vals) => {
      const blank = vals.pop() as boolean;
      return keys.map((k, i) => `${k}:${vals[i]}${blank && i === 0 ? '\n' : ''}`).join('');
    }));
}
