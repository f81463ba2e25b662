import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { metricTree, readMetrics } from '../../src/core/results/parse.js';
import { formatMetricValue, formatStderr, limitNote } from '../../src/core/results/format.js';

const fx = (p: string) => fileURLToPath(new URL(`./fixtures/${p}`, import.meta.url));
const LMMS = fx('lmms/out/lmms-lab__llava-onevision-qwen2-0.5b-ov/20261122_100637_results.json');
const LME = fx('lme/out/EleutherAI__pythia-160m/results_2026-08-21T19-56-54.123456.json');

describe('readMetrics: lmms-eval results', () => {
  const r = readMetrics(LMMS);

  it('knows the harness and the run config', () => {
    expect(r.harness).toBe('lmms-eval');
    expect(r.simulated).toBe(false);
    expect(r.version).toBe('0.7.2');
    expect(r.date).toBe('20261122_100637');
    expect(r.config).toMatchObject({ model: 'llava_onevision', model_args: 'pretrained=lmms-lab/llava-onevision-qwen2-0.5b-ov,conv_template=qwen_1_5', batch_size: '1', limit: 0.1 });
  });

  it('gives one row per metric and filter, without stderr and the other companion columns', () => {
    expect(r.rows.map((x) => `${x.task}/${x.metric}/${x.filter}`)).toEqual([
      'mme/mme_cognition_score/none',
      'mme/mme_perception_score/none',
      'mmbench_en_dev/gpt_eval_score/none',
    ]);
  });

  it('attaches stderr ("N/A" → null), sample counts, direction and the indented alias', () => {
    expect(r.rows[0]).toEqual({ task: 'mme', alias: 'mme', filter: 'none', metric: 'mme_cognition_score', value: 312.5, stderr: null, n_samples: 2374, higher_is_better: true });
    // A fractional --limit makes lmms-eval record the fraction as "effective"; the docs run are ceil(len × limit).
    expect(r.rows[2]).toMatchObject({ alias: ' - mmbench_en_dev', value: 0.6125, stderr: 0.0214, n_samples: 433 });
    expect(r.samples).toEqual({ mme: 2374, mmbench_en_dev: 433 });
  });

  it('reads group rows separately', () => {
    expect(r.groups).toEqual([{ task: 'mmbench', alias: 'mmbench', filter: 'none', metric: 'gpt_eval_score', value: 0.6125, stderr: 0.0214, n_samples: null, higher_is_better: true }]);
  });
});

describe('readMetrics: lm-eval results', () => {
  it('parses filters, skips name/sample_len, and renders dict model_args as typed', () => {
    const r = readMetrics(LME);
    expect(r.harness).toBe('lm-eval');
    expect(r.version).toBe('0.4.13.dev0');
    expect(r.date).toBe(new Date(1787341014.25 * 1000).toISOString());
    expect(r.config).toMatchObject({ model: 'hf', model_args: 'pretrained=EleutherAI/pythia-160m,dtype=float16', batch_size: '8', limit: 100, gen_kwargs: '' });
    expect(r.rows.map((x) => [x.task, x.metric, x.filter, x.value, x.stderr, x.n_samples])).toEqual([
      ['hellaswag', 'acc', 'none', 0.2891, 0.0045, 10042],
      ['hellaswag', 'acc_norm', 'none', 0.3102, 0.0046, 10042],
      ['gsm8k', 'exact_match', 'strict-match', 0.0152, 0.0034, 100],
      ['gsm8k', 'exact_match', 'flexible-extract', 0.0205, null, 100],
    ]);
    expect(r.groups).toEqual([]);
  });

  it('reads groups and falls back to sample_count for a group without n-samples', () => {
    const r = readMetrics(fx('lme-file/run_2026-08-21T20-01-02.5.json'));
    expect(r.rows.map((x) => [x.task, x.alias, x.n_samples])).toEqual([
      ['mmlu', 'mmlu', 14042],
      ['mmlu_abstract_algebra', ' - abstract_algebra', 100],
    ]);
    expect(r.groups).toHaveLength(1);
    expect(r.config.model_args).toBe('pretrained=gpt2');
  });
});

