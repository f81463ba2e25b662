import type { Command } from 'commander';
import type { JobJson, ResultResponse } from '../../client/types.js';
import { formatMetricValue, formatStderr } from '../../core/results/format.js';
import { formatBytes } from '../../core/format.js';
import { action, elapsed, formatAgo, printJson, stateLabel, table, usageExit, withClient, writeOut } from '../client-helpers.js';
import { resolveJob } from '../job-ref.js';

const FINISHED = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

export function describeJob(job: JobJson, result: ResultResponse | null, now = Date.now()): string {
  const s = job.spec;
  const rows: [string, string | null | undefined][] = [
    ['name', job.label],
    ['harness', `${s.harness}${s.demo ? ' (demo: simulated results)' : ''}`],
    ['model', s.model + (s.model_args ? `  (${s.model_args})` : '')],
    ['tasks', s.tasks.join(', ')],
    ['position', job.position ? `#${job.position} in the queue` : null],
    ['created', `${job.created_at} (${formatAgo(job.created_at, now)})`],
    ['started', job.started_at],
    ['ended', job.ended_at],
    ['elapsed', job.started_at ? elapsed(job, now) : null],
    ['gpus', job.gpus.length ? job.gpus.join(',') : null],
    ['pid', job.pid !== null ? String(job.pid) : null],
    ['cgroup', job.pid === null ? null : (job.cgroup ?? 'none (stop sweeps the process group, session and job marker)')],
    ['escaped', job.escaped?.length ? `${job.escaped.join(', ')}: still running after stop, out of reach (kill -9 them by hand)` : null],
    ['exit', job.exit_code !== null || job.signal ? `${job.exit_code ?? '-'}${job.signal ? ` (${job.signal})` : ''}` : null],
    ['cwd', job.cwd],
    ['output', job.output_path],
    ['log', job.log_path + (job.log_capped ? `  (capped at ${formatBytes(job.log_capped.cap_bytes)}: ${formatBytes(job.log_capped.dropped_bytes)} of output dropped from the middle)` : '')],
    ['results', job.results.length ? job.results.join('\n             ') : null],
    ['retry of', job.retry_of],
    ['error', job.error],
  ];
  const out = [`job ${job.id}  ${stateLabel(job.state)}${job.stop_requested && !FINISHED.has(job.state) ? ' (stopping)' : ''}`];
  for (const [k, v] of rows) if (v) out.push(`  ${k.padEnd(9)}  ${v}`);
  if (result?.metrics.length) {
    out.push('', 'metrics');
    out.push(
      table(
        ['  TASK', 'METRIC', 'FILTER', 'VALUE', 'STDERR'],
        result.metrics.map((m) => [`  ${'  '.repeat(m.depth ?? 0)}${m.task}`, m.metric || '-', m.filter, formatMetricValue(m.value), formatStderr(m.stderr)]),
      ),
    );
  }
  if (result?.samples?.length) out.push('', 'samples', ...result.samples.map((f) => `  ${f}`));
  for (const u of result?.unreadable ?? []) out.push(`  unreadable results file ${u.file}: ${u.message}`);
  for (const p of job.problems ?? []) out.push(`  warning: ${p}`);
  if (job.state === 'failed' && job.error_tail.length) {
    out.push('', `last ${job.error_tail.length} log lines`, ...job.error_tail.map((l) => `  ${l}`));
  }
  return out.join('\n');
}

/** `lmms-tui show JOB [--json]`: details, and metrics once finished. */
export function registerShow(program: Command): void {
  usageExit(program.command('show').description("a job's details, and its metrics once it has finished").argument('<job>', 'job id or unique prefix'))
    .option('--json', 'print the job as JSON, with `result` (metrics, files, error) once finished')
    .option('--reveal', 'show secrets (env lines, set-up exports, api_key= …) in clear: the runnable spec and script')
    .action(
      action(async (id: string, opts: { json?: boolean; reveal?: boolean }) => {
        const { job, result } = await withClient(async (c) => {
          const job = await resolveJob(c, id, { reveal: opts.reveal === true });
          return { job, result: FINISHED.has(job.state) ? await c.result(job.id) : null };
        });
        if (opts.json) return void (await printJson({ ...job, result }));
        await writeOut(`${describeJob(job, result)}\n`);
      }),
    );
}
