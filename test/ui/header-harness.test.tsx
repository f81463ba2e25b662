/**
 * The header's harness text says what is true: a git checkout on PYTHONPATH (no dist-info) is found and
 * named, not "not installed"; and the header follows the harness field of the Launch form.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { harnessLabel } from '../../src/ui/harness-label.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';
import { renderTui, type RenderedTui } from './helpers/render-tui.js';
import { fakeBackend } from './helpers/fake-backend.js';
import { stopServices, testServices } from './helpers/services.js';

const dirs: string[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
beforeAll(() => {
  process.env.LMMS_TUI_HOME = mkdtempSync(path.join(tmpdir(), 'tui-header-'));
  dirs.push(process.env.LMMS_TUI_HOME);
  return () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
});

describe('harness label (real python3)', () => {
  it('names a checkout on PYTHONPATH with no dist-info, and says not installed when it is absent', async () => {
    const checkout = mkdtempSync(path.join(tmpdir(), 'lmms-eval-git-'));
    dirs.push(checkout);
    mkdirSync(path.join(checkout, 'lmms_eval'));
    writeFileSync(path.join(checkout, 'lmms_eval', '__init__.py'), '');
    const env = { ...process.env, PYTHONPATH: checkout };
    expect(await harnessLabel({ demo: false, harness: 'lmms-eval', env })).toBe(`lmms-eval (checkout at ${path.join(checkout, 'lmms_eval')}, python3)`);
    // The same checkout has no lm_eval (and this machine's python3 has none installed).
    expect(await harnessLabel({ demo: false, harness: 'lm-eval', env })).toBe('lm-eval not installed (python3)');
  }, 30_000);
});

describe('header follows the harness field', () => {
  it('switches the header to lm-eval when the form does', async () => {
    const b = fakeBackend([]);
    const ui = createUiStore({ screen: 'launch' });
    const s = testServices(b, { ui });
    s.jobs.getState().setHarness('lmms-eval 0.7.2+demo (demo)');
    s.poller!.start();
    const r: RenderedTui = renderTui(<App services={s} />, { columns: 120, rows: 40, ui });
    cleanups.push(() => {
      r.unmount();
      stopServices(s);
    });
    await r.find('lmms-eval 0.7.2+demo (demo)');
    // The harness row is the first; Space cycles its choice.
    await r.find(/›\s*harness/);
    await r.press('Space');
    await r.find(/harness\s+lm-eval/);
    const header = (await r.find('lm-eval 0.4.13+demo (demo)')).split('\n')[0]!;
    expect(header).toContain('lm-eval 0.4.13+demo (demo)');
  });
});
