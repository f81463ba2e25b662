/**
 * Files that hold specs are the owner's alone: the TUI's settings (last spec, presets) and exported
 * --config YAML are 0600 in 0700 directories, older wider modes are narrowed, and an export writes secrets
 * as ${VAR} references (or masked) unless asked to include them, saying which.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSettings } from '../../src/core/settings.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { createLaunchStore } from '../../src/state/launch.js';
import { createUiStore } from '../../src/state/ui.js';
import { exportYaml } from '../../src/ui/screens/launch/launch-actions.js';
import { cleanupHomes, cli, newHome } from '../server/helpers.js';

const HF = 'hf_PrivateFilesTokenValue123';
const PW = 'pw-private-files-secret';
const KEY = 'ak-private-files-secret';
const CLEAR = [HF, PW, KEY];
const spec: EvalSpec = {
  harness: 'lmms-eval', model: 'openai_compatible', tasks: ['mme'], python: 'python3',
  model_args: `model_version=gpt-4o,api_key=${KEY}`, env: [`HF_TOKEN=${HF}`, 'HF_HOME=/data/hf'], setup: `export MY_PASSWORD=${PW}`,
};
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmms-private-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await cleanupHomes();
});

describe('settings, presets and the last spec', () => {
  it('are written 0600 in a 0700 directory', () => {
    const s = openSettings({ env: { LMMS_TUI_HOME: dir } });
    s.setLastSpec(spec);
    s.savePreset('with secrets', spec);
    expect(mode(path.join(dir, 'config'))).toBe('700');
    expect(mode(s.path)).toBe('600');
    // Still the runnable values: the file is private, and the form must launch what the user typed.
    expect(openSettings({ env: { LMMS_TUI_HOME: dir } }).loadPreset('with secrets')).toEqual(spec);
  });

  it('narrows a config.json and directory an older version left 0644 / 0755', () => {
    const cfg = path.join(dir, 'config');
    mkdirSync(cfg, { mode: 0o755 });
    chmodSync(cfg, 0o755);
    writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ lastSpec: spec }), { mode: 0o644 });
    chmodSync(path.join(cfg, 'config.json'), 0o644);
    const s = openSettings({ env: { LMMS_TUI_HOME: dir } });
    expect(mode(cfg)).toBe('700');
    expect(mode(s.path)).toBe('600');
    expect(s.lastSpec()).toEqual(spec);
  });
});

describe('lmms-tui config export (the real CLI)', () => {
  it('writes 0600, with ${VAR} references and masked values by default, warning about each', async () => {
    const { env } = await newHome();
    const args = ['config', 'export', '--model', 'openai_compatible', '-t', 'mme', '--python', 'python3', '--model_args', spec.model_args!,
      '--env', `HF_TOKEN=${HF}`, '--setup', `export MY_PASSWORD=${PW}`, '-O', 'run.yaml'];
    const r = await cli(args, env, dir);
    expect(r.code).toBe(0);
    const file = path.join(dir, 'run.yaml');
    expect(mode(file)).toBe('600');
    const text = readFileSync(file, 'utf8');
    expect(CLEAR.filter((s) => text.includes(s))).toEqual([]);
    expect((parse(text) as Record<string, unknown>[])[0]!.env).toEqual({ HF_TOKEN: '${HF_TOKEN}' });
    expect(text).toContain('export MY_PASSWORD=${MY_PASSWORD}');
    expect(r.stderr).toMatch(/warning: env HF_TOKEN: holds a secret; written as \$\{HF_TOKEN\}.*--include-secrets/);
    expect(r.stderr).toMatch(/warning: model_args: holds a secret \(api_key\)/);
    expect(CLEAR.filter((s) => r.stdout.includes(s) || r.stderr.includes(s))).toEqual([]);

    // --include-secrets over an existing world-readable file: the values in clear, and the file narrowed first.
    chmodSync(file, 0o644);
    const clear = await cli([...args, '--include-secrets', '--force'], env, dir);
    expect(clear.code).toBe(0);
    expect(mode(file)).toBe('600');
    const all = readFileSync(file, 'utf8');
    expect(CLEAR.filter((s) => all.includes(s)).sort()).toEqual([...CLEAR].sort());
    expect(clear.stderr).toMatch(/secret HF_TOKEN written in clear/);
  });
});

describe('the TUI export (w)', () => {
  it('writes 0600 with references and says which secrets it left out', () => {
    const ui = createUiStore();
    const home = path.join(dir, 'home');
    const ctx = {
      store: createLaunchStore({ spec }), ui, settings: openSettings({ dir: path.join(home, 'config') }),
      backend: { submit: async () => ({ id: 'x', state: 'queued' as const, position: 1 }) }, onLaunched: () => undefined, cwd: dir, buildOptions: { cwd: dir },
    };
    expect(exportYaml(ctx, 'tui.yaml')).toBeNull();
    const file = path.join(dir, 'tui.yaml');
    expect(mode(file)).toBe('600');
    const text = readFileSync(file, 'utf8');
    expect(CLEAR.filter((s) => text.includes(s))).toEqual([]);
    const flash = ui.getState().flash;
    expect(flash?.kind).toBe('warning');
    expect(flash?.text).toContain('secrets not written: api_key, HF_TOKEN, MY_PASSWORD');
    expect(flash?.text).toContain('--include-secrets');
  });
});
