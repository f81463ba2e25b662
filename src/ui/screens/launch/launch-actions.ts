/**
 * What the Launch screen's keys do beyond editing a field: launch (confirm, submit, jump to the job),
 * presets, --config YAML import/export, $EDITOR for env lines, reset. Plain functions over the stores so
 * the components stay views; every outcome is reported through the ui store (flash, banner, dialog).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { homedir } from 'node:os';
import type { BuildOptions } from '../../../core/command/build.js';
import { validateSpec } from '../../../core/command/validate.js';
import { exportConfigYaml, importConfigYaml } from '../../../core/config-yaml.js';
import type { Problem } from '../../../core/errors.js';
import { writePrivateFile } from '../../../core/private-files.js';
import type { SettingsStore } from '../../../core/settings.js';
import { emptySpec, type EvalSpec } from '../../../core/spec.js';
import type { LaunchStore } from '../../../state/launch.js';
import type { UiStore } from '../../../state/ui.js';
import type { TuiBackend } from '../../backend.js';
import { editExternally, type Suspend } from './external-editor.js';
import { formFields, problemField } from './fields.js';
import { checkTasks, taskWarnings } from './notes.js';
import { buildPreview } from './preview-model.js';
import { isConnectionError } from '../../../client/errors.js';

/** The part of the backend the Launch screen uses (tests pass a fake with just this). */
export type LaunchBackend = Pick<TuiBackend, 'submit'> & { readonly demo?: boolean };

export interface LaunchContext {
  store: LaunchStore;
  ui: UiStore;
  settings: SettingsStore;
  backend: LaunchBackend;
  onLaunched(jobId: string): void;
  /** Relative paths (preview, import/export files) resolve against this. */
  cwd: string;
  buildOptions: BuildOptions;
  suspend?: Suspend;
  editor?: string;
  /** Puts text on the user's clipboard (the app's OSC 52 helper); absent: copying is not available. */
  copy?(text: string, what: string): void;
}

/**
 * `y`: the previewed command to the clipboard, as the preview shows it: secret values masked unless `r`
 * revealed them (a secret leaves the process only when the user asked to see it).
 */
export function copyCommand(ctx: LaunchContext): void {
  const s = ctx.store.getState();
  const preview = buildPreview(s.spec, ctx.buildOptions, s.reveal);
  if (preview.problems.length > 0 || preview.script === null) {
    const n = preview.problems.length;
    ctx.ui.getState().setFlash(`nothing to copy yet: ${n} problem${n === 1 ? '' : 's'} in the form`, 'error');
    return;
  }
  if (!ctx.copy) {
    ctx.ui.getState().setFlash('copying is not available here', 'warning');
    return;
  }
  ctx.copy(preview.script, preview.script === preview.exact ? 'the command' : 'the command (secrets masked: r reveals them)');
}

/** `L`: confirm with the exact command (secrets masked), then submit and hand the job id to the app. */
export function requestLaunch(ctx: LaunchContext): void {
  const { store, ui } = ctx;
  const s = store.getState();
  if (s.submitting) return;
  const spec = s.spec;
  const problems = validateSpec(spec);
  if (problems.length > 0) {
    s.setFocus(problemField(problems[0]!) === 'env' ? 'env' : visibleKey(s, problemField(problems[0]!)));
    ui.getState().setFlash(`cannot launch: ${problems.length} problem${problems.length > 1 ? 's' : ''} in the form, shown under their fields`, 'error');
    return;
  }
  const preview = buildPreview(spec, ctx.buildOptions, false);
  const warnings = taskWarnings(spec, checkTasks(spec, s.tasks));
  ui.getState().askConfirm({
    title: spec.demo ? 'Launch (demo harness: simulated)' : 'Launch this job?',
    body: [...(preview.script ?? '').replace(/\n$/, '').split('\n'), ...(warnings.length ? ['', ...warnings.map((w) => `! ${w}`)] : [])],
    confirmLabel: 'Launch',
    script: true,
    onConfirm: () => submit(ctx, spec),
  });
}

function visibleKey(s: ReturnType<LaunchStore['getState']>, key: string): string {
  // A problem in a collapsed flag: open "more" so the focus lands on a row that exists.
  if (!s.moreOpen && !formFields(s.spec, false).some((f) => f.key === key)) s.toggleMore();
  return key;
}

