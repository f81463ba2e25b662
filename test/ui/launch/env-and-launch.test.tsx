import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RenderedTui } from '../helpers/render-tui.js';
import { renderLaunch, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

async function type(tui: RenderedTui, text: string): Promise<void> {
  await tui.press(...[...text]);
}

const ready = { harness: 'lmms-eval' as const, model: 'llava', tasks: ['mme', 'ai2d'] };

describe('env editor', () => {
  it('edits lines with per-line validation, masks secrets, and saves with Ctrl-S', async () => {
    h = renderLaunch({ spec: ready });
    await h.tui.press('v');
    await h.tui.find('Env vars');
    await type(h.tui, 'export HF_TOKEN=hf_abc');
    await h.tui.press('Enter');
    await type(h.tui, 'BAD LINE');
    let frame = await h.tui.find('"BAD LINE" is not NAME=value: write NAME=value');
    expect(frame).toContain('1 problem');
    // The secret is masked once the cursor leaves its line.
    expect(frame).toContain('export HF_TOKEN=••••••');
    await h.tui.press('C-u');
    await type(h.tui, '# cache');
    await h.tui.press('Enter');
    await type(h.tui, 'HF_HOME=${HF_HOME:-/data/hf}');
    frame = await h.tui.findNo('1 problem');
    await h.tui.press('C-s');
    frame = await h.tui.find('export HF_HOME=${HF_HOME:-/data/hf}');
    expect(frame).toContain('export HF_TOKEN=••••••');
    expect(frame).toContain('# cache');
    expect(h.store.getState().spec.env).toEqual(['export HF_TOKEN=hf_abc', '# cache', 'HF_HOME=${HF_HOME:-/data/hf}']);
  });

  it('takes a pasted block as lines, and Esc drops the edit', async () => {
    h = renderLaunch({ spec: { ...ready, env: ['A=1'] } });
    await h.tui.press('v');
    await h.tui.find('Env vars');
    await h.tui.paste('\nB=2\nC=3');
    await h.tui.find('3 lines');
    await h.tui.press('Escape');
    await h.tui.findNo('Env vars');
    expect(h.store.getState().spec.env).toEqual(['A=1']);
    await h.tui.press('v');
    await h.tui.paste('\nB=2');
    await h.tui.press('C-s');
    await h.tui.find('export B=2');
    expect(h.store.getState().spec.env).toEqual(['A=1', 'B=2']);
  });

  it('hands the lines to $EDITOR and reads them back (a real process)', async () => {
    // The "editor" appends a line and rewrites another, as a person in vi would.
    h = renderLaunch({ spec: { ...ready, env: ['A=1'] }, editor: "sed -i -e 's/^A=1$/A=2/' -e '$a export FROM_EDITOR=yes'" });
    await h.tui.press('e');
    await h.tui.find('export FROM_EDITOR=yes');
    expect(h.store.getState().spec.env).toEqual(['A=2', 'export FROM_EDITOR=yes']);
    // From inside the env editor too (Ctrl-O), keeping the editor open on the result.
    await h.tui.press('v', 'C-o');
    await h.tui.find('3 lines');
    await h.tui.press('C-s');
    await h.tui.waitFor(() => h!.store.getState().spec.env?.length === 3);
  });

  it('reports an editor that fails and keeps the lines', async () => {
    h = renderLaunch({ spec: { ...ready, env: ['A=1'] }, editor: 'false' });
    await h.tui.press('e');
    await h.tui.waitFor(() => h!.tui.ui.getState().flash?.text.includes('exited with 1') === true, 3000, 'flash');
    expect(h.store.getState().spec.env).toEqual(['A=1']);
  });
});

describe('launch', () => {
  it('asks for confirmation showing the command, submits the spec, and hands over the job id', async () => {
    h = renderLaunch({ spec: { ...ready, env: ['HF_TOKEN=hf_abc'], limit: 5 } });
    await h.tui.find('ready: L launches');
    await h.tui.press('L');
    const frame = await h.tui.find('Enter/y Launch');
    expect(frame).toContain('Launch this job?');
    expect(frame).toContain('python3 -m lmms_eval');
    expect(frame).toContain('--tasks mme,ai2d');
    expect(frame).toContain('export HF_TOKEN=••••••');
    expect(frame).not.toContain('hf_abc');
    await h.tui.press('y');
    await h.tui.waitFor(() => h!.launched.length === 1, 3000, 'onLaunched');
    expect(h.launched).toEqual(['job1']);
    expect(h.backend.submitted).toEqual([{ ...ready, env: ['HF_TOKEN=hf_abc'], limit: 5 }]);
    expect(h.settings.recentTasks()).toEqual(['mme', 'ai2d']);
    expect(h.settings.recentModels()).toEqual(['llava']);
  });

  it('cancels with Esc and submits nothing', async () => {
    h = renderLaunch({ spec: ready });
    await h.tui.press('L');
    await h.tui.find('Enter/y Launch');
    await h.tui.press('Escape');
    await h.tui.find('ready: L launches');
    expect(h.backend.submitted).toEqual([]);
  });

  it('refuses to launch an invalid spec and points at the problem', async () => {
    h = renderLaunch({ spec: { ...ready, tasks: [] } });
    await h.tui.press('L');
    await h.tui.waitFor(() => h!.tui.ui.getState().flash?.text.startsWith('cannot launch: 1 problem') === true, 3000, 'flash');
    expect(h.store.getState().focus).toBe('tasks');
    expect(h.tui.ui.getState().confirm).toBeNull();
    expect(h.backend.submitted).toEqual([]);
  });

  it('warns about unknown task names in the confirmation', async () => {
    h = renderLaunch({ spec: { ...ready, tasks: ['mme', 'nosuch'] } });
    await h.tui.find('Tasks not found: nosuch');
    await h.tui.press('L');
    await h.tui.find('! Tasks not found: nosuch');
  });

  it('shows the problems the server answers with under their fields', async () => {
    h = renderLaunch({ spec: ready });
    h.backend.refuse = [{ field: 'model', message: 'model llava is not installed on the server', fix: 'pick another model' }];
    await h.tui.press('L', 'y');
    await h.tui.find('✗ model llava is not installed');
    expect(h.tui.ui.getState().error?.title).toBe('the server refused the spec');
    expect(h.launched).toEqual([]);
  });

  it('launches on the demo harness in demo mode', async () => {
    h = renderLaunch({ demo: true, spec: { harness: 'lmms-eval', model: 'demo', tasks: ['mme'] } });
    let frame = await h.tui.find('demo harness (simulated)');
    expect(frame).toContain('export PYTHONPATH=/opt/lmms-tui/demo/harness');
    await h.tui.press('L');
    frame = await h.tui.find('Launch (demo harness: simulated)');
    await h.tui.press('Enter');
    await h.tui.waitFor(() => h!.backend.submitted.length === 1);
    expect(h.backend.submitted[0]!.demo).toBe(true);
  });
});

describe('presets and --config YAML from the form', () => {
  it('saves, loads and deletes named presets', async () => {
    h = renderLaunch({ spec: { ...ready, limit: 10 } });
    await h.tui.press('s');
    await h.tui.find('Save preset');
    await type(h.tui, 'llava quick');
    await h.tui.press('Enter');
    await h.tui.waitFor(() => h!.settings.hasPreset('llava quick'));
    // Reset the form (confirmed), then load the preset back.
    await h.tui.press('N');
    await h.tui.find('Reset the form?');
    await h.tui.press('y');
    await h.tui.waitFor(() => h!.store.getState().spec.model === '');
    await h.tui.press('o');
    await h.tui.find('llava quick');
    await h.tui.find('tasks: mme, ai2d');
    await h.tui.press('Enter');
    await h.tui.find('--limit 10');
    expect(h.store.getState().spec).toEqual({ ...ready, limit: 10 });
    // Saving under an existing name asks first.
    await h.tui.press('s');
    await type(h.tui, 'llava quick');
    await h.tui.press('Enter');
    await h.tui.find('Replace preset "llava quick"?');
    await h.tui.press('n');
    await h.tui.press('o');
    await h.tui.find('1 saved');
    await h.tui.press('C-x');
    await h.tui.find('Delete preset "llava quick"?');
    await h.tui.press('y');
    await h.tui.waitFor(() => !h!.settings.hasPreset('llava quick'));
  });

  it('writes the form as a --config YAML and imports one back', async () => {
    h = renderLaunch({ spec: { ...ready, seed: '7', env: ['HF_HOME=/data/hf'] } });
    await h.tui.press('w');
    await h.tui.find('Export --config YAML');
    await h.tui.press('C-u');
    await type(h.tui, `${h.dir}/run.yaml`);
    await h.tui.press('Enter');
    await h.tui.findNo('Export --config YAML');
    const text = readFileSync(`${h.dir}/run.yaml`, 'utf8');
    expect(text).toContain('- model: llava');
    expect(text).toContain('seed:\n    - 7');
    h.store.getState().setSpec({ harness: 'lmms-eval', model: 'other', tasks: ['x'] });
    await h.tui.find('--model other');
    await h.tui.press('i');
    await type(h.tui, `${h.dir}/missing.yaml`);
    await h.tui.press('Enter');
    await h.tui.find('cannot read');
    await h.tui.press('C-u');
    await type(h.tui, `${h.dir}/run.yaml`);
    await h.tui.press('Enter');
    await h.tui.find('--model llava');
    expect(h.store.getState().spec).toEqual({ ...ready, seed: '7,7,7,7', env: ['HF_HOME=/data/hf'] });
  });
});
