import { afterEach, describe, expect, it } from 'vitest';
import { formFields } from '../../../src/ui/screens/launch/fields.js';
import { renderLaunch, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

/** Moves the form cursor to `key` with j/k, as a user would. */
async function focusField(x: LaunchHarness, key: string): Promise<void> {
  const s = x.store.getState();
  const keys = formFields(s.spec, s.moreOpen).map((f) => f.key);
  const delta = keys.indexOf(key) - keys.indexOf(s.focus);
  for (let i = 0; i < Math.abs(delta); i++) await x.tui.press(delta > 0 ? 'j' : 'k');
  expect(x.store.getState().focus).toBe(key);
}

async function editField(x: LaunchHarness, key: string, text: string): Promise<void> {
  await focusField(x, key);
  await x.tui.press('Enter');
  await x.tui.waitFor(() => x.store.getState().editing?.key === key, 2000, `editing ${key}`);
  // One key per press: the shared TextInput reads its value from props, so a burst within one tick
  // would edit a stale value (reported to the TUI shell owner).
  await x.tui.press('C-u', ...[...text], 'Enter');
  await x.tui.waitFor(() => x.store.getState().editing === null, 2000, 'edit committed');
}

describe('launch form', () => {
  it('re-renders the exact command on every change', async () => {
    h = renderLaunch({ spec: { harness: 'lmms-eval', model: 'llava', tasks: ['mme'] } });
    await h.tui.find('--model llava');
    await editField(h, 'model_args', 'pretrained=liuhaotian/llava-v1.5-7b');
    await h.tui.find("--model_args pretrained=liuhaotian/llava-v1.5-7b");
    await editField(h, 'limit', '0.25');
    await h.tui.find('--limit 0.25');
    await focusField(h, 'log_samples');
    await h.tui.press('Space');
    await h.tui.find('--log_samples');
    await focusField(h, 'verbosity');
    await h.tui.press('Space');
    await h.tui.find('--verbosity DEBUG');
    // Clearing a field takes it out of the command again.
    await h.tui.press('x');
    await h.tui.findNo('--verbosity');
    expect(h.store.getState().spec).toEqual({ harness: 'lmms-eval', model: 'llava', tasks: ['mme'], model_args: 'pretrained=liuhaotian/llava-v1.5-7b', limit: 0.25, log_samples: true });
  });

  it('types letters into a field being edited instead of running them as keys', async () => {
    h = renderLaunch({ spec: { harness: 'lmms-eval', model: 'llava', tasks: ['mme'] } });
    await editField(h, 'output_path', 'out/qLj');
    await h.tui.find('--output_path /home/u/proj/out/qLj');
    expect(h.backend.submitted).toEqual([]);
    expect(h.store.getState().overlay).toBeNull();
  });

  it('shows validation problems under the field they concern, and the preview without them', async () => {
    h = renderLaunch({ spec: { harness: 'lmms-eval', model: 'llava', tasks: ['mme'] } });
    await editField(h, 'limit', '2.5');
    let frame = await h.tui.find('✗ limit 2.5 is neither a fraction');
    const lines = frame.split('\n');
    const at = lines.findIndex((l) => /limit\s+2\.5/.test(l));
    expect(lines[at + 1]).toContain('✗ limit 2.5 is neither');
    // The fix is part of the message, wrapped rather than cut off.
    expect(lines.slice(at + 1, at + 4).join(' ').replace(/[│\s]+/g, ' ')).toContain('use a whole count (e.g. 2) or a fraction below 1');
    expect(frame).toContain('1 problem');
    expect(frame).toContain('incomplete');
    expect(frame).not.toContain('--limit');
    // A typed non-number stays visible as typed, not as NaN.
    await editField(h, 'num_fewshot', 'five');
    frame = await h.tui.find('--num_fewshot is not a non-negative');
    expect(frame).toMatch(/num_fewshot\s+five/);
    await editField(h, 'limit', '20');
    await h.tui.find('--limit 20');
  });

  it('maps env line problems to the env field and masks secrets until r reveals them', async () => {
    h = renderLaunch({ spec: { harness: 'lmms-eval', model: 'llava', tasks: ['mme'], env: ['HF_TOKEN=hf_secret', 'BAD LINE'] } });
    let frame = await h.tui.find('line 2: "BAD LINE" is not NAME=value');
    expect(frame).toMatch(/env\s+HF_TOKEN=••••, \?\(invalid\)/);
    h.store.getState().setValue('env', ['HF_TOKEN=hf_secret']);
    frame = await h.tui.find('export HF_TOKEN=••••••');
    expect(frame).not.toContain('hf_secret');
    expect(frame).toContain('secrets masked (r)');
    await h.tui.press('r');
    await h.tui.find('export HF_TOKEN=hf_secret');
  });

  it('opens every other flag under "more", for the chosen harness only', async () => {
    h = renderLaunch({ spec: { harness: 'lmms-eval', model: 'llava', tasks: ['mme'] } });
    await focusField(h, 'more');
    await h.tui.press('Space');
    await h.tui.waitFor(() => h!.store.getState().moreOpen);
    await focusField(h, 'trust_remote_code');
    await h.tui.press('Space');
    await h.tui.find('--trust_remote_code');
    const keys = (): string[] => [...h!.tui.frame().matchAll(/^│[› ] (\w+)/gm)].map((m) => m[1]!);
    await focusField(h, 'extra_args');
    expect(keys()).not.toContain('confirm_run_unsafe_code'); // lm-eval only
    // Switching harness keeps a set flag the new harness lacks visible, with the fix under it.
    await h.tui.press('g', 'Space');
    await h.tui.find('python3 -m lm_eval run');
    await h.tui.waitFor(() => h!.store.getState().spec.harness === 'lm-eval');
    h.store.getState().setValue('max_tokens', 10);
    await focusField(h, 'max_tokens');
    await h.tui.find('lm-eval has no --max_tokens:');
  });

  it('restores the last spec from settings on the next start', async () => {
    h = renderLaunch({ spec: { harness: 'lmms-eval', model: 'llava', tasks: ['mme'] } });
    await editField(h, 'device', 'cuda:1');
    await h.tui.find('--device cuda:1');
    const settings = h.settings;
    h.tui.unmount(); // saving happens at the latest when the screen goes away
    expect(settings.lastSpec()).toEqual({ harness: 'lmms-eval', model: 'llava', tasks: ['mme'], device: 'cuda:1' });
  });
});
