/**
 * The Launch screen uses the terminal it has: rows the fields leave free show the focused field in full,
 * and width past what the form needs goes to the preview. The render harness checks every frame stays
 * within rows - 1 (Ink clears the whole screen on each frame once its output reaches the terminal height,
 * node_modules/ink/build/ink.js isFullscreen).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { renderLaunch, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

const longArgs = 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov,conv_template=qwen_1_5,attn_implementation=sdpa,device_map=auto';
const spec = { harness: 'lmms-eval' as const, model: 'llava_onevision', model_args: longArgs, tasks: ['mme'] };

describe('Launch layout', () => {
  it('at 120x40 shows the focused field and its whole value under the fields', async () => {
    h = renderLaunch({ spec });
    await h.tui.find('--model llava_onevision');
    for (let i = 0; i < 4; i++) await h.tui.press('j');
    const frame = await h.tui.find('model_args: k=v,… passed to the model');
    const form = frame.split('\n').map((l) => l.slice(1, 59).trimEnd());
    // The row cuts the value; the detail below has all of it, wrapped.
    expect(form.some((l) => l.includes('model_args   pretrained=') && l.endsWith('…'))).toBe(true);
    const at = form.findIndex((l) => l.startsWith('model_args: k=v'));
    const value = form.slice(at + 1).filter((l) => l.startsWith('  ')).map((l) => l.trim());
    expect(value.join('')).toBe(longArgs);
    // The whole body area (the shell adds its header and footer: 39 of 40 rows in all).
    expect(frame.split('\n').length).toBe(37);
  });

  it('at 200x60 gives the width past the form to the preview', async () => {
    // 103 columns as a preview row: wraps in a half-width (98-column) preview, fits in the wider one.
    const args = 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov,conv_template=qwen_1_5,device_map=auto';
    h = renderLaunch({ spec: { ...spec, model_args: args }, columns: 200, rows: 60 });
    const frame = await h.tui.find('--model llava_onevision');
    const top = frame.split('\n')[0]!;
    // The form pane stops at 76 columns; the preview takes the other 124, so the long flag fits on one row.
    expect(top.indexOf('╮')).toBe(75);
    expect(frame).toContain(`  --model_args ${args} \\`);
    expect(frame.split('\n').length).toBe(57);
  });
});
