/**
 * Test-only CLI entry with the server commands registered, used while src/cli/commands/index.ts does not
 * register them yet (see helpers.ts: once the real bundle has them, tests run bin/lmms-tui.js instead).
 * `run` here is the server-backed one: submitAndMaybeWait.
 */
import { Command } from 'commander';
import { version } from '../../src/core/version.js';
import { registerCancel } from '../../src/cli/commands/cancel.js';
import { registerJobs } from '../../src/cli/commands/jobs.js';
import { registerLogs } from '../../src/cli/commands/logs.js';
import { registerQueue } from '../../src/cli/commands/queue.js';
import { registerRetry } from '../../src/cli/commands/retry.js';
import { registerRm } from '../../src/cli/commands/rm.js';
import { registerServe } from '../../src/cli/commands/serve.js';
import { registerServer } from '../../src/cli/commands/server.js';
import { registerShow } from '../../src/cli/commands/show.js';
import { registerStop } from '../../src/cli/commands/stop.js';
import { action, usageExit } from '../../src/cli/client-helpers.js';
import { submitAndMaybeWait } from '../../src/cli/follow.js';
import { addSpecOptions, extraArgsOf, specFromOptions } from '../../src/cli/spec-options.js';

const program = new Command().name('lmms-tui').version(version(), '-V, --version');
const run = usageExit(program.command('run').option('--wait', 'follow the log and exit with the outcome'));
addSpecOptions(run);
run.action(
  action(async (_extra: unknown, opts: Record<string, unknown>, self: Command) => {
    const { extraArgs } = extraArgsOf(self);
    return submitAndMaybeWait(specFromOptions(opts, extraArgs), { wait: opts.wait === true });
  }),
);
for (const register of [registerServer, registerServe, registerJobs, registerShow, registerLogs, registerStop, registerCancel, registerRetry, registerRm, registerQueue]) {
  register(program);
}
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`lmms-tui: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
