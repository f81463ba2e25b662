import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMetricFilter, SamplesFile } from '../../src/core/results/samples.js';
import { tempDir } from '../logs/helpers.js';

const FIXTURES = path.resolve('test/fixtures/results-runs');
let tmp: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
let logs: string;
beforeEach(() => {
  tmp = tempDir('lmms-tui-samples-');
  env = { LMMS_TUI_HOME: path.join(tmp.dir, 'home') };
  logs = path.join(tmp.dir, 'logs');
  cpSync(FIXTURES, logs, { recursive: true });
});
afterEach(() => tmp.cleanup());

const lines = (file: string): Record<string, unknown>[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('SamplesFile', () => {
  it('pages an lmms-eval samples file: doc id, input, target, responses, metrics, media', () => {
    const file = path.join(logs, 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_samples_pope.jsonl');
    const progress: number[] = [];
    const sf = SamplesFile.open(file, { env, onProgress: (p) => progress.push(p.bytes) });
    try {
      expect(sf.total).toBe(60);
      expect(progress.at(-1)).toBe(readFileSync(file).length);
      const page = sf.page(20, 10);
      const want = lines(file).slice(20, 30);
      expect(page.samples.map((s) => s.docId)).toEqual(want.map((r) => r.doc_id));
      const s = page.samples[0]!;
      expect(s).toMatchObject({ input: want[0]!.input, target: want[0]!.target, filteredResps: want[0]!.filtered_resps, resps: want[0]!.resps, metrics: { pope_accuracy: want[0]!.pope_accuracy }, media: ['/data/pope/img_0020.jpg'] });
      // Past the end: a short page, not an error.
      expect(sf.page(55, 10).samples).toHaveLength(5);
    } finally {
      sf.close();
    }
  });

  it('reads lm-eval records (prompt from arguments, metrics named by `metrics`) and filters by metric and text', () => {
    const file = path.join(logs, 'lm-eval/out/EleutherAI__pythia-160m/samples_arc_easy_2026-12-01T10-10-10.123456.jsonl');
    const recs = lines(file);
    const sf = SamplesFile.open(file, { env });
    try {
      const first = sf.page(0, 1).samples[0]!;
      expect(first.input).toBe((recs[0]!.arguments as { gen_args_0: { arg_0: string } }).gen_args_0.arg_0);
      expect(Object.keys(first.metrics)).toEqual(['acc']);
      expect(first.filter).toBe('none');
      const wrong = sf.page(0, 100, { metric: parseMetricFilter('acc=0') });
      const expected = recs.filter((r) => r.acc === 0).map((r) => r.doc_id);
      expect(wrong.matched).toBe(expected.length);
      expect(wrong.samples.map((s) => s.docId)).toEqual(expected);
      const second = sf.page(2, 3, { metric: parseMetricFilter('acc=0') });
      expect(second.samples.map((s) => s.docId)).toEqual(expected.slice(2, 5));
      const found = sf.page(0, 10, { search: 'ITEM 17 of' });
      expect(found.samples.map((s) => s.docId)).toEqual([17]);
    } finally {
      sf.close();
    }
  });

  it('keeps the line index on disk for the next open, and rebuilds it when the file changes', () => {
    const file = path.join(logs, 'lm-eval/out/EleutherAI__pythia-160m/samples_squad_f1_2026-12-01T10-10-10.123456.jsonl');
    const a = SamplesFile.open(file, { env, persist: true });
    a.close();
    expect(a.fromCache).toBe(false);
    const b = SamplesFile.open(file, { env, persist: true });
    expect(b.fromCache).toBe(true);
    expect(b.page(49, 1).samples[0]!.docId).toBe(49);
    b.close();
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, 10).join('\n') + '\n');
    const c = SamplesFile.open(file, { env, persist: true });
    expect(c.fromCache).toBe(false);
    expect(c.total).toBe(10);
    c.close();
  });

  it('a truncated last line is listed with its error, the rest read normally', () => {
    const file = path.join(logs, 'truncated/logs/m/20261203_000000_samples_pope.jsonl');
    const sf = SamplesFile.open(file, { env });
    try {
      expect(sf.total).toBe(60);
      const page = sf.page(58, 5);
      expect(page.samples[0]!.error).toBeUndefined();
      expect(page.samples[1]!.error).toMatch(/line 60 is not valid JSON/);
    } finally {
      sf.close();
    }
  });

  it('names the expected form of a bad metric filter', () => {
    expect(() => parseMetricFilter('acc is 0')).toThrow(/cannot read the metric filter/);
    expect(parseMetricFilter('exact_match <= 0.5')).toEqual({ name: 'exact_match', op: '<=', value: 0.5 });
  });
});
