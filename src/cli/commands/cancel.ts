import type { Command } from 'commander';
import { action, usageExit, withClient, writeOut } from '../client-helpers.js';

/** `lmms-tui cancel JOB`: a queued job never starts. */
export function registerCancel(program: Command): void {
  usageExit(program.command('cancel').description('cancel a queued job').argument('<job>', 'job id or unique prefix')).action(
    action(async (id: string) => {
      const job = await withClient((c) => c.cancel(id));
      await writeOut(`cancelled ${job.id}\n`);
    }),
  );
}
