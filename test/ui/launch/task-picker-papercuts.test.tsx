/**
 * The task picker as a new user meets it: a typed list becomes names, marks and typed names are both
 * kept, the status says how many match and where the cursor is, Home/End jump, a marked group's members
 * say they are covered, nested expansion opens one row; and with lmms-eval's real task tree, a big
 * group's detail pane lists its members one per line, whole.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndex } from '../../../src/core/discovery/index.js';
import { fakeCatalog, renderLaunch, taskIndex, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

const spec = { harness: 'lmms-eval' as const, model: 'llava', tasks: [] as string[] };

async function openPicker(x: LaunchHarness): Promise<void> {
  await x.tui.press('t');
  await x.tui.find(/› Tasks .*names/);
}

describe('typed names', () => {
  it('splits a typed list into names', async () => {
    h = renderLaunch({ spec });
    await openPicker(h);
    await h.tui.paste('mme,mmmu_val,x');
    await h.tui.find('Enter uses: mme, mmmu_val, x');
    await h.tui.press('Enter');
    await h.tui.waitFor(() => h!.store.getState().overlay === null, 2000, 'the picker to close');
    expect(h.store.getState().spec.tasks).toEqual(['mme', 'mmmu_val', 'x']);
  });

  it('keeps the marks and adds the typed names', async () => {
    h = renderLaunch({ spec });
    await openPicker(h);
    await h.tui.press('o', 'c', 'r');
    await h.tui.find(/ocrbench\s+task/);
    await h.tui.press('Space');
    await h.tui.find('1 selected');
    await h.tui.press('C-u');
    await h.tui.paste('mme, ai2d');
    await h.tui.find('Enter uses: ocrbench, mme, ai2d');
    await h.tui.press('Enter');
    await h.tui.waitFor(() => h!.store.getState().overlay === null, 2000, 'the picker to close');
    expect(h.store.getState().spec.tasks).toEqual(['ocrbench', 'mme', 'ai2d']);
  });

  it('a search word that matched stays a search: Enter uses the marks only, as the info line says', async () => {
    h = renderLaunch({ spec });
    await openPicker(h);
    await h.tui.press('m', 'm', 'e');
    await h.tui.find(/mme\s+task/);
    await h.tui.press('Space');
    const frame = await h.tui.find('selected: mme');
    expect(frame).not.toContain('Enter uses');
    await h.tui.press('Enter');
    await h.tui.waitFor(() => h!.store.getState().overlay === null, 2000, 'the picker to close');
    expect(h.store.getState().spec.tasks).toEqual(['mme']);
  });
});

describe('list papercuts', () => {
  it('shows the match count and the row position, and Home/End jump', async () => {
    h = renderLaunch({ spec });
    await openPicker(h);
    let frame = await h.tui.find('1/7');
    await h.tui.press('End');
    frame = await h.tui.find('7/7');
    await h.tui.press('Home');
    frame = await h.tui.find('1/7');
    await h.tui.press('m', 'm');
    frame = await h.tui.find(/\d+ match(es)? · 1\/\d+/);
    expect(frame).toMatch(/› Tasks/);
  });

  it('says a marked group covers its members, and Tab on a nested group opens only that row', async () => {
    const entries = [...taskIndex().entries, { name: 'suite', type: 'group' as const, yaml_path: 'suite.yaml', root: '/opt', members: ['mmmu', 'mme'] }];
    h = renderLaunch({ spec, catalog: fakeCatalog(taskIndex(entries)) });
    await openPicker(h);
    // Groups come first: mmmu, then suite.
    await h.tui.find(/▸ mmmu\s+group \(2\)/);
    await h.tui.press('Space'); // mark mmmu
    await h.tui.press('Down', 'Tab'); // expand suite
    let frame = await h.tui.find(/▾ suite/);
    expect(frame).toMatch(/ {3}▸ mmmu\s+group \(2\)/);
    // The nested mmmu stays closed while suite opens; opening it opens that row only.
    await h.tui.press('Down', 'Tab');
    frame = await h.tui.find(/ {3}▾ mmmu/);
    const lines = frame.split('\n');
    expect(lines.filter((l) => /▾ mmmu/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /▸ mmmu/.test(l))).toHaveLength(1);
    expect(frame).toMatch(/mmmu_val\s+task\s+\(covered: mmmu is selected\)/);
  });
});

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const TREE = [path.resolve(REPO, '..', 'shared', 'corpus', 'lmms-eval-tasks'), path.resolve(REPO, '..', '..', 'shared', 'corpus', 'lmms-eval-tasks')].find((p) => existsSync(p));
if (!TREE) console.log('task-picker real-tree test skipped: no corpus next to the repo (../shared/corpus)');

describe.skipIf(!TREE)('with lmms-eval real task tree', () => {
  it('lists a big group members one per line, whole, in the detail pane', async () => {
    const index = await buildIndex([TREE!], 'lmms-eval');
    const big = index.entries.filter((e) => e.type === 'group' && (e.members?.length ?? 0) > 10).sort((a, b) => b.members!.length - a.members!.length)[0]!;
    h = renderLaunch({ spec, catalog: fakeCatalog(index) });
    await openPicker(h);
    await h.tui.paste(big.name);
    const frame = await h.tui.find(`members (${big.members!.length}):`);
    // The detail pane is the right part of each row; every member row there is one whole name.
    // The detail pane sits right of a rule; below "members (N):" each row holds one whole name (or one
    // cut with an ellipsis where the pane is narrower than the name), never the tail of a wrapped one.
    const detail = frame.split('\n').map((l) => /│ (.*?)\s*│$/.exec(l)?.[1] ?? '');
    const from = detail.findIndex((d) => d.startsWith('members ('));
    const rows = detail.slice(from + 1).filter((d) => d !== '');
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(r, 'one member per row, indented').toMatch(/^ {2}\S+$/);
      const name = r.trim();
      expect(name.endsWith('…') ? big.members!.some((m) => m.startsWith(name.slice(0, -1))) : big.members!.includes(name), `"${name}" is a member`).toBe(true);
    }
  }, 60_000);
});
