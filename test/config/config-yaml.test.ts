import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { envValueToLiteral, exportConfigYaml, importConfigYaml, literalToEnvValue } from '../../src/core/config-yaml.js';
import { UserError } from '../../src/core/errors.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { validateSpec } from '../../src/core/command/validate.js';

const LMMS_EXAMPLE = `
# two runs, as lmms-eval's configs/ examples do
- model: llava_onevision
  model_args: pretrained=lmms-lab/llava-onevision-qwen2-7b-ov,conv_template=qwen_1_5
  tasks: mme,mmmu_val
  batch_size: 1
  limit: 0.1
  log_samples: true
  output_path: ./logs/
  seed: [42, 42, 42, 42]
  env:
    HF_HOME: \${HF_HOME:-~/.cache/huggingface}
    HF_TOKEN: hf_abc
    NOTE: two words
- model: qwen2_5_vl
  tasks: ai2d
  num_fewshot: 0
`;

describe('config import (harness-facts §4.3)', () => {
  it('reads a list of mappings as one spec per entry, with dest-name keys', () => {
    const entries = importConfigYaml(LMMS_EXAMPLE);
    expect(entries).toHaveLength(2);
    const a = entries[0]!.spec;
    expect(a).toMatchObject({
      harness: 'lmms-eval',
      model: 'llava_onevision',
      model_args: 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov,conv_template=qwen_1_5',
      tasks: ['mme', 'mmmu_val'],
      batch_size: '1',
      limit: 0.1,
      log_samples: true,
      output_path: './logs/',
      seed: '42,42,42,42',
    });
    expect(entries[1]!.spec).toEqual({ harness: 'lmms-eval', model: 'qwen2_5_vl', tasks: ['ai2d'], num_fewshot: 0 });
    for (const e of entries) expect(validateSpec(e.spec)).toEqual([]);
  });

  it('turns the env: section into env lines (a ~ in a default is the home directory, as bash reads it unquoted), and says where they differ from lmms-eval', () => {
    const [entry] = importConfigYaml(LMMS_EXAMPLE);
    expect(entry!.spec.env).toEqual(['HF_HOME="${HF_HOME:-$HOME/.cache/huggingface}"', 'HF_TOKEN=hf_abc', 'NOTE="two words"']);
    expect(entry!.notes.join('\n')).toMatch(/HF_HOME: lmms-eval's loader leaves \$\{VAR:-default\} unexpanded/);
    const out = execFileSync('bash', ['-c', `unset HF_HOME; export ${entry!.spec.env!.join('; export ')}; printf '%s|%s' "$HF_HOME" "$NOTE"`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: '/home/u' },
    });
    expect(out).toBe('/home/u/.cache/huggingface|two words');
  });

  it('reports unknown keys with the reason the harness would give, and imports the rest', () => {
    const [e] = importConfigYaml('model: hf\ntasks: mme\nnum_samples: 3\nbatch-size: 4\npower_analysis: true\nconfirm_run_unsafe_code: true\nfoo: 1\n');
    expect(e!.unknownKeys).toEqual(['num_samples', 'batch-size', 'power_analysis', 'confirm_run_unsafe_code', 'foo']);
    const notes = e!.notes.join('\n');
    expect(notes).toContain('num_samples: not a dest name; lmms-eval calls it repeats');
    expect(notes).toContain('batch-size: keys are dest names; write batch_size');
    expect(notes).toContain('power_analysis: lmms-tui has no field');
    expect(notes).toContain('confirm_run_unsafe_code: lmms-eval has no such argument');
    expect(notes).toContain('foo: unknown key');
    expect(e!.spec).toEqual({ harness: 'lmms-eval', model: 'hf', tasks: ['mme'] });
  });

  it('accepts the shapes lmms-eval would choke on, converting them and saying so', () => {
    const [e] = importConfigYaml('model: hf\ntasks: [mme, ai2d]\nseed: "1,2,3"\nmodel_args: {pretrained: x/y, dtype: bf16}\nnum_fewshot: "5"\n');
    expect(e!.spec).toMatchObject({ tasks: ['mme', 'ai2d'], seed: '1,2,3', model_args: 'pretrained=x/y,dtype=bf16', num_fewshot: 5 });
    const notes = e!.notes.join('\n');
    expect(notes).toContain('tasks: lmms-eval needs a comma string');
    expect(notes).toContain('seed: lmms-eval needs a YAML list');
    expect(notes).toContain('model_args: lmms-eval needs a k=v,… string');
    expect(notes).toContain('num_fewshot: lmms-eval reads YAML values without converting them');
  });

  it('reads lm-eval files as one mapping without env, with mappings allowed for k=v fields', () => {
    const [e] = importConfigYaml('model: hf\ntasks: hellaswag\nmodel_args: {pretrained: gpt2}\nmetadata: {max_seq_lengths: [4096]}\nenv: {A: b}\n', { harness: 'lm-eval' });
    expect(e!.spec).toEqual({ harness: 'lm-eval', model: 'hf', tasks: ['hellaswag'], model_args: 'pretrained=gpt2', metadata: '{"max_seq_lengths":[4096]}' });
    expect(e!.unknownKeys).toEqual(['env']);
    expect(e!.notes.some((n) => n.startsWith('model_args'))).toBe(false);
  });

  it('rejects YAML that does not parse or has the wrong root, naming the line', () => {
    expect(() => importConfigYaml('model: [unclosed\n')).toThrow(UserError);
    expect(() => importConfigYaml('- 1\n- 2\n')).toThrow(/entry 1 is not a mapping/);
    expect(() => importConfigYaml('just text\n')).toThrow(/neither a mapping nor a list/);
  });
});

