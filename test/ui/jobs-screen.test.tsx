import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { renderTui, type RenderedTui } from './helpers/render-tui.js';
import { fakeBackend, makeJob, type FakeBackend } from './helpers/fake-backend.js';
import { stopServices, testServices, type TestServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';
import { FIXED_NOW } from './helpers/fake-backend.js';
import { parseClock } from '../../src/ui/screens/jobs/format.js';
import type { JobJson } from '../../src/client/types.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(opts: { columns?: number; rows?: number; lines?: string[]; raw?: string; running?: Partial<JobJson> } = {}): { r: RenderedTui; b: FakeBackend; s: TestServices; log: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tui-jobs-'));
  const log = path.join(dir, 'output.log');
  writeFileSync(log, opts.raw ?? (opts.lines ?? ['2026-11-22 10:00:01 | INFO     | lmms_eval.evaluator:evaluate - starting']).map((l) => `${l}\n`).join(''));
  const b = fakeBackend([
    makeJob({ id: 'a1b2c3d4', state: 'succeeded' }),
    makeJob({ id: 'e5f6a7b8', state: 'failed' }),
    makeJob({ id: 'deadbeef', state: 'queued' }),
    makeJob({ id: 'c0ffee00', state: 'running', log_path: log, ...opts.running }, { env: ['export MY_API_KEY=supersecretvalue123'] }),
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
  return { r, b, s, log, dir };
}

describe('Jobs screen', () => {
  it('names the processes a stopped job left running, in its row', async () => {
    const b = fakeBackend([
      makeJob({ id: 'a1b2c3d4', state: 'stopped', error: 'stopped by user', escaped: [31337, 31338] }),
      makeJob({ id: 'e5f6a7b8', state: 'stopped', error: 'stopped by user' }, {}, 2),
    ]);
    const ui = createUiStore({ screen: 'jobs' });
    const s = testServices(b, { ui });
    s.poller!.start();
    const r = renderTui(<App services={s} />, { columns: 160, rows: 30, ui });
    cleanups.push(() => {
      r.unmount();
      stopServices(s);
    });
    let f = await r.find('Output · e5f6a7b8');
    expect(f).toMatch(/a1b2c3d4 .*2 escaped · stopped/);
    expect(f).toMatch(/e5f6a7b8 .* stopped by user/);
    expect(f).not.toMatch(/e5f6a7b8 .*escaped/);
    expect(f).not.toContain('left running');
    await r.press('k'); // select the first job: its pane names the pids
    f = await r.find('Output · a1b2c3d4 · left running after stop: pid 31337,31338');
  });

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

  it('after D the cursor stays in place: on the next row, or the previous one for the last row', async () => {
    const { r, b } = setup();
    await r.find('c0ffee00');
    await r.press('g', 'j'); // e5f6a7b8, row 2 of 4
    await r.find('2/4');
    await r.press('D', 'Enter');
    await r.waitFor(() => b.calls.some((c) => c.method === 'remove' && c.arg === 'e5f6a7b8'), 3000, 'remove');
    await r.find('Jobs (3)');
    // Row 2 is now deadbeef, and the cursor is still on row 2, not on the newest job.
    expect(r.ui.getState().selectedJobId).toBe('deadbeef');
    expect(r.frame()).toContain('2/3');
    b.jobs.push(makeJob({ id: 'f1f1f1f1', state: 'failed' }, {}, 9));
    await r.find('Jobs (4)');
    await r.press('G', 'D', 'Enter');
    await r.waitFor(() => b.calls.some((c) => c.method === 'remove' && c.arg === 'f1f1f1f1'), 3000, 'remove last');
    await r.find('Jobs (3)');
    expect(r.ui.getState().selectedJobId).toBe('c0ffee00');
    expect(r.frame()).toContain('3/3');
  });

  it('writes ETA in the same format as ELAPSED, and names the phase of a bar so a new phase does not look like lost progress', async () => {
    const bar = (label: string, n: number, eta: string) => `\r${label}: ${String(n).padStart(3)}%|#####     | ${n}/100 [01:41<${eta}, 1.01it/s]`;
    const { r, log } = setup({ raw: `loading\n${bar('Model Responding', 70, '01:20')}${bar('Model Responding', 75, '01:10')}` });
    const jobRow = (f: string) => f.split('\n').find((l) => l.includes('c0ffee00') && l.includes('running'))!;
    let f = await r.find(/c0ffee00.* 75%/);
    expect(jobRow(f)).toMatch(/Model Re… [█░]+ {1,2}75%/);
    expect(jobRow(f)).toMatch(/59m19s\s+1m10s│$/);
    appendFileSync(log, `\n${bar('Postprocessing', 30, '0:02:05')}`);
    f = await r.find(/c0ffee00.* 30%/);
    expect(jobRow(f)).toMatch(/Postproc… [█░]+ {1,2}30%/);
    expect(jobRow(f)).toMatch(/59m19s\s+2m05s│$/);
    expect(parseClock('30m02s')).toBe((30 * 60 + 2) * 1000);
    expect(parseClock('1:02:03')).toBe(3723 * 1000);
    expect(parseClock('?')).toBeNull();
  });

  it("during a stop the row says stopping and counts down to SIGKILL with the server's grace", async () => {
    const first = setup({ running: { stop_requested: true, stop_requested_at: new Date(FIXED_NOW - 4000).toISOString(), stop_grace_ms: 10_000 } });
    let f = await first.r.find('stopping');
    expect(f).toMatch(/■ stopping\s+c0ffee00 .*SIGKILL in 6s/);
    expect(f).not.toMatch(/c0ffee00.*starting/);
    expect(f).not.toContain('▶ running');
    const late = setup({ columns: 80, rows: 24, running: { stop_requested: true, stop_requested_at: new Date(FIXED_NOW - 40_000).toISOString(), stop_grace_ms: 30_000 } });
    f = await late.r.find('stopping');
    expect(f).toMatch(/■ stopping\s+c0ffee00 .*SIGKILL sent/);
  });

  it('o opens a cleaned copy of the log (redraws collapsed, ANSI stripped, secrets masked), private, removed afterwards', async () => {
    const raw = "\x1b[32m2026-11-22 10:00:01\x1b[0m | INFO | args: {'token': 'hf_abcdefghijklmnopqrstuvwxyz'}\nkey supersecretvalue123\n" +
      'Responding:  10%|#  | 10/100\rResponding:  50%|## | 50/100\rResponding: 100%|###| 100/100\nfinal line\n';
    const { r, dir } = setup({ raw });
    await r.find('final line');
    // A pager that records what it was given: the text, the modes of the file and its directory, the path.
    const seen = path.join(dir, 'seen');
    const pager = path.join(dir, 'pager.sh');
    writeFileSync(pager, `#!/bin/sh\ncat "$1" > ${seen}.text\nstat -c %a "$1" > ${seen}.mode\nstat -c %a "$(dirname "$1")" > ${seen}.dirmode\necho "$1" > ${seen}.path\n`);
    chmodSync(pager, 0o755);
    const before = process.env.PAGER;
    process.env.PAGER = pager;
    try {
      await r.press('o');
      await r.waitFor(() => existsSync(`${seen}.path`), 5000, 'pager run');
    } finally {
      process.env.PAGER = before;
    }
    const text = readFileSync(`${seen}.text`, 'utf8');
    expect(text).toBe("2026-11-22 10:00:01 | INFO | args: {'token': '••••••'}\nkey ••••••\nResponding: 100%|###| 100/100\nfinal line\n");
    expect(readFileSync(`${seen}.mode`, 'utf8').trim()).toBe('600');
    expect(readFileSync(`${seen}.dirmode`, 'utf8').trim()).toBe('700');
    const copy = readFileSync(`${seen}.path`, 'utf8').trim();
    expect(copy).not.toBe(path.join(dir, 'output.log'));
    await r.waitFor(() => !existsSync(path.dirname(copy)), 3000, 'copy removed');
    // The job's own log is left as it was.
    expect(statSync(path.join(dir, 'output.log')).size).toBe(Buffer.byteLength(raw));
  });

  it('/ starts empty, Enter alone repeats the last search, and the status counts matches', async () => {
    const lines = Array.from({ length: 80 }, (_, i) => (i % 25 === 3 ? `step ${i} CUDA warning here` : i === 40 ? 'rank 1 WARN slow' : `step ${i}`));
    const { r } = setup({ lines, rows: 24, columns: 80 });
    await r.find('step 79');
    await r.press('Enter', '/', 'c', 'u', 'd', 'a', 'Enter');
    let f = await r.find('/cuda match 4/4');
    expect(f).toContain('step 78 CUDA warning here');
    // A new search replaces the old query instead of appending to it.
    await r.press('/');
    expect(r.frame()).not.toMatch(/^\/cuda/m);
    await r.press('r', 'a', 'n', 'k', ' ', '1', 'Enter');
    f = await r.find('/rank 1 match 1/1');
    expect(f).not.toContain('cudarank');
    expect(f).toContain('rank 1 WARN slow');
    // Enter alone: the last search again, to its next match.
    await r.press('/', 'c', 'u', 'd', 'a', 'Enter');
    await r.find('/cuda match 4/4');
    await r.press('/', 'Enter');
    f = await r.find('/cuda match 1/4');
    expect(f).toContain('step 3 CUDA warning here');
    await r.press('/', 'Enter');
    await r.find('/cuda match 2/4');
    await r.press('/', 'z', 'z', 'z', 'Enter');
    await r.find('not found: zzz');
    expect(r.frame()).toContain('/zzz no match');
  });

  it('a pause made while the job ran does not stick once it has finished: the end, with its outcome, is shown', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`);
    const { r, b, log } = setup({ lines });
    await r.find('line 60');
    await r.press('Enter', 'k', 'k', 'k');
    await r.find('PAUSED · 0 new');
    appendFileSync(log, 'line 61\nERROR the outcome\n');
    await r.find('PAUSED · 2 new');
    const job = b.jobs.find((j) => j.id === 'c0ffee00')!;
    Object.assign(job, { state: 'failed', ended_at: new Date(Date.parse(job.started_at!) + 60_000).toISOString(), error: 'exited with code 1' });
    const f = await r.find('ERROR the outcome');
    expect(f).not.toContain('PAUSED');
    expect(f).toMatch(/Output · c0ffee00 ─+ END ─╮/);
    // Scrolling a finished log says where the view is, not "N new".
    await r.press('k');
    await r.find(/line \d+\/62/);
  });
});

describe('Jobs screen snapshots', () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    it(`renders at ${columns}x${rows}`, async () => {
      // A live tqdm bar (an unfinished line): the table names its phase, the pane shows it as one live row.
      const raw = '2026-11-22 10:00:01 | INFO     | lmms_eval.evaluator:evaluate - starting\n2026-11-22 10:00:02 | WARNING  | lmms_eval.models:load - slow tokenizer\n' +
        '\rModel Responding:  70%|#######   | 70/100 [01:35<01:20, 1.01it/s]\rModel Responding:  75%|#######   | 75/100 [01:41<01:10, 1.01it/s]';
      const { r } = setup({ columns, rows, raw });
      await r.find('slow tokenizer');
      await r.find(/c0ffee00.* 75%/);
      await r.find('server up');
      const frame = r.frame();
      expect(frame.split('\n').length).toBeLessThanOrEqual(rows - 1);
      expect(frame).toMatchSnapshot();
    });
  }
});
