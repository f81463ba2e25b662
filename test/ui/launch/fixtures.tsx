/**
 * Test fixtures for the Launch screen: a small task index (tasks, a group, a tag) resolved by discovery's
 * real resolveTasks, a fake backend (the UI boundary) that records submits, a temp settings dir, and a
 * host that shows the shell's confirm dialog the way the app does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReactNode } from 'react';
import { resolveTasks } from '../../../src/core/discovery/resolve.js';
import type { TaskEntry as IndexEntry, TaskIndex } from '../../../src/core/discovery/types.js';
import type { Problem } from '../../../src/core/errors.js';
import { openSettings, type SettingsStore } from '../../../src/core/settings.js';
import type { EvalSpec } from '../../../src/core/spec.js';
import { createLaunchStore, type LaunchStore, type ModelEntry } from '../../../src/state/launch.js';
import { ConfirmDialog } from '../../../src/ui/components/confirm-dialog.js';
import { useUi } from '../../../src/ui/hooks/use-ui.js';
import type { Catalog } from '../../../src/ui/screens/launch/catalog.js';
import { LaunchScreen } from '../../../src/ui/screens/launch/launch-screen.js';
import { renderTui, type RenderedTui } from '../helpers/render-tui.js';

const ROOT = '/opt/lmms_eval/tasks';
const task = (name: string, extra: Partial<IndexEntry> = {}): IndexEntry => ({ name, type: 'task', yaml_path: `${name}/${name}.yaml`, root: ROOT, output_type: 'generate_until', ...extra });

export const ENTRIES: IndexEntry[] = [
  task('ai2d', { dataset_path: 'lmms-lab/ai2d', metrics: ['exact_match'], tags: ['vqa_suite'] }),
  task('mme', { dataset_path: 'lmms-lab/MME', splits: { test: 'test' }, metrics: ['mme_perception_score', 'mme_cognition_score'] }),
  { name: 'mmmu', type: 'group', yaml_path: 'mmmu/_default.yaml', root: ROOT, members: ['mmmu_val', 'mmmu_test'], metrics: ['acc'] },
  task('mmmu_test', { dataset_path: 'lmms-lab/MMMU', metrics: ['submission'] }),
  task('mmmu_val', { dataset_path: 'lmms-lab/MMMU', dataset_name: 'validation', metrics: ['mmmu_acc'], num_fewshot: 0 }),
  task('ocrbench', { dataset_path: 'echo840/OCRBench', metrics: ['ocrbench_accuracy'], tags: ['vqa_suite'] }),
  { name: 'vqa_suite', type: 'tag', yaml_path: null, root: ROOT, members: ['ai2d', 'ocrbench'] },
];

export function taskIndex(entries: IndexEntry[] = ENTRIES): TaskIndex {
  return { harness: 'lmms-eval', roots: [ROOT], entries, errors: [], skipped: [], files: entries.length, built_at: '2026-01-01T00:00:00Z', build_ms: 1 };
}

export const MODELS: ModelEntry[] = [
  { name: 'llava', aliases: [], kind: 'simple' },
  { name: 'llava_onevision', aliases: ['llava_ov'], kind: 'chat+simple' },
  { name: 'qwen2_5_vl', aliases: ['qwen25vl'], kind: 'chat' },
  { name: 'demo', aliases: [], kind: 'simple' },
];

export function fakeCatalog(index: TaskIndex = taskIndex()): Catalog {
  const cat: Catalog = {
    loadTasks: async (_req, onProgress) => {
      onProgress('indexing tasks… 1/2 files');
      const list = {
        entries: index.entries,
        errors: index.errors,
        fromCache: true,
        resolve: (value: readonly string[]) => {
          const r = resolveTasks(index, value, 'lmms-eval');
          return { tasks: r.tasks, unmatched: r.unmatched, expanded: r.expanded, fatal: r.fatal, messages: r.messages };
        },
      };
      return { list };
    },
    loadModels: async () => MODELS,
  };
  return cat;
}

export interface FakeBackend {
  demo: boolean;
  submitted: EvalSpec[];
  /** Problems the next submit is refused with (a 422 from the server). */
  refuse: Problem[] | null;
  submit(spec: EvalSpec): Promise<{ id: string; state: 'queued'; position: number | null }>;
}

export function fakeBackend(demo = false): FakeBackend {
  const b: FakeBackend = {
    demo,
    submitted: [],
    refuse: null,
    submit: async (spec) => {
      if (b.refuse) throw Object.assign(new Error('validation failed'), { problems: b.refuse });
      b.submitted.push(structuredClone(spec));
      return { id: `job${b.submitted.length}`, state: 'queued', position: null };
    },
  };
  return b;
}

export function tempHome(): { dir: string; settings: SettingsStore; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lmms-tui-launch-'));
  return { dir, settings: openSettings({ dir: path.join(dir, 'config') }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LaunchHarness {
  tui: RenderedTui;
  backend: FakeBackend;
  store: LaunchStore;
  settings: SettingsStore;
  catalog: Catalog;
  launched: string[];
  /** What `y` put on the clipboard. */
  copied: { text: string; what: string }[];
  dir: string;
  cleanup(): void;
}

/** What the app does around the screen: the confirm dialog replaces the body while a question is open. */
function Host(props: { width: number; height: number; children: ReactNode }): ReactNode {
  const confirm = useUi((s) => s.confirm);
  return confirm ? <ConfirmDialog width={props.width} height={props.height} /> : props.children;
}

export interface RenderLaunchOptions {
  columns?: number;
  rows?: number;
  spec?: EvalSpec;
  demo?: boolean;
  editor?: string;
  settings?: SettingsStore;
  store?: LaunchStore;
  catalog?: Catalog;
  /** The server's state dir and GPU pool (default: a fixed dir and GPUs 0,1). */
  server?: { stateDir: string; gpuPool: number[] | null } | null;
}

export const STATE_DIR = '/home/u/.local/state/lmms-tui';

export function renderLaunch(opts: RenderLaunchOptions = {}): LaunchHarness {
  const columns = opts.columns ?? 120;
  const rows = opts.rows ?? 40;
  const home = tempHome();
  const settings = opts.settings ?? home.settings;
  const backend = fakeBackend(opts.demo);
  const store = opts.store ?? createLaunchStore({ ...(opts.spec ? { spec: opts.spec } : {}), demo: opts.demo === true });
  const catalog = opts.catalog ?? fakeCatalog();
  const launched: string[] = [];
  const copied: { text: string; what: string }[] = [];
  // The screen gets the body area: the shell's header and footer take one row each, and one row stays free.
  const height = rows - 3;
  const tui = renderTui(
    <Host width={columns} height={height}>
      <LaunchScreen
        width={columns}
        height={height}
        focused
        backend={backend}
        onLaunched={(id) => launched.push(id)}
        store={store}
        settings={settings}
        catalog={catalog}
        cwd="/home/u/proj"
        demoHarnessDir="/opt/lmms-tui/demo/harness"
        server={opts.server === undefined ? { stateDir: STATE_DIR, gpuPool: [0, 1] } : opts.server}
        copy={(text, what) => copied.push({ text, what })}
        {...(opts.editor ? { editor: opts.editor } : {})}
      />
    </Host>,
    { columns, rows },
  );
  return { tui, backend, store, settings, catalog, launched, copied, dir: home.dir, cleanup: () => {
    tui.unmount();
    home.cleanup();
  } };
}
