import { afterEach, describe, expect, it } from 'vitest';
import { renderLaunch, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

const spec = {
  harness: 'lmms-eval' as const,
  model: 'llava_onevision',
  model_args: 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov,conv_template=qwen_1_5',
  tasks: ['mme', 'mmmu_val', 'nosuch'],
  env: ['export HF_HOME=/data/hf', 'HF_TOKEN=hf_abcdef'],
  batch_size: '4',
  limit: 2.5,
  output_path: './logs',
  log_samples: true,
};

describe.each([
  [80, 24],
  [120, 40],
])('Launch screen at %ix%i (plain text)', (columns, rows) => {
  it('form and preview', async () => {
    h = renderLaunch({ columns, rows, spec });
    await h.tui.waitFor(() => h!.store.getState().tasksState === 'ready');
    const frame = await h.tui.find('Tasks not found: nosuch');
    expect(frame.split('\n').length).toBeLessThanOrEqual(rows - 1);
    expect(frame).toMatchSnapshot();
  });

  it('task picker with a group expanded', async () => {
    h = renderLaunch({ columns, rows, spec });
    await h.tui.press('t');
    await h.tui.press(...[...'mmmu']);
    await h.tui.press('Tab');
    const frame = await h.tui.find(/▾ mmmu/);
    expect(frame).toMatchSnapshot();
  });
});
