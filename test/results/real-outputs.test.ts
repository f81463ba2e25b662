/** The run index and samples reader on files the real harnesses wrote (test/fixtures/results-real/README.md). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/core/results/compare.js';
import { readMetrics } from '../../src/core/results/parse.js';
import { indexRuns } from '../../src/core/results/runs.js';
import { SamplesFile } from '../../src/core/results/samples.js';
import { tempDir } from '../logs/helpers.js';

const REAL = path.resolve('test/fixtures/results-real');
const tmp = tempDir('lmms-tui-real-outputs-');
const env = { LMMS_TUI_HOME: tmp.dir };
afterAll(() => tmp.cleanup());
const jsonl = (f: string): Record<string, any>[] => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('real harness outputs', () => {
  const { runs } = indexRuns({ env, folders: [REAL], noJobs: true });
  const lme = runs.find((r) => r.harness === 'lm-eval')!;
  const lmms = runs.find((r) => r.harness === 'lmms-eval')!;

  it('indexes both layouts with their groups, n-shot, samples files and recorded identity', () => {
    expect(runs).toHaveLength(2);
    const lmeJson = JSON.parse(readFileSync(lme.file, 'utf8'));
    expect(lme).toMatchObject({ version: lmeJson.lm_eval_version, modelType: 'dummy', model: lmeJson.model_name, error: null });
    expect(lme.groups).toEqual([{ name: 'lmtui_group', members: lmeJson.group_subtasks.lmtui_group }]);
    expect(Object.keys(lme.samplesFiles).sort()).toEqual(['lmtui_gen', 'lmtui_mc']);
    expect(lme.nShot).toEqual(lmeJson['n-shot']);
    const lmmsJson = JSON.parse(readFileSync(lmms.file, 'utf8'));
    expect(lmms).toMatchObject({ modelType: 'dummy', modelArgs: 'read_bytes=1', date: '2026-12-05T05:32:13', error: null });
    expect(lmms.groups.map((g) => g.name)).toEqual(Object.keys(lmmsJson.group_subtasks).filter((g) => lmmsJson.group_subtasks[g].length));
    expect(Object.keys(lmms.samplesFiles).sort()).toEqual(['lmtui_vgen', 'lmtui_vgen2']);
  });

  it("reads each harness's sample records: prompt, target, responses, per-sample metric", () => {
    for (const [file, metric] of [[lme.samplesFiles.lmtui_gen!, 'exact_match'], [lme.samplesFiles.lmtui_mc!, 'acc'], [lmms.samplesFiles.lmtui_vgen!, 'exact_match']] as const) {
      const raw = jsonl(file);
      const sf = SamplesFile.open(file, { env });
      try {
        const page = sf.page(0, 100);
        expect(page.total).toBe(raw.length);
        page.samples.forEach((s, i) => {
          expect(s.docId).toBe(raw[i]!.doc_id);
          expect(s.target).toEqual(raw[i]!.target);
          expect(s.filteredResps).toEqual(raw[i]!.filtered_resps);
          expect(s.metrics[metric]).toBe(raw[i]![metric]);
          expect(s.input).toMatch(/^Q: /);
        });
      } finally {
        sf.close();
      }
    }
  });

  it('compares the two real runs on nothing shared: every task row is there, deltas only where both have it', () => {
    const c = compareRuns([lme, lmms].map((run) => ({ run, summary: readMetrics(run.file) })), { env });
    expect(c.rows.map((r) => r.task)).toEqual(expect.arrayContaining(['lmtui_gen', 'lmtui_mc', 'lmtui_vgen', 'lmtui_vgen2']));
    for (const r of c.rows) if (r.cells[0]!.value === null || r.cells[1]!.value === null) expect(r.cells[1]!.delta).toBeNull();
  });
});
