/**
 * What the form shows under each field: validation problems (with their fix), names the task index does
 * not know, and what wildcards expand to. Problems in collapsed "more" flags are counted on the "more"
 * row so nothing wrong is ever hidden.
 */
import type { Problem } from '../../../core/errors.js';
import type { EvalSpec } from '../../../core/spec.js';
import type { ModelEntry, TaskList, TaskResolution } from '../../../state/launch.js';
import { problemField, type FieldDef } from './fields.js';
import type { FieldNote } from './form-view.js';
import { isWildcard } from './task-search.js';

export interface TaskCheck {
  resolution: TaskResolution;
  /** Plain names the index does not know (the harness fails or skips them at run time). */
  unknown: string[];
  /** Wildcards that match nothing. */
  emptyPatterns: string[];
}

export function checkTasks(spec: EvalSpec, list: TaskList | null): TaskCheck | null {
  if (!list || spec.tasks.length === 0) return null;
  const resolution = list.resolve(spec.tasks);
  const unknown = resolution.unmatched.filter((t) => !isWildcard(t));
  const emptyPatterns = resolution.unmatched.filter((t) => isWildcard(t));
  return { resolution, unknown, emptyPatterns };
}

/** One-line warnings about task names, also shown in the launch confirmation. */
export function taskWarnings(spec: EvalSpec, check: TaskCheck | null): string[] {
  if (!check) return [];
  // Discovery words it the way the harness behaves (fatal "Tasks not found", silently dropped patterns).
  if (check.resolution.messages) return check.resolution.messages;
  const out: string[] = [];
  if (check.unknown.length > 0) {
    out.push(`unknown task${check.unknown.length > 1 ? 's' : ''} ${check.unknown.join(', ')}: the harness will stop with "Tasks not found"`);
  }
  if (check.emptyPatterns.length > 0) {
    const what = spec.harness === 'lm-eval' ? 'lm-eval will fail on it' : 'lmms-eval drops it silently';
    out.push(`${check.emptyPatterns.join(', ')} match${check.emptyPatterns.length > 1 ? '' : 'es'} nothing: ${what}`);
  }
  return out;
}

/**
 * Core's fixes give generic examples (`e.g. mme`, `e.g. hf or llava`); once the harness's own lists are
 * known, name what it has instead, so the demo (or lm-eval) never suggests a task or model it lacks.
 */
export function withExamples(p: Problem, models: readonly ModelEntry[] | null, taskNames: readonly string[] | null): string {
  let fix = p.fix;
  if (p.field === 'model' && models && models.length > 0) {
    const names = models.filter((m) => !m.problem).map((m) => m.name);
    if (names.length > 0) fix = fix.replace(/e\.g\. \S+ or \S+$/, `e.g. ${names.slice(0, 2).join(' or ')}`);
  }
  if (p.field === 'tasks' && taskNames && taskNames.length > 0) {
    fix = fix.replace(/e\.g\. ([\w,]+)$/, (whole, ex: string) => (ex.split(',').every((t) => taskNames.includes(t)) ? whole : `e.g. ${taskNames.slice(0, 2).join(',')}`));
  }
  return fix;
}

export function fieldNotes(
  spec: EvalSpec,
  problems: readonly Problem[],
  fields: readonly FieldDef[],
  check: TaskCheck | null,
  tasksNote: string | null,
  models: readonly ModelEntry[] | null = null,
  taskNames: readonly string[] | null = null,
): Map<string, FieldNote[]> {
  const notes = new Map<string, FieldNote[]>();
  const add = (key: string, note: FieldNote): void => {
    const list = notes.get(key) ?? [];
    list.push(note);
    notes.set(key, list);
  };
  const shown = new Set(fields.map((f) => f.key));
  let hidden = 0;
  for (const p of problems) {
    const key = problemField(p);
    const where = key === 'env' ? `${p.field.replace('env ', '')}: ` : '';
    if (shown.has(key)) add(key, { text: `${where}${p.message}: ${withExamples(p, models, taskNames)}`, tone: 'error' });
    else hidden += 1;
  }
  if (hidden > 0) add('more', { text: `${hidden} problem${hidden > 1 ? 's' : ''} in flags under "more" (Space opens)`, tone: 'error' });
  for (const w of taskWarnings(spec, check)) add('tasks', { text: w, tone: check?.resolution.fatal ? 'error' : 'warning' });
  if (check) {
    for (const [pattern, tasks] of Object.entries(check.resolution.expanded)) {
      if (isWildcard(pattern) && tasks.length > 0) add('tasks', { text: `${pattern} expands to ${tasks.length}: ${tasks.join(', ')}`, tone: 'muted' });
    }
  }
  if (tasksNote) add('tasks', { text: tasksNote, tone: 'muted' });
  const model = spec.model.trim();
  if (models && model !== '' && !problems.some((p) => p.field === 'model')) {
    const known = models.find((m) => m.name === model || m.aliases.includes(model));
    if (!known) add('model', { text: `not in ${spec.harness}'s model registry (fine for a plugin model; check the spelling)`, tone: 'warning' });
    else if (known.problem) add('model', { text: known.problem, tone: 'warning' });
  }
  // model_args naming another registry model's default weights: most likely left over from a switch.
  const pretrained = /(?:^|,)\s*pretrained=([^,]*)/.exec(spec.model_args ?? '')?.[1];
  if (models && pretrained && model !== '') {
    const mine = models.find((m) => m.name === model || m.aliases.includes(model));
    const owner = models.find((m) => m.pretrained === pretrained && m !== mine);
    if (owner && mine?.pretrained !== pretrained) {
      add('model_args', { text: `pretrained=${pretrained} is ${owner.name}'s default, not ${model}'s${mine?.pretrained ? ` (${mine.pretrained})` : ''}`, tone: 'warning' });
    }
  }
  return notes;
}
