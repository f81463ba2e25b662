// Entry for a private bundle used by the e2e tests only while src/cli/commands/index.ts does not yet
// register `tui` (and the server commands): the same program as src/cli/main.ts, with every command.
import { Command } from 'commander';
import { version } from '../../src/core/version.js';
import { registerCommands } from '../../src/cli/commands/index.js';
import { registerTui } from '../../src/cli/commands/tui.js';
import { registerServer } from '../../src/cli/commands/server.js';
import { registerJobs } from '../../src/cli/commands/jobs.js';

const program = new Command();
program.name('lmms-tui').version(version(), '-V, --version');
registerCommands(program);
const have = new Set(program.commands.map((c) => c.name()));
if (!have.has('tui')) registerTui(program);
if (!have.has('server')) registerServer(program);
if (!have.has('jobs')) registerJobs(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`lmms-tui: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
