/**
 * `lmms-tui results list|show|samples|compare|export|add`: the results workbench on the command line. It
 * reads the files on this machine directly (src/core/results/service.ts); the same answers are served at
 * /api/v1/results for a remote TUI or scripts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { formatMetricValue, formatStderr } from '../../core/results/format.js';
import { compareLegend, EXPORT_FORMATS, exportComparison, runLabels, textChart, cellText, type ExportFormat } from '../../core/results/export.js';
import type { Comparison } from '../../core/results/compare.js';
import { compareRefs, filterRuns, loadIndex, readSamples, showRun, type CompareQuery } from '../../core/results/service.js';
import { openSettings } from '../../core/settings.js';
import { shellJoin } from '../../core/command/quote.js';
import { MASK } from '../../core/redact.js';
import { formatDuration } from '../../core/format.js';
import { UserError } from '../../core/errors.js';
import { action as baseAction, guardEpipe, printJson, table, usageExit, UsageError, writeOut } from '../client-helpers.js';

/** A run or task that does not exist, a bad filter: the user's input, so exit 2 like an unknown job id. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return baseAction(async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof UserError && !(err instanceof UsageError)) throw new UsageError(err.message, err.hint);
      throw err;
    }
  });
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function progress(): ((p: { bytes: number; total: number }) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return ({ bytes, total }) => process.stderr.write(bytes >= total ? '\r\x1b[K' : `\rindexing samples ${Math.floor((bytes / Math.max(1, total)) * 100)}%`);
}

function intOpt(name: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, got "${v}"`);
  return n;
}

function shown(v: unknown): string {
  if (v === null || v === undefined) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

interface CompareOpts {
  baseline?: string;
  metric?: string;
  filter?: string;
  paired?: boolean;
  folder: string[];
}

function compareQuery(o: CompareOpts): CompareQuery {
  return { baseline: o.baseline, metric: o.metric, filter: o.filter, paired: o.paired !== false };
}

function compareTable(c: Comparison): string {
  const labels = runLabels(c);
  const head = ['TASK', 'METRIC', ...labels.map((l, i) => (i === c.baseline ? `${l} (base)` : l)), 'METHOD', 'MDE'];
  const rows = c.rows.map((r) => {
    const methods = [...new Set(r.cells.map((x) => x.stat?.method).filter(Boolean))].join(',');
    const mdes = r.cells.map((x, i) => (i === c.baseline ? null : x.mde)).filter((x): x is number => x !== null);
    const mde = mdes.length ? Math.max(...mdes) : (r.cells[c.baseline]?.mde ?? null);
    return [`${'  '.repeat(r.depth)}${r.task}`, r.metric || '-', ...r.cells.map(cellText), methods || '-', mde === null ? '-' : formatMetricValue(mde)];
  });
  return table(head, rows);
}

export function registerResults(program: Command): void {
  const results = program.command('results').description('every run on disk: list, show, samples, compare, export; add folders to the index');

  usageExit(results.command('list').description('runs found in the jobs’ output paths and the added folders, newest first'))
    .option('--folder <dir>', 'also index this folder for this call (repeatable)', collect, [])
    .option('--model <text>', 'only runs whose model contains this text')
    .option('--task <text>', 'only runs with a task or group containing this text')
    .option('--since <date>', 'only runs dated on or after this (e.g. 2026-12-01)')
    .addOption(new Option('--sort <key>', 'order').choices(['date', 'model']).default('date'))
    .option('--json', 'print {runs, problems} as JSON')
    .action(
      action(async (o: { folder: string[]; model?: string; task?: string; since?: string; sort: 'date' | 'model'; json?: boolean }) => {
        guardEpipe();
        const idx = loadIndex({ folders: o.folder });
        const runs = filterRuns(idx.runs, o);
        if (o.json) return void (await printJson({ runs, problems: idx.problems }));
        if (runs.length) {
          const rows = runs.map((r) => [
            r.id,
            r.date?.replace('T', ' ').slice(0, 19) ?? '-',
            r.harness,
            r.model ?? '-',
            r.error ? `unreadable: ${r.error.split('\n')[0]!.replace(r.file, path.basename(r.file)).slice(0, 100)}` : [...r.groups.map((g) => g.name), ...r.tasks.filter((t) => !r.groups.some((g) => g.members.includes(t)))].join(',') || '-',
            r.jobId ?? '-',
          ]);
          await writeOut(`${table(['RUN', 'DATE', 'HARNESS', 'MODEL', 'TASKS', 'JOB'], rows)}\n`);
        } else {
          await writeOut('no runs found; add a folder of results with `lmms-tui results add DIR`\n');
        }
        for (const p of idx.problems) process.stderr.write(`warning: ${p.path}: ${p.message}\n`);
      }),
    );

  usageExit(results.command('show').description('a run: its identity, settings, metrics (group-aware) and samples files').argument('<run>', 'run id (or prefix), job id, or results file'))
    .option('--folder <dir>', 'also index this folder (repeatable)', collect, [])
    .option('--json', 'print {run, metrics} as JSON; run.samplesFiles names the samples files')
    .action(
      action(async (ref: string, o: { folder: string[]; json?: boolean }) => {
        const { run, metrics } = showRun(ref, { folders: o.folder });
        if (o.json) return void (await printJson({ run, metrics }));
        const rows: [string, string | null][] = [
          ['file', run.file],
          ['harness', `${run.harness}${run.version ? ` ${run.version}` : ''}${run.simulated ? ' (demo: simulated results)' : ''}`],
          ['model', run.model],
          ['model type', run.modelType],
          ['model_args', run.modelArgs],
          ['date', run.date],
          ['duration', run.durationSeconds === null ? null : formatDuration(run.durationSeconds * 1000)],
          ['limit', run.limit === null ? null : String(run.limit)],
          ['git', run.gitHash],
          ['job', run.jobId],
          ['error', run.error],
        ];
        const out = [`run ${run.id}`];
        for (const [k, v] of rows) if (v) out.push(`  ${k.padEnd(10)}  ${v}`);
        if (metrics.length) {
          out.push('', 'metrics');
          out.push(
            table(
              ['  TASK', 'METRIC', 'FILTER', 'N-SHOT', 'N', 'VALUE', 'STDERR'],
              metrics.map((m) => [`  ${'  '.repeat(m.depth)}${m.task}`, m.metric || '-', m.filter, shown(run.nShot[m.task]), shown(m.n_samples), formatMetricValue(m.value), formatStderr(m.stderr)]),
            ),
          );
        }
        const sf = Object.entries(run.samplesFiles);
        if (sf.length) out.push('', 'samples', ...sf.map(([t, f]) => `  ${t.padEnd(20)}  ${f}`));
        await writeOut(`${out.join('\n')}\n`);
      }),
    );

  usageExit(results.command('samples').description("a page of a run's samples for one task").argument('<run>', 'run id, job id or results file').argument('<task>', 'task name'))
    .option('--folder <dir>', 'also index this folder (repeatable)', collect, [])
    .option('--page <n>', 'page number, from 1', '1')
    .option('--page-size <n>', 'samples per page (max 1000)', '20')
    .option('--where <expr>', 'only samples whose metric matches, e.g. acc=0 (wrong answers), exact_match<1')
    .option('--search <text>', 'only samples containing this text anywhere (case-insensitive)')
    .option('--rerun', 'print the `lmms-tui run` command that re-runs every matching doc (lm-eval: --samples; lmms-eval: the covering --offset/--limit)')
    .option('--json', 'print the page as JSON')
    .action(
      action(async (ref: string, task: string, o: { folder: string[]; page: string; pageSize: string; where?: string; search?: string; rerun?: boolean; json?: boolean }) => {
        guardEpipe();
        const size = intOpt('--page-size', o.pageSize, 20);
        const page = Math.max(1, intOpt('--page', o.page, 1));
        const ans = readSamples(ref, task, { offset: (page - 1) * size, limit: size, where: o.where, search: o.search, rerun: o.rerun, onProgress: progress() }, { folders: o.folder });
        if (o.json) return void (await printJson(ans));
        if (ans.rerun) {
          const s = ans.rerun.spec;
          const args = ['lmms-tui', 'run', '--harness', s.harness, '-M', s.model, ...(s.model_args ? ['-a', s.model_args] : []), '-t', task, '--log_samples'];
          if (s.samples) args.push('--samples', s.samples);
          if (s.offset !== undefined) args.push('--offset', String(s.offset), '--limit', String(s.limit));
          const masked = s.model_args?.includes(MASK) ? '\n# model_args hold masked secrets: put the real values back (or pass them through --env) before running' : '';
          return void (await writeOut(`${shellJoin(args)}\n# ${ans.rerun.note}${masked}\n`));
        }
        const out: string[] = [];
        for (const s of ans.samples) {
          if (s.error) {
            out.push(`#${s.line + 1}  ${s.error}`, '');
            continue;
          }
          const metrics = Object.entries(s.metrics).map(([k, v]) => `${k}=${formatMetricValue(v)}`).join('  ');
          out.push(`doc ${shown(s.docId)}  ${metrics}${s.filter && s.filter !== 'none' ? `  [${s.filter}]` : ''}`);
          if (s.input) out.push(`  input     ${s.input.replace(/\n/g, '\n            ')}`);
          out.push(`  target    ${shown(s.target)}`, `  response  ${shown(s.resps)}`, `  filtered  ${shown(s.filteredResps)}`);
          if (s.media.length) out.push(`  media     ${s.media.join(', ')}`);
          out.push('');
        }
        const pages = Math.max(1, Math.ceil(ans.matched / size));
        const what = ans.matched === ans.total ? `${ans.total} samples` : `${ans.matched} of ${ans.total} samples match`;
        out.push(`page ${page}/${pages} · ${what} · ${ans.file}`);
        await writeOut(`${out.join('\n')}\n`);
      }),
    );

  const compareOptions = (cmd: Command): Command =>
    cmd
      .option('--folder <dir>', 'also index this folder (repeatable)', collect, [])
      .option('--baseline <run>', 'the run deltas are against (default: the first)')
      .option('--metric <name>', 'compare this metric where a task has it (default: each task’s headline metric)')
      .option('--filter <name>', 'with --metric: this filter (e.g. strict-match)')
      .option('--no-paired', 'do not read samples files; use the stderr interval only');

  compareOptions(usageExit(results.command('compare').description('runs side by side: deltas against a baseline, with the statistics to read them by').argument('<runs...>', 'two or more runs')))
    .option('--chart', 'also draw a bar chart per task')
    .option('--ascii', 'draw the chart with # instead of Unicode blocks')
    .option('--json', 'print the comparison as JSON')
    .action(
      action(async (refs: string[], o: CompareOpts & { chart?: boolean; ascii?: boolean; json?: boolean }) => {
        guardEpipe();
        const c = compareRefs(refs, compareQuery(o), { folders: o.folder });
        if (o.json) return void (await printJson(c));
        const out = [compareTable(c), '', ...compareLegend(c)];
        if (o.chart) out.push('', textChart(c, { ascii: o.ascii }));
        await writeOut(`${out.join('\n')}\n`);
      }),
    );

  compareOptions(usageExit(results.command('export').description('a comparison as a paper table (Markdown, CSV, LaTeX, JSON) or an SVG bar chart').argument('<runs...>', 'two or more runs')))
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]).default('md'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(
      action(async (refs: string[], o: CompareOpts & { format: ExportFormat; output?: string }) => {
        guardEpipe();
        const c = compareRefs(refs, compareQuery(o), { folders: o.folder });
        const text = exportComparison(c, o.format);
        if (o.output) {
          writeFileSync(o.output, text);
          process.stderr.write(`wrote ${path.resolve(o.output)}\n`);
        } else await writeOut(text);
      }),
    );

  usageExit(results.command('add').description('add a folder of results to the index (kept in the settings); without DIR, list the folders').argument('[dir]', 'folder holding results files, at any depth up to 5'))
    .option('--remove', 'remove the folder instead')
    .option('--json', 'print {folders} as JSON')
    .action(
      action(async (dir: string | undefined, o: { remove?: boolean; json?: boolean }) => {
        const settings = openSettings();
        if (settings.warning) process.stderr.write(`warning: ${settings.warning}\n`);
        if (dir !== undefined) {
          const abs = path.resolve(dir);
          if (o.remove) {
            if (!settings.removeResultsFolder(abs)) throw new UsageError(`${abs} is not in the results folders`, 'see them with `lmms-tui results add`');
          } else {
            const idx = loadIndex({ folders: [abs] });
            const problem = idx.problems.find((p) => p.path === abs);
            if (problem) throw new UsageError(`cannot add ${abs}: ${problem.message}`, 'give an existing folder of results');
            settings.addResultsFolder(abs);
            if (!o.json) process.stderr.write(`added ${abs}: ${idx.runs.filter((r) => r.file.startsWith(abs + path.sep)).length} results files\n`);
          }
        }
        const folders = settings.resultsFolders();
        if (o.json) return void (await printJson({ folders }));
        if (dir === undefined) await writeOut(folders.length ? `${folders.join('\n')}\n` : 'no folders added; the index holds the jobs’ output paths only\n');
      }),
    );
}
