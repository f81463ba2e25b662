/**
 * The Results screen's workbench (`w`): every run on disk (the jobs' output paths and the folders added with
 * `lmms-tui results add`), marked with Space, compared with `c`: the tasks × runs matrix with deltas against
 * a baseline (`b` cycles it), the metric (`m` cycles it) and a bar chart in Unicode blocks (ASCII when the
 * theme is). `/` filters the list by text (B.5 of the style guide: live while typing, Enter keeps it, Esc
 * clears it; the filter and its match count stay in the pane's status). Enter opens the selected run's samples (samples-view.tsx). The TUI runs on the server's machine (see ../../backend.ts), so it reads the files through the
 * core directly, as `lmms-tui results` does.
 */
import path from 'node:path';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { WindowedList } from '../../components/windowed-list.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { COMPARE_BINDINGS, LIST_BINDINGS, RUNS_BINDINGS } from '../../keymap/bindings.js';
import { TextInput } from '../../components/text-input.js';
import { useUiStore } from '../../hooks/use-ui.js';
import { useTheme } from '../../theme/index.js';
import { clean, fit } from '../../text.js';
import { compareRefs, filterRuns, loadIndex, searchRuns } from '../../../core/results/service.js';
import { cellText, compareLegend, runLabels, textChart } from '../../../core/results/export.js';
import type { Comparison } from '../../../core/results/compare.js';
import type { RunInfo } from '../../../core/results/runs.js';
import { SamplesView } from './samples-view.js';
import { formatMetricValue } from '../../../core/results/format.js';

export interface WorkbenchProps {
  width: number;
  height: number;
  active: boolean;
  onExit: () => void;
  /** Environment whose state dir and settings the index reads (default process.env). */
  env?: NodeJS.ProcessEnv;
}

type Loaded = { status: 'loading' } | { status: 'ok'; runs: RunInfo[]; problems: string[] } | { status: 'error'; message: string };

export function runRow(r: RunInfo, marked: boolean, width: number, ell: string): string {
  const what = r.error ? `unreadable: ${r.error.replace(r.file, path.basename(r.file))}` : [...r.groups.map((g) => g.name), ...r.tasks.filter((t) => !r.groups.some((g) => g.members.includes(t)))].join(',');
  const date = (r.date ?? '').replace('T', ' ').slice(0, 16).padEnd(16);
  return fit(`${marked ? '●' : ' '} ${r.id}  ${date}  ${r.harness.padEnd(9)}  ${fit(r.model ?? '-', 28, ell).padEnd(28)}  ${what}`, width, ell);
}