describe('readMetrics: other files', () => {
  it('flags simulated results from the demo harness', () => {
    const r = readMetrics(fx('demo_results.json'));
    expect(r.simulated).toBe(true);
    expect(r.harness).toBe('lmms-eval');
    expect(r.rows).toMatchObject([{ task: 'demo_mme', metric: 'score', value: 0.5, stderr: 0.01 }]);
  });

  it.each([
    ['broken.json', /broken\.json is not valid JSON/],
    ['not_results.json', /not_results\.json is not a harness results file/],
    ['missing.json', /cannot read results file .*missing\.json/],
  ])('throws a UserError naming %s', (name, msg) => {
    let err: unknown;
    try {
      readMetrics(fx(name));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(msg);
  });
});

describe('metricTree: rows in the order of group_subtasks', () => {
  it("puts a group's aggregate (from groups when results has none) before its indented members", () => {
    const r = readMetrics(LMMS);
    expect(r.groupSubtasks).toEqual({ mme: [], mmbench: ['mmbench_en_dev'] });
    expect(r.evalSeconds).toBe(106.52);
    expect(metricTree(r).map((x) => [x.task, x.metric, x.depth, x.group, x.value])).toEqual([
      ['mme', 'mme_cognition_score', 0, false, 312.5],
      ['mme', 'mme_perception_score', 0, false, 1238.4],
      ['mmbench', 'gpt_eval_score', 0, true, 0.6125],
      ['mmbench_en_dev', 'gpt_eval_score', 1, false, 0.6125],
    ]);
  });

  it('nests groups inside groups, gives a group without an aggregate a heading row, and shows a shared task once', () => {
    const rows = [
      { task: 'a1', filter: 'none', metric: 'acc', value: 0.5, stderr: null, n_samples: 2, higher_is_better: true },
      { task: 'b1', filter: 'none', metric: 'acc', value: 0.25, stderr: null, n_samples: 2, higher_is_better: true },
      { task: 'loose', filter: 'none', metric: 'acc', value: 1, stderr: null, n_samples: 2, higher_is_better: true },
    ];
    const tree = metricTree({ rows, groups: [], groupSubtasks: { top: ['inner', 'a1'], inner: ['b1', 'a1'], loose: [] } });
    expect(tree.map((x) => `${'  '.repeat(x.depth)}${x.task}${x.group ? '/' : ''} ${x.metric}`)).toEqual(['top/ ', '  inner/ ', '    b1 acc', '    a1 acc', 'loose acc']);
  });

  it('keeps file order, flat, for a file without group_subtasks', () => {
    const r = readMetrics(fx('demo_results.json'));
    expect(metricTree({ ...r, groupSubtasks: {} }).map((x) => [x.task, x.depth])).toEqual([['demo_mme', 0]]);
  });
});

describe('one metric format for every face', () => {
  it('writes numbers with 4 decimals, whole numbers too, so a column lines up', () => {
    expect([1, 0, 0.8, 312.5, 1487.25, 0.41234].map(formatMetricValue)).toEqual(['1.0000', '0.0000', '0.8000', '312.5000', '1487.2500', '0.4123']);
    expect(formatMetricValue('A: 3')).toBe('A: 3');
    expect(formatMetricValue(null)).toBe('-');
    expect(formatStderr(0)).toBe('± 0.0000');
    expect(formatStderr(null)).toBe('-');
  });

  it('says when --limit made the score partial', () => {
    expect(limitNote(0.1)).toBe('--limit 0.1: only 10% of each task was evaluated; not a real score');
    expect(limitNote(100)).toBe('--limit 100: only the first 100 documents of each task were evaluated; not a real score');
    for (const none of [null, undefined, -1, 0]) expect(limitNote(none)).toBeNull();
  });
});
