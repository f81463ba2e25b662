/**
 * The Launch screen over the real discovery and the real demo harness (python3 runs the locate probe), with
 * a private state dir so the discovery cache starts cold.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLaunchStore } from '../../../src/state/launch.js';
import { discoveryCatalog } from '../../../src/ui/screens/launch/discovery-catalog.js';
import { ensureModels, ensureTasks } from '../../../src/ui/screens/launch/catalog.js';
import { renderLaunch } from './fixtures.js';

let home: string;
let saved: string | undefined;
beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'lmms-tui-disc-'));
  saved = process.env.LMMS_TUI_HOME;
  process.env.LMMS_TUI_HOME = home;
});
afterAll(() => {
  if (saved === undefined) delete process.env.LMMS_TUI_HOME;
  else process.env.LMMS_TUI_HOME = saved;
  rmSync(home, { recursive: true, force: true });
});

describe('discovery catalog on the demo harness', () => {
  it('indexes the demo tasks, lists its models, and resolves names the way the harness will', async () => {
    const catalog = discoveryCatalog();
    const store = createLaunchStore({ demo: true });
    const req = { harness: 'lmms-eval' as const, demo: true };
    ensureTasks(store, catalog, req);
    ensureModels(store, catalog, req);
    const deadline = Date.now() + 20_000;
    while ((store.getState().tasksState === 'loading' || store.getState().modelsState === 'loading') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(store.getState().tasksNote).toMatch(/^\d+ names/);
    const list = store.getState().tasks!;
    const names = list.entries.map((e) => e.name);
    expect(names.length).toBeGreaterThan(5);
    const group = list.entries.find((e) => e.type === 'group')!;
    expect(group.members!.length).toBeGreaterThan(0);
    const r = list.resolve([group.name, 'no_such_task_xyz']);
    expect(r.tasks.length).toBeGreaterThan(0);
    expect(r.unmatched).toEqual(['no_such_task_xyz']);
    expect(store.getState().models!.map((m) => m.name)).toContain('demo');
    // The same request again is served without a second load.
    const before = store.getState().tasks;
    ensureTasks(store, catalog, req);
    expect(store.getState().tasks).toBe(before);
  });

  it('fills the task picker from it', async () => {
    const h = renderLaunch({ demo: true, spec: { harness: 'lmms-eval', model: 'demo', tasks: [] }, catalog: discoveryCatalog() });
    try {
      await h.tui.waitFor(() => h.store.getState().tasksState !== 'loading', 20_000, 'task index');
      await h.tui.press('t');
      await h.tui.find(/\d+ names/);
      await h.tui.press(...[...'demo_mme']);
      await h.tui.find('yaml: demo_mme/');
    } finally {
      h.cleanup();
    }
  });
});

describe('hints on the demo harness', () => {
  it('name a task and a model the demo has, not mme or hf', async () => {
    // 80 columns: the form is full width, so a wrapped note reads on when the rows are joined.
    const h = renderLaunch({ demo: true, catalog: discoveryCatalog(), spec: { harness: 'lmms-eval', model: '', tasks: [], demo: true }, columns: 80, rows: 40 });
    try {
      h.store.getState().setValue('model', '');
      const joined = (): string => {
        try {
          return h.tui.frame().replace(/[│\s]+/g, ' ');
        } catch {
          return '';
        }
      };
      await h.tui.waitFor(() => /e\.g\. demo_/.test(joined()), 20_000, 'a demo task in the hint');
      const frame = joined();
      expect(frame).toMatch(/no tasks given: give at least one task, e\.g\. demo_\w+/);
      expect(frame).toMatch(/model is empty: give a model name, e\.g\. demo/);
      expect(frame).not.toMatch(/e\.g\. mme\b/);
      expect(frame).not.toMatch(/e\.g\. hf\b/);
    } finally {
      h.cleanup();
    }
  }, 30_000);
});
