/**
 * `run` and `preview` check task names against the harness install the job will use (through the
 * discovery cache), so a typo is an error with suggestions now rather than a failed job after the queue
 * wait. When no index can be had (the harness is not installed for this interpreter, as on a laptop
 * writing a script for a cluster; a set-up line with no index cached yet, since checking would mean
 * running it) the names are not checked, and a note says so.
 */
import type { Command } from 'commander';
import { checkSpecTasks } from '../core/command/tasks-check.js';
import { NoCachedIndexError } from '../core/discovery/index.js';
import { formatError, type Problem } from '../core/errors.js';
import { redactSecrets, specSecrets } from '../core/redact.js';
import type { EvalSpec } from '../core/spec.js';

export function addTaskCheckOption(cmd: Command): Command {
  return cmd.option('--allow-unknown-tasks', 'do not check task names against the installed harness (inline YAML configs, tasks registered at import)');
}

export async function checkTaskNames(spec: EvalSpec, opts: Record<string, unknown>, io: { cwd: string; note(text: string): void }): Promise<Problem[]> {
  if (opts.allowUnknownTasks === true) return [];
  try {
    return await checkSpecTasks(spec, { cwd: io.cwd });
  } catch (err) {
    if (err instanceof NoCachedIndexError) {
      io.note('note: task names not checked: no task index is cached for this set-up line yet, and it is not run just to check (`lmms-tui tasks --setup LINE` builds the index)\n');
      return [];
    }
    // The reason may quote the set-up line, which can hold an `export TOKEN=…`: masked by the core rule.
    io.note(`note: task names not checked (${redactSecrets(formatError(err).split('\n')[0]!, specSecrets(spec))})\n`);
    return [];
  }
}
