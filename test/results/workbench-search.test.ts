/** The workbench's text filter over runs, the samples search's line scan and the re-run spec for the form. */
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SamplesFile } from '../../src/core/results/samples.js';
import { rerunPlan, searchRuns } from '../../src/core/results/service.js';
import { indexRuns } from '../../src/core/results/runs.js';
import { matchLabel, matchPositions, rerunSpec, stepMatch } from '../../src/ui/screens/results/samples-actions.js';
import { tempDir } from '../logs/helpers.js';

let tmp: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
let logs: string;
beforeEach(() => {
  tmp = tempDir('lmms-tui-wbsearch-');
  env = { LMMS_TUI_HOME: path.join(tmp.dir, 'home') };
  logs = path.join(tmp.dir, 'logs');
  cpSync(path.resolve('test/fixtures/results-runs'), logs, { recursive: true });
});
afterEach(() => tmp.cleanup());

const POPE = 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_samples_pope.jsonl';
const records = (file: string): Record<string, unknown>[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('searchRuns', () => {
  it('keeps runs where every word occurs in the model, a task, the harness, the date or an id', () => {
    const { runs } = indexRuns({ env, folders: [logs] });
    const models = (q: string): (string | null)[] => searchRuns(runs, q).map((r) => r.model).sort();
    expect(models('LLAVA')).toEqual(['lmms-lab/llava-a', 'lmms-lab/llava-b']);
    expect(models('pythia arc_easy')).toEqual(['EleutherAI/pythia-160m', 'EleutherAI/pythia-410m']);
    expect(models('pythia 2026-12-02')).toEqual(['EleutherAI/pythia-410m']);
    expect(models('llava nosuchtask')).toEqual([]);
    const one = runs.find((r) => r.model === 'lmms-lab/llava-b')!;
    expect(searchRuns(runs, one.id).map((r) => r.id)).toEqual([one.id]);
    expect(searchRuns(runs, '  ')).toHaveLength(runs.length);
  });
});

describe('samples search', () => {
  it('finds the lines whose record contains the text, and their places among the listed (filtered) samples', () => {
    const file = path.join(logs, POPE);
    const recs = records(file);
    const sf = SamplesFile.open(file, { env });
    try {
      const want = recs.map((r, i) => (JSON.stringify(r).toLowerCase().includes('image 1') ? i : -1)).filter((i) => i >= 0);
      expect(sf.matchingLines({ search: 'Image 1' })).toEqual(want);
      expect(matchPositions(sf, 'image 1', {})).toEqual(want);
      // Among the wrong answers only: the position counts wrong answers, not lines.
      const wrongLines = recs.map((r, i) => (r.pope_accuracy === 0 ? i : -1)).filter((i) => i >= 0);
      const wrongHits = wrongLines.map((l, pos) => (want.includes(l) ? pos : -1)).filter((p) => p >= 0);
      expect(matchPositions(sf, 'image 1', { metric: { name: 'pope_accuracy', op: '=', value: 0 } })).toEqual(wrongHits);
    } finally {
      sf.close();
    }
  });

  it('steps to the next and previous match, wrapping around, and labels the position', () => {
    expect(stepMatch([3, 7, 9], 3, 1)).toBe(7);
    expect(stepMatch([3, 7, 9], 9, 1)).toBe(3);
    expect(stepMatch([3, 7, 9], 3, -1)).toBe(9);
    expect(stepMatch([3, 7, 9], 8, -1)).toBe(7);
    expect(stepMatch([], 0, 1)).toBeNull();
    expect(matchLabel([3, 7, 9], 7)).toBe('match 2/3');
    expect(matchLabel([3, 7, 9], 5)).toBe('3 matches');
    expect(matchLabel([], 0)).toBe('no match');
  });
});

describe('rerunSpec', () => {
  it("puts the plan's selection on the form and keeps this machine's interpreter, set-up and env for the same harness", () => {
    const { runs } = indexRuns({ env, folders: [logs] });
    const run = runs.find((r) => r.model === 'EleutherAI/pythia-160m')!;
    const plan = rerunPlan(run, 'arc_easy', [0, 2, 6]);
    const spec = rerunSpec(plan, { harness: 'lm-eval', model: 'x', tasks: ['y'], python: '/venv/bin/python', setup: 'source a', env: ['HF_HOME=/h'], limit: 5 });
    expect(spec).toMatchObject({ harness: 'lm-eval', model: 'hf', tasks: ['arc_easy'], samples: '{"arc_easy":[0,2,6]}', python: '/venv/bin/python', setup: 'source a', env: ['HF_HOME=/h'], log_samples: true });
    // --samples is exclusive with --limit: the old form's limit must not survive.
    expect(spec.limit).toBeUndefined();
    const other = rerunSpec(plan, { harness: 'lmms-eval', model: 'x', tasks: [], python: '/other/python' });
    expect(other.python).toBeUndefined();
  });
});
