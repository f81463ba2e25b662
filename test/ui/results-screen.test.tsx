import { afterEach, describe, expect, it } from 'vitest';
import { renderTui, type RenderedTui } from './helpers/render-tui.js';
import { fakeBackend, makeJob, type FakeBackend } from './helpers/fake-backend.js';
import { stopServices, testServices, type TestServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';
import { describeJob } from '../../src/cli/commands/show.js';
import type { JobJson } from '../../src/client/types.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(columns = 120, rows = 40): { r: RenderedTui; b: FakeBackend; s: TestServices } {
  const b = fakeBackend([
    makeJob({ id: 'a1b2c3d4', state: 'succeeded' }),
    makeJob({ id: 'e5f6a7b8', state: 'failed', error: 'exited 0 but logged an error: Error during evaluation: CUDA OOM' }),
    makeJob({ id: 'c0ffee00', state: 'running' }),
    makeJob({ id: '5707e0d0', state: 'stopped', exit_code: null, signal: 'SIGTERM', error: 'stopped by user (SIGTERM)' }),
    makeJob({ id: '9a9a9a9a', state: 'succeeded' }, { tasks: ['pope', 'mmbench'], limit: 8, model_args: 'pretrained=liuhaotian/llava-v1.5-7b,api_key=sk-abcdefghijklmnopqrstuvwxyz0123' }),
  ]);
  b.logs['5707e0d0'] = ['2026-11-22 10:02:00 | INFO     | lmms_eval.evaluator:evaluate - Model Responding', 'Model Responding:  41%|####      | 41/100 [00:40<00:58, 1.01it/s]', 'Terminated'];
  b.results['5707e0d0'] = { files: [], metrics: [], error: 'stopped by user (SIGTERM)', error_tail: [], unreadable: [] };
  b.results['9a9a9a9a'] = {
    files: ['/state/jobs/9a9a9a9a/results/x_results.json'],
    metrics: [
      { task: 'pope', metric: 'pope_accuracy', filter: 'none', value: 0.8, stderr: 0.2, n_samples: 8, depth: 0, group: false },
      { task: 'pope', metric: 'pope_precision', filter: 'none', value: 1, stderr: 0, n_samples: 8, depth: 0, group: false },
      { task: 'mmbench', metric: 'gpt_eval_score', filter: 'none', value: 0.6125, stderr: 0.0214, n_samples: null, depth: 0, group: true },
      { task: 'mmbench_en_dev', metric: 'gpt_eval_score', filter: 'none', value: 0.6125, stderr: 0.0214, n_samples: 8, depth: 1, group: false },
      { task: 'mmbench_cn', metric: '', filter: 'none', value: null, stderr: null, n_samples: null, depth: 1, group: true },
      { task: 'mmbench_cn_cc', metric: 'gpt_eval_score', filter: 'none', value: 0.5, stderr: null, n_samples: 8, depth: 2, group: false },
    ],
    error: null,
    error_tail: [],
    unreadable: [],
    limit: 8,
    eval_seconds: 106.52,
  };
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
    expect(f).toMatch(/mme\s+mme_perception_score\s+1487\.2500\s+-\s+2374/);
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
    await r.find('Results · 5707e0d0');
    await r.press(']');
    await r.find('Results · 9a9a9a9a');
    await r.press(']');
    await r.find('no later finished job');
    await r.press('[', '[');
    await r.find('Results · e5f6a7b8');
    await r.press('[');
    await r.find('Results · a1b2c3d4');
  });

  it('says what the judge found when a run exited 0 but logged an error', async () => {
    const { r } = setup();
    r.ui.getState().selectJob('e5f6a7b8');
    const f = await r.find('no metrics:');
    expect(f).toContain('no metrics: the run exited 0, but its log has an error');
    expect(f).not.toContain('did not finish');
  });

  it("shows a stopped job's reason and the last lines of its log", async () => {
    const { r, b } = setup();
    r.ui.getState().selectJob('5707e0d0');
    const f = await r.find('Terminated');
    expect(f).toContain('reason: stopped by user (SIGTERM)');
    expect(f).toContain('no metrics: stopped before it wrote results (ended by SIGTERM)');
    expect(f).toContain('Model Responding:  41%');
    expect(b.calls).toContainEqual({ method: 'logTail', arg: '5707e0d0' });
  });

  it('writes every score with 4 decimals, aligned, indents group members under their group, and flags --limit', async () => {
    const { r } = setup();
    r.ui.getState().selectJob('9a9a9a9a');
    const f = await r.find('pope_precision');
    // A row by its task (as the first word) or by its metric.
    const row = (name: string) => f.split('\n').find((l) => l.replace(/^│ */, '').startsWith(name) || l.includes(` ${name} `))!;
    // 1 and 0 are scores too: same decimals as 0.8 ± 0.2, so the columns line up.
    expect(row('pope_accuracy')).toMatch(/0\.8000\s+± 0\.2000\s+8│$/);
    expect(row('pope_precision')).toMatch(/1\.0000\s+± 0\.0000\s+8│$/);
    expect(row('pope_precision').indexOf('1.0000')).toBe(row('pope_accuracy').indexOf('0.8000') + 0);
    // The group's aggregate first, its members one level deeper, a nested group's members deeper still.
    expect(row('mmbench ')).toMatch(/│mmbench\s+gpt_eval_score\s+0\.6125\s+± 0\.0214\s+-│$/);
    expect(row('mmbench_en_dev')).toMatch(/│  mmbench_en_dev\s+gpt_eval_score/);
    expect(row('mmbench_cn ')).toMatch(/│  mmbench_cn\s+\(group\)\s+│$/);
    expect(row('mmbench_cn_cc')).toMatch(/│    mmbench_cn_cc\s+gpt_eval_score\s+0\.5000\s+-\s+8│$/);
    expect(f).toContain('--limit 8: only the first 8 documents of each task were evaluated; not a real score');
    expect(f).toContain('ran 2m04s (evaluation 1m46s)');
    // model_args are shown, with secrets masked by the core rule.
    expect(f).toContain('model_args: pretrained=liuhaotian/llava-v1.5-7b,api_key=••••••');
    expect(f).not.toContain('sk-abcdefghij');
  });

  it('formats values exactly as `lmms-tui show` does', async () => {
    const { r, b } = setup();
    r.ui.getState().selectJob('9a9a9a9a');
    const f = await r.find('pope_precision');
    const shown = describeJob(b.jobs.find((j) => j.id === '9a9a9a9a') as JobJson, b.results['9a9a9a9a']!, Date.parse('2026-11-22T11:00:00Z'));
    for (const [task, metric, value, stderr] of [['pope', 'pope_precision', '1.0000', '± 0.0000'], ['mmbench_en_dev', 'gpt_eval_score', '0.6125', '± 0.0214']] as const) {
      expect(shown).toMatch(new RegExp(`${task}\\s+${metric}\\s+none\\s+${value.replace('.', '\\.')}\\s+${stderr.replace('.', '\\.')}`));
      expect(f).toMatch(new RegExp(`${task}\\s+${metric}\\s+${value.replace('.', '\\.')}\\s+${stderr.replace('.', '\\.')}`));
    }
    // A group's members are indented in show too.
    expect(shown).toMatch(/\n {4}mmbench_en_dev /);
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
