import { describe, expect, it } from 'vitest';
import { scanValue } from '../../src/core/command/env-lines.js';
import { shellQuote } from '../../src/core/command/quote.js';
import { validateSpec } from '../../src/core/command/validate.js';
import type { EvalSpec } from '../../src/core/spec.js';

const ok = (over: Partial<EvalSpec> = {}): EvalSpec => ({ harness: 'lmms-eval', model: 'llava', tasks: ['mme'], ...over });
const fields = (spec: EvalSpec) => validateSpec(spec).map((p) => p.field);
const only = (spec: EvalSpec) => {
  const problems = validateSpec(spec);
  expect(problems).toHaveLength(1);
  return problems[0]!;
};

describe('validateSpec', () => {
  it('accepts a plain spec, and log_samples without output_path (the scheduler fills it)', () => {
    expect(validateSpec(ok())).toEqual([]);
    expect(validateSpec(ok({ log_samples: true, predict_only: true }))).toEqual([]);
  });

  it('returns every problem at once, each naming its field and a fix', () => {
    const problems = validateSpec({
      harness: 'lm-eval',
      model: '',
      tasks: ['mme', ''],
      batch_size: 'big',
      limit: -3,
      num_fewshot: 1.5,
      num_gpus: 0,
      offset: 2,
      verbosity: 'loud',
      env: ['A=1', 'not an assignment', '2X=1'],
      python: 'my python',
    });
    expect(problems.map((p) => p.field)).toEqual([
      'model', 'tasks', 'python', 'env line 2', 'env line 3', 'num_gpus',
      'batch_size', 'limit', 'offset', 'num_fewshot', 'verbosity',
    ]);
    for (const p of problems) {
      expect(p.message.length).toBeGreaterThan(5);
      expect(p.fix.length).toBeGreaterThan(5);
    }
  });

  it('checks model and tasks', () => {
    expect(only(ok({ model: '  ' })).message).toBe('model is empty');
    expect(only(ok({ model: 'llava 7b' })).message).toContain('whitespace');
    expect(only(ok({ tasks: [] })).message).toBe('no tasks given');
    expect(only(ok({ tasks: ['a', ' ', 'b'] })).message).toBe('item 2 is empty');
  });

  it.each([['auto'], ['auto:4'], ['1'], ['64']])('accepts batch size %s', (b) => {
    expect(validateSpec(ok({ batch_size: b }))).toEqual([]);
  });
  it.each([['0'], ['auto:0'], ['auto:'], ['-1'], ['1.5'], ['max'], ['4 ']])('rejects batch size %j', (b) => {
    expect(only(ok({ batch_size: b })).field).toBe('batch_size');
  });

  it('checks limit: -1 means all in lmms-eval only; fractions below 1; whole counts', () => {
    for (const limit of [-1, 0.5, 1, 100]) expect(fields(ok({ limit }))).toEqual([]);
    for (const limit of [0, -2, 2.5, Number.NaN, Infinity]) expect(fields(ok({ limit }))).toEqual(['limit']);
    expect(fields(ok({ harness: 'lm-eval', limit: -1 }))).toEqual(['limit']);
    expect(only(ok({ limit: Number.NaN })).message).toBe('limit is not a number');
    // Says what is allowed, not only what is wrong.
    expect(only(ok({ limit: -5 }))).toEqual({ field: 'limit', message: 'limit -5 is not allowed', fix: 'use a count above 0 (e.g. 100), a fraction between 0 and 1 (e.g. 0.1), or -1 (or no limit) for all documents' });
    expect(only(ok({ harness: 'lm-eval', limit: 0 })).fix).toBe('use a count above 0 (e.g. 100) or a fraction between 0 and 1 (e.g. 0.1); omit limit to run all documents');
  });

  it('checks k=v fields as the harness splits them: model_args and gen_kwargs items without "=" are refused', () => {
    for (const model_args of ['pretrained=a/b,dtype=bfloat16', 'pretrained=a,', 'x=[1,2],y={"a":1,"b":2}', "p='a,b'", 'k=a=b']) expect(fields(ok({ model_args }))).toEqual([]);
    const split = only(ok({ model_args: 'pretrained=foo,bar' }));
    expect(split.field).toBe('model_args');
    expect(split.message).toBe('"bar" has no "=": the harness splits model_args at every comma, so it reads "pretrained=foo" and then an argument "bar"');
    expect(split.fix).toContain('pretrained=org/model,dtype=bfloat16');
    expect(only(ok({ model_args: '=x' })).message).toBe('"=x" has no key before "="');
    expect(only(ok({ gen_kwargs: 'temperature' }))).toMatchObject({ field: 'gen_kwargs', message: '"temperature" has no "=" (gen_kwargs is key=value pairs)' });
    expect(fields(ok({ gen_kwargs: 'temperature=0,max_new_tokens=64' }))).toEqual([]);
    expect(fields(ok({ harness: 'lm-eval', gen_kwargs: '{"temperature": 0}' }))).toEqual([]);
  });

  it('checks seed: one whole number or 3-4 items, each a whole number or None', () => {
    for (const seed of ['42', '0,1234,1234,1234', '1,None,3', '-1']) expect(fields(ok({ seed }))).toEqual([]);
    expect(only(ok({ seed: 'x,y' }))).toMatchObject({ field: 'seed', message: 'seed "x,y": "x" is not a whole number or None' });
    expect(only(ok({ seed: '1,2' })).message).toBe('seed "1,2": it has 2 items');
    expect(only(ok({ seed: '1,2' })).fix).toMatch(/^use one whole number \(e\.g\. 42\) or 3-4 comma items/);
  });

  it('checks integer flags and num_gpus', () => {
    expect(fields(ok({ num_fewshot: 0, offset: 0, repeats: 3, max_tokens: 10 }))).toEqual([]);
    expect(fields(ok({ num_fewshot: -1, offset: 0.5, repeats: 0, max_batch_size: Number.NaN }))).toEqual([
      'max_batch_size', 'offset', 'num_fewshot', 'repeats',
    ]);
    expect(only(ok({ num_fewshot: Number.NaN })).message).toBe('--num_fewshot is not a non-negative whole number');
    for (const num_gpus of [0, -1, 1.5, Number.NaN]) expect(fields(ok({ num_gpus }))).toEqual(['num_gpus']);
    expect(fields(ok({ num_gpus: 8 }))).toEqual([]);
  });

  it('rejects flags the chosen harness does not have', () => {
    const p = only(ok({ harness: 'lm-eval', offset: 3 }));
    expect(p).toEqual({ field: 'offset', message: 'lm-eval has no --offset', fix: 'remove it or switch harness' });
    expect(fields(ok({ samples: '{}', metadata: '{}' }))).toEqual(['samples', 'metadata']);
    // A switch left off is not "set".
    expect(fields(ok({ harness: 'lm-eval', wandb_log_samples: false }))).toEqual([]);
  });

  it('checks choices and optional-value flags', () => {
    expect(only(ok({ verbosity: 'loud' })).fix).toBe('use one of DEBUG, INFO, WARNING, ERROR, CRITICAL');
    expect(fields(ok({ cache_requests: 'maybe', agentic_trace_mode: 'full' }))).toEqual(['cache_requests']);
    expect(fields(ok({ apply_chat_template: 'chatml' }))).toEqual(['apply_chat_template']);
    expect(fields(ok({ harness: 'lm-eval', apply_chat_template: 'chatml' }))).toEqual([]);
    expect(fields(ok({ harness: 'lm-eval', samples: '{"a":[1]}', limit: 5 }))).toEqual(['samples']);
  });

  it('rejects unknown harnesses and interpreters with whitespace', () => {
    expect(only({ ...ok(), harness: 'vllm' as never }).field).toBe('harness');
    expect(only(ok({ python: '/usr/bin/python3 -u' })).field).toBe('python');
    expect(validateSpec(ok({ python: '' }))).toEqual([]);
  });

  it('rejects control characters in every text field, allowing tab', () => {
    expect(validateSpec(ok({ system_instruction: 'a\tb' }))).toEqual([]);
    const problems = validateSpec(
      ok({
        model_args: 'a=1\nb=2',
        tasks: ['mme\r'],
        setup: 'source a\nsource b',
        python: 'py\n',
        extra_args: ['--x', '\x1b[31m'],
        gen_kwargs: 'k=\0',
        env: ['A=1\nB=2'],
      }),
    );
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['model_args', 'model_args contains a newline at position 4'],
      ['tasks', 'item 1 contains a carriage return at position 4'],
      ['python', 'python contains a newline at position 3'],
      ['setup', 'setup contains a newline at position 9'],
      ['env line 1', 'env line 1 contains a newline at position 4'],
      ['extra_args', 'item 2 contains control character U+001B at position 1'],
      ['gen_kwargs', 'gen_kwargs contains a NUL byte at position 3'],
    ]);
  });
});

