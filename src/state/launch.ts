/**
 * State of the Launch screen: the spec being built, the form's cursor and edit, the open launch overlay,
 * and what discovery has found for the pickers. A zustand vanilla store (no React); the screen reads it
 * with primitive selectors. The store outlives the screen's component (switching to Jobs and back keeps
 * the half-filled form), so it is created by the caller, not inside a component.
 *
 * Field semantics live in the screen's fields table; this store only holds values. Numeric fields keep the
 * text the user typed in `raw` when it does not parse, so the form shows "2,5" rather than "NaN" while
 * validation reports it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Problem } from '../core/errors.js';
import { emptySpec, type EvalSpec, type Harness } from '../core/spec.js';

/** Overlays the Launch screen opens on top of its form. */
export type LaunchOverlay = 'model' | 'tasks' | 'env' | 'presets' | 'save-preset' | 'import' | 'export';

/** One name of the task index, as the picker shows it (a subset of discovery's TaskIndex entry). */
export interface TaskEntry {
  name: string;
  type: 'task' | 'group' | 'tag' | 'python_task';
  yaml_path: string | null;
  members?: string[];
  tags?: string[];
  output_type?: string;
  dataset_path?: string;
  dataset_name?: string;
  splits?: Partial<Record<'test' | 'validation' | 'train' | 'fewshot', string>>;
  metrics?: string[];
  num_fewshot?: number;
  description?: string;
  also_defined_in?: string[];
}

export interface ModelEntry {
  name: string;
  aliases: string[];
  kind: string;
  /** Why `--model <name>` would fail (e.g. its class is missing), when discovery knows. */
  problem?: string;
  /** The registry's hint for model_args: the class's default `pretrained`, when it has one. */
  pretrained?: string;
}

export interface CatalogError {
  file: string;
  line?: number | null;
  message: string;
}

/** What a `--tasks` value expands to at run time (discovery's resolveTasks). */
export interface TaskResolution {
  tasks: string[];
  unmatched: string[];
  expanded: Record<string, string[]>;
  /** True when the harness would refuse the value (or run nothing). */
  fatal?: boolean;
  /** The harness's view, one sentence each: what fails, what is silently dropped. */
  messages?: string[];
}

/** The task index as the Launch screen uses it. */
export interface TaskList {
  entries: readonly TaskEntry[];
  errors: readonly CatalogError[];
  fromCache: boolean;
  resolve(value: readonly string[]): TaskResolution;
}

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

export interface LaunchState {
  spec: EvalSpec;
  /** Text typed into numeric fields that did not parse (shown instead of NaN). */
  raw: Record<string, string>;
  /** Key of the focused form row. */
  focus: string;
  moreOpen: boolean;
  /** The field being edited in place and its draft text. */
  editing: { key: string; draft: string } | null;
  overlay: LaunchOverlay | null;
  /** Show secret env values in the preview. Never persisted. */
  reveal: boolean;
  /** First visible line of the preview pane. */
  previewScroll: number;
  /** Problems the server reported for the last submit (cleared by the next edit). */
  serverProblems: Problem[];
  submitting: boolean;

  tasksState: LoadState;
  /** Progress text while indexing, or the error. */
  tasksNote: string;
  tasks: TaskList | null;
  /** Identifies the (harness, interpreter, include path) the task list was built for. */
  tasksKey: string;
  modelsState: LoadState;
  modelsNote: string;
  models: readonly ModelEntry[] | null;
  modelsKey: string;

  setSpec(spec: EvalSpec): void;
  /** Sets one spec field; undefined removes it. */
  setValue(key: string, value: unknown, rawText?: string): void;
  setFocus(key: string): void;
  toggleMore(): void;
  startEdit(key: string, draft: string): void;
  setDraft(draft: string): void;
  endEdit(): void;
  openOverlay(overlay: LaunchOverlay): void;
  closeOverlay(): void;
  toggleReveal(): void;
  scrollPreview(delta: number, maxStart: number): void;
  setServerProblems(problems: Problem[]): void;
  setSubmitting(v: boolean): void;
  setTasks(update: Partial<Pick<LaunchState, 'tasksState' | 'tasksNote' | 'tasks' | 'tasksKey'>>): void;
  setModels(update: Partial<Pick<LaunchState, 'modelsState' | 'modelsNote' | 'models' | 'modelsKey'>>): void;
}

export type LaunchStore = StoreApi<LaunchState>;

export interface CreateLaunchStoreOptions {
  spec?: EvalSpec;
  harness?: Harness;
  /** Demo mode: the spec always targets the demo harness. */
  demo?: boolean;
}

export function createLaunchStore(opts: CreateLaunchStoreOptions = {}): LaunchStore {
  const base = opts.spec ? { ...opts.spec, tasks: [...opts.spec.tasks] } : emptySpec(opts.harness);
  const spec: EvalSpec = opts.demo ? { ...base, demo: true, model: base.model || 'demo' } : base;
  return createStore<LaunchState>()((set, get) => ({
    spec,
    raw: {},
    focus: 'harness',
    moreOpen: false,
    editing: null,
    overlay: null,
    reveal: false,
    previewScroll: 0,
    serverProblems: [],
    submitting: false,
    tasksState: 'idle',
    tasksNote: '',
    tasks: null,
    tasksKey: '',
    modelsState: 'idle',
    modelsNote: '',
    models: null,
    modelsKey: '',

    setSpec: (next) => {
      const s = opts.demo ? { ...next, demo: true } : next;
      set({ spec: { ...s, tasks: [...s.tasks] }, raw: {}, serverProblems: [], editing: null });
    },
    setValue: (key, value, rawText) => {
      const next = { ...get().spec } as unknown as Record<string, unknown>;
      if (value === undefined) delete next[key];
      else next[key] = value;
      const raw = { ...get().raw };
      if (rawText !== undefined && typeof value === 'number' && Number.isNaN(value)) raw[key] = rawText;
      else delete raw[key];
      set({ spec: next as unknown as EvalSpec, raw, serverProblems: [] });
    },
    setFocus: (key) => {
      if (get().focus !== key) set({ focus: key });
    },
    toggleMore: () => set({ moreOpen: !get().moreOpen }),
    startEdit: (key, draft) => set({ editing: { key, draft } }),
    setDraft: (draft) => {
      const e = get().editing;
      if (e) set({ editing: { key: e.key, draft } });
    },
    endEdit: () => set({ editing: null }),
    openOverlay: (overlay) => set({ overlay, editing: null }),
    closeOverlay: () => set({ overlay: null }),
    toggleReveal: () => set({ reveal: !get().reveal }),
    scrollPreview: (delta, maxStart) => {
      const next = Math.max(0, Math.min(maxStart, get().previewScroll + delta));
      if (next !== get().previewScroll) set({ previewScroll: next });
    },
    setServerProblems: (problems) => set({ serverProblems: problems }),
    setSubmitting: (v) => set({ submitting: v }),
    setTasks: (update) => set(update),
    setModels: (update) => set(update),
  }));
}
