/**
 * What the Jobs keys do. Mutating actions (UPPERCASE keys) go through the confirm dialog, which states
 * exactly what will happen; the backend call runs only on confirm, and the table is re-polled right after.
 */
import path from 'node:path';
import { useUiStore } from '../../hooks/use-ui.js';
import { useServices } from '../../services.js';
import { buildCommand } from '../../../core/command/build.js';
import { redactScript, specSecrets } from '../../../core/redact.js';
import { runPager, writeCleanCopy, type CleanCopy } from '../../pager.js';
import { jobSecrets } from './secrets.js';
import { modelLabel } from './format.js';
import type { JobJson } from '../../../client/types.js';
import type { UiStore } from '../../../state/ui.js';
import type { AppServices } from '../../services.js';

function describe(job: JobJson): string {
  return `${job.id}: ${modelLabel(job)} on ${job.spec.tasks.join(',')}`;
}

/** The command a job runs (or will run), secrets masked: it goes to the screen and the clipboard. */
export function jobCommand(job: JobJson): string {
  const secrets = specSecrets(job.spec);
  if (job.script) return redactScript(job.script, secrets);
  try {
    return redactScript(buildCommand(job.spec, { cwd: job.cwd }).script, secrets);
  } catch {
    return '(command not available)';
  }
}

/** What `rm` deletes: the job's directory, which holds the results too unless --output_path pointed elsewhere. */
export function removeWhat(job: Pick<JobJson, 'log_path' | 'output_path'>): string {
  const dir = path.dirname(job.log_path);
  const inside = job.output_path === dir || job.output_path.startsWith(dir + path.sep);
  return inside
    ? `Deletes the job's directory ${dir}: its record, log and results.`
    : `Deletes the job's record and log (${dir}). Results under ${job.output_path} are kept.`;
}

export function jobActions(services: AppServices, ui: UiStore) {
  const { backend, poller } = services;
  const flash = (text: string, kind: 'info' | 'success' | 'warning' | 'error' = 'info'): void => ui.getState().setFlash(text, kind);
  const after = async (msg: string): Promise<void> => {
    flash(msg, 'success');
    await poller?.poll();
  };
  // The server's own grace (it may run with `server start --grace 30`), else what this process was told.
  const graceSeconds = (): number => {
    const ms = services.jobs.getState().health?.grace_ms;
    return typeof ms === 'number' ? ms / 1000 : backend.graceSeconds;
  };
  return {
    stop(job: JobJson): void {
      if (job.state === 'queued') return this.cancel(job);
      if (job.state !== 'running' && job.state !== 'orphaned') return flash(`job ${job.id} is ${job.state}: nothing to stop`, 'warning');
      ui.getState().askConfirm({
        title: `Stop job ${job.id}?`,
        body: [
          describe(job),
          `Sends SIGTERM to every process of the job, then SIGKILL after ${graceSeconds()} s if anything is still running.`,
          'Its log and anything already written are kept.',
        ],
        confirmLabel: 'Stop job',
        danger: true,
        onConfirm: async () => {
          flash(`stopping ${job.id}…`, 'warning');
          await backend.stop(job.id);
          await after(`stop requested for ${job.id}`);
        },
      });
    },
    cancel(job: JobJson): void {
      if (job.state !== 'queued') return flash(`job ${job.id} is ${job.state}, not queued${job.state === 'running' || job.state === 'orphaned' ? ' (S stops it)' : ''}`, 'warning');
      ui.getState().askConfirm({
        title: `Cancel job ${job.id}?`,
        body: [describe(job), 'Takes it out of the queue; it never starts.'],
        confirmLabel: 'Cancel job',
        danger: true,
        onConfirm: async () => {
          await backend.cancel(job.id);
          await after(`cancelled ${job.id}`);
        },
      });
    },
    retry(job: JobJson): void {
      if (job.state === 'running' || job.state === 'orphaned' || job.state === 'queued') return flash(`job ${job.id} is ${job.state}: retry a finished job`, 'warning');
      ui.getState().askConfirm({
        title: `Retry job ${job.id}?`,
        body: [describe(job), 'Submits the same spec again as a new job (it queues like any other).'],
        confirmLabel: 'Retry',
        onConfirm: async () => {
          const r = await backend.retry(job.id);
          ui.getState().selectJob(r.id);
          await after(`retrying ${job.id} as ${r.id}`);
        },
      });
    },
    remove(job: JobJson): void {
      if (job.state === 'running' || job.state === 'orphaned' || job.state === 'queued') return flash(`job ${job.id} is ${job.state}: stop or cancel it first`, 'warning');
      ui.getState().askConfirm({
        title: `Remove job ${job.id}?`,
        body: [describe(job), removeWhat(job)],
        confirmLabel: 'Remove',
        danger: true,
        onConfirm: async () => {
          // The cursor stays in place: on the row below (which moves up), or the one above for the last row.
          const list = services.jobs.getState().jobs;
          const i = list.findIndex((j) => j.id === job.id);
          const neighbour = i >= 0 ? (list[i + 1] ?? list[i - 1] ?? null) : null;
          await backend.remove(job.id);
          if (ui.getState().selectedJobId === job.id || ui.getState().selectedJobId === null) ui.getState().selectJob(neighbour?.id ?? null);
          await after(`removed ${job.id}`);
        },
      });
    },
    copyCommand(job: JobJson): void {
      services.copy(jobCommand(job), 'command');
    },
    copyLogPath(job: JobJson): void {
      services.copy(job.log_path, 'log path');
    },
    /**
     * The log in $PAGER, as the output pane shows it: a raw log is full of `\r` redraws (`^M` in less) and
     * colour codes, and may hold secrets. The pager gets a cleaned copy in a private temp dir, removed after.
     */
    async openPager(job: JobJson): Promise<void> {
      let copy: CleanCopy;
      try {
        copy = await writeCleanCopy(job.log_path, jobSecrets(job));
      } catch (err) {
        flash(`cannot read the log ${job.log_path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'error');
        return;
      }
      try {
        const err = services.suspend(() => runPager(copy.file));
        if (err) flash(err, 'error');
      } finally {
        copy.remove();
      }
    },
  };
}

export type JobActions = ReturnType<typeof jobActions>;

export function useJobActions(): JobActions {
  return jobActions(useServices(), useUiStore());
}
