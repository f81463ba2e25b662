/**
 * Screen 2: the jobs table above the selected job's output. The selection lives in the ui store (the
 * Results screen shows the same job); with none chosen the newest job is shown.
 */
import { useEffect, type ReactNode } from 'react';
import { Box } from 'ink';
import { useUi, useUiStore } from '../../hooks/use-ui.js';
import { useJobs, useServices } from '../../services.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { JOBS_BINDINGS, LIST_BINDINGS } from '../../keymap/bindings.js';
import { JobsTable } from './jobs-table.js';
import { OutputPane } from './output-pane.js';
import { useJobActions } from './job-actions.js';
import type { JobJson } from '../../../client/types.js';

export interface JobsScreenProps {
  width: number;
  height: number;
  /** False while an overlay covers the screen. */
  active: boolean;
}

/** Index of the selected job: the chosen id, else the newest job. */
export function selectedIndex(jobs: readonly JobJson[], id: string | null): number {
  if (jobs.length === 0) return -1;
  const i = id ? jobs.findIndex((j) => j.id === id) : -1;
  return i >= 0 ? i : jobs.length - 1;
}

/** Table rows: the jobs plus header and borders, between 6 rows and 40% of the screen. */
export function tableHeight(jobCount: number, height: number): number {
  return Math.max(6, Math.min(jobCount + 3, Math.floor(height * 0.4)));
}

export function JobsScreen({ width, height, active }: JobsScreenProps): ReactNode {
  const ui = useUiStore();
  const { feed, logView } = useServices();
  const jobs = useJobs((s) => s.jobs);
  const selectedId = useUi((s) => s.selectedJobId);
  const pane = useUi((s) => s.pane);
  const actions = useJobActions();
  const sel = selectedIndex(jobs, selectedId);
  const job = sel >= 0 ? jobs[sel]! : null;
  const tableH = tableHeight(jobs.length, height);
  const finished = job !== null && job.state !== 'running' && job.state !== 'queued';

  // Follow the selected job's log (an external resource: the tailer starts and stops with the selection).
  useEffect(() => {
    feed.follow(job?.id ?? null, job && job.state !== 'queued' ? job.log_path : null);
  }, [feed, job?.id, job?.log_path, job?.state === 'queued']);
  // When it ends, read the last bytes (a final line without a newline) once, and bring the end into view:
  // a pause made while it ran must not hide its outcome (the last lines) once there is nothing to follow.
  useEffect(() => {
    if (!finished) return;
    if (feed.jobId === job?.id) logView.getState().resume();
    void feed.drain();
  }, [feed, finished, job?.id]);

  useKeys(
    'pane',
    (key) => {
      const move = actionFor(LIST_BINDINGS, 'list', key);
      const page = Math.max(1, tableH - 3);
      const go = (i: number): void => {
        const j = jobs[Math.max(0, Math.min(jobs.length - 1, i))];
        if (j) ui.getState().selectJob(j.id);
      };
      if (move) {
        if (move === 'down') go(sel + 1);
        else if (move === 'up') go(sel - 1);
        else if (move === 'top') go(0);
        else if (move === 'bottom') go(jobs.length - 1);
        else if (move === 'page-down') go(sel + page);
        else if (move === 'page-up') go(sel - page);
        return true;
      }
      const action = actionFor(JOBS_BINDINGS, 'jobs', key);
      if (!action) return false;
      if (!job) {
        ui.getState().setFlash('no job selected', 'warning');
        return true;
      }
      switch (action) {
        case 'open-log': ui.getState().setPane('log'); break;
        case 'open-results': ui.getState().setScreen('results'); break;
        case 'stop': actions.stop(job); break;
        case 'cancel': actions.cancel(job); break;
        case 'retry': actions.retry(job); break;
        case 'remove': actions.remove(job); break;
        case 'copy-command': actions.copyCommand(job); break;
        case 'copy-log-path': actions.copyLogPath(job); break;
        case 'pager': void actions.openPager(job); break;
        default: return false;
      }
      return true;
    },
    active && pane === 'table',
  );

  return (
    <Box flexDirection="column" width={width} height={height}>
      <JobsTable width={width} height={tableH} focused={active && pane === 'table'} selected={sel} />
      <OutputPane width={width} height={height - tableH} focused={active && pane === 'log'} job={job} />
    </Box>
  );
}
