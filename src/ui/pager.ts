/**
 * Opening a file in the user's pager ($PAGER, else `less`) while the TUI is suspended. Run through `sh -c`
 * so a PAGER with arguments (`less -R`, `bat --paging=always`) works; the path is passed as "$1", never
 * interpolated into the shell text.
 */
import { spawnSync } from 'node:child_process';

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
