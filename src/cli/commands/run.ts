/**
 * `lmms-tui run [spec flags] [--wait]`: `python -m lmms_eval ARGS` becomes `lmms-tui run ARGS`.
 * Submits the job to the per-user server (started on first use); with --wait, streams its log and exits
 * with its outcome (0 succeeded, 1 otherwise). `--no-server` hosts the queue in this process instead
 * (for a batch allocation where no daemon should outlive the shell).
 */
import type { Command } from 'commander';
import { validateSpec } from '../../core/command/validate.js';
import { formatError, UserError, ValidationError } from '../../core/errors.js';
import { Scheduler } from '../../core/scheduler/index.js';
import { labelProblems, type JobRecord } from '../../core/scheduler/index.js';
import type { EvalSpec } from '../../core/spec.js';
import { followBytes, redactingWriter } from '../follow-bytes.js';
import { specSecrets } from '../../core/redact.js';
import { addHostOptions, hostOptions, type HostOptionValues } from '../host-options.js';
import { addSpecOptions, extraArgsOf, specFromOptions } from '../spec-options.js';
import { addTaskCheckOption, checkTaskNames } from '../task-check.js';
import { action } from '../client-helpers.js';
import { submitAndMaybeWait } from '../follow.js';
import { formatProblems } from './preview.js';

export function registerRun(program: Command): Command {
  const cmd = program
    .command('run')
    .description('submit an evaluation job (flags as the harness spells them)')
    .option('--wait', 'follow the log and exit with the job outcome (Ctrl-C stops the job)')
    .option('--name <label>', 'a name for the job, shown beside its id in jobs, show, queue and the TUI (e.g. ckpt-2000)')
    .option('--allow-duplicate', 'submit even when a queued or running job has the same spec (otherwise asked on a terminal, refused without one)')
    .option('--no-server', 'host the queue in this process instead of the per-user server (needs --wait to watch it)');
  addSpecOptions(cmd);
  addHostOptions(cmd);
  addTaskCheckOption(cmd);
  cmd.action(action(async (_extra: unknown, opts: Record<string, unknown>, self: Command) => {
    const { extraArgs, problems: strays } = extraArgsOf(self);
    const spec = specFromOptions(opts, extraArgs);
    const label = typeof opts.name === 'string' ? opts.name : undefined;
    const problems = [...strays, ...validateSpec(spec), ...labelProblems(label).map((p) => ({ ...p, field: '--name' }))];
    if (problems.length === 0) problems.push(...(await checkTaskNames(spec, opts, { cwd: process.cwd(), note: (t) => process.stderr.write(t) })));
    if (problems.length) {
      process.stderr.write(`lmms-tui run: the spec has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${formatProblems(problems)}`);
      return 2;
    }
    if (opts.server === false) return runHosted(spec, opts.wait === true, opts as HostOptionValues, label);
    return submitAndMaybeWait(spec, { wait: opts.wait === true, label, allowDuplicate: opts.allowDuplicate === true });
  }));
  return cmd;
}

/** Hosts the scheduler in this process: submit, and with wait follow the job to its end. */
export async function runHosted(spec: EvalSpec, wait: boolean, host: HostOptionValues, label?: string): Promise<number> {
  let s: Scheduler;
  try {
    s = await Scheduler.open(await hostOptions(host));
  } catch (err) {
    process.stderr.write(`lmms-tui run: ${formatError(err)}\n`);
    return 2;
  }
  let job: JobRecord;
  try {
    job = s.submit(spec, { cwd: process.cwd(), env: { ...process.env } as Record<string, string>, label });
  } catch (err) {
    s.close();
    if (err instanceof ValidationError) {
      process.stderr.write(`lmms-tui run: the spec has problems:\n${formatProblems(err.problems)}`);
      return 2;
    }
    process.stderr.write(`lmms-tui run: ${formatError(err)}\n`);
    return err instanceof UserError ? 2 : 1;
  }
  if (!wait) {
    await s.started(job.id);
    const j = s.get(job.id);
    process.stdout.write(`${j.id}\n`);
    process.stderr.write(j.state === 'queued' ? `job ${j.id} queued at position ${s.position(j.id)}\n` : `job ${j.id} ${j.state}; follow it with: lmms-tui logs -f ${j.id}\n`);
    s.close();
    return 0;
  }
  process.stderr.write(`job ${job.id} submitted; Ctrl-C stops it\n`);
  // Raw bytes (redraws, colours) with secrets masked, as every other face shows a log.
  const out = redactingWriter((chunk) => process.stdout.write(chunk), specSecrets(job.spec, job.env));
  const stopFollow = followBytes(s.logPath(job.id), (chunk) => out.push(chunk));
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nstopping job ${job.id} (SIGTERM to all its processes, SIGKILL after the grace period); Ctrl-C again to leave it\n`);
      s.stop(job.id).catch((err: unknown) => process.stderr.write(`lmms-tui: ${formatError(err)}\n`));
    } else {
      process.stderr.write(`leaving; job ${job.id} may still be stopping\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  const done = await s.waitFor(job.id);
  process.off('SIGINT', onSigint);
  stopFollow();
  out.flush();
  s.close();
  process.stderr.write(`\n${outcomeLine(done)}\n`);
  return done.state === 'succeeded' ? 0 : 1;
}

export function outcomeLine(job: JobRecord): string {
  const head = `job ${job.id} ${job.state}`;
  if (job.state === 'succeeded') return `${head}; results: ${job.results.join(', ') || job.output_path}`;
  const tail = job.error_tail.length ? `\n--- last log lines ---\n${job.error_tail.slice(-20).join('\n')}` : '';
  return `${head}: ${job.error ?? 'no reason recorded'}${tail}`;
}