describe('env lines', () => {
  it.each([
    ['A=1'], ['export A=1'], ['  export  HF_HOME=${HF_HOME:-~/.cache}'], ['# comment'], [''], ['   '],
    ['A="a b"'], ["A='a b'"], ['A=${X:-a b}'], ['A=$(echo a b)'], ['A="$(echo "a b")"'], ["A=$'it\\'s'"],
    ['A=$((1 + 2))'], ['A=`date +%s`'], ['_x9='], [`A=${shellQuote("it's $HOME `x` !")}`],
  ])('accepts %j', (line) => {
    expect(validateSpec(ok({ env: [line] }))).toEqual([]);
  });

  it.each([
    ['FOO', 'is not NAME=value'],
    ['=1', 'is not NAME=value'],
    ['my var=1', 'is not NAME=value'],
    ['1A=x', 'is not a valid variable name'],
    ['A-B=x', 'is not a valid variable name'],
    ['A=a b', 'unquoted whitespace'],
    ['A="x', 'unclosed'],
    ["A='x", 'unclosed'],
    ['A=$(echo', 'unclosed'],
    ['A=${X', 'unclosed'],
    ['A=x\\', 'trailing'],
  ])('rejects %j with the line number', (line, message) => {
    const problems = validateSpec(ok({ env: ['# first', line] }));
    expect(problems.map((p) => p.field)).toEqual(['env line 2']);
    expect(problems[0]!.message).toContain(message);
  });

  it('scans what shellQuote produces as one closed word', () => {
    for (const s of ['', "'", 'a b', '$(', '`', '\\', "'\\''", '${']) expect(scanValue(shellQuote(s))).toBe('ok');
  });
});
