import { afterEach, describe, expect, it } from 'vitest';
import type { RenderedTui } from '../helpers/render-tui.js';
import { fakeCatalog, renderLaunch, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

/** Types text one key at a time, as a person does. */
async function type(tui: RenderedTui, text: string): Promise<void> {
  await tui.press(...[...text]);
}

const base = { harness: 'lmms-eval' as const, model: 'llava', tasks: [] as string[] };

describe('task picker', () => {
  it('searches, marks two tasks, expands a group to its members, and puts the marks in the spec', async () => {
    h = renderLaunch({ spec: base });
    await h.tui.press('t');
    await h.tui.find('7 names');
    await type(h.tui, 'ocr');
    await h.tui.find(/○ {3}ocrbench {3}task/);
    await h.tui.press('Space');
    await h.tui.find('1 selected');
    await h.tui.press('C-u');
    await type(h.tui, 'mme');
    await h.tui.press('Space');
    let frame = await h.tui.find('2 selected');
    expect(frame).toContain('selected: ocrbench, mme');
    await h.tui.press('C-u');
    await type(h.tui, 'mmmu');
    frame = await h.tui.find(/○ ▸ mmmu {3}group \(2\)/);
    // One member per line, whole names.
    expect(frame).toMatch(/members \(2\):\s+│?[^\n]*\n[^\n]*  mmmu_val[^\n]*\n[^\n]*  mmmu_test/);
    await h.tui.press('Tab');
    frame = await h.tui.find(/○ ▾ mmmu {3}group \(2\)/);
    expect(frame).toMatch(/○ {5}mmmu_val {3}task/); // indented under the group
    expect(frame).toMatch(/○ {5}mmmu_test {3}task/);
    await h.tui.press('Down', 'Space');
    await h.tui.find('3 selected');
    await h.tui.press('Enter');
    await h.tui.find('--tasks ocrbench,mme,mmmu_val');
    expect(h.store.getState().spec.tasks).toEqual(['ocrbench', 'mme', 'mmmu_val']);
    expect(h.store.getState().overlay).toBeNull();
  });

  it('shows the highlighted name in the detail pane', async () => {
    h = renderLaunch({ spec: base });
    await h.tui.press('t');
    await type(h.tui, 'mme');
    const frame = await h.tui.find('dataset: lmms-lab/MME');
    for (const text of ['mme  task', 'output type: generate_until', 'metrics: mme_perception_score, mme_cognition_score', 'splits: test=test', 'yaml: mme/mme.yaml']) {
      expect(frame).toContain(text);
    }
    await h.tui.press('C-u');
    await type(h.tui, 'vqa');
    await h.tui.find('yaml: (none: a tag)');
  });

  it('says what a typed wildcard expands to, lets it be marked, and flags one that matches nothing', async () => {
    h = renderLaunch({ spec: base });
    await h.tui.press('t');
    await type(h.tui, 'mmmu_*');
    await h.tui.find('mmmu_* expands to 2 tasks: mmmu_test, mmmu_val');
    await h.tui.press('Space', 'Enter');
    const frame = await h.tui.find('--tasks');
    expect(frame).toContain("'mmmu_*'");
    await h.tui.find('mmmu_* expands to 2: mmmu_test, mmmu_val');
    await h.tui.press('t');
    await h.tui.press('C-u');
    await type(h.tui, 'zz*');
    await h.tui.find('zz* matches nothing: lmms-eval would silently drop it');
    await h.tui.press('Escape');
    await h.tui.findNo('zz*');
    expect(h.store.getState().spec.tasks).toEqual(['mmmu_*']);
  });

  it('takes an unknown name as typed and flags it in the form before launch', async () => {
    h = renderLaunch({ spec: base });
    await h.tui.press('t');
    await type(h.tui, 'nosuchtask');
    await h.tui.find('no match: Enter uses the names as typed');
    await h.tui.press('Enter');
    await h.tui.find('Tasks not found: nosuchtask');
    expect(h.store.getState().spec.tasks).toEqual(['nosuchtask']);
  });

  it('shows progress while the index loads, then the list', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = fakeCatalog();
    const loadTasks = slow.loadTasks;
    slow.loadTasks = async (req, onProgress) => {
      onProgress('indexing tasks… 1/2 files');
      await gate;
      return loadTasks(req, () => undefined);
    };
    h = renderLaunch({ spec: base, catalog: slow });
    await h.tui.find('task index: indexing tasks… 1/2 files');
    await h.tui.press('t');
    await h.tui.find('indexing tasks… 1/2 files');
    release();
    await h.tui.find('7 names');
  });
});

describe('model picker', () => {
  it('lists popular and recent models first, searches names and aliases, and accepts a name as typed', async () => {
    h = renderLaunch({ spec: { ...base, model: '' } });
    h.settings.addRecentModel('qwen2_5_vl');
    await h.tui.press('m');
    let frame = await h.tui.find('4 models');
    const rows = frame.split('\n').filter((l) => /(recent|popular)/.test(l));
    expect(rows[0]).toContain('qwen2_5_vl');
    expect(rows[0]).toContain('recent');
    expect(rows[1]).toContain('llava_onevision');
    await type(h.tui, 'llava_ov');
    frame = await h.tui.find('aka llava_ov');
    await h.tui.press('Enter');
    await h.tui.find('--model llava_onevision');
    await h.tui.press('m');
    await type(h.tui, 'my_plugin_model');
    await h.tui.find('(use as typed)');
    await h.tui.press('Enter');
    await h.tui.find('--model my_plugin_model');
    await h.tui.find("! not in lmms-eval's model registry");
  });
});