describe('config export', () => {
  const spec: EvalSpec = {
    harness: 'lmms-eval', model: 'llava', model_args: 'pretrained=a/b', tasks: ['mme', 'ai2d'], batch_size: '8', limit: 20,
    log_samples: true, seed: '7', env: ['# cache', 'export HF_HOME=~/hf', 'HF_TOKEN="x y"'], python: '/opt/py/bin/python', num_gpus: 2,
  };

  it('writes a list of mappings with comma strings, seed as a list and an env mapping', () => {
    const { text, warnings } = exportConfigYaml(spec, { includeSecrets: true });
    const data = parse(text) as Record<string, unknown>[];
    expect(Array.isArray(data)).toBe(true);
    expect(data[0]).toEqual({
      model: 'llava', model_args: 'pretrained=a/b', tasks: 'mme,ai2d', batch_size: 8, limit: 20, log_samples: true,
      seed: [7, 7, 7, 7], env: { HF_HOME: '$HOME/hf', HF_TOKEN: 'x y' },
    });
    expect(text).toContain('# lmms-tui: {"harness":"lmms-eval","python":"/opt/py/bin/python","num_gpus":2}');
    expect(warnings).toEqual([
      'env HF_HOME: lmms-eval does not expand ~; written as $HOME',
      'env: 1 comment line(s) not exported (YAML mapping has no place for them)',
      'env HF_TOKEN: secret HF_TOKEN written in clear (--include-secrets)',
    ]);
  });

  it('writes secrets as ${VAR} references (env lines, set-up exports) or masked (k=v fields) by default, and says so', () => {
    const secret: EvalSpec = {
      harness: 'lmms-eval', model: 'openai_compatible', tasks: ['mme'],
      model_args: 'model_version=gpt-4o,api_key=sk-model-args-secret',
      env: ['HF_TOKEN=hf_exportsecretvalue', 'export WANDB_API_KEY=wb-export-secret', 'HF_HOME=/data/hf', 'OPENAI_API_KEY=${OPENAI_API_KEY}'],
      setup: 'source /opt/v/bin/activate && export MY_PASSWORD=pw-export-secret',
    };
    const { text, warnings, secrets } = exportConfigYaml(secret);
    for (const v of ['hf_exportsecretvalue', 'wb-export-secret', 'pw-export-secret', 'sk-model-args-secret']) expect(text).not.toContain(v);
    const data = (parse(text) as Record<string, unknown>[])[0]!;
    expect(data.env).toEqual({ HF_TOKEN: '${HF_TOKEN}', WANDB_API_KEY: '${WANDB_API_KEY}', HF_HOME: '/data/hf', OPENAI_API_KEY: '${OPENAI_API_KEY}' });
    expect(data.model_args).toBe('model_version=gpt-4o,api_key=••••••');
    expect(text).toContain('export MY_PASSWORD=${MY_PASSWORD}');
    expect(secrets.sort()).toEqual(['HF_TOKEN', 'MY_PASSWORD', 'WANDB_API_KEY', 'api_key']);
    expect(warnings).toContain('env HF_TOKEN: holds a secret; written as ${HF_TOKEN}, to be provided by the environment that runs the file (--include-secrets writes the value)');
    expect(warnings.some((w) => w.startsWith('model_args: holds a secret (api_key); written masked'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('setup: holds a secret; written as ${MY_PASSWORD}'))).toBe(true);
    // Imported back, the reference reads the variable from the environment the job is submitted from.
    const back = importConfigYaml(text)[0]!.spec;
    expect(back.env).toContain('HF_TOKEN="${HF_TOKEN}"');
    expect(back.setup).toBe('source /opt/v/bin/activate && export MY_PASSWORD=${MY_PASSWORD}');
    // --include-secrets: everything in clear, each one named.
    const clear = exportConfigYaml(secret, { includeSecrets: true });
    for (const v of ['hf_exportsecretvalue', 'wb-export-secret', 'pw-export-secret', 'sk-model-args-secret']) expect(clear.text).toContain(v);
    expect(clear.warnings.filter((w) => w.includes('written in clear'))).toHaveLength(4);
  });

  it('writes lm-eval as a single mapping and refuses several specs', () => {
    const lm: EvalSpec = { harness: 'lm-eval', model: 'hf', tasks: ['hellaswag'], env: ['A=1'], seed: '0,1,2,None' };
    const { text, warnings } = exportConfigYaml(lm);
    expect(parse(text)).toEqual({ model: 'hf', tasks: 'hellaswag', seed: [0, 1, 2, null] });
    expect(warnings[0]).toMatch(/lm-eval's config has no env section/);
    expect(() => exportConfigYaml([lm, lm])).toThrow(/one spec per file/);
  });

  it('round-trips import → export → import without loss, launcher fields included', () => {
    const first = importConfigYaml(LMMS_EXAMPLE);
    const again = importConfigYaml(exportConfigYaml(first.map((e) => e.spec), { includeSecrets: true }).text);
    expect(again.map((e) => e.spec)).toEqual(first.map((e) => e.spec));
    const withLauncher = importConfigYaml(exportConfigYaml(spec).text)[0]!.spec;
    expect(withLauncher).toMatchObject({ python: '/opt/py/bin/python', num_gpus: 2, seed: '7,7,7,7', batch_size: '8' });
    const lm = importConfigYaml(exportConfigYaml({ harness: 'lm-eval', model: 'hf', tasks: ['a'], limit: 5 }).text)[0]!.spec;
    expect(lm).toEqual({ harness: 'lm-eval', model: 'hf', tasks: ['a'], limit: 5 });
  });

  it('round-trips arbitrary valid specs (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
    const arb = fc.record({
      model: name,
      tasks: fc.array(name, { minLength: 1, maxLength: 4 }),
      model_args: fc.option(fc.stringMatching(/^[a-z]+=[a-z0-9/._-]+(,[a-z]+=[a-z0-9]+)?$/), { nil: undefined }),
      limit: fc.option(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.01, max: 0.99, noNaN: true })), { nil: undefined }),
      num_fewshot: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      log_samples: fc.option(fc.constant(true), { nil: undefined }),
      seed: fc.option(fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99)).map((t) => t.join(',')), { nil: undefined }),
      env: fc.option(fc.array(fc.tuple(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/), fc.string({ maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s))).map(([n, v]) => `${n}=${literalToEnvValue(v)}`), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(arb, (fields) => {
        const spec = JSON.parse(JSON.stringify({ harness: 'lmms-eval', ...fields })) as EvalSpec;
        if (spec.env) spec.env = dedupeEnv(spec.env);
        // Arbitrary names may look secret (KEY, A_TOKEN): the lossless round trip is the --include-secrets one.
        const back = importConfigYaml(exportConfigYaml(spec, { includeSecrets: true }).text)[0]!.spec;
        expect(back).toEqual(spec);
      }),
      { numRuns: 150 },
    );
  });
});

