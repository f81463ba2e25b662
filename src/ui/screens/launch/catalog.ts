/**
 * Where the pickers' names come from, and loading them off the render path.
 *
 * `Catalog` is the seam: the real one runs discovery (src/core/discovery: a python probe to locate the
 * harness, then the YAML index, cached on disk); tests pass a fake. Loads are keyed by what decides the
 * answer (harness, interpreter, set-up line, include path, demo), start in the background when the form
 * opens or that key changes, and a slower answer for an old key is dropped, never shown.
 */
import type { CatalogError, LaunchStore, ModelEntry, TaskEntry, TaskList } from '../../../state/launch.js';
import type { EvalSpec, Harness } from '../../../core/spec.js';

export interface CatalogRequest {
  harness: Harness;
  python?: string;
  setup?: string;
  includePath?: string;
  demo?: boolean;
}

export interface TaskLoad {
  list: TaskList;
  /** A fresher list when a cached one was served (background revalidation), or null when it was current. */
  revalidate?: Promise<TaskList | null>;
}

export interface Catalog {
  loadTasks(req: CatalogRequest, onProgress: (text: string) => void): Promise<TaskLoad>;
  loadModels(req: CatalogRequest): Promise<ModelEntry[]>;
}

export function catalogRequest(spec: EvalSpec): CatalogRequest {
  const req: CatalogRequest = { harness: spec.harness };
  if (spec.python) req.python = spec.python;
  if (spec.setup) req.setup = spec.setup;
  if (spec.include_path) req.includePath = spec.include_path;
  if (spec.demo) req.demo = true;
  return req;
}

export function requestKey(req: CatalogRequest): string {
  return JSON.stringify([req.harness, req.python ?? '', req.setup ?? '', req.includePath ?? '', req.demo === true]);
}

/** Progress callbacks arrive per file; the store (and so the screen) hears at most one per interval. */
const PROGRESS_INTERVAL_MS = 100;

export function ensureTasks(store: LaunchStore, catalog: Catalog, req: CatalogRequest): void {
  const key = requestKey(req);
  const s = store.getState();
  if (s.tasksKey === key && s.tasksState !== 'idle') return;
  s.setTasks({ tasksKey: key, tasksState: 'loading', tasksNote: 'indexing tasks…', tasks: s.tasksKey === key ? s.tasks : null });
  let last = 0;
  const current = (): boolean => store.getState().tasksKey === key;
  const onProgress = (text: string): void => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS || !current()) return;
    last = now;
    store.getState().setTasks({ tasksNote: text });
  };
  catalog.loadTasks(req, onProgress).then(
    ({ list, revalidate }) => {
      if (!current()) return;
      store.getState().setTasks({ tasksState: 'ready', tasks: list, tasksNote: readyNote(list) });
      revalidate?.then(
        (fresh) => {
          if (fresh && current()) store.getState().setTasks({ tasks: fresh, tasksNote: readyNote(fresh) });
        },
        () => undefined, // the cached list stays; a failed background refresh is not worth a banner
      );
    },
    (err: unknown) => {
      if (current()) store.getState().setTasks({ tasksState: 'error', tasksNote: errorText(err) });
    },
  );
}

export function ensureModels(store: LaunchStore, catalog: Catalog, req: CatalogRequest): void {
  const key = requestKey(req);
  const s = store.getState();
  if (s.modelsKey === key && s.modelsState !== 'idle') return;
  s.setModels({ modelsKey: key, modelsState: 'loading', modelsNote: 'reading the model registry…', models: null });
  const current = (): boolean => store.getState().modelsKey === key;
  catalog.loadModels(req).then(
    (models) => {
      if (current()) store.getState().setModels({ modelsState: 'ready', models, modelsNote: `${models.length} models` });
    },
    (err: unknown) => {
      if (current()) store.getState().setModels({ modelsState: 'error', modelsNote: errorText(err) });
    },
  );
}

/** Forget the loaded lists so the next ensure* reloads (after the user fixed the interpreter, say). */
export function resetCatalog(store: LaunchStore): void {
  store.getState().setTasks({ tasksKey: '', tasksState: 'idle', tasks: null, tasksNote: '' });
  store.getState().setModels({ modelsKey: '', modelsState: 'idle', models: null, modelsNote: '' });
}

function readyNote(list: TaskList): string {
  const bad = list.errors.length ? `, ${list.errors.length} unreadable file${list.errors.length > 1 ? 's' : ''}` : '';
  return `${list.entries.length} names${list.fromCache ? ' (cached)' : ''}${bad}`;
}

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const hint = err instanceof Error && 'hint' in err && typeof err.hint === 'string' ? ` (${err.hint})` : '';
  return `${msg.split('\n')[0]}${hint}`;
}

/** A TaskList over plain entries with the given resolver; handy for fakes and adapters. */
export function taskList(entries: readonly TaskEntry[], errors: readonly CatalogError[], fromCache: boolean, resolve: TaskList['resolve']): TaskList {
  return { entries, errors, fromCache, resolve };
}
