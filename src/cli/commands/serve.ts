import type { Command } from 'commander';
import { action, usageExit } from '../client-helpers.js';
import { addSchedulerOptions, collect, runForeground } from '../server-host.js';

/** `lmms-tui serve`: the server in the foreground, also on TCP (what a CI pipeline talks to). */
export function registerServe(program: Command): void {
  usageExit(
    addSchedulerOptions(
      program
        .command('serve')
        .description('run the server in the foreground on the socket and on TCP (loopback by default; a token is required off loopback)')
        .option('--host <address>', 'address to bind', '127.0.0.1')
        .option('--port <n>', 'TCP port (0 picks a free one)', '8000')
        .option('--token <token>', 'bearer token required on TCP [default: none on loopback (only your own user may connect), generated otherwise]')
        .option('--allow-host <name>', 'also answer to this Host name (repeatable; default: loopback names and the bound address)', collect)
        .option('--allow-origin <origin>', 'let pages of this exact origin call the API cross-origin (repeatable; default none)', collect),
    ),
  ).action(
    action(async (opts: Record<string, string | undefined> & { allowHost?: string[]; allowOrigin?: string[] }) => {
      await runForeground({ ...opts, tcp: true });
    }),
  );
}
