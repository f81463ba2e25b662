import type { Command } from 'commander';
import { action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { resolveJobId } from '../job-ref.js';

/** `lmms-tui cancel JOB`: a queued job never starts. */
export function registerCancel(program: Command): void {
  usageExit(program.command('cancel').description('cancel a queued job').argument('<job>', 'job id or unique prefix')).action(
    action(async (id: string) => {
      const job = await withClient(async (c) => c.cancel(await resolveJobId(c, id)));
      await writeOut(`cancelled ${job.id}\n`);
    }),
  );
}
