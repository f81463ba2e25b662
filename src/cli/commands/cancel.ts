import type { Command } from 'commander';
import { UsageError, action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { reportBatch, resolveJobId, resolveJobIds } from '../job-ref.js';

/** `lmms-tui cancel JOB... | --all-queued`: queued jobs never start. */
export function registerCancel(program: Command): void {
  usageExit(program.command('cancel').description('cancel queued jobs (one or several, or all with --all-queued)').argument('[jobs...]', 'job ids or unique prefixes'))
    .option('--all-queued', 'cancel every queued job (running jobs go on)')
    .action(
      action(async (refs: string[], opts: { allQueued?: boolean }) => {
        if (opts.allQueued && refs.length) throw new UsageError('--all-queued takes no job ids', 'give either job ids or --all-queued');
        if (!opts.allQueued && !refs.length) throw new UsageError('a job id is needed', 'give one or more job ids, or --all-queued; `lmms-tui jobs` lists them');
        return withClient(async (c) => {
          if (opts.allQueued) {
            const { cancelled } = await c.cancelQueued();
            await writeOut(cancelled.length ? cancelled.map((id) => `cancelled ${id}\n`).join('') : 'no queued jobs\n');
            return;
          }
          if (refs.length === 1) {
            const job = await c.cancel(await resolveJobId(c, refs[0]!));
            await writeOut(`cancelled ${job.id}\n`);
            return;
          }
          const { results } = await c.batch('cancel', await resolveJobIds(c, refs));
          return reportBatch(results, (r) => `cancelled ${r.id}`);
        });
      }),
    );
}
