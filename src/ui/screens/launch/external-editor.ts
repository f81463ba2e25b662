/**
 * Editing text in the user's $EDITOR: the TUI hands the terminal over (cooked mode, primary screen, no
 * bracketed paste), runs the editor on a temp file and waits for it, then takes the terminal back. The
 * editor runs synchronously on purpose: nothing else may draw or read keys while it owns the terminal.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Runs `fn` with the terminal released to a child process; the app restores itself afterwards. */
export type Suspend = <T>(fn: () => T) => T;

/**
 * Fallback when the app gives no suspend helper: leave the alternate screen and raw mode, restore both.
 * The app's own helper (which also makes Ink redraw the whole frame) is preferred.
 */
export const fallbackSuspend: Suspend = (fn) => {
  const { stdin, stdout } = process;
  const tty = stdin.isTTY === true && stdout.isTTY === true;
  const wasRaw = tty && stdin.isRaw;
  if (tty) {
    if (wasRaw) stdin.setRawMode(false);
    stdout.write('\x1b[?2004l\x1b[?1049l\x1b[?25h');
  }
  try {
    return fn();
  } finally {
    if (tty) {
      stdout.write('\x1b[?1049h\x1b[?2004h\x1b[2J\x1b[H');
      if (wasRaw) stdin.setRawMode(true);
    }
  }
};

export interface ExternalEditOptions {
  /** The editor command line; default $VISUAL, then $EDITOR, then vi. Run through sh so "code -w" works. */
  editor?: string;
  env?: NodeJS.ProcessEnv;
  suspend?: Suspend;
  /** Name of the temp file (its extension picks the editor's syntax mode). */
  fileName?: string;
}

export interface ExternalEditResult {
  /** The edited text, or null when the editor failed (the text is then unchanged). */
  text: string | null;
  error?: string;
}

export function editExternally(text: string, opts: ExternalEditOptions = {}): ExternalEditResult {
  const env = opts.env ?? process.env;
  const editor = opts.editor ?? (env.VISUAL || env.EDITOR || 'vi');
  const dir = mkdtempSync(path.join(tmpdir(), 'lmms-tui-edit-'));
  const file = path.join(dir, opts.fileName ?? 'env.sh');
  try {
    writeFileSync(file, text, { mode: 0o600 }); // env lines may hold tokens
    const suspend = opts.suspend ?? fallbackSuspend;
    // `sh -c '<editor> "$1"'` keeps editor arguments (`code -w`) working and the file name unsplit.
    const r = suspend(() => spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env }));
    if (r.error) return { text: null, error: `cannot run ${editor}: ${r.error.message}` };
    if (r.status !== 0) return { text: null, error: `${editor} exited with ${r.status ?? r.signal}; env lines unchanged` };
    return { text: readFileSync(file, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
