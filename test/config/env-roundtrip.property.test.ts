/**
 * An env line exported to a `--config` YAML and imported back must give the variable the same value,
 * as real bash computes it (tilde expansion, `${VAR:-default}`, quotes and escapes), before and after.
 * Generated lines cover what export can carry without a warning about lmms-eval: unquoted and quoted
 * `~`, `:`-separated lists, `$VAR`, `${VAR}` and `${VAR<op>word}` with `~` and `$VAR` in the word.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvLine } from '../../src/core/command/env-lines.js';
import { exportConfigYaml, importConfigYaml } from '../../src/core/config-yaml.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { runBash, tempDir, writeScript } from '../command/bash-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAIN = [...'abXY09_./-@%+,='];
/** `~` only before `/`, `:` or at the end, so no `~user` form that names a real account is generated. */
const TILDE = ['~/', '~:'];
const VARS = ['$A', '${A}', '$E', '${U}', '$HOME'];

const word = fc.array(fc.constantFrom(...PLAIN, ...TILDE, ':', ' ', '*', ...VARS), { maxLength: 6 }).map((t) => t.join(''));
const expansion = fc
  .tuple(fc.constantFrom('A', 'E', 'U'), fc.constantFrom(':-', '-', ':+', '+', ':='), word, fc.boolean())
  .map(([n, op, w, tildeLast]) => `\${${n}${op}${w}${tildeLast ? '~' : ''}}`);
const doubleQuoted = fc
  .array(fc.constantFrom(...PLAIN, ...TILDE, ':', ' ', '*', "'", '\\"', '\\\\', '\\`', '${A}', '$E', '${A:-x y}'), { maxLength: 6 })
  .map((t) => `"${t.join('')}"`);
const singleQuoted = fc.array(fc.constantFrom(...PLAIN, ...TILDE, ':', ' ', '"', '\\', '`'), { maxLength: 6 }).map((t) => `'${t.join('')}'`);
const escaped = fc.constantFrom('\\~', '\\ ', '\\*', '\\"', "\\'", '\\\\', '\\:');
const value = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom(...PLAIN, ...TILDE, ':', ...VARS), expansion, doubleQuoted, singleQuoted, escaped), { maxLength: 6 }), fc.boolean())
  .map(([parts, tildeEnd]) => parts.join('') + (tildeEnd ? ':~' : ''))
  .filter((v) => parseEnvLine(`V=${v}`).kind === 'assign');

/** The value bash gives V for each line, with A set, E empty and U unset before every case. */
function bashValues(lines: string[]): string[] {
  const body = lines.map((l) => `A='va:l ue'; E=; unset U V\nexport ${l}\nprintf '%s\\0' "$V"\n`).join('');
  const r = runBash([writeScript(dir, 'env.sh', body)], { cwd: dir, env: { HOME: '/home/u v' } });
  expect(r.stderr).toBe('');
  const out = r.stdout.split('\0');
  out.pop();
  return out;
}

function roundTrip(line: string): { line: string; yaml: string } {
  const spec: EvalSpec = { harness: 'lmms-eval', model: 'm', tasks: ['t'], env: [line] };
  const { text } = exportConfigYaml(spec);
  const [entry] = importConfigYaml(text);
  return { line: entry!.spec.env![0]!, yaml: text };
}

describe('env lines through a config YAML and back, checked by real bash', () => {
  it('keeps the value bash computes, for the line from the issue', () => {
    const line = 'export HF_HOME=${HF_HOME:-~/.cache}';
    const back = roundTrip(line);
    expect(back.yaml).toContain('HF_HOME: ${HF_HOME:-$HOME/.cache}');
    const [before, after] = bashValues([line.replace('HF_HOME=', 'V=').replace('{HF_HOME', '{U'), back.line.replace('HF_HOME=', 'V=').replace('{HF_HOME', '{U')]);
    expect(before).toBe('/home/u v/.cache');
    expect(after).toBe(before);
  });

  it('keeps the value of thousands of generated lines', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 200, maxLength: 200 }), (values) => {
        const lines = values.map((v) => `V=${v}`);
        const back = lines.map((l) => roundTrip(l).line);
        for (const b of back) expect(parseEnvLine(b).kind).toBe('assign');
        const before = bashValues(lines);
        const after = bashValues(back);
        const diff = lines.map((l, i) => ({ l, back: back[i], before: before[i], after: after[i] })).filter((d) => d.before !== d.after);
        expect(diff.slice(0, 3)).toEqual([]);
        expect(before).toHaveLength(lines.length);
      }),
      { numRuns: 10, endOnFailure: true },
    );
  });
});
