/**
 * `o` in a real terminal: the TUI in tmux hands the screen to the real `less`, which must show the job's
 * log as the output pane does (no `^M` from progress redraws, no `ESC[` from colours, the hub token
 * masked), and the TUI must come back when less quits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliEntry, hasTmux, ROOT, Tmux, until } from './tmux.js';

const TMUX = hasTmux() && spawnSync('less', ['--version'], { stdio: 'ignore' }).status === 0;
if (!TMUX) console.warn('test/e2e/pager.test.ts: tmux or less is not installed; skipping (apt-get install tmux less)');

describe.skipIf(!TMUX)('o: the log in $PAGER', () => {
  let home = '';
  let entry = '';
  let env: Record<string, string> = {};
  const sessions: Tmux[] = [];
  const cli = (...args: string[]) => spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: ROOT });

  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'lmms-tui-pager-'));
    mkdirSync(path.join(home, 'tmp'));
    entry = cliEntry().entry;
    // The TUI's own temp dir, so the test can see the copy go without looking at anyone else's files.
    env = { TMPDIR: path.join(home, 'tmp'), LMMS_TUI_HOME: home, LANG: 'C.UTF-8', TERM: 'screen-256color', LMMS_DEMO_PACE: '0', PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? home, PAGER: 'less' };
  });

  afterAll(() => {
    for (const t of sessions) t.kill();
    cli('server', 'stop');
    rmSync(home, { recursive: true, force: true });
  });

  it('shows a cleaned copy: redraws collapsed, no escape codes, secrets masked; the TUI is back after q', async () => {
    // lmms-eval logs the hub token in clear (`Evaluation tracker args: {… 'token': …}`); the demo does too.
    const run = cli('run', '--demo', '-t', 'demo_mme', '--env', 'HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz123', '--wait');
    expect(run.status, run.stderr).toBe(0);
    const [id] = readdirSync(path.join(home, 'jobs'));
    const raw = readFileSync(path.join(home, 'jobs', id!, 'output.log'), 'utf8');
    // What a raw `less` would have shown as ^M and ESC[…m garbage, and the token.
    expect(raw).toContain('\r');
    expect(raw).toContain('\x1b[');
    expect(raw).toContain('hf_abcdefghijklmnopqrstuvwxyz123');

    const t = new Tmux(120, 40);
    sessions.push(t);
    t.start(Tmux.command([process.execPath, entry, '--demo'], env));
    await t.waitFor('server up', 20_000);
    t.keys('2');
    await t.waitFor(new RegExp(`✓ succeeded\\s+${id}`));
    t.keys('o');
    // less starts at the end (LESS=+G): the results table; then the top, where the tracker args are.
    let screen = await t.waitFor(/\(END\)|lines \d+-\d+/, 10_000);
    const copies = () => readdirSync(env.TMPDIR!).filter((n) => n.startsWith('lmms-tui-log-'));
    expect(copies()).toHaveLength(1);
    t.keys('g');
    screen = await t.waitFor('Evaluation tracker args');
    t.keys('G');
    screen += await t.waitFor('(END)');
    expect(screen).not.toContain('^M');
    expect(screen).not.toMatch(/ESC\[|\[3\dm|\[0m/);
    expect(screen).not.toContain('hf_abcdefghij');
    expect(screen).toContain('••••••');
    // One line per finished bar, not its redraws.
    expect(screen).toMatch(/Model Responding: 100%/);
    t.keys('q');
    await t.waitFor(new RegExp(`✓ succeeded\\s+${id}`), 10_000);
    // The copy was made in the TUI's temp dir and is removed once the pager exits (right after the redraw).
    await until(() => copies().length === 0, 5000, 'the copy to be removed');
    t.keys('q');
    await t.waitFor('EXIT=0', 10_000);
  }, 60_000);
});
