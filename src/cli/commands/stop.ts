import type { Command } from 'commander';
import { EXIT, UsageError, action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { reportBatch, resolveJobId, resolveJobIds } from '../job-ref.js';

/**
 * `lmms-tui stop JOB... [--grace S]`: SIGTERM to all the job's processes (stop.ts in core/runner), SIGKILL
 * after the grace; waits for the end. Several jobs are stopped in one server call (Scheduler.stopMany), so a
 * slot freed by the first does not start a queued job before the others are stopped.
 */
export function registerStop(program: Command): void {
  usageExit(program.command('stop').description('stop running jobs (their whole process trees); queued ones are cancelled').argument('<jobs...>', 'job ids or unique prefixes'))
    .option('--grace <seconds>', 'seconds between SIGTERM and SIGKILL [default: the server\'s, 10]')
    .action(
      action(async (refs: string[], opts: { grace?: string }) => {
        let grace: number | undefined;
        if (opts.grace !== undefined) {
          grace = Number(opts.grace);
          if (!Number.isFinite(grace) || grace < 0 || opts.grace.trim() === '') throw new UsageError(`--grace: "${opts.grace}" is not a number of seconds`, 'e.g. --grace 5');
        }
        return withClient(async (c) => {
          if (refs.length === 1) {
            const job = await c.stop(await resolveJobId(c, refs[0]!), { graceSeconds: grace, wait: true });
            if (job.state === 'cancelled') await writeOut(`cancelled ${job.id} (it had not started)\n`);
            else await writeOut(`${job.state} ${job.id}${job.signal ? ` (${job.signal})` : ''}\n`);
            return EXIT.ok;
          }
          const { results } = await c.batch('stop', await resolveJobIds(c, refs), { graceSeconds: grace });
          return reportBatch(results, (r) => (r.state === 'cancelled' ? `cancelled ${r.id} (it had not started)` : `${r.state} ${r.id}`));
        });
      }),
    );
}
