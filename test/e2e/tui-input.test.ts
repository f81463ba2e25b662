/**
 * Input a new user throws at the real TUI in a real tmux: colour codes typed or pasted (from `less -R`,
 * `tmux capture-pane -e`), on every screen, with and without bracketed paste; and pastes far larger than
 * any field takes. The TUI must stay up, keep the text without its escapes, refuse what is too large with
 * a message, and answer the next key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliEntry, hasTmux, ROOT, Tmux, until } from './tmux.js';

const TMUX = hasTmux();
if (!TMUX) console.warn('test/e2e/tui-input.test.ts: tmux is not installed; skipping (apt-get install tmux)');

describe.skipIf(!TMUX)('lmms-tui input in tmux', () => {
  let home = '';
  let entry = '';
  let env: Record<string, string> = {};
  const sessions: Tmux[] = [];

  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'lmms-tui-e2e-input-'));
    entry = cliEntry().entry;
    env = { LMMS_TUI_HOME: home, LANG: 'C.UTF-8', TERM: 'screen-256color', PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? home };
  }, 120_000);

  afterAll(() => {
    for (const t of sessions) t.kill();
    spawnSync(process.execPath, [entry, 'server', 'stop'], { env: { ...process.env, ...env }, cwd: ROOT });
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  const open = async (columns: number, rows: number): Promise<Tmux> => {
    const t = new Tmux(columns, rows);
    sessions.push(t);
    t.start(Tmux.command([process.execPath, entry, '--demo'], env));
    await t.waitFor('server up', 20_000);
    return t;
  };

  /** Focuses model_args (the fifth row) and opens it for editing. */
  const editModelArgs = async (t: Tmux): Promise<void> => {
    t.keys('g');
    t.keys('j', 'j', 'j', 'j');
    await t.waitFor(/›\s+model_args/);
    t.keys('Enter');
    // The last spec comes back on start (an earlier test's value too): start from an empty field.
    t.keys('C-u');
  };

  it('survives colour codes typed on every screen and keeps a coloured paste as plain text', async () => {
    const t = await open(120, 40);
    for (const screen of ['1', '2', '3']) {
      t.keys(screen);
      t.type('\x1b[31m');
      t.type('\x1b[38;5;196m\x1b[0m\x1b]8;;http://x/\x07');
    }
    t.keys('2');
    await t.waitFor(/› Jobs/);
    t.keys('1');
    expect(t.exitStatus()).toBeNull();

    // Bracketed: the text is kept, its escapes stripped.
    await editModelArgs(t);
    t.paste('\x1b[32mpretrained=org/red\x1b[0m');
    t.keys('Enter');
    await t.waitFor('--model_args pretrained=org/red');
    // Unbracketed (a terminal that does not bracket, or send-keys): the same.
    await editModelArgs(t);
    t.paste('\x1b[1;34mpretrained=org/blue\x1b[0m', false);
    t.keys('Enter');
    await t.waitFor('--model_args pretrained=org/blue');
    expect(t.exitStatus()).toBeNull();
  }, 90_000);

  it('refuses a 1 MiB paste with a message, answers the next key at once, and does not save it', async () => {
    const t = await open(120, 40);
    await editModelArgs(t);
    t.paste('m'.repeat(1024 * 1024));
    await t.waitFor('model_args: 1,048,576-character paste refused (limit 64 KiB)', 20_000);
    t.type('pretrained=small');
    t.keys('Enter');
    await t.waitFor('--model_args pretrained=small', 10_000);
    // Unbracketed, in the reads a pty delivers: refused the same way, and the TUI still answers keys.
    await editModelArgs(t);
    t.paste('u'.repeat(100 * 1024), false);
    await t.waitFor('model_args: 102,400-character paste refused (limit 64 KiB)', 20_000);
    t.keys('Escape');
    await t.waitFor(/Enter edit/);
    t.keys('q');
    await t.waitFor(/EXIT=\d+/, 10_000);
    const saved = readFileSync(path.join(home, 'config', 'config.json'), 'utf8');
    expect(saved).toContain('pretrained=small');
    expect(saved.length).toBeLessThan(64 * 1024);
  }, 90_000);

  it('at 80x24: y copies the preview, the confirmation scrolls to every flag, and job.sh is the copy with the id and GPU filled in', async () => {
    const t = await open(80, 24);
    t.acceptClipboard();
    t.keys('t');
    await t.waitFor('─ › Tasks ─');
    t.type('demo_mme');
    await t.waitFor(/demo_mme\s+task/);
    t.keys('Space');
    await t.waitFor('1 selected');
    t.keys('Enter');
    await t.waitFor(/tasks\s+demo_mme/);
    // batch_size and limit (rows 8 and 9), and model_args (row 5), so the command is taller than the dialog.
    const edit = async (row: number, text: string, shown: RegExp): Promise<void> => {
      t.keys('g');
      for (let i = 1; i < row; i++) t.keys('j');
      t.keys('Enter');
      t.keys('C-u');
      t.type(text);
      t.keys('Enter');
      await t.waitFor(shown);
    };
    await edit(5, 'pretrained=org/some-model-name,device_map=auto', /model_args\s+pretrained=org/);
    await edit(8, '2', /batch_size\s+2/);
    await edit(9, '3', /limit\s+3/);
    t.keys('v');
    await t.waitFor('─ › Env vars ─');
    t.paste('A=1\nB=2\nC=3\nD=4\nE=5\nF=6\nG=7');
    await t.waitFor('7 lines');
    t.keys('C-s');
    await t.waitFor(/env\s+A, B/);
    t.keys('y');
    await t.waitFor('the command: sent to the clipboard', 10_000);
    const copied = t.readClipboard();
    expect(copied).toContain('--output_path ');
    expect(copied).toContain('/jobs/<job-id>/results');
    t.keys('Escape');
    // Esc and L in one read would be Alt-L: wait for the copy panel to close first.
    await t.waitFor((s) => !s.includes('sent to the clipboard'));

    t.keys('L');
    let screen = await t.waitFor('Enter/y Launch');
    expect(screen).toMatch(/more lines?: j\/k or ↓\/↑ scroll/);
    for (let i = 0; i < 20 && !/--limit 3/.test(screen); i++) {
      t.keys('j');
      screen = await t.waitFor((s) => s !== screen || /--limit 3/.test(s), 5000);
    }
    expect(screen).toContain('--limit 3');
    expect(screen).toContain('--batch_size 2');
    t.keys('Enter');
    screen = await t.waitFor(/running\s+([0-9a-f]{8})/, 20_000);
    const id = /running\s+([0-9a-f]{8})/.exec(screen)![1]!;
    const jobSh = readFileSync(path.join(home, 'jobs', id, 'job.sh'), 'utf8');
    const gpus = /CUDA_VISIBLE_DEVICES=([0-9,]*) \(set by lmms-tui\)/.exec(jobSh)?.[1];
    expect(gpus).toBeDefined();
    expect(copied.replace('<job-id>', id).replace(/<1 of [0-9,]+>/, gpus!)).toBe(jobSh);
    t.keys('S');
    await t.waitFor('Stop job');
    t.keys('Enter');
    await t.waitFor(/stopped|succeeded|failed/, 20_000);
  }, 120_000);
});
