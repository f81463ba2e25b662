/**
 * Task names checked against the harness's task index before a job is queued: an unknown name otherwise
 * fails only when the harness starts (lmms-eval: "Tasks not found", after the queue wait and the model
 * load), or is dropped without a word (lmms-eval drops a `*` pattern that matches nothing). Every face
 * that submits calls this with the index it has (the CLI through the discovery cache, `lmms-tui web`
 * through its catalog); `--allow-unknown-tasks` skips it for tasks the index cannot see (an inline
 * YAML, a task registered at import time).
 */
import path from 'node:path';
import { loadTaskIndex, demoEnv, resolveTasks, type TaskIndex } from '../discovery/index.js';
import type { Problem } from '../errors.js';
import type { EvalSpec } from '../spec.js';

/** Edit distance with adjacent transpositions (`mmeu` → `mmue`), cut off above `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `limit` indexed names close to `name`: a small edit distance (typos), then names that start with
 * it (`mmmu` → `mmmu_val`). One pass over the names; the real lmms-eval tree has about two thousand.
 */
export function suggestTasks(index: TaskIndex, name: string, limit = 3): string[] {
  const want = name.toLowerCase();
  const max = Math.max(1, Math.min(2, Math.floor(want.length / 4)));
  const scored: { name: string; score: number }[] = [];
  for (const e of index.entries) {
    const n = e.name.toLowerCase();
    const d = distance(want, n, max);
    if (d <= max) scored.push({ name: e.name, score: d });
    else if (want.length >= 3 && n.startsWith(want)) scored.push({ name: e.name, score: max + 1 + (n.length - want.length) / 100 });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}

export const ALLOW_UNKNOWN_HINT = '--allow-unknown-tasks runs it anyway';

/** Problems with the spec's tasks that the harness would refuse, or silently drop, at start-up. */
export function taskProblems(index: TaskIndex, spec: EvalSpec, opts: { overrideHint?: string } = {}): Problem[] {
  const override = opts.overrideHint ?? ALLOW_UNKNOWN_HINT;
  const r = resolveTasks(index, spec.tasks, spec.harness);
  const problems: Problem[] = [];
  for (const item of r.unmatched) {
    if (item.trim() === '') continue; // reported by validateSpec
    if (item.includes('*') || item.includes('?') || item.includes('[')) {
      problems.push({ field: 'tasks', message: `pattern ${JSON.stringify(item)} matches no task${spec.harness === 'lmms-eval' ? ' (lmms-eval would drop it without a word)' : ''}`, fix: `check the pattern with \`lmms-tui tasks --resolve '${item}'\`; ${override}` });
      continue;
    }
    const near = suggestTasks(index, item);
    problems.push({
      field: 'tasks',
      message: `unknown task ${JSON.stringify(item)}${near.length ? `; did you mean ${near.join(', ')}?` : ''}`,
      fix: `\`lmms-tui tasks\` lists the names ${spec.harness} has here; ${override}`,
    });
  }
  for (const m of r.messages) if (/ is in both /.test(m)) problems.push({ field: 'tasks', message: m, fix: 'request one of the groups, or the tasks one by one' });
  return problems;
}

/**
 * The index the spec's harness install has, as the job will see it (the same interpreter or set-up line,
 * include path and demo tree), from the discovery cache: a warm cache answers without asking Python.
 * `fresh` revalidates it (asks Python, fingerprints the tree), for when the cached one disagrees.
 */
export async function taskIndexForSpec(spec: EvalSpec, opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ index: TaskIndex; fresh(): Promise<TaskIndex | null> }> {
  const env = spec.demo ? demoEnv(opts.env ?? process.env) : (opts.env ?? process.env);
  const request = {
    harness: spec.harness,
    ...(spec.python ? { python: spec.python } : {}),
    ...(spec.setup ? { setup: spec.setup } : {}),
    // Resolved here rather than passed as `cwd`, so the request is the one `lmms-tui tasks` and the TUI
    // make, and an index they cached is found.
    ...(spec.include_path ? { includePaths: [path.resolve(opts.cwd, spec.include_path)] } : {}),
    env,
  };
  // Finding the interpreter behind a set-up line means running that line, which can do anything
  // (start a daemon, write files): only an index cached earlier (`lmms-tui tasks --setup …`, the TUI)
  // is used for it, never a new probe.
  const loaded = await loadTaskIndex({ ...request, revalidate: false, cachedOnly: Boolean(spec.setup) });
  return {
    index: loaded.index,
    fresh: async () => (loaded.fromCache && !spec.setup ? loadTaskIndex(request).then((l) => l.revalidate) : null),
  };
}

/**
 * Task problems of the spec against its harness's index: the cached index first, and when that finds
 * problems, the revalidated one (a task added since the cache was written is not refused).
 */
export async function checkSpecTasks(spec: EvalSpec, opts: { cwd: string; env?: NodeJS.ProcessEnv; overrideHint?: string }): Promise<Problem[]> {
  const { index, fresh } = await taskIndexForSpec(spec, opts);
  const problems = taskProblems(index, spec, opts);
  if (!problems.length) return problems;
  const current = await fresh();
  return current ? taskProblems(current, spec, opts) : problems;
}
