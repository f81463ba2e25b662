import type { Command } from 'commander';
import { UsageError, action, guardEpipe, usageExit, withClient, writeOut } from '../client-helpers.js';
import { streamLog } from '../follow.js';
import { resolveJob } from '../job-ref.js';

/** `lmms-tui logs JOB [-f] [--tail N]` */
export function registerLogs(program: Command): void {
  usageExit(program.command('logs').description("print a job's log (stdout and stderr, as written)").argument('<job>', 'job id or unique prefix'))
    .option('-f, --follow', 'keep printing as the job writes, until it has finished')
    .option('-n, --tail <n>', 'only the last N lines')
    .action(
      action(async (id: string, opts: { follow?: boolean; tail?: string }) => {
        guardEpipe();
        let tail: number | undefined;
        if (opts.tail !== undefined) {
          tail = Number(opts.tail);
          if (!Number.isInteger(tail) || tail < 0) throw new UsageError(`--tail: "${opts.tail}" is not a line count`, 'e.g. --tail 100');
        }
        const ansi = process.stdout.isTTY === true;
        await withClient(async (c) => {
          const job = await resolveJob(c, id);
          let since = 0;
          if (tail !== undefined) {
            const r = await c.log(job.id, { tail, ansi });
            if (r.lines.length) await writeOut(`${r.lines.map((l) => l.text).join('\n')}\n`);
            since = r.next_offset;
          } else if (!opts.follow) {
            // Page through what is there now (not what a busy job writes meanwhile: that is -f's job); a
            // finished job's unterminated last line comes with the last page.
            let stopAt = Infinity;
            for (;;) {
              const r = await c.log(job.id, { since, ansi });
              stopAt = Math.min(stopAt, r.size);
              if (r.lines.length) await writeOut(`${r.lines.map((l) => l.text).join('\n')}\n`);
              if (r.next_offset === since || r.next_offset >= stopAt) break;
              since = r.next_offset;
            }
          }
          if (opts.follow) await streamLog(c, job.id, { since });
        });
      }),
    );
}
