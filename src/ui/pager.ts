/**
 * Opening a file in the user's pager ($PAGER, else `less`) while the TUI is suspended. Run through `sh -c`
 * so a PAGER with arguments (`less -R`, `bat --paging=always`) works; the path is passed as "$1", never
 * interpolated into the shell text.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { stripAnsi } from '../core/logs/ansi.js';
import { redactSecrets } from '../core/logs/redact.js';
import { collapseCR, compactPartial } from '../core/logs/ring.js';

export function pagerCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAGER?.trim() || 'less';
}

/** Runs the pager in the foreground; returns an error message, or null when it ran. */
export function runPager(file: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const pager = pagerCommand(env);
  // `+G` would jump less to the end, but not every pager takes it; LESS=+G does the same for less only.
  const r = spawnSync('sh', ['-c', `${pager} "$1"`, 'sh', file], { stdio: 'inherit', env: { LESS: '-R +G', ...env } });
  if (r.error) return `could not run ${pager}: ${r.error.message}`;
  if (r.status === 127) return `pager not found: ${pager} (set $PAGER)`;
  return null;
}

export interface CleanCopy {
  /** The cleaned log: 0600, alone in a 0700 directory of its own. */
  file: string;
  /** Deletes the copy and its directory. */
  remove(): void;
}

/**
 * A copy of a job log fit for a pager: each line as the output pane shows it (`\r` redraws collapsed to
 * their last state, ANSI codes stripped, secrets masked by the core rule plus the job's literal values).
 * Streamed, so a log of hundreds of MB is never held in memory; a progress bar's endless unfinished line is
 * bounded the way the tailer bounds it (core/logs/ring.ts compactPartial).
 */
export async function writeCleanCopy(logPath: string, secrets: readonly string[] = [], baseDir: string = tmpdir()): Promise<CleanCopy> {
  // mkdtemp creates the directory 0700 whatever the umask; the name is unguessable, so nobody can pre-create it.
  const dir = mkdtempSync(path.join(baseDir, 'lmms-tui-log-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  // Named after the job (its directory), so the pager's prompt says whose log it is.
  const file = path.join(dir, `${path.basename(path.dirname(logPath))}-output.log`);
  const clean = (raw: string): string => redactSecrets(stripAnsi(collapseCR(raw)), secrets);
  try {
    const out = await open(file, 'wx', 0o600);
    try {
      const decoder = new StringDecoder('utf8');
      let pending = '';
      for await (const chunk of createReadStream(logPath)) {
        pending += decoder.write(chunk as Buffer);
        const nl = pending.lastIndexOf('\n');
        if (nl < 0) {
          pending = compactPartial(pending);
          continue;
        }
        const lines = pending.slice(0, nl).split('\n');
        pending = pending.slice(nl + 1);
        await out.write(`${lines.map(clean).join('\n')}\n`);
      }
      pending += decoder.end();
      if (pending.trim() !== '') await out.write(`${clean(pending)}\n`);
    } finally {
      await out.close();
    }
  } catch (err) {
    remove();
    throw err;
  }
  return { file, remove };
}
