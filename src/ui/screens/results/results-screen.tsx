/**
 * Screen 3: the selected job's results. A metrics table (task, metric, value, stderr, samples), the results
 * files, and for a failed run the reason and the last log lines. `[` / `]` step through finished jobs; `w`
 * opens the workbench (workbench.tsx): every run on disk, and runs compared.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { WindowedList } from '../../components/windowed-list.js';
import { StatusBadge } from '../../components/status-badge.js';
import { useUi, useUiStore } from '../../hooks/use-ui.js';
import { useJobs, useResults, useServices } from '../../services.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { LIST_BINDINGS, RESULTS_BINDINGS } from '../../keymap/bindings.js';
import { useTheme } from '../../theme/index.js';
import { clean, fit } from '../../text.js';
import { selectedIndex } from '../jobs/jobs-screen.js';
import { elapsedMs, modelLabel } from '../jobs/format.js';
import { Workbench } from './workbench.js';
import { formatMetricRow, metricColumns, metricHeader, noMetricsText } from './format.js';
import { isFinished } from '../../../core/scheduler/types.js';
import { formatDuration } from '../../../core/format.js';
import { limitNote } from '../../../core/results/format.js';
import { redactSecrets } from '../../../core/logs/redact.js';
import type { MetricJson } from '../../../client/types.js';

/** Log lines shown under a failed or stopped run. */
const TAIL_LINES = 50;

export interface ResultsScreenProps {
  width: number;
  height: number;
  active: boolean;
}

