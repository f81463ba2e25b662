import type { Command } from 'commander';
import { action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { reportBatch, resolveJobId, resolveJobIds } from '../job-ref.js';

/** `lmms-tui retry JOB...`: new jobs with the same spec, directory and environment; prints their ids. */
export function registerRetry(program: Command): void {
  usageExit(program.command('retry').description('submit a copy of jobs (same spec, directory and environment)').argument('<jobs...>', 'job ids or unique prefixes')).action(
    action(async (refs: string[]) =>
      withClient(async (c) => {
        if (refs.length === 1) {
          const r = await c.retry(await resolveJobId(c, refs[0]!));
          process.stderr.write(`retrying ${r.job.retry_of} as ${r.id} (${r.position ? `queued, position ${r.position}` : r.state})\n`);
          await writeOut(`${r.id}\n`);
          return;
        }
        const { results } = await c.batch('retry', await resolveJobIds(c, refs));
        // stdout: the new ids, one a line (as for one job); which old job each copies goes to stderr.
        for (const r of results) if (r.ok) process.stderr.write(`retrying ${r.id} as ${r.new_id}\n`);
        return reportBatch(results, (r) => `${r.new_id}`);
      }),
    ),
  );
}
