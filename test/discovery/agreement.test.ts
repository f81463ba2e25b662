/**
 * Agreement with lmms-eval's own TaskManager on lmms-eval's real task tree (../shared/corpus):
 * every name and type, every YAML path except the names two files define (whose winner depends on
 * directory order), and every tag's members.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/core/discovery/index.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = path.resolve(REPO, '..', 'shared', 'corpus');
const TREE = path.join(CORPUS, 'lmms-eval-tasks');
const present = existsSync(path.join(CORPUS, 'ground-truth-lmms-eval.json')) && existsSync(TREE);
// Without ../shared the real installs give the ground truth instead: test/real/discovery.test.ts compares
// `tasks --json` with the installed harnesses' own TaskManager (and runs under CI, never skipped there).
if (!present) console.log(`corpus agreement test skipped: no corpus at ${CORPUS}; test/real/discovery.test.ts checks against the installed harnesses`);

interface Truth {
  type: string;
  yaml_path: string | null;
  tasks?: string[];
}

describe.skipIf(!present)('agreement with lmms-eval TaskManager on the shared corpus', () => {
  it('has the same names, types, YAML paths and tag members', async () => {
    const truth = JSON.parse(readFileSync(path.join(CORPUS, 'ground-truth-lmms-eval.json'), 'utf8')) as Record<string, Truth>;
    const meta = JSON.parse(readFileSync(path.join(CORPUS, 'ground-truth-lmms-eval.meta.json'), 'utf8'));
    const several = meta.diagnostics.names_defined_by_several_yaml_files as Record<string, { candidates_in_walk_order: string[] }>;
    const index = await buildIndex([TREE], 'lmms-eval');
    const ours = new Map(index.entries.map((e) => [e.name, e]));

    const missing = Object.keys(truth).filter((n) => !ours.has(n));
    const extra = [...ours.keys()].filter((n) => !(n in truth));
    const wrongType = Object.entries(truth).filter(([n, t]) => ours.get(n) && ours.get(n)!.type !== t.type).map(([n]) => n);
    expect({ missing, extra, wrongType }).toEqual({ missing: [], extra: [], wrongType: [] });

    const wrongPath = Object.entries(truth)
      .filter(([n, t]) => !(n in several) && ours.get(n)!.yaml_path !== t.yaml_path)
      .map(([n]) => n);
    expect(wrongPath).toEqual([]);
    for (const [name, info] of Object.entries(several)) {
      const e = ours.get(name)!;
      // Either file may win (raw directory order); the other is reported as also defining the name.
      expect([e.yaml_path, ...(e.also_defined_in ?? [])].sort()).toEqual([...info.candidates_in_walk_order].sort());
    }

    const wrongMembers = Object.entries(truth)
      .filter(([n, t]) => t.tasks && JSON.stringify(ours.get(n)!.members) !== JSON.stringify([...t.tasks].sort()))
      .map(([n]) => n);
    expect(wrongMembers).toEqual([]);

    expect(index.errors).toEqual([]);
    expect(index.files).toBe(meta.diagnostics.yaml_files_read);
    expect(index.skipped.length).toBe(meta.diagnostics.log.length);
  });
});
