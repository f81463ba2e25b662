/**
 * Driving the real TUI inside a real tmux: a private server socket per test (`tmux -L`), a detached
 * session of a fixed size, keys in with `send-keys`, the screen out with `capture-pane`, and waits that
 * poll the screen against a deadline (no sleeps).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The shipped CLI entry (bin/lmms-tui.js over dist/cli.js, which the test global setup builds). */
export function cliEntry(): { entry: string } {
  const entry = path.join(ROOT, 'bin', 'lmms-tui.js');
  const help = spawnSync(process.execPath, [entry, '--help'], { encoding: 'utf8' });
  if (help.status !== 0 || !/^\s+tui\b/m.test(help.stdout)) {
    throw new Error(`${entry} has no \`tui\` command: build with \`npm run build\` (and register it in src/cli/commands/index.ts)`);
  }
  return { entry };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class Tmux {
  readonly socket = `lmms-tui-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly session = 's';

  constructor(
    readonly columns = 120,
    readonly rows = 40,
  ) {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Command line running `argv` with `env` added, then printing its exit status (`EXIT=<n>`). */
  static command(argv: string[], env: Record<string, string>): string {
    const assigns = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    return `env ${assigns.join(' ')} ${argv.map(shellQuote).join(' ')}; echo "EXIT=$?"`;
  }

  start(command: string): void {
    // The session starts on a placeholder so its options are set before the program runs: turning the
    // status line off resizes the pane, and a resize inside the alternate screen makes tmux restore the
    // primary screen's cursor oddly (the quit summary would land in the scrollback).
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', this.session, '-x', String(this.columns), '-y', String(this.rows), 'cat');
    // Full height for the app, Esc delivered at once, and the last screen kept when the program exits.
    this.tmux('set-option', '-t', this.session, 'status', 'off');
    this.tmux('set-option', '-s', 'escape-time', '10');
    this.tmux('set-option', '-t', this.session, 'remain-on-exit', 'on');
    this.respawn(command);
  }

  respawn(command: string): void {
    this.tmux('respawn-pane', '-k', '-t', this.session, command);
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  /** The screen plus up to `lines` of scrollback above it. */
  captureWithHistory(lines = 50): string {
    return this.tmux('capture-pane', '-p', '-S', String(-lines), '-t', this.session);
  }

  /** Keys by tmux name (Enter, Escape, C-u, Space, …). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...keys);
  }

  /** Literal text. */
  type(text: string): void {
    this.tmux('send-keys', '-t', this.session, '-l', text);
  }

  /**
   * Pastes `text` as a terminal would: through a tmux buffer, bracketed (`paste-buffer -p`) when the
   * program asked for bracketed paste, or as plain input when `bracketed` is false.
   */
  paste(text: string, bracketed = true): void {
    execFileSync('tmux', ['-L', this.socket, 'load-buffer', '-b', 'e2e', '-'], { input: text });
    this.tmux('paste-buffer', '-d', '-b', 'e2e', ...(bracketed ? ['-p'] : []), '-t', this.session);
  }

  /** Lets the program set tmux's clipboard with OSC 52 (what `y` sends), for readClipboard(). */
  acceptClipboard(): void {
    this.tmux('set-option', '-s', 'set-clipboard', 'on');
  }

  /** The newest tmux buffer (the last OSC 52 copy), or '' when there is none. */
  readClipboard(): string {
    try {
      return this.tmux('show-buffer');
    } catch {
      return '';
    }
  }

  display(format: string): string {
    return this.tmux('display-message', '-p', '-t', this.session, format).trim();
  }

  paneDead(): boolean {
    return this.display('#{pane_dead}') === '1';
  }

  /** The program's pid: the child of the pane's shell. */
  programPid(): number {
    const shell = this.display('#{pane_pid}');
    const kids = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (kids.length !== 1) throw new Error(`expected one program under the pane's shell ${shell}, found ${kids.join(',') || 'none'}`);
    return Number(kids[0]);
  }

  /** The exit status the pane's shell printed after the program ended, or null while it runs. */
  exitStatus(): number | null {
    const m = /EXIT=(\d+)/.exec(this.capture());
    return m ? Number(m[1]) : null;
  }

  /** Waits until the screen contains `what` (or the predicate holds); returns the screen. */
  async waitFor(what: string | RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test = typeof what === 'function' ? what : (s: string) => (typeof what === 'string' ? s.includes(what) : what.test(s));
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    for (;;) {
      screen = this.capture();
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`tmux: timed out after ${timeoutMs} ms waiting for ${String(what)}\n--- screen ---\n${screen}`);
      // Polling interval, not a sleep before an assertion: the loop ends as soon as the screen matches.
      await sleepMs(50);
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}

/** Waits until `pred()` holds (for /proc checks). */
export async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleepMs(50);
  }
}

export function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    // A zombie is gone for our purposes: it runs nothing and holds no GPU.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
