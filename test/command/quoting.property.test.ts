/**
 * Real bash reads back what the builder wrote: thousands of hostile values (quotes, `$`, backticks, `\`,
 * `!`, newlines, unicode, empty strings) must reach the harness process as exactly the argv we report.
 * Cases are batched so each bash process checks hundreds of them.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCommand } from '../../src/core/command/build.js';
import { shellJoin, shellQuote } from '../../src/core/command/quote.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { PYTHON3_FUNCTION, runBash, splitDumps, tempDir, writeDumper, writeScript } from './bash-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPECIALS = ["'", '"', '$', '`', '\\', '!', ' ', '*', '~', '\t', '#', ';', '&', '|', '(', ')', '{', '}', '[', ']',
  '?', '<', '>', '=', '%', ',', ':', '-', '@', '^', 'é', 'ß', '日本', '😀', '\u200b', '\u00a0', '$(', '${', '!!', "'\\''"];
const PLAIN = [...'abcXYZ0189_./'];
const CONTROLS = ['\n', '\r', '\x01', '\x1b', '\x7f', '\n\n'];

function rich(opts: { controls?: boolean; minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  const unit = fc.constantFrom(...SPECIALS, ...PLAIN, ...(opts.controls ? CONTROLS : []));
  return fc.string({ unit, minLength: opts.minLength ?? 0, maxLength: opts.maxLength ?? 12 });
}

/** Hostile k=v text the validator accepts: every comma-separated item starts with `k=`. */
function kvText(): fc.Arbitrary<string> {
  return rich().map((v) => (v === '' ? '' : `k=${v.replaceAll(',', ',k=')}`));
}

/** A spec the validator accepts (no control characters, non-blank tasks, a model without whitespace). */
const specArb: fc.Arbitrary<{ spec: EvalSpec; envValue: string }> = fc.record({
  harness: fc.constantFrom('lmms-eval' as const, 'lm-eval' as const),
  model: rich({ minLength: 1 }).filter((s) => !/\s/.test(s)),
  model_args: kvText(),
  tasks: fc.array(rich({ minLength: 1 }).filter((s) => s.trim() !== ''), { minLength: 1, maxLength: 3 }),
  system_instruction: rich(),
  gen_kwargs: kvText(),
  extra_args: fc.array(rich(), { maxLength: 3 }),
  envValue: rich(),
  comment: rich(),
}).map(({ envValue, comment, ...s }) => ({
  envValue,
  spec: { ...s, env: [`# ${comment}`, `LMTUI_V=${shellQuote(envValue)}`, ''] },
}));

describe('shellQuote through real bash', () => {
  it('reproduces every string, including newlines and control characters', () => {
    const argsArb = fc.array(rich({ controls: true, maxLength: 16 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(argsArb, { minLength: 250, maxLength: 250 }), (cases) => {
        const body = cases.map((args) => `python3 ${shellJoin(args)}`).join('\n');
        const r = runBash(['-r', writeScript(dir, 'quote.sh', `${PYTHON3_FUNCTION}${body}\n`)], { cwd: dir });
        const got = splitDumps(r.stdout);
        const mismatches = cases.filter((args, i) => JSON.stringify(['python3', ...args]) !== JSON.stringify(got[i]));
        expect(mismatches.slice(0, 3).map((args) => ({ args, line: shellJoin(args) }))).toEqual([]);
        expect(r.stderr).toBe('');
        expect(got).toHaveLength(cases.length);
      }),
      { numRuns: 4, endOnFailure: true },
    );
  });

  it('leaves safe words bare and quotes everything else', () => {
    expect(shellQuote('pretrained=a/b,dtype=bf16')).toBe('pretrained=a/b,dtype=bf16');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('~/x')).toBe("'~/x'");
    expect(shellQuote('a!b')).toBe("'a!b'");
  });
});

describe('buildCommand scripts through real bash', () => {
  it('passes exactly argv for thousands of generated specs (one bash per 500 specs)', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 500, maxLength: 500 }), (cases) => {
        const built = cases.map(({ spec }) => buildCommand(spec, { cwd: dir }));
        const script = PYTHON3_FUNCTION + built.map((b) => b.script).join('');
        const r = runBash(['-r', writeScript(dir, 'build.sh', script)], { cwd: dir, env: { DUMP_VARS: 'LMTUI_V' } });
        const got = splitDumps(r.stdout);
        // Report the offending specs and scripts themselves rather than relying on shrinking a batch.
        const mismatches = built
          .map((b, i) => ({ script: b.script, want: [...b.argv, `LMTUI_V=${cases[i]!.envValue}`], got: got[i] }))
          .filter((m) => JSON.stringify(m.want) !== JSON.stringify(m.got));
        expect(mismatches.slice(0, 3)).toEqual([]);
        expect(r.stderr).toBe('');
        expect(got).toHaveLength(cases.length);
      }),
      { numRuns: 4, endOnFailure: true },
    );
  });

  it('gives the same argv when the preview is pasted into bash -s and into an interactive bash', () => {
    const python = writeDumper(dir);
    const cases = fc.sample(specArb, { numRuns: 100, seed: 42 });
    // No random comments here: interactive bash applies history expansion (`!`) even inside comments.
    const specs = cases.map(({ spec }) => ({ ...spec, python, env: spec.env!.filter((l) => !l.startsWith('#')) }));
    const built = specs.map((spec) => buildCommand(spec, { cwd: dir }));
    const want = built.map((b, i) => [...b.argv, `LMTUI_V=${cases[i]!.envValue}`]);
    for (const args of [['-s'], ['--norc', '--noprofile', '-i']]) {
      const out = path.join(dir, `paste${args.length}.dump`);
      const r = runBash(args, { cwd: dir, input: built.map((b) => b.script).join(''), env: { DUMP_OUT: out, DUMP_VARS: 'LMTUI_V' } });
      expect(r.status).toBe(0);
      expect(splitDumps(readFileSync(out))).toEqual(want);
    }
  });

  it('expands env lines like a shell: ${VAR:-~/x} defaults are seen by the harness', () => {
    const python = writeDumper(dir);
    const spec: EvalSpec = {
      harness: 'lmms-eval',
      model: 'hf',
      tasks: ['mme'],
      python,
      env: ['CACHE=${HOME_X:-~/.cache}', 'export BOTH="$CACHE/sub dir"', '# a comment', '', 'PLAIN=1'],
    };
    const { script } = buildCommand(spec, { cwd: dir });
    const vars = 'CACHE BOTH PLAIN';
    const out1 = path.join(dir, 'env1.dump');
    runBash(['-s'], { cwd: dir, input: script, env: { DUMP_OUT: out1, DUMP_VARS: vars, HOME: '/home/fake' } });
    expect(splitDumps(readFileSync(out1))[0]!.slice(-3)).toEqual([
      'CACHE=/home/fake/.cache',
      'BOTH=/home/fake/.cache/sub dir',
      'PLAIN=1',
    ]);
    const out2 = path.join(dir, 'env2.dump');
    runBash(['-s'], { cwd: dir, input: script, env: { DUMP_OUT: out2, DUMP_VARS: vars, HOME_X: '/data/hf' } });
    expect(splitDumps(readFileSync(out2))[0]!.slice(-3, -2)).toEqual(['CACHE=/data/hf']);
  });
});
