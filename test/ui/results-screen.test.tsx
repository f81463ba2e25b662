import { afterEach, describe, expect, it } from 'vitest';
import { renderTui, type RenderedTui } from './helpers/render-tui.js';
import { fakeBackend, makeJob, type FakeBackend } from './helpers/fake-backend.js';
import { stopServices, testServices, type TestServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(columns = 120, rows = 40): { r: RenderedTui; b: FakeBackend; s: TestServices } {
  const b = fakeBackend([
    makeJob({ id: 'a1b2c3d4', state: 'succeeded' }),
    makeJob({ id: 'e5f6a7b8', state: 'failed', error: 'exited 0 but logged an error: Error during evaluation: CUDA OOM' }),
    makeJob({ id: 'c0ffee00', state: 'running' }),
  ]);
  b.results.a1b2c3d4 = {
    files: ['/state/jobs/a1b2c3d4/results/qwen2_vl/20261122_results.json'],
    metrics: [
      { task: 'mme', metric: 'mme_cognition_score', filter: 'none', value: 312.5, stderr: null, n_samples: 2374 },
      { task: 'mme', metric: 'mme_perception_score', filter: 'none', value: 1487.25, stderr: null, n_samples: 2374 },
      { task: 'mmmu_val', metric: 'mmmu_acc', filter: 'none', value: 0.41234, stderr: 0.0165, n_samples: 900 },
    ],
    error: null,
    error_tail: [],
    unreadable: [],
  };
  b.results.e5f6a7b8 = { files: [], metrics: [], error: 'exited 0 but logged an error', error_tail: ['Traceback (most recent call last):', 'torch.OutOfMemoryError: CUDA out of memory'], unreadable: [] };
  const ui = createUiStore({ screen: 'results', selectedJobId: 'a1b2c3d4' });
  const s = testServices(b, { ui });
  s.poller!.start();
  const r = renderTui(<App services={s} />, { columns, rows, ui });
  cleanups.push(() => {
    r.unmount();
    stopServices(s);
  });
  return { r, b, s };
}

describe('Results screen', () => {
  it('shows the metrics table of a finished job with the results path', async () => {
    const { r } = setup();
    const f = await r.find('mmmu_acc');
    expect(f).toMatch(/TASK\s+METRIC\s+VALUE\s+± STDERR\s+SAMPLES/);
    expect(f).toMatch(/mmmu_val\s+mmmu_acc\s+0\.4123\s+± 0\.0165\s+900/);
    expect(f).toMatch(/mme\s+mme_perception_score\s+1487\.25\s+-\s+2374/);
    expect(f).toContain('results: /state/jobs/a1b2c3d4/results/qwen2_vl/20261122_results.json');
  });

  it('shows a failed run\'s reason and last log lines, and steps between finished jobs with ] and [', async () => {
    const { r } = setup();
    await r.find('mmmu_acc');
    await r.press(']');
    const f = await r.find('Results · e5f6a7b8');
    expect(f).toContain('reason: exited 0 but logged an error: Error during evaluation: CUDA OOM');
    await r.find('torch.OutOfMemoryError: CUDA out of memory');
    await r.press(']');
    await r.find('no later finished job');
    await r.press('[');
    await r.find('Results · a1b2c3d4');
  });

  it('says a running job has no results yet, and copies the results path with y', async () => {
    const { r, s } = setup();
    await r.find('mmmu_acc');
    await r.press('y');
    await r.waitFor(() => s.copied.length === 1, 2000, 'copy');
    expect(s.copied[0]).toEqual({ text: '/state/jobs/a1b2c3d4/results/qwen2_vl/20261122_results.json', what: 'results path' });
    r.ui.getState().selectJob('c0ffee00');
    await r.find('results appear when it finishes');
  });

  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    it(`renders at ${columns}x${rows}`, async () => {
      const { r } = setup(columns, rows);
      await r.find('mmmu_acc');
      await r.find('server up');
      expect(r.frame()).toMatchSnapshot();
    });
  }
});
