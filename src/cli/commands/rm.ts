import type { Command } from 'commander';
import { action, usageExit, withClient, writeOut } from '../client-helpers.js';

/** `lmms-tui rm JOB`: forget a finished job and delete its files. */
export function registerRm(program: Command): void {
  usageExit(program.command('rm').description('remove a finished job and its files (log, results)').argument('<job>', 'job id or unique prefix')).action(
    action(async (id: string) => {
      const r = await withClient((c) => c.remove(id));
      await writeOut(`removed ${r.id}\n`);
    }),
  );
}
