/**
 * Screen 1, Launch: the spec form beside (or, below 110 columns, above) the live preview of the exact
 * command, with validation problems under the fields they concern; pickers and editors open over it.
 * The screen is a view over the launch store; keys live in use-form-keys.ts and the pickers, actions in
 * launch-actions.ts.
 */
import path from 'node:path';
import { useEffect, useMemo, type ReactNode } from 'react';
import { Box } from 'ink';
import { useStore } from 'zustand';
import { specHasSecrets } from '../../../core/redact.js';
import type { BuildOptions } from '../../../core/command/build.js';
import { stateDir } from '../../../core/paths.js';
import { validateSpec } from '../../../core/command/validate.js';
import type { SettingsStore } from '../../../core/settings.js';
import type { Harness } from '../../../core/spec.js';
import type { LaunchStore } from '../../../state/launch.js';
import { Pane, paneInner } from '../../components/pane.js';
import { useUi, useUiStore } from '../../hooks/use-ui.js';
import { ensureModels, ensureTasks, catalogRequest, requestKey, type Catalog } from './catalog.js';
import { defaultCatalog } from './discovery-catalog.js';
import { defaultSettings, launchStoreFor } from './defaults.js';
import type { Suspend } from './external-editor.js';
import { formFields } from './fields.js';
import { FormView } from './form-view.js';
import type { LaunchBackend, LaunchContext } from './launch-actions.js';
import { LaunchOverlays } from './overlays.js';
import { checkTasks, fieldNotes } from './notes.js';
import { buildPreview, JOB_ID_TOKEN } from './preview-model.js';
import { previewLines, PreviewView } from './preview-view.js';
import { commitEdit, useFormKeys } from './use-form-keys.js';

export interface LaunchScreenProps {
  width: number;
  height: number;
  /** The Launch screen is the one shown (keys go to it). */
  focused: boolean;
  backend: LaunchBackend;
  onLaunched(jobId: string): void;
  /** Demo mode; default: what the backend says. */
  demo?: boolean;
  store?: LaunchStore;
  settings?: SettingsStore;
  catalog?: Catalog;
  /** Directory relative paths resolve against; default process.cwd(). */
  cwd?: string;
  /** Demo harness directory shown in the preview (tests pin it). */
  demoHarnessDir?: string;
  /** Hands the terminal to $EDITOR and takes it back (the app's alternate-screen aware helper). */
  suspend?: Suspend;
  /** Editor command; default $VISUAL / $EDITOR / vi. */
  editor?: string;
  /** `y` copies the previewed command through this. */
  copy?(text: string, what: string): void;
  /**
   * What the server will add when it starts the job: its state dir (the job dir, hence the default
   * `--output_path`) and its GPU pool (the `CUDA_VISIBLE_DEVICES` it sets). Default: this process's
   * state dir, pool unknown (no GPU line).
   */
  server?: { stateDir: string; gpuPool: number[] | null } | null;
  /** Told the harness, interpreter and set-up line the form targets, whenever they change (the header follows). */
  onTarget?(target: { harness: Harness; python?: string; setup?: string }): void;
}

/** The `# GPUs:` placeholder for a pool: how many of which GPUs the job will get. */
export function gpuNote(pool: readonly number[], needed: number): string {
  return `<${needed} of ${pool.join(',')}>`;
}

/** Settings whose load warning was shown (the screen mounts again on every visit). */
const warned = new WeakSet<SettingsStore>();

/** Below this width the preview goes under the form. */
const SIDE_BY_SIDE = 110;
const SAVE_DELAY_MS = 400;
const FORM_MAX_WIDTH = 76;

