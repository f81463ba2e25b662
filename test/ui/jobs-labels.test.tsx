/** Job labels in the TUI jobs table: a NAME column when the width allows, else the label in the MODEL cell. */
import { afterEach, describe, expect, it } from 'vitest';
import { renderTui } from './helpers/render-tui.js';
import { fakeBackend, makeJob } from './helpers/fake-backend.js';
import { stopServices, testServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';
import { jobColumns } from '../../src/ui/screens/jobs/format.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function show(columns: number, rows: number) {
  const b = fakeBackend([
    makeJob({ id: 'a1b2c3d4', state: 'succeeded', label: 'ckpt-1000' }),
    makeJob({ id: 'e5f6a7b8', state: 'succeeded' }),
  ]);
  const ui = createUiStore({ screen: 'jobs' });
  const s = testServices(b, { ui });
  s.poller!.start();
  const r = renderTui(<App services={s} />, { columns, rows, ui });
  cleanups.push(() => {
    r.unmount();
    stopServices(s);
  });
  return r;
}

describe('labels in the jobs table', () => {
  it('columns are unchanged without labels, and narrow tables get no NAME column', () => {
    expect(jobColumns(80, false)).toEqual({ ...jobColumns(80), label: 0 });
    expect(jobColumns(80, true).label).toBe(0);
    expect(jobColumns(119, true).label).toBe(0);
    const wide = jobColumns(160, true);
    expect(wide.label).toBeGreaterThan(8);
    // The NAME column comes out of model and tasks, not out of the fixed columns.
    expect(wide.model + wide.tasks + wide.label + 1).toBe(jobColumns(160, false).model + jobColumns(160, false).tasks);
  });

  it('at 80x24 the label takes the model\'s place in its row; an unnamed job still shows its model', async () => {
    const r = show(80, 24);
    const f = await r.find('a1b2c3d4');
    expect(f).toMatch(/a1b2c3d4 ckpt-1000/);
    expect(f).toMatch(/e5f6a7b8 qwen2_vl/);
    expect(f).not.toContain('NAME');
  });

  it('at 160 columns a NAME column shows it beside the model', async () => {
    const r = show(160, 30);
    const f = await r.find('a1b2c3d4');
    expect(f).toMatch(/ID\s+NAME\s+MODEL/);
    expect(f).toMatch(/a1b2c3d4 ckpt-1000\s+qwen2_vl Qwen2-VL-2B-Instruct/);
    expect(f).toMatch(/e5f6a7b8 -\s+qwen2_vl/);
  });
});
