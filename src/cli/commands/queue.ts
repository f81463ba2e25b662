import type { Command } from 'commander';
import { action, printJson, usageExit, withClient, writeOut } from '../client-helpers.js';

/** `lmms-tui queue [--json]`: what runs, what waits (with positions), counts per state, free GPUs. */
export function registerQueue(program: Command): void {
  usageExit(program.command('queue').description('queue summary: running, queued with positions, counts'))
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const { q, jobs } = await withClient(async (c) => ({ q: await c.queue(), jobs: await c.jobs({ state: ['running', 'queued'] }) }));
        if (opts.json) return void (await printJson(q));
        const byId = new Map(jobs.map((j) => [j.id, j]));
        const describe = (id: string) => {
          const j = byId.get(id);
          return j ? `${id}${j.label ? `  "${j.label}"` : ''}  ${j.spec.model}  ${j.spec.tasks.join(',')}${j.gpus.length ? `  gpus ${j.gpus.join(',')}` : ''}` : id;
        };
        const out: string[] = [];
        out.push(`running (${q.running.length}/${q.concurrency})`);
        for (const id of q.running) out.push(`  ${describe(id)}`);
        out.push(`queued (${q.queued.length})`);
        for (const { id, position } of q.queued) out.push(`  ${String(position).padStart(2)}. ${describe(id)}`);
        out.push(`gpus: ${q.gpus.total ? `${q.gpus.total.join(',')} (free: ${q.gpus.free?.join(',') || 'none'})` : 'no pool'}`);
        out.push(Object.entries(q.counts).map(([s, n]) => `${s} ${n}`).join(', '));
        await writeOut(`${out.join('\n')}\n`);
      }),
    );
}
