import type { Command } from 'commander';
import { action, usageExit } from '../client-helpers.js';
import { addSchedulerOptions, runForeground } from '../server-host.js';

/** `lmms-tui serve`: the server in the foreground, also on TCP (what a CI pipeline talks to). */
export function registerServe(program: Command): void {
  usageExit(
    addSchedulerOptions(
      program
        .command('serve')
        .description('run the server in the foreground on the socket and on TCP (loopback by default; a token is required off loopback)')
        .option('--host <address>', 'address to bind', '127.0.0.1')
        .option('--port <n>', 'TCP port (0 picks a free one)', '8000')
        .option('--token <token>', 'bearer token required on TCP [default: none on loopback, generated otherwise]'),
    ),
  ).action(
    action(async (opts: Record<string, string | undefined>) => {
      await runForeground({ ...opts, tcp: true });
    }),
  );
}
