/**
 * Keys of the form and preview panes (scope 'launch', on the pane layer) and of an in-place field edit
 * ('form-field', on the overlay layer so Tab is seen before the shell's pane switch). Actions come from
 * LAUNCH_BINDINGS; this file only maps them to store changes and launch actions.
 */
import { useStore } from 'zustand';
import { LIST_BINDINGS } from '../../keymap/bindings.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import type { KeyPress } from '../../keymap/keys.js';
import { useUi } from '../../hooks/use-ui.js';
import { LAUNCH_BINDINGS } from './bindings.js';
import { cycleChoice, editText, valueFromText, type FieldDef } from './fields.js';
import { copyCommand, editEnvInEditor, requestLaunch, resetForm, type LaunchContext } from './launch-actions.js';

export interface FormKeysOptions {
  ctx: LaunchContext;
  fields: readonly FieldDef[];
  /** The Launch screen is the visible one and no shell overlay is open. */
  active: boolean;
  /** Lines the preview can scroll by (its length minus its height). */
  previewMax: number;
  previewPage: number;
}

const EDITABLE = new Set(['text', 'number', 'args', 'optbool']);

export function useFormKeys({ ctx, fields, active, previewMax, previewPage }: FormKeysOptions): void {
  const { store } = ctx;
  const overlay = useStore(store, (s) => s.overlay);
  const editing = useStore(store, (s) => s.editing !== null);
  const pane = useUi((s) => s.pane);
  const idle = active && overlay === null && !editing;

  const fieldIndex = (): number => Math.max(0, fields.findIndex((f) => f.key === store.getState().focus));
  const focusAt = (i: number): void => store.getState().setFocus(fields[Math.max(0, Math.min(fields.length - 1, i))]!.key);

  const startEdit = (field: FieldDef): void => {
    const s = store.getState();
    s.setFocus(field.key);
    s.startEdit(field.key, editText(s.spec, field, s.raw));
  };

  const open = (field: FieldDef): boolean => {
    const s = store.getState();
    switch (field.kind) {
      case 'choice':
        setChoice(field, 1);
        return true;
      case 'bool':
      case 'more':
        toggle(field);
        return true;
      case 'model':
        s.openOverlay('model');
        return true;
      case 'tasks':
        s.openOverlay('tasks');
        return true;
      case 'env':
        s.openOverlay('env');
        return true;
      default:
        if (EDITABLE.has(field.kind)) startEdit(field);
        return true;
    }
  };

  const setChoice = (field: FieldDef, dir: 1 | -1): void => {
    const s = store.getState();
    const current = (s.spec as unknown as Record<string, unknown>)[field.key];
    const next = cycleChoice(field, current, dir);
    s.setValue(field.key, next === '' ? undefined : next);
  };

  const toggle = (field: FieldDef): void => {
    const s = store.getState();
    if (field.kind === 'more') s.toggleMore();
    else if (field.kind === 'bool' || field.kind === 'optbool') {
      const v = (s.spec as unknown as Record<string, unknown>)[field.key];
      s.setValue(field.key, v === true || (typeof v === 'string' && v !== '') ? undefined : true);
    } else if (field.kind === 'choice') setChoice(field, 1);
    else open(field);
  };

  const clear = (field: FieldDef): void => {
    const s = store.getState();
    if (field.key === 'harness' || field.kind === 'more') return;
    s.setValue(field.key, field.key === 'model' ? '' : field.key === 'tasks' ? [] : undefined);
  };

  const runAction = (action: string | undefined, field: FieldDef): boolean => {
    const s = store.getState();
    switch (action) {
      case 'next-field':
        focusAt(fieldIndex() + 1);
        return true;
      case 'prev-field':
        focusAt(fieldIndex() - 1);
        return true;
      case 'next-field-or-pane':
        if (fieldIndex() >= fields.length - 1) return false; // the shell's Tab moves on to the preview
        focusAt(fieldIndex() + 1);
        return true;
      case 'prev-field-or-pane':
        if (fieldIndex() === 0) return false;
        focusAt(fieldIndex() - 1);
        return true;
      case 'first-field':
        focusAt(0);
        return true;
      case 'last-field':
        focusAt(fields.length - 1);
        return true;
      case 'edit':
        return open(field);
      case 'toggle':
        toggle(field);
        return true;
      case 'cycle-next':
      case 'cycle-prev':
        if (field.kind !== 'choice') return false;
        setChoice(field, action === 'cycle-next' ? 1 : -1);
        return true;
      case 'clear-field':
        clear(field);
        return true;
      default:
        return runCommand(action);
    }
  };

  /** Actions that work from the preview pane too. */
  const runCommand = (action: string | undefined): boolean => {
    const s = store.getState();
    switch (action) {
      case 'pick-model':
        s.openOverlay('model');
        return true;
      case 'pick-tasks':
        s.openOverlay('tasks');
        return true;
      case 'edit-env':
        s.openOverlay('env');
        return true;
      case 'env-in-editor':
        editEnvInEditor(ctx);
        return true;
      case 'reveal':
        s.toggleReveal();
        return true;
      case 'copy-command':
        copyCommand(ctx);
        return true;
      case 'preview-down':
        s.scrollPreview(previewPage, previewMax);
        return true;
      case 'preview-up':
        s.scrollPreview(-previewPage, previewMax);
        return true;
      case 'save-preset':
        s.openOverlay('save-preset');
        return true;
      case 'open-preset':
        s.openOverlay('presets');
        return true;
      case 'import-yaml':
        s.openOverlay('import');
        return true;
      case 'export-yaml':
        s.openOverlay('export');
        return true;
      case 'reset':
        resetForm(ctx);
        return true;
      case 'launch':
        requestLaunch(ctx);
        return true;
      default:
        return false;
    }
  };

  useKeys(
    'pane',
    (key: KeyPress) => {
      if (pane === 'preview') {
        const list = actionFor(LIST_BINDINGS, 'list', key);
        const s = store.getState();
        const step = list === 'down' ? 1 : list === 'up' ? -1 : list === 'page-down' ? previewPage : list === 'page-up' ? -previewPage : list === 'top' ? -1e9 : list === 'bottom' ? 1e9 : 0;
        if (step !== 0) {
          s.scrollPreview(step, previewMax);
          return true;
        }
        return runCommand(actionFor(LAUNCH_BINDINGS, 'launch', key));
      }
      const field = fields[fieldIndex()];
      return field ? runAction(actionFor(LAUNCH_BINDINGS, 'launch', key), field) : false;
    },
    idle && (pane === 'form' || pane === 'preview'),
  );

  // While a field is edited in place: Tab / Shift-Tab accept it and edit the next / previous one.
  useKeys(
    'overlay',
    (key: KeyPress) => {
      const action = actionFor(LAUNCH_BINDINGS, 'form-field', key);
      if (action !== 'accept-next' && action !== 'accept-prev') return false;
      commitEdit(ctx, fields);
      const i = fieldIndex() + (action === 'accept-next' ? 1 : -1);
      const next = fields[Math.max(0, Math.min(fields.length - 1, i))]!;
      store.getState().setFocus(next.key);
      if (EDITABLE.has(next.kind)) startEdit(next);
      return true;
    },
    active && editing,
  );
}

/** Stores the draft of the field being edited (typed text → spec value) and ends the edit. */
export function commitEdit(ctx: LaunchContext, fields: readonly FieldDef[]): void {
  const s = ctx.store.getState();
  const e = s.editing;
  if (!e) return;
  const field = fields.find((f) => f.key === e.key);
  if (field) s.setValue(field.key, valueFromText(field, e.draft), e.draft);
  s.endEdit();
}