/** A YAML mapping keeps one value per name; the last assignment is the one the shell would leave. */
function dedupeEnv(lines: string[]): string[] {
  const byName = new Map<string, string>();
  for (const l of lines) byName.set(l.slice(0, l.indexOf('=')), l);
  return [...byName.values()];
}

describe('env values between YAML literals and shell text', () => {
  it('bash reads literalToEnvValue back as the literal, and envValueToLiteral inverts it (property, real bash)', () => {
    // Literals without `$` are plain text to lmms-eval too, so bash must give them back unchanged.
    const samples = fc.sample(fc.string({ maxLength: 16 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f$]/.test(s)), 120);
    samples.push('~/x', 'a"b', 'back\\slash', '`tick`', "it's", '', ' lead', '#hash');
    const script = samples.map((s, i) => `V${i}=${literalToEnvValue(s)}; printf '%s\\0' "$V${i}"`).join('\n');
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\0').slice(0, -1);
    expect(out).toEqual(samples);
    for (const s of samples) expect(envValueToLiteral(literalToEnvValue(s)).literal).toBe(s);
  });

  it('keeps $VAR expansions and escapes every other $', () => {
    expect(literalToEnvValue('$HOME/x')).toBe('"$HOME/x"');
    expect(literalToEnvValue('${A}b')).toBe('"${A}b"');
    expect(literalToEnvValue('cost $5 $(rm)')).toBe('"cost \\$5 \\$(rm)"');
    expect(envValueToLiteral("'$HOME'").warning).toMatch(/expands \$/);
    expect(envValueToLiteral('$(whoami)').warning).toMatch(/command substitution/);
  });
});
