/**
 * The whole TUI in a real tmux, as a user drives it: `lmms-tui --demo` in a detached session, keys in with
 * send-keys, the screen read with capture-pane. One scenario, in order, sharing a private state dir:
 * pick a model and two tasks, add an env var, check the preview is the exact command, launch, watch the
 * progress advance, stop the job (its process tree gone), quit with `q` while another job runs, reopen
 * and find it still running and then finished with metrics. Plus: the alternate screen is restored on
 * SIGTERM and SIGHUP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { alive, cliEntry, hasTmux, ROOT, Tmux, until } from './tmux.js';

const TMUX = hasTmux();
if (!TMUX) console.warn('test/e2e/tui.test.ts: tmux is not installed; skipping the end-to-end TUI tests (apt-get install tmux)');

describe.skipIf(!TMUX)('lmms-tui in tmux', () => {
  let home = '';
  let entry = '';
  let baseEnv: Record<string, string> = {};
  const pidfile = () => path.join(home, 'demo-pids');
  // LMMS_TUI_* variables are scrubbed from a job's environment; this one reaches it.
  const E2E_DIR = 'LMMS_E2E_DIR';
  const sessions: Tmux[] = [];

  const tuiCommand = (extra: Record<string, string> = {}): string =>
    Tmux.command([process.execPath, entry, '--demo'], { ...baseEnv, ...extra });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { ...process.env, ...baseEnv }, cwd: ROOT });

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'lmms-tui-e2e-'));
    entry = cliEntry().entry;
    baseEnv = {
      LMMS_TUI_HOME: home,
      LANG: 'C.UTF-8',
      TERM: 'screen-256color',
      // Knobs of the demo harness reach the job through the TUI's environment (captured at submit).
      LMMS_DEMO_PACE: '0.08',
      LMMS_DEMO_DOCS: '60',
      LMMS_DEMO_CHILDREN: '2',
      LMMS_TUI_GRACE_MS: '2000',
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? home,
      [E2E_DIR]: home,
    };
  }, 120_000);

  afterAll(() => {
    for (const t of sessions) t.kill();
    // Leave nothing running: stop any job still going, then the server.
    const jobs = cli('jobs', '--json');
    try {
      for (const j of JSON.parse(jobs.stdout) as { id: string; state: string }[]) {
        if (j.state === 'running' || j.state === 'queued') cli('stop', j.id);
      }
    } catch {
      // No server or no jobs.
    }
    cli('server', 'stop');
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('configures, previews, launches, watches, stops; quits with q while a job runs; reopens to its metrics', async () => {
    const t = new Tmux(120, 40);
    sessions.push(t);
    t.start(tuiCommand());
    await t.waitFor('server up', 20_000);
    expect(t.display('#{alternate_on}')).toBe('1');

    // Model: fuzzy search and pick.
    // Pickers are waited for by their focused title (`─ › Model ─`): typing before one is open would send
    // the letters to the form, where q quits.
    t.keys('m');
    await t.waitFor('─ › Model ─');
    t.type('qwen2_5');
    await t.waitFor(/qwen2_5_vl/);
    t.keys('Enter');
    await t.waitFor(/model\s+qwen2_5_vl/);

    // Two tasks: search, mark, search again, mark, done.
    t.keys('t');
    await t.waitFor('─ › Tasks ─');
    t.type('mme');
    await t.waitFor(/demo_mme\s+task/);
    t.keys('Space');
    await t.waitFor('1 selected');
    t.keys('C-u');
    t.type('pope');
    await t.waitFor(/demo_pope\s+task/);
    t.keys('Space');
    await t.waitFor('2 selected');
    t.keys('Enter');
    await t.waitFor(/tasks\s+demo_mme,demo_pope/);

    // An env var, through the env editor.
    t.keys('v');
    await t.waitFor('─ › Env vars ─');
    // The value expands in the job's shell, from the TUI's environment captured at submit.
    t.type(`export LMMS_DEMO_PIDFILE=\${${E2E_DIR}}/demo-pids`);
    t.keys('C-s');
    let screen = await t.waitFor(/env\s+LMMS_DEMO_PIDFILE/);

    // The preview is the exact command `lmms-tui preview` prints for the same spec.
    const preview = cli('preview', '--demo', '--model', 'qwen2_5_vl', '--tasks', 'demo_mme,demo_pope', '--env', `export LMMS_DEMO_PIDFILE=\${${E2E_DIR}}/demo-pids`);
    expect(preview.status, preview.stderr).toBe(0);
    const commandLines = preview.stdout.split('\n').filter((l) => /^(python3 |  --|export LMMS_DEMO_PIDFILE)/.test(l));
    expect(commandLines.length).toBeGreaterThanOrEqual(3);
    for (const line of commandLines) expect(screen).toContain(line);

    // Launch: the confirmation shows the command; Enter submits and jumps to the job.
    t.keys('L');
    screen = await t.waitFor('Enter/y Launch');
    expect(screen).toContain('--tasks demo_mme,demo_pope');
    t.keys('Enter');
    screen = await t.waitFor(/▶ running\s+([0-9a-f]{8})/, 20_000);
    const firstId = /▶ running\s+([0-9a-f]{8})/.exec(screen)![1]!;

    // Progress advances (the table's percent grows while the output pane follows).
    const percentOf = (s: string): number => Number(new RegExp(`${firstId}.*?(\\d+)%`).exec(s)?.[1] ?? -1);
    screen = await t.waitFor((s) => percentOf(s) >= 1, 20_000);
    const before = percentOf(screen);
    await t.waitFor((s) => percentOf(s) > before, 20_000);
    expect(screen).toContain(`Output · ${firstId}`);

    // Stop: the dialog names the signals; afterwards the job's whole process tree is gone.
    await until(() => existsSync(pidfile()), 10_000, 'the demo pidfile');
    const pids = readFileSync(pidfile(), 'utf8').trim().split('\n').map(Number);
    expect(pids.length).toBe(3);
    t.keys('S');
    screen = await t.waitFor('Stop job');
    expect(screen).toMatch(/SIGTERM/);
    expect(screen).toMatch(/SIGKILL/);
    t.keys('Enter');
    await t.waitFor(new RegExp(`■ stopped\\s+${firstId}`), 20_000);
    await until(() => pids.every((p) => !alive(p)), 10_000, `pids ${pids.join(',')} to be gone`);

    // Another job (R retries the stopped one as a new job), then quit with q while it runs.
    t.keys('R');
    await t.waitFor('Retry job');
    t.keys('Enter');
    screen = await t.waitFor(/▶ running\s+([0-9a-f]{8})/, 20_000);
    const secondId = /▶ running\s+([0-9a-f]{8})/.exec(screen)![1]!;
    expect(secondId).not.toBe(firstId);
    t.keys('q');
    await until(() => t.exitStatus() !== null, 10_000, 'the TUI to exit');
    screen = t.captureWithHistory();
    expect(screen).toMatch(/1 running(, \d+ queued)?: lmms-tui jobs\nEXIT=0/);
    expect(t.display('#{alternate_on}')).toBe('0');
    expect(t.exitStatus()).toBe(0);

    // Reopen: the job is still running (the server kept it), then finishes with metrics.
    t.respawn(tuiCommand());
    await t.waitFor('server up', 20_000);
    t.keys('2');
    await t.waitFor(new RegExp(`▶ running\\s+${secondId}`), 20_000);
    await t.waitFor(new RegExp(`✓ succeeded\\s+${secondId}`), 60_000);
    t.keys('3');
    screen = await t.waitFor(/Results · [0-9a-f]{8}[\s\S]*mme_perception_score/, 20_000);
    expect(screen).toContain(`Results · ${secondId}`);
    expect(screen).toMatch(/demo_pope\s+\S+/);
    t.keys('q');
    await until(() => t.exitStatus() !== null, 10_000, 'the TUI to exit');
  }, 240_000);

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`restores the terminal on ${signal}`, async () => {
      const t = new Tmux(100, 30);
      sessions.push(t);
      t.start(tuiCommand());
      await t.waitFor('server up', 20_000);
      expect(t.display('#{alternate_on}')).toBe('1');
      process.kill(t.programPid(), signal);
      await until(() => t.exitStatus() !== null, 10_000, 'the TUI to exit');
      expect(t.display('#{alternate_on}')).toBe('0');
      expect(t.exitStatus()).toBe(signal === 'SIGTERM' ? 143 : 129);
    }, 60_000);
  }
});
