/**
 * The samples view's search and "re-run these docs", kept out of the component: which listed samples match
 * a search (the core reader's own search over the raw records: src/core/results/samples.ts), the next or
 * previous one, and the Launch form's spec for a re-run plan (src/core/results/service.ts rerunPlan).
 */
import type { SampleFilter, SamplesFile } from '../../../core/results/samples.js';
import type { RerunPlan } from '../../../core/results/service.js';
import { emptySpec, type EvalSpec } from '../../../core/spec.js';

/**
 * Positions in the listed samples (the view's filter applied) of those whose record contains `query`.
 * Without a view filter the position is the line number; with one, the line's place among the listed lines.
 */
export function matchPositions(file: SamplesFile, query: string, view: SampleFilter): number[] {
  const hits = file.matchingLines({ ...view, search: query });
  if (!view.metric && !view.search) return hits;
  const place = new Map(file.matchingLines(view).map((line, i) => [line, i]));
  return hits.map((l) => place.get(l)).filter((p): p is number => p !== undefined);
}

/** The match after (dir 1) or before (-1) position `from`, wrapping around; null without matches. */
export function stepMatch(matches: readonly number[], from: number, dir: 1 | -1): number | null {
  if (matches.length === 0) return null;
  if (dir === 1) return matches.find((p) => p > from) ?? matches[0]!;
  return [...matches].reverse().find((p) => p < from) ?? matches[matches.length - 1]!;
}

/** "match i/N" when the selection is on a match, else how many there are. */
export function matchLabel(matches: readonly number[], sel: number): string {
  if (matches.length === 0) return 'no match';
  const i = matches.indexOf(sel);
  return i >= 0 ? `match ${i + 1}/${matches.length}` : `${matches.length} matches`;
}

/**
 * The Launch form's spec for a re-run: the plan's harness, model, model_args, task and doc selection, on top
 * of the form's own interpreter, set-up line, env and GPU count when it targets the same harness (they
 * describe this machine, which the results file does not record).
 */
export function rerunSpec(plan: RerunPlan, current: EvalSpec): EvalSpec {
  const same = current.harness === plan.spec.harness;
  const keep: Partial<EvalSpec> = same
    ? {
        ...(current.python ? { python: current.python } : {}),
        ...(current.setup ? { setup: current.setup } : {}),
        ...(current.env?.length ? { env: [...current.env] } : {}),
        ...(current.num_gpus ? { num_gpus: current.num_gpus } : {}),
      }
    : {};
  return { ...emptySpec(plan.spec.harness), ...keep, ...plan.spec, tasks: [...plan.spec.tasks] };
}
