/**
 * What a user pastes or types into the Launch screen: colour codes never crash it and are stripped from
 * the text, a value too large for its field is refused with a message naming the field, and nothing over
 * a limit is ever written to the settings file.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FIELD_LIMIT, ENV_LIMIT } from '../../../src/core/limits.js';
import { openSettings } from '../../../src/core/settings.js';
import { formFields } from '../../../src/ui/screens/launch/fields.js';
import { renderLaunch, tempHome, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

async function focusField(x: LaunchHarness, key: string): Promise<void> {
  const s = x.store.getState();
  const keys = formFields(s.spec, s.moreOpen).map((f) => f.key);
  const delta = keys.indexOf(key) - keys.indexOf(s.focus);
  for (let i = 0; i < Math.abs(delta); i++) await x.tui.press(delta > 0 ? 'j' : 'k');
}

async function startEdit(x: LaunchHarness, key: string): Promise<void> {
  await focusField(x, key);
  await x.tui.press('Enter');
  await x.tui.waitFor(() => x.store.getState().editing?.key === key, 2000, `editing ${key}`);
}

const spec = { harness: 'lmms-eval' as const, model: 'llava', tasks: ['mme'] };

describe('escape sequences in input', () => {
  it('survives colour codes typed on the form and keeps working', async () => {
    h = renderLaunch({ spec });
    await h.tui.find('--model llava');
    await h.tui.press('\x1b[31m', '\x1b[38;5;196m', '\x1b[0m', '\x1b]8;;http://x/\x07');
    await focusField(h, 'model_args');
    expect(h.store.getState().focus).toBe('model_args');
  });

  it('keeps the text of a coloured paste, without its escapes, in a field (bracketed or not)', async () => {
    h = renderLaunch({ spec });
    await startEdit(h, 'model_args');
    await h.tui.paste('\x1b[32mpretrained=org/m\x1b[0m');
    await h.tui.waitFor(() => h!.store.getState().editing?.draft === 'pretrained=org/m', 2000, 'the pasted draft');
    // Unbracketed: the escapes arrive as keys and are dropped one by one, the letters typed.
    await h.tui.press('\x1b[1;31m,x=1\x1b[0m');
    await h.tui.waitFor(() => h!.store.getState().editing?.draft === 'pretrained=org/m,x=1', 2000, 'the typed draft');
    await h.tui.press('Enter');
    await h.tui.find('--model_args pretrained=org/m,x=1');
  });
});

describe('size limits', () => {
  it('refuses a paste over the field limit with a message naming the field, and keeps the draft', async () => {
    h = renderLaunch({ spec });
    await startEdit(h, 'model_args');
    await h.tui.paste('pretrained=a');
    await h.tui.paste('x'.repeat(FIELD_LIMIT + 1));
    await h.tui.waitFor(() => h!.tui.ui.getState().flash !== null, 2000, 'a message');
    expect(h!.tui.ui.getState().flash?.text).toBe('model_args: 65,537-character paste refused (limit 64 KiB)');
    expect(h.store.getState().editing?.draft).toBe('pretrained=a');
  });

  it('takes a 1 MiB paste arriving without brackets as one refused paste, and stays responsive', async () => {
    h = renderLaunch({ spec });
    await startEdit(h, 'model_args');
    // A terminal without bracketed paste delivers it in reads of a few KiB.
    const chunk = 'y'.repeat(4096);
    for (let i = 0; i < 256; i++) await h.tui.press(chunk);
    await h.tui.waitFor(() => h!.tui.ui.getState().flash !== null, 2000, 'a message');
    expect(h.tui.ui.getState().flash?.text).toMatch(/^model_args: 1,048,576-character paste refused \(limit 64 KiB\)$/);
    expect(h.store.getState().editing!.draft).toBe('');
    await h.tui.press('C-u', 'o', 'k', 'Enter');
    await h.tui.find('--model_args ok');
  });

  it('refuses an env paste over 1 MiB in all, and takes one under it', async () => {
    h = renderLaunch({ spec });
    await h.tui.press('v');
    await h.tui.find('Env vars');
    await h.tui.paste(`A=${'z'.repeat(ENV_LIMIT)}`);
    await h.tui.waitFor(() => h!.tui.ui.getState().flash !== null, 2000, 'a message');
    expect(h!.tui.ui.getState().flash?.text).toBe('env lines: 1,048,578-character paste refused (limit 1.0 MiB)');
    await h.tui.paste(Array.from({ length: 2000 }, (_, i) => `export V${i}=${'v'.repeat(200)}`).join('\n'));
    await h.tui.find('2000 lines');
    await h.tui.press('C-s');
    await h.tui.waitFor(() => h!.store.getState().spec.env?.length === 2000, 3000, 'the env lines');
  });

  it('never writes a value over its limit to the settings file, and drops one an older file holds', async () => {
    const home = tempHome();
    try {
      const big = 'q'.repeat(FIELD_LIMIT + 10);
      home.settings.setLastSpec({ ...spec, model_args: big, limit: 5 });
      const file = readFileSync(home.settings.path, 'utf8');
      expect(file).not.toContain(big);
      expect(JSON.parse(file).lastSpec).toEqual({ ...spec, limit: 5 });
      // A file from before the limits existed.
      const old = JSON.parse(file);
      old.lastSpec.setup = big;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(home.settings.path, JSON.stringify(old));
      const again = openSettings({ dir: home.settings.path.replace(/\/config\.json$/, '') });
      expect(again.lastSpec()).toEqual({ ...spec, limit: 5 });
    } finally {
      home.cleanup();
    }
  });
});
