import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSettings, RECENT_LIMIT, settingsDir } from '../../src/core/settings.js';
import type { EvalSpec } from '../../src/core/spec.js';

let home: string;
const env = (): NodeJS.ProcessEnv => ({ LMMS_TUI_HOME: home });

beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'lmms-tui-settings-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const spec: EvalSpec = { harness: 'lmms-eval', model: 'llava', tasks: ['mme', 'ai2d'], limit: 0.5, env: ['HF_HOME=/c'] };

describe('settings (conf) under LMMS_TUI_HOME', () => {
  it('keeps the last spec across processes, in $LMMS_TUI_HOME/config/config.json', () => {
    const a = openSettings({ env: env() });
    expect(a.lastSpec()).toBeUndefined();
    a.setLastSpec({ ...spec, model_args: '', num_fewshot: Number.NaN });
    expect(a.path).toBe(path.join(home, 'config', 'config.json'));
    const b = openSettings({ env: env() });
    expect(b.lastSpec()).toEqual(spec); // unset '' and NaN fields are not stored
  });

  it('saves, loads, lists and deletes named presets, dots in names included', () => {
    const s = openSettings({ env: env() });
    s.savePreset('llava v1.5', spec);
    s.savePreset('  quick ', { harness: 'lm-eval', model: 'hf', tasks: ['hellaswag'] });
    const t = openSettings({ env: env() });
    expect(t.presetNames()).toEqual(['llava v1.5', 'quick']);
    expect(t.loadPreset('llava v1.5')).toEqual(spec);
    expect(t.hasPreset('quick')).toBe(true);
    expect(t.deletePreset('quick')).toBe(true);
    expect(t.deletePreset('quick')).toBe(false);
    expect(openSettings({ env: env() }).presetNames()).toEqual(['llava v1.5']);
    expect(() => t.savePreset('  ', spec)).toThrow(/needs a name/);
  });

  it('remembers recent tasks and models, most recent first, bounded', () => {
    const s = openSettings({ env: env() });
    s.addRecentTasks(['mme', 'ai2d']);
    s.addRecentTasks(['ocrbench', 'mme']);
    expect(s.recentTasks()).toEqual(['ocrbench', 'mme', 'ai2d']);
    s.addRecentTasks(Array.from({ length: 50 }, (_, i) => `t${i}`));
    expect(s.recentTasks()).toHaveLength(RECENT_LIMIT);
    expect(s.recentTasks()[0]).toBe('t0');
    s.addRecentModel('llava');
    s.addRecentModel('qwen2_5_vl');
    s.addRecentModel('llava');
    expect(openSettings({ env: env() }).recentModels()).toEqual(['llava', 'qwen2_5_vl']);
  });

  it('has UI settings with defaults, and ignores invalid stored values', () => {
    const s = openSettings({ env: env() });
    expect(s.settings()).toEqual({ clipboard: 'auto', glyphs: 'unicode' });
    s.setSetting('clipboard', 'tmux');
    expect(openSettings({ env: env() }).settings()).toEqual({ clipboard: 'tmux', glyphs: 'unicode' });
    writeFileSync(s.path, JSON.stringify({ settings: { clipboard: 'carrier-pigeon', glyphs: 'ascii' }, presets: { bad: 42, ok: spec } }));
    const t = openSettings({ env: env() });
    expect(t.settings()).toEqual({ clipboard: 'auto', glyphs: 'ascii' });
    expect(t.loadPreset('bad')).toBeUndefined();
    expect(t.loadPreset('ok')).toEqual(spec);
  });

  it('moves an unreadable file aside instead of losing it or crashing', () => {
    const dir = path.join(home, 'config');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'config.json'), '{"presets": {"x": ');
    const s = openSettings({ env: env() });
    expect(s.warning).toMatch(/unreadable.*moved to .*config\.json\.bad-/);
    const aside = readdirSync(dir).find((f) => f.startsWith('config.json.bad-'))!;
    expect(readFileSync(path.join(dir, aside), 'utf8')).toBe('{"presets": {"x": ');
    s.savePreset('fresh', spec);
    expect(openSettings({ env: env() }).presetNames()).toEqual(['fresh']);
  });

  it('falls back to a temporary dir when the config dir cannot be created', () => {
    const blocker = path.join(home, 'file');
    writeFileSync(blocker, 'not a dir');
    const s = openSettings({ dir: path.join(blocker, 'config') });
    expect(s.warning).toMatch(/cannot use .*config\.json .*kept in .*lmms-tui-settings-.* for this session only/);
    s.savePreset('p', spec);
    expect(s.loadPreset('p')).toEqual(spec);
    rmSync(path.dirname(s.path), { recursive: true, force: true });
  });

  it('defaults to the XDG config dir without LMMS_TUI_HOME', () => {
    expect(settingsDir({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/lmms-tui');
    expect(settingsDir({ LMMS_TUI_HOME: '/h' })).toBe('/h/config');
  });
});
