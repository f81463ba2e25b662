import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, type CompareInput } from '../../src/core/results/compare.js';
import { exportComparison, textChart, toCsv } from '../../src/core/results/export.js';
import { readMetrics } from '../../src/core/results/parse.js';
import { indexRuns } from '../../src/core/results/runs.js';
import { mcnemar, minDetectableDelta, normalQuantile, pairedBootstrap, unpaired } from '../../src/core/results/stats.js';
import { tempDir } from '../logs/helpers.js';

const FIXTURES = path.resolve('test/fixtures/results-runs');
let tmp: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
let logs: string;
let inputs: (model: string) => CompareInput;
beforeAll(() => {
  tmp = tempDir('lmms-tui-compare-');
  env = { LMMS_TUI_HOME: path.join(tmp.dir, 'home') };
  logs = path.join(tmp.dir, 'logs');
  cpSync(FIXTURES, logs, { recursive: true });
  const { runs } = indexRuns({ env, folders: [logs] });
  inputs = (model) => {
    const run = runs.find((r) => r.model === model)!;
    return { run, summary: readMetrics(run.file) };
  };
});
afterAll(() => tmp.cleanup());

const scores = (file: string, metric: string): Map<number, number> =>
  new Map(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>).map((r) => [r.doc_id!, r[metric]!]));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

// z quantiles from a standard normal table, not from the code under test.
const Z975 = 1.959964;
const Z80 = 0.841621;

describe('statistics', () => {
  it("McNemar: the textbook case b=10, c=25 gives chi2 = 6.43, p = 0.0112", () => {
    const base = [...Array(10).fill(1), ...Array(25).fill(0), ...Array(15).fill(1)];
    const other = [...Array(10).fill(0), ...Array(25).fill(1), ...Array(15).fill(1)];
    const s = mcnemar(base, other);
    expect(s.discordant).toEqual({ b: 10, c: 25 });
    expect(s.delta).toBeCloseTo(15 / 50, 12);
    // chi2(1) upper tail at (25-10)^2/35 = 6.4286 is 0.01123 (any chi-square table).
    expect(s.p!).toBeCloseTo(0.01123, 4);
    const se = Math.sqrt(35 - 15 ** 2 / 50) / 50;
    expect(s.ci[0]).toBeCloseTo(0.3 - Z975 * se, 5);
    expect(s.ci[1]).toBeCloseTo(0.3 + Z975 * se, 5);
    expect(s.significant).toBe(true);
    expect(mcnemar([1, 0, 1, 0], [1, 0, 1, 0])).toMatchObject({ delta: 0, significant: false, p: 1 });
  });

  it('the unpaired interval is delta ± z·sqrt(se1² + se2²)', () => {
    const s = unpaired(0.5, 0.03, 0.56, 0.04, 200);
    expect(s.ci[0]).toBeCloseTo(0.06 - Z975 * 0.05, 5);
    expect(s.ci[1]).toBeCloseTo(0.06 + Z975 * 0.05, 5);
    expect(s.significant).toBe(false);
    expect(unpaired(0.5, 0.01, 0.56, 0.01, 200).significant).toBe(true);
  });

  it('the paired bootstrap is reproducible and close to the normal interval of the mean difference', () => {
    const base = Array.from({ length: 400 }, (_, i) => ((i * 37) % 100) / 100);
    const other = base.map((x, i) => x + 0.05 + (((i * 53) % 21) - 10) / 100);
    const a = pairedBootstrap(base, other);
    const b = pairedBootstrap(base, other);
    expect(a.ci).toEqual(b.ci);
    const d = other.map((x, i) => x - base[i]!);
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean(d)) ** 2, 0) / (d.length - 1));
    const half = (Z975 * sd) / Math.sqrt(d.length);
    expect(a.delta).toBeCloseTo(mean(d), 12);
    expect((a.ci[1] - a.ci[0]) / 2).toBeGreaterThan(half * 0.85);
    expect((a.ci[1] - a.ci[0]) / 2).toBeLessThan(half * 1.15);
  });

  it("the minimum detectable delta is lmms-eval power's formula", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(Z975, 5);
    // Defaults (std 0.5, rho 0.5): (z.975 + z.8) * 0.5 / sqrt(n).
    expect(minDetectableDelta(100)!).toBeCloseTo(((Z975 + Z80) * 0.5) / 10, 5);
    const varDiff = 0.3 ** 2 + 0.4 ** 2 - 2 * 0.2 * 0.3 * 0.4;
    expect(minDetectableDelta(400, { stdA: 0.3, stdB: 0.4, correlation: 0.2 })!).toBeCloseTo(((Z975 + Z80) * Math.sqrt(varDiff)) / 20, 5);
  });
});

