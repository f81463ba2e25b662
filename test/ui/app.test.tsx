import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderTui, type RenderedTui } from './helpers/render-tui.js';
import { fakeBackend, makeJob } from './helpers/fake-backend.js';
import { stopServices, testServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore, type Screen } from '../../src/state/ui.js';
import { createTheme, type Theme } from '../../src/ui/theme/index.js';
import { quitSummary } from '../../src/state/jobs.js';

beforeAll(() => {
  // The Launch screen keeps settings under LMMS_TUI_HOME; never touch the real config.
  process.env.LMMS_TUI_HOME = mkdtempSync(path.join(tmpdir(), 'tui-app-'));
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(opts: { columns?: number; rows?: number; screen?: Screen; theme?: Theme } = {}): RenderedTui {
  const b = fakeBackend([makeJob({ id: 'a1b2c3d4', state: 'succeeded' }), makeJob({ id: 'c0ffee00', state: 'running' }), makeJob({ id: 'deadbeef', state: 'queued' })]);
  const ui = createUiStore({ screen: opts.screen ?? 'jobs' });
  const s = testServices(b, { ui });
  s.poller!.start();
  const r = renderTui(<App services={s} />, { columns: opts.columns ?? 120, rows: opts.rows ?? 40, ui, theme: opts.theme });
  cleanups.push(() => {
    r.unmount();
    stopServices(s);
  });
  return r;
}

describe('shell', () => {
  it('has a one-line header with harness, host, GPU pool, server state and counts, and says SIMULATED in demo', async () => {
    const r = setup();
    const header = (await r.find('server up')).split('\n')[0]!;
    expect(header).toContain('SIMULATED (demo)');
    expect(header).toContain('@gpu-box');
    expect(header).toContain('GPUs 3/4 free');
    expect(header).toContain('1 running, 1 queued');
    expect(header).toMatch(/harness/);
  });

  it('switches screens with 1-3 and panes with Tab / Shift-Tab', async () => {
    const r = setup();
    await r.find('Jobs (3)');
    await r.press('3');
    await r.find('Results ·');
    expect(r.ui.getState().screen).toBe('results');
    await r.press('2');
    await r.find('› Jobs (3)');
    await r.press('Tab');
    await r.find('› Output');
    expect(r.ui.getState().pane).toBe('log');
    await r.press('Tab');
    expect(r.ui.getState().screen).toBe('results');
    await r.press('S-Tab', 'S-Tab');
    expect(r.ui.getState()).toMatchObject({ screen: 'jobs', pane: 'table' });
  });

  it('opens a help overlay generated from the keymap, filters it, and closes it with Esc', async () => {
    const r = setup();
    await r.find('Jobs (3)');
    await r.press('?');
    let f = await r.find('Help');
    expect(f).toContain('Everywhere');
    expect(f).toMatch(/\?\s+help: every key/);
    await r.press('/', 's', 'i', 'g', 'k', 'i', 'l', 'l', 'Enter');
    f = await r.find('filter: sigkill');
    expect(f).toContain('stop the job (SIGTERM, then SIGKILL)');
    expect(f).not.toContain('help: every key');
    await r.press('Escape');
    await r.findNo('filter: sigkill');
    expect(r.ui.getState().overlay).toBeNull();
  });

  it('q asks to quit; Esc never does', async () => {
    const r = setup();
    await r.find('Jobs (3)');
    await r.press('Escape', 'Escape', 'Enter', 'Escape', 'Escape');
    expect(r.ui.getState().quitRequested).toBe(false);
    await r.press('q');
    await r.waitFor(() => r.ui.getState().quitRequested, 2000, 'quit');
  });

  it('needs a second Ctrl-C within 2 s to quit; the first closes an overlay and says so', async () => {
    const r = setup();
    await r.find('Jobs (3)');
    await r.press('?');
    await r.find('Help');
    await r.press('C-c');
    await r.findNo('Help');
    await r.find('press Ctrl-C again to quit');
    expect(r.ui.getState().quitRequested).toBe(false);
    await r.press('C-c');
    await r.waitFor(() => r.ui.getState().quitRequested, 2000, 'quit');
  });

  it('never runs pasted text as keys', async () => {
    const r = setup();
    await r.find('Jobs (3)');
    await r.paste('q3?S');
    await r.find('paste ignored');
    expect(r.ui.getState()).toMatchObject({ quitRequested: false, screen: 'jobs', overlay: null, confirm: null });
  });

  it('prints a clear message below 80x24 and reflows when resized', async () => {
    const r = setup({ columns: 70, rows: 20 });
    await r.find('terminal too small (need 80x24, have 70x20)');
    await r.resize(100, 30);
    let f = await r.find('Jobs (3)');
    expect(f.split('\n').length).toBeLessThanOrEqual(29);
    expect(f.split('\n')[1]!.length).toBe(100);
    await r.resize(80, 24);
    f = await r.find(/^╭.{78}╮$/m);
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
  });

  it('never draws more rows than rows - 1, on every screen and size', async () => {
    for (const [columns, rows] of [[80, 24], [100, 30], [160, 50]] as const) {
      for (const screen of ['launch', 'jobs', 'results'] as const) {
        const r = setup({ columns, rows, screen });
        await r.find('server up');
        // frame() throws when the frame is taller than rows - 1.
        expect(r.frame().split('\n').length).toBeLessThanOrEqual(rows - 1);
        cleanups.pop()!();
      }
    }
  });

  it('falls back to ASCII glyphs and borders', async () => {
    const r = setup({ theme: createTheme({ colorMode: 'none', glyphMode: 'ascii' }) });
    const f = await r.find('+ succeeded');
    expect(f).toContain('> running');
    expect(f).toContain('. queued');
    expect(f).toMatch(/^\+- > Jobs \(3\) -+/m);
    expect(f).not.toMatch(/[╭│✓▶]/);
  });
});

describe('theme and summary', () => {
  it('respects NO_COLOR, picks 256 colours when the terminal says so, and ASCII without a UTF-8 locale', () => {
    expect(createTheme({ env: { NO_COLOR: '1', TERM: 'xterm-256color' } }).color('error')).toBeUndefined();
    expect(createTheme({ env: { TERM: 'xterm-256color', LANG: 'en_US.UTF-8' } }).color('error')).toMatch(/^ansi256/);
    expect(createTheme({ env: { TERM: 'screen' } }).color('error')).toBe('red');
    expect(createTheme({ env: { LANG: 'C' } }).glyphMode).toBe('ascii');
    expect(createTheme({ env: { LANG: 'C.UTF-8' } }).glyphMode).toBe('unicode');
    expect(createTheme({ env: { LANG: 'C.UTF-8' }, glyphSetting: 'ascii' }).glyphMode).toBe('ascii');
  });

  it('summarises what keeps running after quitting', () => {
    const jobs = [makeJob({ id: 'a', state: 'running' }), makeJob({ id: 'b', state: 'running' }), makeJob({ id: 'c', state: 'queued' }), makeJob({ id: 'd', state: 'failed' })];
    expect(quitSummary(jobs)).toBe('2 running, 1 queued: lmms-tui jobs');
    expect(quitSummary(jobs.slice(3))).toBe('no jobs running');
  });
});
