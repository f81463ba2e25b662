import { Command } from 'commander';
import { version } from '../core/version.js';
import { registerCommands } from './commands/index.js';

const program = new Command();
program
  .name('lmms-tui')
  .description('Launch, queue and watch lmms-eval and lm-evaluation-harness runs from the terminal.')
  .version(version(), '-V, --version')
  .showHelpAfterError('(add --help for usage)')
  // Usage errors (unknown option, missing argument) exit 2, as argparse does; subcommands inherit this.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
await registerCommands(program, process.argv.slice(2));

// The process's signal policy belongs to the command that runs. `conf` (via atomically → when-exit)
// hooks SIGINT/SIGTERM/SIGHUP when it is imported and re-raises the signal after its own cleanup, which
// made `run --wait` see one Ctrl-C as two (stop, then leave). Commands install their handlers only once
// they run, so every listener here is a library's: drop them.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(sig);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`lmms-tui: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