export function LaunchScreen(props: LaunchScreenProps): ReactNode {
  const { width, height, focused, backend } = props;
  const demo = props.demo ?? backend.demo === true;
  const settings = props.settings ?? defaultSettings();
  const store = props.store ?? launchStoreFor(backend, settings, demo);
  const catalog = props.catalog ?? defaultCatalog();
  const ui = useUiStore();
  const spec = useStore(store, (s) => s.spec);
  const raw = useStore(store, (s) => s.raw);
  const focus = useStore(store, (s) => s.focus);
  const moreOpen = useStore(store, (s) => s.moreOpen);
  const editing = useStore(store, (s) => s.editing);
  const overlay = useStore(store, (s) => s.overlay);
  const reveal = useStore(store, (s) => s.reveal);
  const scroll = useStore(store, (s) => s.previewScroll);
  const serverProblems = useStore(store, (s) => s.serverProblems);
  const tasks = useStore(store, (s) => s.tasks);
  const tasksState = useStore(store, (s) => s.tasksState);
  const tasksNote = useStore(store, (s) => s.tasksNote);
  const models = useStore(store, (s) => s.models);
  const pane = useUi((s) => s.pane);
  const shellOverlay = useUi((s) => s.overlay);

  const cwd = props.cwd ?? process.cwd();
  // The preview shows what the scheduler adds (scheduler.ts start(): output_path, the pool's GPUs), so it,
  // `y` and the confirm dialog say what job.sh will.
  const stateRoot = props.server?.stateDir ?? stateDir();
  const pool = props.server?.gpuPool ?? null;
  const poolKey = pool ? pool.join(',') : null;
  const needed = spec.num_gpus ?? 1;
  const buildOptions = useMemo<BuildOptions>(
    () => ({
      cwd,
      jobDir: path.join(stateRoot, 'jobs', JOB_ID_TOKEN),
      ...(pool ? (pool.length === 0 ? { gpus: [] } : { gpuNote: gpuNote(pool, needed) }) : {}),
      ...(props.demoHarnessDir ? { demoHarnessDir: props.demoHarnessDir } : {}),
    }),
    // `poolKey` stands for `pool` (a fresh array on every health poll).
    [cwd, props.demoHarnessDir, stateRoot, poolKey, needed],
  );
  const ctx: LaunchContext = {
    store, ui, settings, backend, onLaunched: props.onLaunched, cwd, buildOptions,
    ...(props.suspend ? { suspend: props.suspend } : {}),
    ...(props.editor ? { editor: props.editor } : {}),
    ...(props.copy ? { copy: props.copy } : {}),
  };

  // Discovery runs in the background as soon as the form shows, so a picker opens on a ready list.
  const req = catalogRequest(spec);
  const key = requestKey(req);
  useEffect(() => {
    ensureTasks(store, catalog, req);
    ensureModels(store, catalog, req);
    // `key` stands for every input of `req` (a fresh object each render).
  }, [store, catalog, key]);

  const onTarget = props.onTarget;
  useEffect(() => {
    onTarget?.({ harness: spec.harness, ...(spec.python ? { python: spec.python } : {}), ...(spec.setup ? { setup: spec.setup } : {}) });
  }, [onTarget, spec.harness, spec.python, spec.setup]);

  // The last spec survives a restart: saved shortly after each change and when the screen goes away.
  useEffect(() => {
    let timer: NodeJS.Timeout | null = null;
    const save = (): void => {
      timer = null;
      try {
        settings.setLastSpec(store.getState().spec);
      } catch {
        // A read-only config dir must not break the form.
      }
    };
    const unsub = store.subscribe((s, prev) => {
      if (s.spec === prev.spec) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, SAVE_DELAY_MS);
    });
    return () => {
      unsub();
      if (timer) {
        clearTimeout(timer);
        save();
      }
    };
  }, [store, settings]);

  // A settings file that could not be read was moved aside; say so once.
  useEffect(() => {
    if (!settings.warning || warned.has(settings)) return;
    warned.add(settings);
    ui.getState().setFlash(settings.warning, 'warning');
  }, [settings, ui]);

  // The shell's footer and key policy see the launch overlay through the ui store.
  useEffect(() => {
    const name = overlay === 'model' || overlay === 'tasks' || overlay === 'presets' ? `picker:${overlay}` : overlay ? `launch:${overlay}` : null;
    const current = ui.getState().overlay;
    if (name && current === null) ui.getState().openOverlay(name);
    else if (!name && current !== null && (current.startsWith('picker:') || current.startsWith('launch:'))) ui.getState().closeOverlay();
  }, [overlay, shellOverlay, ui]);
  useEffect(
    () => () => {
      const current = ui.getState().overlay;
      if (current !== null && (current.startsWith('picker:') || current.startsWith('launch:'))) ui.getState().closeOverlay();
    },
    [ui],
  );

  const fields = useMemo(() => formFields(spec, moreOpen), [spec, moreOpen]);
  const problems = useMemo(() => [...validateSpec(spec), ...serverProblems], [spec, serverProblems]);
  const check = useMemo(() => checkTasks(spec, tasks), [spec, tasks]);
  const tasksLine = tasksState === 'ready' ? null : tasksState === 'idle' ? null : `task index: ${tasksNote}`;
  const taskNames = useMemo(() => (tasks ? tasks.entries.filter((e) => e.type === 'task').map((e) => e.name) : null), [tasks]);
  const notes = useMemo(() => fieldNotes(spec, problems, fields, check, tasksLine, models, taskNames), [spec, problems, fields, check, tasksLine, models, taskNames]);
  const preview = useMemo(() => buildPreview(spec, buildOptions, reveal), [spec, buildOptions, reveal]);
  const hasSecrets = useMemo(() => specHasSecrets(spec), [spec]);

  const side = width >= SIDE_BY_SIDE;
  // The form needs about 76 columns (label, value, its notes); past that, width goes to the preview, whose
  // long lines then wrap less, rather than to padding in the form.
  const formW = side ? Math.min(Math.floor(width * 0.5), FORM_MAX_WIDTH) : width;
  const previewW = side ? width - formW : width;
  const previewH = side ? height : Math.max(5, Math.min(Math.floor(height * 0.42), height - 8));
  const formH = side ? height : height - previewH;
  const previewInner = paneInner(previewW, previewH);
  const previewMax = Math.max(0, previewLines(preview, previewInner.width).length - previewInner.height);

  useFormKeys({ ctx, fields, active: focused && (shellOverlay === null || isLaunchOverlay(shellOverlay)), previewMax, previewPage: Math.max(1, previewInner.height - 1) });

  if (overlay) {
    return <LaunchOverlays ctx={ctx} overlay={overlay} width={width} height={height} />;
  }

  const formInner = paneInner(formW, formH);
  const problemCount = problems.length;
  const status = problemCount > 0 ? `${problemCount} problem${problemCount > 1 ? 's' : ''}` : 'ready: L launches';
  return (
    <Box flexDirection={side ? 'row' : 'column'} width={width} height={height}>
      <Pane title={spec.demo ? 'Launch · demo harness (simulated)' : 'Launch'} width={formW} height={formH} focused={focused && pane !== 'preview'} status={status}>
        <FormView
          spec={spec}
          raw={raw}
          fields={fields}
          focus={focus}
          editing={editing}
          notes={notes}
          moreOpen={moreOpen}
          width={formInner.width}
          height={formInner.height}
          focused={focused && pane !== 'preview'}
          onDraft={(d) => store.getState().setDraft(d)}
          onCommit={() => commitEdit(ctx, fields)}
          onCancel={() => store.getState().endEdit()}
        />
      </Pane>
      <PreviewView preview={preview} width={previewW} height={previewH} scroll={scroll} reveal={reveal} focused={focused && pane === 'preview'} hasSecrets={hasSecrets} />
    </Box>
  );
}

function isLaunchOverlay(name: string | null): boolean {
  return name !== null && (name.startsWith('picker:') || name.startsWith('launch:'));
}