async function submit(ctx: LaunchContext, spec: EvalSpec): Promise<void> {
  const { store, ui, settings } = ctx;
  store.getState().setSubmitting(true);
  try {
    const r = await ctx.backend.submit(spec);
    remember(settings, spec);
    ui.getState().setFlash(`launched ${r.id}${r.position ? ` (queued, position ${r.position})` : ''}`, 'success');
    ctx.onLaunched(r.id);
  } catch (err) {
    const problems = (err as { problems?: unknown }).problems;
    if (Array.isArray(problems) && problems.length > 0) {
      store.getState().setServerProblems(problems as Problem[]);
      ui.getState().showError({ title: 'the server refused the spec', detail: (problems as Problem[]).map((p) => `${p.field}: ${p.message} (${p.fix})`).join('\n') });
    } else {
      const hint = (err as { hint?: unknown }).hint;
      ui.getState().showError({ title: `launch failed: ${err instanceof Error ? err.message : String(err)}`, ...(typeof hint === 'string' ? { hint } : {}), serverDown: isConnectionError(err) });
    }
  } finally {
    store.getState().setSubmitting(false);
  }
}

function remember(settings: SettingsStore, spec: EvalSpec): void {
  try {
    settings.setLastSpec(spec);
    settings.addRecentTasks(spec.tasks);
    settings.addRecentModel(spec.model);
  } catch {
    // An unwritable config dir must not turn a successful launch into an error.
  }
}

/** Saves the form as a preset; returns an error to show in the prompt, or null when done. */
export function savePreset(ctx: LaunchContext, name: string, overwrite = false): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'give the preset a name';
  if (!overwrite && ctx.settings.hasPreset(trimmed)) {
    ctx.ui.getState().askConfirm({
      title: `Replace preset "${trimmed}"?`,
      body: [`A preset named "${trimmed}" exists; it will hold the current form instead.`],
      confirmLabel: 'Replace',
      danger: true,
      onConfirm: () => {
        savePreset(ctx, trimmed, true);
      },
    });
    return null;
  }
  ctx.settings.savePreset(trimmed, ctx.store.getState().spec);
  ctx.ui.getState().setFlash(`saved preset "${trimmed}"`, 'success');
  return null;
}

export function loadPreset(ctx: LaunchContext, name: string): void {
  const spec = ctx.settings.loadPreset(name);
  if (!spec) {
    ctx.ui.getState().setFlash(`preset "${name}" is gone or unreadable`, 'error');
    return;
  }
  ctx.store.getState().setSpec(spec);
  ctx.ui.getState().setFlash(`loaded preset "${name}"`, 'success');
}

export function deletePreset(ctx: LaunchContext, name: string, after: () => void): void {
  ctx.ui.getState().askConfirm({
    title: `Delete preset "${name}"?`,
    body: [`The preset "${name}" will be removed from ${ctx.settings.path}.`],
    confirmLabel: 'Delete',
    danger: true,
    onConfirm: () => {
      ctx.settings.deletePreset(name);
      ctx.ui.getState().setFlash(`deleted preset "${name}"`, 'success');
      after();
    },
  });
}

function resolveFile(ctx: LaunchContext, file: string): string {
  const f = file.trim();
  if (f === '~' || f.startsWith('~/')) return path.join(homedir(), f.slice(1));
  return path.resolve(ctx.cwd, f);
}

