/**
 * Following a job from the CLI (`logs -f`, `run --wait`): the log goes to stdout as it is written, and
 * the call returns the job once it has finished and its whole log has been printed.
 */
import { validateSpec } from '../core/command/validate.js';
import { UserError, ValidationError } from '../core/errors.js';
import type { EvalSpec } from '../core/spec.js';
import type { LmmsClient } from '../client/client.js';
import { connect } from '../client/connect.js';
import type { JobJson } from '../client/types.js';
import { ApiError } from '../client/errors.js';
import { EXIT, guardEpipe, stateLabel, writeOut } from './client-helpers.js';

/** Asks a yes/no question on the terminal (stderr, so stdout keeps only the job id); no is the default. */
async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Prints the job's log from byte offset `since` until the job has finished; returns the finished job. */
export async function streamLog(client: LmmsClient, id: string, opts: { since?: number; signal?: AbortSignal } = {}): Promise<JobJson | null> {
  guardEpipe();
  const ansi = process.stdout.isTTY === true;
  let last: JobJson | null = null;
  for await (const ev of client.followLog(id, { since: opts.since, ansi, signal: opts.signal })) {
    if (ev.type === 'lines' && ev.lines.length) await writeOut(`${ev.lines.join('\n')}\n`);
    else if (ev.type === 'state') last = ev.job;
    else if (ev.type === 'end') return ev.job;
  }
  return last;
}

/** One line saying how a job ended, on stderr (stdout carries the log). */
export function outcomeLine(job: JobJson): string {
  const why = job.state === 'succeeded' ? '' : job.error ? `: ${job.error}` : '';
  return `${stateLabel(job.state)}: job ${job.id}${why}`;
}

/**
 * `run`'s engine: validates, submits through the user's server (starting it if needed) and prints the id
 * on stdout. With `wait`, streams the log to stdout until the job ends and returns 0 only if it succeeded.
 * Ctrl-C while waiting asks the server to stop the job and keeps streaming until it has ended; a second
 * Ctrl-C leaves at once (exit 130), the stop carrying on in the server.
 */
export async function submitAndMaybeWait(spec: EvalSpec, opts: { wait: boolean; client?: LmmsClient; label?: string; allowDuplicate?: boolean }): Promise<number> {
  const problems = validateSpec(spec);
  if (problems.length) throw new ValidationError(problems);
  const client = opts.client ?? (await connect({ autoStart: true }));
  try {
    let submitted;
    try {
      // The server checks for a twin and queues in one step, so two shells submitting at once cannot both pass.
      submitted = await client.submit(spec, { label: opts.label, refuseDuplicate: !opts.allowDuplicate });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'duplicate')) throw err;
      if (!process.stdin.isTTY || !process.stderr.isTTY) {
        throw new UserError(`not submitted: ${err.message}`, 'pass --allow-duplicate to queue another copy anyway');
      }
      if (!(await confirm(`lmms-tui: ${err.message}. Submit another copy? [y/N] `))) {
        process.stderr.write('not submitted\n');
        return EXIT.failed;
      }
      submitted = await client.submit(spec, { label: opts.label });
    }
    const where = submitted.position ? `queued, position ${submitted.position}` : submitted.state;
    process.stderr.write(`submitted job ${submitted.id}${submitted.job.label ? ` "${submitted.job.label}"` : ''} (${where})\n`);
    await writeOut(`${submitted.id}\n`);
    if (!opts.wait) return EXIT.ok;

    let interrupts = 0;
    const onInt = () => {
      interrupts++;
      if (interrupts > 1) {
        process.stderr.write(`\nleaving; the server is still stopping job ${submitted.id}\n`);
        process.exit(EXIT.interrupted);
      }
      process.stderr.write(`\nstopping job ${submitted.id}… (Ctrl-C again to leave now; the stop carries on)\n`);
      client.stop(submitted.id).catch((err: unknown) => process.stderr.write(`lmms-tui: could not stop: ${(err as Error).message}\n`));
    };
    process.on('SIGINT', onInt);
    try {
      const job = (await streamLog(client, submitted.id)) ?? (await client.job(submitted.id));
      process.stderr.write(`${outcomeLine(job)}\n`);
      return job.state === 'succeeded' ? EXIT.ok : EXIT.failed;
    } finally {
      process.off('SIGINT', onInt);
    }
  } finally {
    if (!opts.client) client.close();
  }
}
