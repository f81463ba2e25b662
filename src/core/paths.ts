import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root (holds package.json and demo/), whether running from src/ (tests) or dist/ (bundle). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'demo'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('lmms-tui: cannot find the package root (package.json beside demo/)');
    dir = up;
  }
}

/** Directory holding the demo harness packages (`lmms_eval`, `lm_eval`); put it on PYTHONPATH. */
export function demoHarnessDir(): string {
  return path.join(packageRoot(), 'demo', 'harness');
}

/**
 * The state dir: `$LMMS_TUI_HOME`, else `$XDG_STATE_HOME/lmms-tui`, else `~/.local/state/lmms-tui`.
 * It holds jobs/, the discovery cache and (issue 3) the server's socket and log.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LMMS_TUI_HOME) return path.resolve(env.LMMS_TUI_HOME);
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(homedir(), '.local', 'state');
  return path.join(xdg, 'lmms-tui');
}

export function jobsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'jobs');
}
