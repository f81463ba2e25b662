import type { Command } from 'commander';
import { action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { resolveJobId } from '../job-ref.js';

/** `lmms-tui rm JOB`: forget a finished job and delete its files. */
export function registerRm(program: Command): void {
  usageExit(program.command('rm').description('remove a finished job and its files (log, results)').argument('<job>', 'job id or unique prefix')).action(
    action(async (id: string) => {
      const r = await withClient(async (c) => c.remove(await resolveJobId(c, id)));
      await writeOut(`removed ${r.id}\n`);
    }),
  );
}