export function ResultsScreen({ width, height, active }: ResultsScreenProps): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const services = useServices();
  const { backend, results, copy } = services;
  const jobs = useJobs((s) => s.jobs);
  const selectedId = useUi((s) => s.selectedJobId);
  const sel = selectedIndex(jobs, selectedId);
  const job = sel >= 0 ? jobs[sel]! : null;
  const finished = job !== null && isFinished(job.state);
  const entry = useResults((s) => (job ? s.byId[job.id] : undefined));
  const server = useJobs((s) => s.server);
  const [row, setRow] = useState(0);
  const [bench, setBench] = useState(false);

  useEffect(() => {
    if (!job || !finished) return;
    const state = job.state;
    results.getState().ensure(job.id, async (id) => {
      const r = await backend.result(id);
      // The judge keeps a log tail for failed runs only; a stopped (or failed-at-launch) one gets it here.
      if (r.error_tail.length > 0 || state === 'succeeded' || state === 'cancelled') return r;
      const tail = await backend.logTail(id, TAIL_LINES).catch(() => []);
      return { ...r, error_tail: tail };
    });
    // `server`: results that failed to load while the server was away are read again once it is back.
  }, [job?.id, finished, results, backend, server]);

  const metrics: MetricJson[] = entry?.status === 'ok' ? entry.result.metrics : [];
  const files = entry?.status === 'ok' && entry.result.files.length > 0 ? entry.result.files : (job?.results ?? []);
  const inner = paneInner(width, height);
  const ell = theme.glyphs.ellipsis;

  // The lines above the table: what ran, where results are, and for failures why.
  const info: { text: string; color?: string }[] = [];
  if (job) {
    info.push({ text: `${modelLabel(job)} on ${job.spec.tasks.join(',')}` });
    if (job.spec.model_args) info.push({ text: `model_args: ${redactSecrets(job.spec.model_args)}`, color: theme.color('muted') });
    const ran = elapsedMs(job, services.now());
    const evalS = entry?.status === 'ok' ? entry.result.eval_seconds : null;
    if (ran !== null && finished) {
      info.push({ text: `ran ${formatDuration(ran)}${evalS != null ? ` (evaluation ${formatDuration(evalS * 1000)})` : ''}`, color: theme.color('muted') });
    }
    info.push({ text: `results: ${files.length > 0 ? files.join(', ') : job.output_path}`, color: theme.color('muted') });
    // A --limit run scores a subset: say so next to the numbers (the results file's value, else the spec's).
    const limit = limitNote((entry?.status === 'ok' ? entry.result.limit : null) ?? job.spec.limit);
    if (limit && finished) info.push({ text: limit, color: theme.color('warning') });
    if (job.state === 'failed' || job.state === 'stopped' || job.state === 'cancelled') {
      info.push({ text: `reason: ${job.error ?? job.state}`, color: theme.color('error') });
    }
  }
  const tail = job && (job.state === 'failed' || job.state === 'stopped') ? (entry?.status === 'ok' && entry.result.error_tail.length > 0 ? entry.result.error_tail : job.error_tail) : [];
  const tailRows = Math.min(tail.length, Math.max(0, Math.floor((inner.height - info.length - 2) / 2)));
  const tableRows = Math.max(0, inner.height - 1 - info.length - (tailRows > 0 ? tailRows + 1 : 0) - 1);
  const c = metricColumns(inner.width);

  const finishedIdx = jobs.map((j, i) => (isFinished(j.state) ? i : -1)).filter((i) => i >= 0);
  useKeys(
    'pane',
    (key) => {
      const move = actionFor(LIST_BINDINGS, 'list', key);
      if (move) {
        const last = Math.max(0, metrics.length - 1);
        const page = Math.max(1, tableRows - 1);
        const to = { down: row + 1, up: row - 1, top: 0, bottom: last, 'page-down': row + page, 'page-up': row - page }[move] ?? row;
        setRow(Math.max(0, Math.min(last, to)));
        return true;
      }
      const action = actionFor(RESULTS_BINDINGS, 'results', key);
      if (action === 'prev-job' || action === 'next-job') {
        const pos = finishedIdx.filter((i) => (action === 'prev-job' ? i < sel : i > sel));
        const target = action === 'prev-job' ? pos[pos.length - 1] : pos[0];
        if (target === undefined) ui.getState().setFlash(`no ${action === 'prev-job' ? 'earlier' : 'later'} finished job`, 'warning');
        else {
          ui.getState().selectJob(jobs[target]!.id);
          setRow(0);
        }
        return true;
      }
      if (action === 'copy-results-path' && job) {
        copy(files.length > 0 ? files.join('\n') : job.output_path, 'results path');
        return true;
      }
      if (action === 'workbench') {
        setBench(true);
        return true;
      }
      if (action === 'back') {
        ui.getState().setScreen('jobs');
        return true;
      }
      return false;
    },
    active && !bench,
  );
  if (bench) return <Workbench width={width} height={height} active={active} onExit={() => setBench(false)} />;

  let body: ReactNode;
  if (!job) body = <Text color={theme.color('muted')}>{fit('no jobs yet', inner.width, ell)}</Text>;
  else if (!finished) body = <Text color={theme.color('muted')}>{fit(`job ${job.id} is ${job.state}: results appear when it finishes (2 shows its output)`, inner.width, ell)}</Text>;
  else if (entry?.status === 'loading' || !entry) body = <Text color={theme.color('muted')}>{fit('loading results…', inner.width, ell)}</Text>;
  else if (entry.status === 'error') body = <Text color={theme.color('error')}>{fit(`could not read results: ${entry.message}`, inner.width, ell)}</Text>;
  else if (metrics.length === 0) body = <Text color={theme.color('muted')}>{fit(noMetricsText(job), inner.width, ell)}</Text>;
  else {
    body = (
      <Box flexDirection="column">
        <Text bold color={theme.color('muted')} wrap="truncate-end">
          {fit(metricHeader(c, ell), inner.width, ell)}
        </Text>
        <WindowedList items={metrics} selected={Math.min(row, metrics.length - 1)} height={tableRows} width={inner.width} focused={active} renderRow={(m) => formatMetricRow(m, c, ell)} />
      </Box>
    );
  }

  return (
    <Pane title={job ? `Results ${theme.glyphs.sep} ${job.id}` : 'Results'} width={width} height={height} focused={active} status={metrics.length > 0 ? `${metrics.length} metrics` : undefined} clip={false}>
      <Box height={1}>{job ? <StatusBadge state={job.state} /> : <Text> </Text>}</Box>
      {info.map((l, i) => (
        <Text key={i} color={l.color} wrap="truncate-end">
          {fit(clean(l.text), inner.width, ell)}
        </Text>
      ))}
      {body}
      {tailRows > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          {tail.slice(-tailRows).map((l, i) => (
            <Text key={i} color={theme.color('muted')} wrap="truncate-end">
              {fit(clean(l), inner.width, ell)}
            </Text>
          ))}
        </Box>
      ) : null}
    </Pane>
  );
}
