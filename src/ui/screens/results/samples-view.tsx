/**
 * The workbench's samples view: one run's samples for one task, paged straight from the JSONL file (the line
 * index is built on open, then each page is one positioned read: src/core/results/samples.ts). `t` steps
 * through the tasks that have samples, `x` keeps only wrong answers (first metric = 0), `o` opens the
 * sample's media with the system's opener ($LMMS_TUI_OPEN, else xdg-open / open). `/` searches every field
 * (`n`/`N` step through the matches), `r` loads the Launch form with a re-run of the docs listed (or, with a
 * search, of the matching ones) and says what the re-run covers (lmms-eval has no per-doc selection).
 */
import { spawn } from 'node:child_process';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { LIST_BINDINGS, SAMPLES_BINDINGS } from '../../keymap/bindings.js';
import { TextInput } from '../../components/text-input.js';
import { useServices } from '../../services.js';
import { defaultSettings, launchStoreFor } from '../launch/defaults.js';
import { rerunPlan } from '../../../core/results/service.js';
import { matchLabel, matchPositions, rerunSpec, stepMatch } from './samples-actions.js';
import { useUiStore } from '../../hooks/use-ui.js';
import { useTheme } from '../../theme/index.js';
import { clean, fit } from '../../text.js';
import { SamplesFile, type Page, type Sample, type SampleFilter } from '../../../core/results/samples.js';
import type { RunInfo } from '../../../core/results/runs.js';
import { formatMetricValue } from '../../../core/results/format.js';

/** Lines one sample takes on screen. */
const LINES = 5;

export function openerCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.LMMS_TUI_OPEN || (process.platform === 'darwin' ? 'open' : 'xdg-open');
}

const shown = (v: unknown): string => (v === null || v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));

export function sampleLines(s: Sample): string[] {
  if (s.error) return [`#${s.line + 1}  ${s.error}`, '', '', '', ''];
  const metrics = Object.entries(s.metrics).map(([k, v]) => `${k}=${formatMetricValue(v)}`).join('  ');
  return [
    `doc ${shown(s.docId)}  ${metrics}${s.filter && s.filter !== 'none' ? `  [${s.filter}]` : ''}${s.media.length ? `  media: ${s.media.join(', ')}` : ''}`,
    `  input     ${(s.input ?? '-').replace(/\s+/g, ' ')}`,
    `  target    ${shown(s.target)}`,
    `  response  ${shown(s.resps)}  filtered ${shown(s.filteredResps)}`,
    '',
  ];
}

