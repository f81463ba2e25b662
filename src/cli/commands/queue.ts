import type { Command } from 'commander';
import type { LmmsClient } from '../../client/client.js';
import type { QueueJson } from '../../client/types.js';
import { QUEUE_MOVES, type QueueMove } from '../../core/scheduler/types.js';
import { UsageError, action, printJson, usageExit, withClient, writeOut } from '../client-helpers.js';
import { resolveJobId } from '../job-ref.js';

async function summary(c: LmmsClient, q: QueueJson): Promise<string> {
  const jobs = await c.jobs({ state: ['running', 'queued'] });
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const describe = (id: string) => {
    const j = byId.get(id);
    return j ? `${id}${j.label ? `  "${j.label}"` : ''}  ${j.spec.model}  ${j.spec.tasks.join(',')}${j.gpus.length ? `  gpus ${j.gpus.join(',')}` : ''}` : id;
  };
  const out: string[] = [];
  if (q.paused) out.push('dispatch PAUSED: queued jobs wait (lmms-tui queue resume)');
  out.push(`running (${q.running.length}/${q.concurrency})`);
  for (const id of q.running) out.push(`  ${describe(id)}`);
  out.push(`queued (${q.queued.length})`);
  for (const { id, position } of q.queued) out.push(`  ${String(position).padStart(2)}. ${describe(id)}`);
  out.push(`gpus: ${q.gpus.total ? `${q.gpus.total.join(',')} (free: ${q.gpus.free?.join(',') || 'none'})` : 'no pool'}`);
  out.push(Object.entries(q.counts).map(([s, n]) => `${s} ${n}`).join(', '));
  return `${out.join('\n')}\n`;
}

/**
 * `lmms-tui queue [--json]`: what runs, what waits (with positions), counts per state, free GPUs.
 * `queue pause|resume`: hold or release dispatch; `queue move JOB up|down|top`: reorder what waits.
 */
export function registerQueue(program: Command): void {
  const queue = usageExit(program.command('queue').description('queue summary; pause/resume dispatch; move queued jobs'))
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        await withClient(async (c) => {
          const q = await c.queue();
          if (opts.json) return void (await printJson(q));
          await writeOut(await summary(c, q));
        });
      }),
    );
  usageExit(queue.command('pause').description('stop starting queued jobs (running jobs go on); kept across server restarts')).action(
    action(async () => {
      const q = await withClient((c) => c.pauseQueue());
      await writeOut(`dispatch paused; ${q.queued.length} queued job${q.queued.length === 1 ? '' : 's'} wait, ${q.running.length} running go on\n`);
    }),
  );
  usageExit(queue.command('resume').description('start queued jobs again')).action(
    action(async () => {
      const q = await withClient((c) => c.resumeQueue());
      await writeOut(`dispatch resumed; ${q.running.length} running, ${q.queued.length} queued\n`);
    }),
  );
  usageExit(queue.command('move').description('move a queued job one place up, down, or to the top').argument('<job>', 'job id or unique prefix').argument('<where>', QUEUE_MOVES.join('|'))).action(
    action(async (ref: string, where: string) => {
      if (!(QUEUE_MOVES as readonly string[]).includes(where)) throw new UsageError(`"${where}" is not a place to move to`, `use ${QUEUE_MOVES.join(', ')}`);
      await withClient(async (c) => {
        const id = await resolveJobId(c, ref);
        const q = await c.moveQueued(id, where as QueueMove);
        const pos = q.queued.find((e) => e.id === id)?.position;
        await writeOut(`${id} is now #${pos ?? '?'} of ${q.queued.length} queued\n`);
      });
    }),
  );
}