export function Workbench({ width, height, active, onExit, env }: WorkbenchProps): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const ell = theme.glyphs.ellipsis;
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [row, setRow] = useState(0);
  const [marked, setMarked] = useState<string[]>([]);
  const [sort, setSort] = useState<'date' | 'model'>('date');
  const [view, setView] = useState<'runs' | 'compare' | 'samples'>('runs');
  const [baseline, setBaseline] = useState(0);
  const [metric, setMetric] = useState<string | undefined>(undefined);
  const [scroll, setScroll] = useState(0);
  const [filter, setFilter] = useState('');
  const [filtering, setFiltering] = useState(false);

  // The footer and the key handlers use the sub-view's own bindings (layout.ts focusedScopes).
  useEffect(() => {
    if (!active) return;
    ui.getState().setView(view);
  }, [active, view, ui]);
  useEffect(() => () => ui.getState().setView(null), [ui]);

  useEffect(() => {
    // Off the first frame: a cold index of a large folder takes a moment.
    const t = setTimeout(() => {
      try {
        const idx = loadIndex({ env });
        setLoaded({ status: 'ok', runs: idx.runs, problems: idx.problems.map((p) => `${p.path}: ${p.message}`) });
      } catch (err) {
        setLoaded({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    }, 0);
    return () => clearTimeout(t);
  }, [env]);

  const all = useMemo(() => (loaded.status === 'ok' ? filterRuns(loaded.runs, { sort }) : []), [loaded, sort]);
  const runs = useMemo(() => searchRuns(all, filter), [all, filter]);
  const comparison = useMemo((): Comparison | string | null => {
    if (view !== 'compare') return null;
    try {
      return compareRefs(marked, { baseline: marked[baseline], metric }, { env });
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }, [view, marked, baseline, metric, env]);

  const inner = paneInner(width, height);
  const lines = useMemo(() => {
    if (!comparison || typeof comparison === 'string') return [];
    const labels = runLabels(comparison);
    const cw = Math.min(40, Math.max(22, ...labels.map((l) => l.length + 8)));
    const head = `${'TASK'.padEnd(28)} ${'METRIC'.padEnd(16)} ${labels.map((l, i) => fit(i === comparison.baseline ? `${l} (base)` : l, cw, ell).padEnd(cw)).join(' ')}  MDE`;
    const out = [head];
    for (const r of comparison.rows) {
      const mdes = r.cells.map((x, i) => (i === comparison.baseline ? null : x.mde)).filter((x): x is number => x !== null);
      out.push(`${fit(`${'  '.repeat(r.depth)}${r.task}`, 28, ell).padEnd(28)} ${fit(r.metric || '-', 16, ell).padEnd(16)} ${r.cells.map((x) => cellText(x).padEnd(cw)).join(' ')}  ${mdes.length ? formatMetricValue(Math.max(...mdes)) : '-'}`);
    }
    out.push('', ...compareLegend(comparison), '', ...textChart(comparison, { width: Math.max(10, Math.min(40, inner.width - 60)), ascii: theme.glyphMode === 'ascii' }).split('\n'));
    return out;
  }, [comparison, inner.width, ell, theme]);

  useKeys(
    'pane',
    (key) => {
      const move = actionFor(LIST_BINDINGS, 'list', key);
      const action = view === 'compare' ? actionFor(COMPARE_BINDINGS, 'compare', key) : actionFor(RUNS_BINDINGS, 'runs', key);
      if (view === 'samples') return false;
      if (view === 'compare') {
        if (move) {
          const last = Math.max(0, lines.length - 1);
          const page = Math.max(1, inner.height - 2);
          const to = { down: scroll + 1, up: scroll - 1, top: 0, bottom: last, 'page-down': scroll + page, 'page-up': scroll - page }[move] ?? scroll;
          setScroll(Math.max(0, Math.min(last, to)));
          return true;
        }
        if (action === 'baseline') return (setBaseline((b) => (b + 1) % Math.max(1, marked.length)), true);
        if (action === 'metric' && comparison && typeof comparison !== 'string') {
          const all = [undefined, ...comparison.metrics];
          setMetric(all[(all.indexOf(metric) + 1) % all.length]);
          return true;
        }
        if (action === 'back') return (setView('runs'), true);
        return false;
      }
      if (move) {
        const last = Math.max(0, runs.length - 1);
        const page = Math.max(1, inner.height - 2);
        const to = { down: row + 1, up: row - 1, top: 0, bottom: last, 'page-down': row + page, 'page-up': row - page }[move] ?? row;
        setRow(Math.max(0, Math.min(last, to)));
        return true;
      }
      if (action === 'mark') {
        const r = runs[row];
        if (!r) return true;
        if (r.error) ui.getState().setFlash(`run ${r.id} cannot be read: ${r.error}`, 'warning');
        else setMarked((m) => (m.includes(r.id) ? m.filter((x) => x !== r.id) : [...m, r.id]));
        return true;
      }
      if (action === 'compare') {
        if (marked.length < 2) ui.getState().setFlash('mark two or more runs with Space first', 'warning');
        else {
          setBaseline(0);
          setScroll(0);
          setView('compare');
        }
        return true;
      }
      if (action === 'filter') {
        setFiltering(true);
        return true;
      }
      if (action === 'back' && filter) {
        setFilter('');
        setRow(0);
        return true;
      }
      if (action === 'sort') return (setSort((s) => (s === 'date' ? 'model' : 'date')), true);
      if (action === 'open-samples') {
        const r = runs[row];
        if (r && Object.keys(r.samplesFiles).length) setView('samples');
        else ui.getState().setFlash(r ? `run ${r.id} logged no samples (run with --log_samples)` : 'no run selected', 'warning');
        return true;
      }
      if (action === 'workbench' || action === 'back') return (onExit(), true);
      return false;
    },
    active && !filtering,
  );

  let body: ReactNode;
  if (loaded.status === 'loading') body = <Text color={theme.color('muted')}>{fit('indexing results…', inner.width, ell)}</Text>;
  else if (loaded.status === 'error') body = <Text color={theme.color('error')}>{fit(`could not index results: ${loaded.message}`, inner.width, ell)}</Text>;
  else if (view === 'compare') {
    body =
      typeof comparison === 'string' ? (
        <Text color={theme.color('error')}>{fit(comparison, inner.width, ell)}</Text>
      ) : (
        <Box flexDirection="column">
          {lines.slice(scroll, scroll + inner.height).map((l, i) => (
            <Text key={i} bold={scroll + i === 0} wrap="truncate-end">
              {fit(clean(l), inner.width, ell)}
            </Text>
          ))}
        </Box>
      );
  } else {
    body = (
      <Box flexDirection="column">
        <WindowedList
          items={runs}
          selected={Math.min(row, Math.max(0, runs.length - 1))}
          height={Math.max(1, inner.height - (loaded.problems.length ? 1 : 0) - (filtering ? 1 : 0))}
          width={inner.width}
          focused={active}
          empty={filter ? `no run matches "${filter}" (Esc clears the filter)` : 'no runs found: add a folder with `lmms-tui results add DIR`'}
          renderRow={(r) => runRow(r, marked.includes(r.id), inner.width, ell)}
        />
        {loaded.problems.length ? <Text color={theme.color('warning')}>{fit(loaded.problems.join('; '), inner.width, ell)}</Text> : null}
        {filtering ? (
          <Text wrap="truncate-end">
            {'/'}
            <TextInput
              value={filter}
              onChange={(v) => {
                setFilter(v);
                setRow(0);
              }}
              focus
              label="filter"
              width={inner.width - 1}
              onSubmit={() => setFiltering(false)}
              onCancel={() => {
                setFilter('');
                setRow(0);
                setFiltering(false);
              }}
            />
          </Text>
        ) : null}
      </Box>
    );
  }
  if (view === 'samples' && runs[row]) return <SamplesView run={runs[row]!} width={width} height={height} active={active} onExit={() => setView('runs')} />;
  const title = view === 'compare' ? `Results ${theme.glyphs.sep} compare ${marked.length} runs${metric ? ` ${theme.glyphs.sep} ${metric}` : ''}` : `Results ${theme.glyphs.sep} runs`;
  const count = filter ? `/${filter} ${theme.glyphs.sep} ${runs.length} of ${all.length} runs` : `${runs.length} runs`;
  const status = loaded.status === 'ok' ? (view === 'runs' ? `${count}${marked.length ? `, ${marked.length} marked` : ''} · sort ${sort}` : undefined) : undefined;
  return (
    <Pane title={title} width={width} height={height} focused={active} status={status} clip={false}>
      {body}
    </Pane>
  );
}
