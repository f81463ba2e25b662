import type { Command } from 'commander';
import { action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { resolveJobId } from '../job-ref.js';

/** `lmms-tui retry JOB`: a new job with the same spec, directory and environment; prints its id. */
export function registerRetry(program: Command): void {
  usageExit(program.command('retry').description('submit a copy of a job (same spec, directory and environment)').argument('<job>', 'job id or unique prefix')).action(
    action(async (id: string) => {
      const r = await withClient(async (c) => c.retry(await resolveJobId(c, id)));
      process.stderr.write(`retrying ${r.job.retry_of} as ${r.id} (${r.position ? `queued, position ${r.position}` : r.state})\n`);
      await writeOut(`${r.id}\n`);
    }),
  );
}
