import type { Command } from 'commander';
import { JOB_STATES, type JobState } from '../../core/scheduler/types.js';
import type { JobJson } from '../../client/types.js';
import { UsageError, action, elapsed, formatAgo, printJson, stateLabel, table, usageExit, withClient, writeOut } from '../client-helpers.js';

export function parseStates(value: string | undefined): JobState[] | undefined {
  if (!value) return undefined;
  const states = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = states.filter((s) => !(JOB_STATES as readonly string[]).includes(s));
  if (bad.length) throw new UsageError(`--state: unknown state ${bad.join(', ')}`, `use ${JOB_STATES.join(', ')} (comma-separated)`);
  return states as JobState[];
}

export function jobsTable(jobs: readonly JobJson[], now = Date.now()): string {
  // The NAME column only when some job has one, so the table of a user who never names jobs stays as it was.
  const named = jobs.some((j) => j.label);
  return table(
    ['ID', ...(named ? ['NAME'] : []), 'STATE', 'MODEL', 'GPUS', 'CREATED', 'ELAPSED', 'TASKS'],
    jobs.map((j) => [
      j.id,
      ...(named ? [j.label ?? '-'] : []),
      stateLabel(j.state) + (j.position ? ` #${j.position}` : '') + (j.escaped?.length ? ` (${j.escaped.length} escaped)` : ''),
      j.spec.model + (j.spec.demo ? ' (demo)' : ''),
      j.gpus.length ? j.gpus.join(',') : '-',
      formatAgo(j.created_at, now),
      elapsed(j, now),
      j.spec.tasks.join(','),
    ]),
  );
}

/** `lmms-tui jobs [--state S] [--json]` */
export function registerJobs(program: Command): void {
  usageExit(program.command('jobs').description('list jobs (oldest first)'))
    .option('--state <states>', `only these states (comma list of ${JOB_STATES.join(', ')})`)
    .option('--json', 'print a JSON array of jobs')
    .option('--reveal', 'with --json: specs and scripts with secrets in clear (default masked as ••••••)')
    .action(
      action(async (opts: { state?: string; json?: boolean; reveal?: boolean }) => {
        const state = parseStates(opts.state);
        const [jobs, health] = await withClient((c) => Promise.all([c.jobs({ state, reveal: opts.reveal === true }), c.health()]));
        // A damaged job.json is rebuilt, repaired or skipped, never fatal; say so where the user looks for their jobs.
        for (const p of health.store_problems ?? []) process.stderr.write(`warning: ${p.id ? `job ${p.id} (${p.dir})` : p.dir}: ${p.message}\n`);
        if (opts.json) return void (await printJson(jobs));
        await writeOut(jobs.length ? `${jobsTable(jobs)}\n` : 'no jobs\n');
      }),
    );
}
