import { Option, type Command } from 'commander';
import { demoEnv, fnmatch, loadTaskIndex, resolveTasks, type LoadedTaskIndex, type TaskEntry, type TaskIndex } from '../../core/discovery/index.js';
import { HARNESSES, type Harness } from '../../core/spec.js';
import { action, guardEpipe, printJson, table, usageExit, writeOut } from '../client-helpers.js';

interface TasksOptions {
  harness: Harness;
  python?: string;
  setup?: string;
  includePath: string[];
  json?: boolean;
  refresh?: boolean;
  demo?: boolean;
  errors?: boolean;
  resolve?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** PATTERN: an fnmatch pattern when it has `*`, `?` or `[`; otherwise a case-insensitive substring. */
export function filterEntries(entries: readonly TaskEntry[], pattern?: string): TaskEntry[] {
  if (!pattern) return [...entries];
  if (/[*?[]/.test(pattern)) return entries.filter((e) => fnmatch(e.name, pattern));
  const needle = pattern.toLowerCase();
  return entries.filter((e) => e.name.toLowerCase().includes(needle));
}

function detailColumn(e: TaskEntry): string {
  if (e.type === 'group' || e.type === 'tag') return `${e.members?.length ?? 0} members`;
  return e.output_type ?? '';
}

export function summaryLine(index: TaskIndex, shown: number, loaded: Pick<LoadedTaskIndex, 'fromCache' | 'location'>): string {
  const counts = { task: 0, group: 0, tag: 0, python_task: 0 };
  for (const e of index.entries) counts[e.type]++;
  const where = `${loaded.location.module} ${loaded.location.version ?? '(no version)'} at ${loaded.location.packageDir}`;
  const source = loaded.fromCache ? 'cached' : `indexed in ${index.build_ms} ms`;
  // lmms-eval's TaskManager raises on such a file, so its runs fail until it is fixed; lm-eval skips it.
  const consequence = index.harness === 'lmms-eval' ? ', lmms-eval fails on them' : ', lm-eval skips them';
  const errors = index.errors.length ? ` · ${index.errors.length} file${index.errors.length === 1 ? '' : 's'} with errors${consequence} (--errors)` : '';
  const head = shown === index.entries.length ? `${shown} names` : `${shown} of ${index.entries.length} names`;
  const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
  const kinds = [n(counts.task, 'task'), n(counts.group, 'group'), n(counts.tag, 'tag'), n(counts.python_task, 'python task')].join(', ');
  return `${head} (${kinds}) from ${index.files} files · ${source} · ${where}${errors}`;
}

function progressReporter(): ((p: { done: number; total: number }) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return ({ done, total }) => {
    process.stderr.write(done >= total ? '\r\x1b[K' : `\rindexing tasks ${done}/${total}`);
  };
}

async function load(opts: TasksOptions): Promise<LoadedTaskIndex> {
  const loaded = await loadTaskIndex({
    harness: opts.harness,
    python: opts.python,
    setup: opts.setup,
    env: opts.demo ? demoEnv() : process.env,
    includePaths: opts.includePath,
    refresh: opts.refresh,
    onProgress: progressReporter(),
  });
  // A one-shot command prints the current truth: wait for the (cheap) revalidation of a cached index.
  const fresh = await loaded.revalidate;
  return fresh ? { ...loaded, index: fresh, fromCache: false } : loaded;
}

async function printResolve(index: TaskIndex, value: string, json: boolean | undefined): Promise<number> {
  const r = resolveTasks(index, value);
  if (json) await printJson(r);
  else {
    const lines = Object.entries(r.expanded).map(([item, tasks]) => `${item} → ${tasks.length ? tasks.join(', ') : '(nothing)'}`);
    lines.push(`${r.tasks.length} task${r.tasks.length === 1 ? '' : 's'} to run`, ...r.messages);
    await writeOut(`${lines.join('\n')}\n`);
  }
  return r.fatal ? 1 : 0;
}

/** `lmms-tui tasks [--harness H] [--python P] [--setup S] [--include-path DIR]... [--json] [--refresh] [PATTERN]` */
export function registerTasks(program: Command): void {
  usageExit(program.command('tasks').description('list the tasks, groups and tags the harness accepts'))
    .argument('[pattern]', 'only names matching this fnmatch pattern (or containing this text)')
    .addOption(new Option('--harness <harness>', 'which harness').choices(HARNESSES).default('lmms-eval'))
    .option('--python <path>', 'Python interpreter (default: the active venv or conda env, else python3)')
    .option('--setup <line>', 'environment set-up line run first, e.g. "source .venv/bin/activate"')
    .option('--include-path <dir>', 'extra task directory (repeatable), as --include_path', collect, [])
    .option('--json', 'print a JSON array of {name, type, yaml_path, ...details}')
    .option('--refresh', 'rebuild the index instead of using the cache')
    .option('--demo', 'use the built-in demo harness')
    .option('--errors', 'list the files that could not be indexed')
    .option('--resolve <tasks>', 'show what a --tasks value expands to (exit 1 if the harness would refuse it)')
    .action(
      action(async (pattern: string | undefined, opts: TasksOptions) => {
        guardEpipe(); // `lmms-tui tasks | head` closes stdout early
        const loaded = await load(opts);
        const { index } = loaded;
        if (opts.resolve !== undefined) return printResolve(index, opts.resolve, opts.json);
        if (opts.errors) {
          const text = index.errors.map((e) => `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('\n');
          await writeOut(text ? `${text}\n` : 'no errors\n');
          return;
        }
        const entries = filterEntries(index.entries, pattern);
        if (opts.json) return void (await printJson(entries));
        if (entries.length > 0) {
          const rows = entries.map((e) => [e.name, e.type, detailColumn(e), e.yaml_path ?? '-']);
          await writeOut(`${table(['NAME', 'TYPE', 'OUTPUT / MEMBERS', 'YAML'], rows)}\n`);
        }
        for (const w of loaded.location.warnings) process.stderr.write(`warning: ${w}\n`);
        process.stderr.write(`${summaryLine(index, entries.length, loaded)}\n`);
      }),
    );
}
