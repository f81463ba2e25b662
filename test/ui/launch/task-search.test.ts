import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TaskEntry } from '../../../src/state/launch.js';
import { defaultOrder, isWildcard, pickerRows, TaskSearch } from '../../../src/ui/screens/launch/task-search.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/ground-truth-lmms-eval.json', import.meta.url));

/** 16,000 names: lmms-eval's real 1,931 when the shared corpus is here, padded with plausible synthetic ones. */
function names16k(): TaskEntry[] {
  const real: TaskEntry[] = existsSync(CORPUS)
    ? Object.entries(JSON.parse(readFileSync(CORPUS, 'utf8')) as Record<string, { type: TaskEntry['type']; yaml_path: string | null }>).map(
        ([name, v]) => ({ name, type: v.type, yaml_path: v.yaml_path }),
      )
    : [];
  const stems = ['mmlu', 'arc', 'hellaswag', 'gsm8k', 'truthfulqa', 'winogrande', 'belebele', 'xnli', 'bbh', 'leaderboard'];
  const subs = ['high_school_physics', 'college_biology', 'zeroshot', 'fewshot_cot', 'eng_Latn', 'deu_Latn', 'logical_deduction', 'math_hard'];
  const out = [...real];
  for (let i = 0; out.length < 16_000; i++) {
    out.push({ name: `${stems[i % stems.length]}_${subs[(i >> 3) % subs.length]}_${i}`, type: 'task', yaml_path: `x/${i}.yaml` });
  }
  return out;
}

describe('task search', () => {
  const entries: TaskEntry[] = [
    { name: 'mmmu', type: 'group', yaml_path: 'g.yaml', members: ['mmmu_val', 'mmmu_test'] },
    { name: 'mmmu_val', type: 'task', yaml_path: 'v.yaml' },
    { name: 'mmmu_test', type: 'task', yaml_path: 't.yaml' },
    { name: 'cmmmu_val', type: 'task', yaml_path: 'c.yaml' },
    { name: 'ai2d', type: 'task', yaml_path: 'a.yaml' },
    { name: 'vqa', type: 'tag', yaml_path: null, members: ['ai2d', 'mmmu'] },
  ];

  it('ranks the exact name first and tolerates skipped characters', () => {
    const s = new TaskSearch(entries);
    expect(s.search('mmmu_val')[0]!.name).toBe('mmmu_val');
    expect(s.search('mmmuval').map((e) => e.name)).toContain('mmmu_val');
    expect(s.search('zzz')).toEqual([]);
    // Wildcards do not lower the ranking of what the literal part finds.
    expect(s.search('mmmu_*')[0]!.name.startsWith('mmmu')).toBe(true);
    expect(isWildcard('mmmu_*')).toBe(true);
    expect(isWildcard('mmmu')).toBe(false);
  });

  it('lists recent names, then groups and tags, then tasks for an empty query', () => {
    expect(defaultOrder(entries, ['ai2d', 'gone']).map((e) => e.name)).toEqual(['ai2d', 'mmmu', 'vqa', 'cmmmu_val', 'mmmu_test', 'mmmu_val']);
  });

  it('flattens expanded groups and tags, nested ones included, with unique row ids', () => {
    const s = new TaskSearch(entries);
    // Expanded by row id: the nested mmmu opens under vqa; a top-level mmmu row would stay closed.
    const rows = pickerRows([entries[5]!], new Set(['vqa', 'vqa>mmmu']), s.byName, 'mm*');
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.name}`)).toEqual(['mm*', 'vqa', '  ai2d', '  mmmu', '    mmmu_val', '    mmmu_test']);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows[0]!.kind).toBe('pattern');
    expect(rows[4]!.parents).toEqual(['vqa', 'mmmu']);
    const both = pickerRows([entries[5]!, s.byName.get('mmmu')!], new Set(['mmmu']), s.byName, null);
    expect(both.map((r) => `${'  '.repeat(r.depth)}${r.name}`)).toEqual(['vqa', 'mmmu', '  mmmu_val', '  mmmu_test']);
  });

  // Speed per keystroke is measured by `npm run bench:tui` (section 5), not asserted here: a timed
  // assertion fails on a loaded 2-core box without saying anything about the code.
  it('over 16,000 names, every prefix a user types keeps the task they are after among the rows', () => {
    const all = names16k();
    const s = new TaskSearch(all);
    expect(all.length).toBe(16_000);
    // Twenty names spread over the whole list (real ones first when the corpus is here, synthetic after).
    for (let i = 0; i < all.length; i += 800) {
      const q = all[i]!.name;
      const res = s.search(q);
      expect(pickerRows(res, new Set(), s.byName, null).length).toBeGreaterThan(0);
      expect(res.slice(0, 5).map((r) => r.name)).toContain(q);
    }
  });
});