describe('compareRuns', () => {
  it('pairs per-sample scores by doc id: McNemar for 0/1 scores, bootstrap for continuous ones', () => {
    const a = inputs('lmms-lab/llava-a');
    const b = inputs('lmms-lab/llava-b');
    const c = compareRuns([a, b], { env });
    expect(c.rows.map((r) => [r.task, r.depth, r.group])).toEqual([
      ['mmbench', 0, true], ['mmbench_en', 1, false], ['mmbench_cn', 1, false], ['pope', 0, false],
    ]);
    const pope = c.rows.find((r) => r.task === 'pope')!;
    expect(pope.metric).toBe('pope_accuracy');
    const sa = scores(a.run.samplesFiles.pope!, 'pope_accuracy');
    const sb = scores(b.run.samplesFiles.pope!, 'pope_accuracy');
    let bb = 0;
    let cc = 0;
    for (const [doc, x] of sa) {
      const y = sb.get(doc)!;
      if (x === 1 && y === 0) bb++;
      if (x === 0 && y === 1) cc++;
    }
    const cell = pope.cells[1]!;
    expect(cell.stat).toMatchObject({ method: 'mcnemar', discordant: { b: bb, c: cc }, n: 60 });
    expect(cell.delta!).toBeCloseTo(mean([...sb.values()]) - mean([...sa.values()]), 12);
    expect(cell.stat!.significant).toBe(cell.stat!.ci[0] > 0 || cell.stat!.ci[1] < 0);
    // The group row has no samples of its own: the interval from the two stderrs.
    expect(c.rows[0]!.cells[1]!.stat!.method).toBe('unpaired-stderr');
    expect(c.rows[0]!.cells[0]!.delta).toBeNull();

    const l1 = inputs('EleutherAI/pythia-160m');
    const l2 = inputs('EleutherAI/pythia-410m');
    const lc = compareRuns([l1, l2], { env });
    const squad = lc.rows.find((r) => r.task === 'squad_f1')!;
    expect(squad.cells[1]!.stat!.method).toBe('paired-bootstrap');
    expect(lc.methods.sort()).toEqual(['mcnemar', 'paired-bootstrap']);
  });

  it('without samples, the unpaired interval; a selected metric; a baseline other than the first run', () => {
    const a = inputs('lmms-lab/llava-a');
    const b = inputs('lmms-lab/llava-b');
    const c = compareRuns([a, b], { env, paired: false, baseline: 1, metric: 'acc' });
    const en = c.rows.find((r) => r.task === 'mmbench_en')!;
    const [ra, rb] = [a, b].map((x) => x.summary.rows.find((r) => r.task === 'mmbench_en' && r.metric === 'acc')!);
    const se = Math.sqrt(ra!.stderr! ** 2 + rb!.stderr! ** 2);
    expect(en.cells[0]!.stat!.method).toBe('unpaired-stderr');
    expect(en.cells[0]!.delta!).toBeCloseTo((ra!.value as number) - (rb!.value as number), 12);
    expect(en.cells[0]!.stat!.ci[1] - en.cells[0]!.stat!.ci[0]).toBeCloseTo(2 * Z975 * se, 5);
    expect(en.cells[1]!.delta).toBeNull();
    // pope has no `acc`: its row is empty rather than comparing another metric.
    expect(c.rows.find((r) => r.task === 'pope')!.cells.every((x) => x.value === null)).toBe(true);
  });

  it('exports carry the runs, the baseline and the method', () => {
    const c = compareRuns([inputs('lmms-lab/llava-a'), inputs('lmms-lab/llava-b')], { env });
    const md = exportComparison(c, 'md');
    expect(md).toMatch(/\| Task \| Metric \| lmms-lab\/llava-a \(baseline\) \| lmms-lab\/llava-b \| MDE \|/);
    expect(md).toContain("McNemar: McNemar's test");
    expect(md).toContain(c.runs[0]!.id);
    const csv = toCsv(c).trim().split('\n');
    expect(csv).toHaveLength(1 + c.rows.length * 2);
    expect(csv[0]).toContain('method');
    const tex = exportComparison(c, 'latex');
    expect(tex).toContain('\\begin{tabular}{llrrr}');
    expect(tex).toContain('mmbench\\_en');
    const json = JSON.parse(exportComparison(c, 'json'));
    expect(json.rows).toHaveLength(c.rows.length);
    expect(json.method_notes.mcnemar).toBeTruthy();
    const svg = exportComparison(c, 'svg');
    expect(svg.startsWith('<svg')).toBe(true);
    // One bar per run per task with a value.
    expect(svg.match(/<rect x="220"/g)).toHaveLength(c.rows.length * 2);
    expect(textChart(c, { ascii: true })).toContain('#');
    expect(textChart(c)).toMatch(/[█▏▎▍▌▋▊▉]/);
  });
});