/** `i`: replaces the form with the first entry of a --config YAML; returns an error for the prompt. */
export function importYaml(ctx: LaunchContext, file: string): string | null {
  if (file.trim() === '') return 'give a file path';
  const abs = resolveFile(ctx, file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    return `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  try {
    const entries = importConfigYaml(text, ctx.store.getState().spec.harness === 'lm-eval' ? { harness: 'lm-eval' } : {});
    ctx.store.getState().setSpec(entries[0]!.spec);
    const ignored = entries[0]!.unknownKeys;
    const more = entries.length > 1 ? ` (entry 1 of ${entries.length})` : '';
    ctx.ui.getState().setFlash(
      `imported ${path.basename(abs)}${more}${ignored.length ? `; ignored keys the harness would reject: ${ignored.join(', ')}` : ''}`,
      ignored.length ? 'warning' : 'success',
    );
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** `w`: writes the form as a --config YAML; asks before replacing a file. */
export function exportYaml(ctx: LaunchContext, file: string, overwrite = false): string | null {
  if (file.trim() === '') return 'give a file path';
  const spec = ctx.store.getState().spec;
  const problems = validateSpec(spec);
  if (problems.length > 0) return `fix the ${problems.length} problem${problems.length > 1 ? 's' : ''} in the form first`;
  const abs = resolveFile(ctx, file);
  if (!overwrite && existsSync(abs)) {
    ctx.ui.getState().askConfirm({
      title: 'Replace file?',
      body: [`${abs} exists and will be overwritten.`],
      confirmLabel: 'Replace',
      danger: true,
      onConfirm: () => {
        exportYaml(ctx, file, true);
      },
    });
    return null;
  }
  try {
    // Secrets go out as ${NAME} references (or masked); `lmms-tui config export --include-secrets` writes them.
    const { text, warnings, secrets } = exportConfigYaml(spec);
    writePrivateFile(abs, text);
    const note = secrets.length
      ? `; secrets not written: ${secrets.join(', ')} (env lines as \${NAME} references; lmms-tui config export --include-secrets writes them)`
      : '';
    const other = warnings.filter((w) => !/holds a secret/.test(w));
    ctx.ui.getState().setFlash(`wrote ${abs} (0600)${other.length ? ` (${other.join('; ')})` : ''}${note}`, warnings.length ? 'warning' : 'success');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Runs $EDITOR on `text`; null when it failed (the reason is flashed). */
export function runEditor(ctx: LaunchContext, text: string): string | null {
  const r = editExternally(text, { ...(ctx.editor ? { editor: ctx.editor } : {}), ...(ctx.suspend ? { suspend: ctx.suspend } : {}) });
  if (r.text === null) ctx.ui.getState().setFlash(r.error ?? 'editor failed', 'error');
  return r.text;
}

/** `e`: the env lines in $EDITOR straight from the form. */
export function editEnvInEditor(ctx: LaunchContext): void {
  const lines = ctx.store.getState().spec.env ?? [];
  const text = runEditor(ctx, lines.length ? `${lines.join('\n')}\n` : '# one per line: export NAME=value\n');
  if (text === null) return;
  const next = text.replace(/\n+$/, '').split('\n');
  const kept = next.length === 1 && next[0] === '' ? undefined : next;
  ctx.store.getState().setValue('env', kept);
}

/** `N`: back to an empty form (same harness), after a confirmation. */
export function resetForm(ctx: LaunchContext): void {
  ctx.ui.getState().askConfirm({
    title: 'Reset the form?',
    body: ['Every field goes back to empty / the harness default. Save a preset first (s) to keep this one.'],
    confirmLabel: 'Reset',
    danger: true,
    onConfirm: () => {
      const harness = ctx.store.getState().spec.harness;
      ctx.store.getState().setSpec(emptySpec(harness));
    },
  });
}

/** The `pretrained=` value in a model_args string, if any. */
export function pretrainedOf(modelArgs: string | undefined): string | undefined {
  return /(?:^|,)\s*pretrained=([^,]*)/.exec(modelArgs ?? '')?.[1];
}

/** model_args with its `pretrained=` set to `value` (added first when missing; removed for undefined). */
export function withPretrained(modelArgs: string | undefined, value: string | undefined): string | undefined {
  const parts = (modelArgs ?? '').split(',').filter((p) => p.trim() !== '' && !/^\s*pretrained=/.test(p));
  const out = value ? [`pretrained=${value}`, ...parts] : parts;
  return out.length > 0 ? out.join(',') : undefined;
}

/**
 * A model picked in the picker. model_args usually names the old model's weights (`pretrained=…`), so:
 * when it holds the old model's own default (or nothing), it takes the new model's default, and the
 * flash says so; when it holds something the user chose, it is kept, and the flash says it still names
 * that (the form notes it too, see notes.ts).
 */
export function switchModel(ctx: LaunchContext, model: string): void {
  const s = ctx.store.getState();
  const before = s.spec.model;
  if (model === before) return;
  const find = (name: string) => s.models?.find((m) => m.name === name || m.aliases.includes(name));
  const next = find(model);
  const prev = find(before);
  const current = pretrainedOf(s.spec.model_args);
  s.setValue('model', model);
  const flash = ctx.ui.getState().setFlash;
  if (current === undefined || current === '' || (prev?.pretrained !== undefined && current === prev.pretrained)) {
    if (next?.pretrained) {
      ctx.store.getState().setValue('model_args', withPretrained(s.spec.model_args, next.pretrained));
      flash(`model_args: pretrained=${next.pretrained} (${model}'s default)`, 'info');
    } else if (current) {
      ctx.store.getState().setValue('model_args', withPretrained(s.spec.model_args, undefined));
      flash(`model_args: dropped pretrained=${current} (${before}'s default; ${model} has none)`, 'info');
    }
    return;
  }
  if (current !== next?.pretrained) {
    flash(`model_args still names pretrained=${current}${next?.pretrained ? ` (${model}'s default: ${next.pretrained})` : ''}`, 'warning');
  }
}
