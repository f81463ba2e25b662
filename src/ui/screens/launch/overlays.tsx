/**
 * The Launch screen's overlays (pickers, env editor, prompts), drawn in place of the form: each takes the
 * whole screen area, so at 80x24 a picker still has room for its list and detail pane.
 */
import { useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LaunchOverlay } from '../../../state/launch.js';
import { EnvEditor } from './env-editor.js';
import { deletePreset, exportYaml, importYaml, loadPreset, runEditor, savePreset, type LaunchContext, switchModel } from './launch-actions.js';
import { ModelPicker } from './model-picker.js';
import { PresetsPicker } from './presets-picker.js';
import { Prompt } from './prompt.js';
import { TaskPicker } from './task-picker.js';

export interface LaunchOverlaysProps {
  ctx: LaunchContext;
  overlay: LaunchOverlay;
  width: number;
  height: number;
}

export function LaunchOverlays({ ctx, overlay, width, height }: LaunchOverlaysProps): ReactNode {
  const { store, settings } = ctx;
  const spec = useStore(store, (s) => s.spec);
  const reveal = useStore(store, (s) => s.reveal);
  // Read once per opening: a fresh array each render would re-sort the whole task list on every key.
  const recentTasks = useMemo(() => settings.recentTasks(), [settings, overlay]);
  const recentModels = useMemo(() => settings.recentModels(), [settings, overlay]);
  const close = (focus?: string): void => {
    store.getState().closeOverlay();
    if (focus) store.getState().setFocus(focus);
  };

  switch (overlay) {
    case 'tasks':
      return (
        <TaskPicker
          store={store}
          width={width}
          height={height}
          recent={recentTasks}
          onDone={(tasks) => {
            if (tasks) store.getState().setValue('tasks', tasks);
            close('tasks');
          }}
        />
      );
    case 'model':
      return (
        <ModelPicker
          store={store}
          width={width}
          height={height}
          recent={recentModels}
          onDone={(model) => {
            if (model !== null) switchModel(ctx, model);
            close('model');
          }}
        />
      );
    case 'env':
      return (
        <EnvEditor
          lines={spec.env}
          width={width}
          height={height}
          reveal={reveal}
          onDone={(lines) => {
            if (lines !== null) store.getState().setValue('env', lines);
            close('env');
          }}
          onExternal={(text) => runEditor(ctx, text)}
        />
      );
    case 'presets':
      return (
        <PresetsPicker
          settings={settings}
          width={width}
          height={height}
          onLoad={(name) => {
            loadPreset(ctx, name);
            close();
          }}
          onDelete={(name, after) => deletePreset(ctx, name, after)}
          onCancel={() => close()}
        />
      );
    case 'save-preset':
      return (
        <Prompt
          title="Save preset"
          label="name:"
          initial=""
          help={['Saves every field of the form under this name (s). Load or delete presets with o.', `Stored in ${settings.path}`]}
          width={width}
          height={height}
          onSubmit={(name) => done(savePreset(ctx, name), close)}
          onCancel={() => close()}
        />
      );
    case 'import':
      return (
        <Prompt
          title="Import --config YAML"
          label="file:"
          initial=""
          help={[
            'Replaces the form with the first entry of an lmms-eval (or lm-eval) --config YAML.',
            'Keys the harness would reject are reported and skipped; seed lists, env: and comma strings are converted.',
          ]}
          width={width}
          height={height}
          onSubmit={(file) => done(importYaml(ctx, file), close)}
          onCancel={() => close()}
        />
      );
    case 'export':
      return (
        <Prompt
          title="Export --config YAML"
          label="file:"
          initial={`${spec.model || 'run'}.yaml`}
          help={[
            `Writes the form as a ${spec.harness} --config YAML (${spec.harness === 'lm-eval' ? 'one mapping, no env section' : 'a list of mappings with an env: section'}).`,
            'The interpreter, set-up line and GPU count go in a # lmms-tui: comment the harness ignores.',
          ]}
          width={width}
          height={height}
          onSubmit={(file) => done(exportYaml(ctx, file), close)}
          onCancel={() => close()}
        />
      );
  }
}

/** Closes the prompt unless the action reported an error (which the prompt then shows). */
function done(error: string | null, close: () => void): string | null {
  if (error === null) close();
  return error;
}
