import type { Command } from 'commander';
import { action, usageExit, withClient, writeOut } from '../client-helpers.js';
import { reportBatch, resolveJobId, resolveJobIds } from '../job-ref.js';

/** `lmms-tui rm JOB...`: forget finished jobs and delete their files. */
export function registerRm(program: Command): void {
  usageExit(program.command('rm').description('remove finished jobs and their files (log, results)').argument('<jobs...>', 'job ids or unique prefixes')).action(
    action(async (refs: string[]) =>
      withClient(async (c) => {
        if (refs.length === 1) {
          const r = await c.remove(await resolveJobId(c, refs[0]!));
          await writeOut(`removed ${r.id}\n`);
          return;
        }
        const { results } = await c.batch('remove', await resolveJobIds(c, refs));
        return reportBatch(results, (r) => `removed ${r.id}`);
      }),
    ),
  );
}
