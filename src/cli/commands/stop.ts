import type { Command } from 'commander';
import { EXIT, UsageError, action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { resolveJobId } from '../job-ref.js';

/** `lmms-tui stop JOB [--grace S]`: SIGTERM to all the job's processes (stop.ts in core/runner), SIGKILL after the grace; waits for the end. */
export function registerStop(program: Command): void {
  usageExit(program.command('stop').description('stop a running job (its whole process tree); a queued one is cancelled').argument('<job>', 'job id or unique prefix'))
    .option('--grace <seconds>', 'seconds between SIGTERM and SIGKILL [default: the server\'s, 10]')
    .action(
      action(async (id: string, opts: { grace?: string }) => {
        let grace: number | undefined;
        if (opts.grace !== undefined) {
          grace = Number(opts.grace);
          if (!Number.isFinite(grace) || grace < 0 || opts.grace.trim() === '') throw new UsageError(`--grace: "${opts.grace}" is not a number of seconds`, 'e.g. --grace 5');
        }
        const job = await withClient(async (c) => c.stop(await resolveJobId(c, id), { graceSeconds: grace, wait: true }));
        if (job.state === 'cancelled') await writeOut(`cancelled ${job.id} (it had not started)\n`);
        else await writeOut(`${job.state} ${job.id}${job.signal ? ` (${job.signal})` : ''}\n`);
        return EXIT.ok;
      }),
    );
}
