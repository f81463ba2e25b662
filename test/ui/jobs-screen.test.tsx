import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { renderTui, type RenderedTui } from './helpers/render-tui.js';
import { fakeBackend, makeJob, type FakeBackend } from './helpers/fake-backend.js';
import { stopServices, testServices, type TestServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(opts: { columns?: number; rows?: number; lines?: string[] } = {}): { r: RenderedTui; b: FakeBackend; s: TestServices; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tui-jobs-'));
  const log = path.join(dir, 'output.log');
  writeFileSync(log, (opts.lines ?? ['2026-11-22 10:00:01 | INFO     | lmms_eval.evaluator:evaluate - starting']).map((l) => `${l}\n`).join(''));
  const b = fakeBackend([
    makeJob({ id: 'a1b2c3d4', state: 'succeeded' }),
    makeJob({ id: 'e5f6a7b8', state: 'failed' }),
    makeJob({ id: 'deadbeef', state: 'queued' }),
    makeJob({ id: 'c0ffee00', state: 'running', log_path: log }, { env: ['export MY_API_KEY=supersecretvalue123'] }),
  ]);
  const ui = createUiStore({ screen: 'jobs' });
  const s = testServices(b, { ui });
  s.poller!.start();
  const r = renderTui(<App services={s} />, { columns: opts.columns ?? 120, rows: opts.rows ?? 40, ui });
  cleanups.push(() => {
    r.unmount();
    stopServices(s);
    rmSync(dir, { recursive: true, force: true });
  });
  return { r, b, s, log };
}

describe('Jobs screen', () => {
  it('shows every job with state glyph and word, progress, and follows the newest job by default', async () => {
    const { r } = setup();
    const f = await r.find('c0ffee00');
    expect(f).toMatch(/✓ succeeded\s+a1b2c3d4/);
    expect(f).toMatch(/✗ failed\s+e5f6a7b8/);
    expect(f).toMatch(/◷ queued\s+deadbeef .*#1 in queue/);
    expect(f).toMatch(/▶ running\s+c0ffee00/);
    await r.find('Output · c0ffee00');
    await r.find('starting');
    expect(r.frame()).toContain('FOLLOW');
  });

  it('pauses when scrolled up, counts new lines, and resumes with G', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`);
    const { r, log } = setup({ lines });
    await r.find('line 60');
    await r.press('Enter'); // focus the output pane
    await r.press('k', 'k', 'k');
    await r.find('PAUSED · 0 new');
    expect(r.frame()).not.toContain('line 60');
    appendFileSync(log, 'line 61\nline 62\nline 63\n');
    await r.find('PAUSED · 3 new');
    expect(r.frame()).not.toContain('line 63');
    await r.press('G');
    await r.find('line 63');
    expect(r.frame()).toContain('FOLLOW');
  });

  it('searches with / and moves between matches with n / N', async () => {
    const lines = Array.from({ length: 80 }, (_, i) => (i % 25 === 3 ? `step ${i} CUDA warning here` : `step ${i}`));
    const { r } = setup({ lines, rows: 24, columns: 80 });
    await r.find('step 79');
    await r.press('Enter', '/', 'c', 'u', 'd', 'a', 'Enter');
    let f = await r.find('/cuda');
    expect(f).toContain('step 78 CUDA warning here');
    await r.press('N');
    f = await r.find('step 53 CUDA warning here');
    expect(f).toContain('PAUSED');
    await r.press('n');
    await r.find('step 78 CUDA warning here');
  });

  it('wraps long lines on w and cuts them to the pane width otherwise', async () => {
    const long = `start-${'x'.repeat(150)}-end`;
    const { r } = setup({ lines: [long], rows: 24, columns: 80 });
    await r.find('start-xxx');
    expect(r.frame()).not.toContain('-end');
    await r.press('Enter', 'w');
    await r.find('-end');
    expect(r.frame()).toContain('WRAP');
  });

  it('redacts secrets: known token shapes and the job\'s secret env values', async () => {
    const { r } = setup({ lines: ["tracker args: {'token': 'hf_abcdefghijklmnopqrstuvwx'}", 'key is supersecretvalue123 ok'] });
    const f = await r.find('key is');
    expect(f).not.toContain('hf_abcdefghijklmnopqrstuvwx');
    expect(f).not.toContain('supersecretvalue123');
    expect(f).toContain('••••••');
  });

  it('collapses \\r progress redraws from a real process into one live line', async () => {
    const { r, log } = setup({ lines: ['loading model'] });
    await r.find('loading model');
    const py = spawn('python3', [
      '-c',
      `import sys\nf=open(sys.argv[1],'a')\nfor i in range(0,101,5):\n    f.write('\\rResponding: %3d%%|#    | %d/100 [00:01<00:02, 9.00it/s]' % (i, i)); f.flush()\nf.write('\\nresponses done\\n'); f.close()`,
      log,
    ]);
    await new Promise((res) => py.on('exit', res));
    const f = await r.find('responses done');
    // One line for the whole bar (its last state), not twenty-one.
    expect(f.match(/Responding:/g)?.length).toBe(1);
    expect(f).toContain('Responding: 100%');
  });

  it('stops a job only after a confirmation that names SIGTERM, SIGKILL and the grace period', async () => {
    const { r, b } = setup();
    await r.find('Output · c0ffee00');
    await r.press('S');
    let f = await r.find('Stop job c0ffee00?');
    expect(f).toMatch(/SIGTERM/);
    expect(f).toMatch(/SIGKILL after 10 s/);
    await r.press('Escape');
    await r.findNo('Stop job c0ffee00?');
    expect(b.calls.filter((c) => c.method === 'stop')).toEqual([]);
    await r.press('S');
    await r.find('Stop job c0ffee00?');
    await r.press('Enter');
    await r.waitFor(() => b.calls.some((c) => c.method === 'stop' && c.arg === 'c0ffee00'), 3000, 'stop call');
    f = await r.find('stop requested for c0ffee00');
  });

  it('shows an orphaned job (its record was lost, its process runs) with its own glyph, beside the others, and stops it', async () => {
    // What the server makes of a running job whose job.json was damaged beyond rebuilding.
    const orphan = makeJob({ id: '0badf00d', state: 'orphaned', pid: 777, gpus: [1] }, { model: '(unknown: job.json damaged)', tasks: [] }, 2);
    const b = fakeBackend([makeJob({ id: 'a1b2c3d4', state: 'succeeded' }), orphan]);
    const ui = createUiStore({ screen: 'jobs' });
    const s = testServices(b, { ui });
    s.poller!.start();
    const r = renderTui(<App services={s} />, { columns: 120, rows: 40, ui });
    cleanups.push(() => {
      r.unmount();
      stopServices(s);
    });
    const f = await r.find('0badf00d');
    expect(f).toMatch(/⚠ orphaned\s+0badf00d/);
    expect(f).toMatch(/✓ succeeded\s+a1b2c3d4/);
    await r.find('Output · 0badf00d');
    await r.press('S');
    await r.find('Stop job 0badf00d?');
    await r.press('Enter');
    await r.waitFor(() => b.calls.some((c) => c.method === 'stop' && c.arg === '0badf00d'), 3000, 'stop call');
  });

  it('cancels a queued job, retries a failed one and removes a finished one, each after confirming', async () => {
    const { r, b } = setup();
    await r.find('c0ffee00');
    await r.press('k'); // deadbeef (queued)
    await r.press('C');
    await r.find('Cancel job deadbeef?');
    await r.press('y');
    await r.waitFor(() => b.calls.some((c) => c.method === 'cancel' && c.arg === 'deadbeef'), 3000, 'cancel');
    await r.press('g', 'j'); // e5f6a7b8 (failed)
    await r.press('R');
    await r.find('Retry job e5f6a7b8?');
    await r.press('Enter');
    await r.waitFor(() => b.calls.some((c) => c.method === 'retry' && c.arg === 'e5f6a7b8'), 3000, 'retry');
    await r.press('g', 'D');
    await r.find('Remove job a1b2c3d4?');
    await r.press('n');
    await r.findNo('Remove job');
    expect(b.calls.some((c) => c.method === 'remove')).toBe(false);
    await r.press('D', 'Enter');
    await r.waitFor(() => b.calls.some((c) => c.method === 'remove' && c.arg === 'a1b2c3d4'), 3000, 'remove');
  });

  it('copies the command (secrets masked) and the log path, and opens the pager through suspend', async () => {
    const { r, s, log } = setup();
    await r.find('Output · c0ffee00');
    await r.press('y');
    await r.waitFor(() => s.copied.length === 1, 2000, 'copy');
    expect(s.copied[0]!.what).toBe('command');
    expect(s.copied[0]!.text).toContain('python3 -m lmms_eval');
    expect(s.copied[0]!.text).not.toContain('hf_abcdefghijklmnopqrstuvwxyz');
    // The copied text is also shown in full (it may have to be selected by hand), until Esc.
    const f = await r.find('command: sent to the clipboard');
    expect(f).toContain('python3 -m lmms_eval \\');
    expect(f).toContain('  --tasks mme,mmmu_val');
    await r.press('Escape');
    await r.findNo('command: sent to the clipboard');
    await r.press('Y');
    await r.waitFor(() => s.copied.length === 2, 2000, 'copy path');
    expect(s.copied[1]).toEqual({ text: log, what: 'log path' });
    process.env.PAGER = 'true';
    await r.press('o');
    await r.waitFor(() => s.suspended === 1, 2000, 'pager');
  });
});

describe('Jobs screen snapshots', () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    it(`renders at ${columns}x${rows}`, async () => {
      const { r } = setup({ columns, rows, lines: ['2026-11-22 10:00:01 | INFO     | lmms_eval.evaluator:evaluate - starting', '2026-11-22 10:00:02 | WARNING  | lmms_eval.models:load - slow tokenizer'] });
      await r.find('slow tokenizer');
      await r.find('server up');
      const frame = r.frame();
      expect(frame.split('\n').length).toBeLessThanOrEqual(rows - 1);
      expect(frame).toMatchSnapshot();
    });
  }
});