export function SamplesView({ run, width, height, active, onExit }: { run: RunInfo; width: number; height: number; active: boolean; onExit: () => void }): ReactNode {
  const theme = useTheme();
  const ui = useUiStore();
  const ell = theme.glyphs.ellipsis;
  const tasks = Object.keys(run.samplesFiles).sort();
  const [task, setTask] = useState(tasks[0]);
  const [wrong, setWrong] = useState(false);
  const [sel, setSel] = useState(0);
  const [offset, setOffset] = useState(0);
  const [progress, setProgress] = useState<string | null>(null);
  const [file, setFile] = useState<SamplesFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileRef = useRef<SamplesFile | null>(null);
  const services = useServices();
  const [query, setQuery] = useState('');
  const [searching, setSearching] = useState(false);
  const [draft, setDraft] = useState('');
  const inner = paneInner(width, height);
  const perPage = Math.max(1, Math.floor((inner.height - 1) / LINES));

  useEffect(() => {
    if (!task) return;
    setFile(null);
    setError(null);
    const t = setTimeout(() => {
      try {
        const sf = SamplesFile.open(run.samplesFiles[task]!, { onProgress: ({ bytes, total }) => setProgress(`indexing ${Math.floor((bytes / Math.max(1, total)) * 100)}%`) });
        fileRef.current = sf;
        setFile(sf);
        setProgress(null);
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
      }
    }, 0);
    return () => {
      clearTimeout(t);
      fileRef.current?.close();
      fileRef.current = null;
    };
  }, [run, task]);

  const metric = useMemo(() => (file ? file.metricNames()[0] : undefined), [file]);
  const viewFilter = useMemo((): SampleFilter => (wrong && metric ? { metric: { name: metric, op: '=', value: 0 } } : {}), [wrong, metric]);
  const page: Page | null = useMemo(() => {
    if (!file) return null;
    return file.page(offset, perPage, viewFilter);
  }, [file, offset, perPage, viewFilter]);
  const matches = useMemo(() => (file && query ? matchPositions(file, query, viewFilter) : null), [file, query, viewFilter]);
  const count = page?.matched ?? 0;
  const current = page?.samples[sel - offset];

  const goTo = (pos: number): void => {
    const next = Math.max(0, Math.min(Math.max(0, count - 1), pos));
    setSel(next);
    if (next < offset) setOffset(next);
    else if (next >= offset + perPage) setOffset(next - perPage + 1);
  };
  const search = (typed: string): void => {
    setSearching(false);
    if (typed === '') {
      // Enter alone: the last search again (the next match), as in the output pane and in less.
      const to = matches ? stepMatch(matches, sel, 1) : null;
      if (to !== null) goTo(to);
      return;
    }
    setQuery(typed);
    if (!file) return;
    const hits = matchPositions(file, typed, viewFilter);
    const first = hits.includes(sel) ? sel : stepMatch(hits, sel, 1);
    if (first === null) ui.getState().setFlash(`not found: ${typed}`, 'warning');
    else goTo(first);
  };
  const rerun = (): void => {
    if (!file || !task) return;
    try {
      const plan = rerunPlan(run, task, file.docIds({ ...viewFilter, ...(query ? { search: query } : {}) }));
      const what = [wrong && metric ? `${metric}=0` : '', query ? `matching "${query}"` : ''].filter(Boolean).join(', ');
      const masked = plan.spec.model_args?.includes('••') === true;
      // A dialog, not a status line: the note says what the re-run really covers and must be read whole.
      ui.getState().askConfirm({
        title: `Re-run ${plan.docIds.length} ${task} docs${what ? ` (${what})` : ''} of run ${run.id}?`,
        body: [
          plan.note,
          `${plan.spec.harness} --model ${plan.spec.model} --tasks ${task}${plan.spec.samples ? ` --samples '${plan.spec.samples}'` : ''}${plan.spec.offset !== undefined ? ` --offset ${plan.spec.offset} --limit ${plan.spec.limit}` : ''}`,
          masked ? 'model_args are as recorded with secrets masked (••••): fill them in on the form before launching.' : 'model_args are as recorded in the results file.',
          'This replaces the Launch form; nothing starts until you launch it there (L).',
        ],
        confirmLabel: 'Load the Launch form',
        onConfirm: () => {
          const store = launchStoreFor(services.backend, defaultSettings(), services.demo);
          store.getState().setSpec(rerunSpec(plan, store.getState().spec));
          ui.getState().setScreen('launch');
          ui.getState().setFlash(`loaded a re-run of ${plan.docIds.length} ${task} docs: ${plan.note}`, 'info');
        },
      });
    } catch (err) {
      ui.getState().setFlash(err instanceof Error ? err.message : String(err), 'warning');
    }
  };

  useKeys(
    'pane',
    (key) => {
      const move = actionFor(LIST_BINDINGS, 'list', key);
      if (move) {
        const last = Math.max(0, count - 1);
        goTo({ down: sel + 1, up: sel - 1, top: 0, bottom: last, 'page-down': sel + perPage, 'page-up': sel - perPage }[move] ?? sel);
        return true;
      }
      const own = actionFor(SAMPLES_BINDINGS, 'samples', key);
      if (own === 'search') {
        setDraft('');
        setSearching(true);
        return true;
      }
      if (own === 'next-match' || own === 'prev-match') {
        if (!matches) ui.getState().setFlash('no search: press / to search the samples', 'warning');
        else {
          const to = stepMatch(matches, sel, own === 'next-match' ? 1 : -1);
          if (to === null) ui.getState().setFlash(`not found: ${query}`, 'warning');
          else goTo(to);
        }
        return true;
      }
      if (own === 'rerun') return (rerun(), true);
      if (own === 'back' && query) return (setQuery(''), true);
      const action = own;
      if (action === 'next-task' && tasks.length) {
        setQuery('');
        setTask(tasks[(tasks.indexOf(task!) + 1) % tasks.length]);
        setSel(0);
        setOffset(0);
        return true;
      }
      if (action === 'wrong-only') {
        if (!metric) ui.getState().setFlash('these samples carry no per-sample metric', 'warning');
        else {
          setWrong((w) => !w);
          setSel(0);
          setOffset(0);
        }
        return true;
      }
      if (action === 'open-media') {
        const media = current?.media[0];
        if (!media) ui.getState().setFlash('this sample names no image or file', 'warning');
        else {
          const cmd = openerCommand();
          const child = spawn(cmd, [media], { detached: true, stdio: 'ignore' });
          child.on('error', (err) => ui.getState().setFlash(`cannot open ${media} with ${cmd}: ${err.message} (set $LMMS_TUI_OPEN)`, 'warning'));
          child.unref();
          ui.getState().setFlash(`opening ${media}`, 'info');
        }
        return true;
      }
      if (action === 'back') return (onExit(), true);
      return false;
    },
    active && !searching,
  );

  let body: ReactNode;
  if (!task) body = <Text color={theme.color('muted')}>{fit('this run logged no samples: run it with --log_samples', inner.width, ell)}</Text>;
  else if (error) body = <Text color={theme.color('error')}>{fit(error, inner.width, ell)}</Text>;
  else if (!page) body = <Text color={theme.color('muted')}>{fit(progress ?? 'opening samples…', inner.width, ell)}</Text>;
  else {
    const lines: { text: string; selected: boolean; hit: boolean }[] = [];
    const hits = new Set(matches ?? []);
    page.samples.forEach((s, i) => {
      const hit = hits.has(offset + i);
      // Matches of the search are marked in the gutter (and coloured), so they stand out without n/N.
      sampleLines(s).forEach((l, j) => lines.push({ text: query ? `${hit && j === 0 ? theme.glyphs.pointer : ' '} ${l}` : l, selected: offset + i === sel, hit }));
    });
    body = (
      <Box flexDirection="column">
        {lines.slice(0, inner.height - 1 - (searching ? 1 : 0)).map((l, i) => (
          <Text key={i} inverse={l.selected && l.text.trim() !== '' && active} color={l.hit ? theme.color('match') : undefined} wrap="truncate-end">
            {fit(clean(l.text), inner.width, ell)}
          </Text>
        ))}
        {searching ? (
          <Text wrap="truncate-end">
            {'/'}
            <TextInput value={draft} onChange={setDraft} focus label="search" width={inner.width - 1} onSubmit={search} onCancel={() => setSearching(false)} />
          </Text>
        ) : null}
        <Text color={theme.color('muted')}>{fit(`${count === page.total ? `${page.total} samples` : `${count} of ${page.total} samples${wrong ? ` with ${metric}=0` : ''}`} · ${run.samplesFiles[task]}`, inner.width, ell)}</Text>
      </Box>
    );
  }
  return (
    <Pane title={`Results ${theme.glyphs.sep} ${run.id} ${theme.glyphs.sep} samples ${task ?? ''}${wrong ? ` ${theme.glyphs.sep} wrong only` : ''}`} width={width} height={height} focused={active} status={count ? `${sel + 1}/${count}${query && matches ? ` ${theme.glyphs.sep} /${query} ${matchLabel(matches, sel)}` : ''}` : undefined} clip={false}>
      {body}
    </Pane>
  );
}
