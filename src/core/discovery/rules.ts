/**
 * How each harness turns a loaded config into index entries (harness-facts §1.1, §1.2, §1.5):
 *
 * |                           | lmms-eval                          | lm-eval                             |
 * |---------------------------|------------------------------------|-------------------------------------|
 * | classification            | class → python_task; task list →   | class → python_task; group key →    |
 * |                           | group; task string → task          | group; task key → task              |
 * | duplicates in one root    | the last file read wins            | the first file read wins            |
 * | across roots              | the first root wins                | the last root wins                  |
 * | tags                      | `tag:` and legacy `group:` values  | `tag:` values only                  |
 * | tag name already a task   | rest of that key's list skipped    | ignored                             |
 *
 * Losing definitions are remembered so the UI can show "also defined in".
 */
import path from 'node:path';
import type { Harness } from '../spec.js';
import type { Config } from './configs.js';
import { configDetails, type Details } from './details.js';
import type { IndexProblem, SkippedFile, TaskType } from './types.js';
import { FunctionRef } from './yaml-scalars.js';

export interface Draft {
  name: string;
  type: TaskType;
  root: string;
  /** Path relative to root (`/`-separated) of the defining file; null for tags. */
  rel: string | null;
  details: Details | null;
  /** Tag members, in registration order. */
  members?: string[];
  /** Absolute paths of definitions that lost to this one. */
  also: string[];
}

export type RootIndex = Map<string, Draft>;

export interface RegisterContext {
  harness: Harness;
  root: string;
  rel: string;
  file: string;
  problems: IndexProblem[];
  skipped: SkippedFile[];
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof FunctionRef) return 'a !function tag';
  return `a ${typeof v}`;
}

function problem(ctx: RegisterContext, message: string): void {
  ctx.problems.push({ file: ctx.file, line: null, message });
}

function losers(prev: Draft | undefined): string[] {
  if (!prev) return [];
  return prev.rel === null ? prev.also : [(prev.root.endsWith(path.sep) ? prev.root : prev.root + path.sep) + prev.rel, ...prev.also];
}

function draft(ctx: RegisterContext, name: string, type: TaskType, config: Config, also: string[]): Draft {
  return { name, type, root: ctx.root, rel: ctx.rel, details: configDetails(config, type, ctx.harness), also };
}

/** lmms-eval's `_get_task_and_group` for one file: plain dict assignment, so a later file overwrites. */
export function registerLmms(index: RootIndex, cfg: Config, ctx: RegisterContext): void {
  const put = (name: string, type: TaskType): void => {
    index.set(name, draft(ctx, name, type, cfg, losers(index.get(name))));
  };
  if ('class' in cfg) {
    if (typeof cfg.task !== 'string') return problem(ctx, `a \`class:\` config needs a string \`task:\` name (it is ${describe(cfg.task)}); lmms-eval fails on this file`);
    return put(cfg.task, 'python_task');
  }
  if (Array.isArray(cfg.task)) {
    if (typeof cfg.group !== 'string') return problem(ctx, `a \`task:\` list needs a string \`group:\` name (it is ${describe(cfg.group)}); lmms-eval fails on this file`);
    return put(cfg.group, 'group');
  }
  if (typeof cfg.task !== 'string') {
    ctx.skipped.push({ file: ctx.file, reason: 'no `task:` name: lmms-eval reads it but registers nothing (a template?)' });
    return;
  }
  const task = cfg.task;
  put(task, 'task');
  for (const attr of ['tag', 'group'] as const) {
    if (!(attr in cfg)) continue;
    const raw = cfg[attr];
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list)) {
      problem(ctx, `\`${attr}:\` must be a name or a list of names (it is ${describe(raw)}); lmms-eval fails on this file`);
      continue;
    }
    for (const tag of list) {
      if (typeof tag !== 'string') {
        problem(ctx, `\`${attr}:\` holds ${describe(tag)}, not a name`);
        break;
      }
      const prev = index.get(tag);
      if (!prev) index.set(tag, { name: tag, type: 'tag', root: ctx.root, rel: null, details: null, members: [task], also: [] });
      else if (prev.type !== 'tag') break; // lmms-eval warns and skips the rest of this key's list
      else prev.members!.push(task);
    }
  }
}

/** lm-eval's name for a config: `!function` refs are strings there (`<dir of the yaml>/<ref>`). */
function lmName(v: unknown): unknown {
  return v instanceof FunctionRef ? `${path.dirname(v.file)}/${v.ref}` : v;
}

/** lm-eval's `TaskIndex.process_cfg` for one file: the first file to claim a name keeps it. */
export function registerLm(index: RootIndex, cfg: Config, ctx: RegisterContext): void {
  let type: TaskType;
  let name: unknown;
  if ('class' in cfg) [type, name] = ['python_task', lmName(cfg.task)];
  else if ('group' in cfg) [type, name] = ['group', lmName(cfg.group)];
  else if ('task' in cfg) [type, name] = ['task', lmName(cfg.task)];
  else {
    ctx.skipped.push({ file: ctx.file, reason: 'no `task:` or `group:` key: lm-eval skips it ("Unknown config shape")' });
    return;
  }
  if (typeof name !== 'string') {
    const key = type === 'group' ? 'group' : 'task';
    return problem(ctx, `\`${key}:\` must be a name (it is ${describe(name)}); lm-eval skips this file`);
  }
  const prev = index.get(name);
  if (prev) {
    prev.also.push(ctx.file); // lm-eval: "Duplicate ... Skipping duplicate"
    return;
  }
  index.set(name, draft(ctx, name, type, cfg, []));
  if (type === 'group') return;
  const tags = cfg.tag;
  if (!tags || (Array.isArray(tags) && tags.length === 0)) return;
  for (const tag of Array.isArray(tags) ? tags : [tags]) {
    if (typeof tag !== 'string') {
      problem(ctx, `\`tag:\` holds ${describe(tag)}, not a name`);
      break;
    }
    const entry = index.get(tag);
    if (!entry) index.set(tag, { name: tag, type: 'tag', root: ctx.root, rel: null, details: null, members: [name], also: [] });
    else if (entry.type === 'tag') entry.members!.push(name);
    // An existing task or group absorbs the member silently and stays what it is.
  }
}

/** Combines per-root indexes in root order with the harness's precedence. */
export function mergeRoots(harness: Harness, roots: RootIndex[]): RootIndex {
  const out: RootIndex = new Map();
  for (const idx of roots) {
    for (const [name, d] of idx) {
      const prev = out.get(name);
      if (!prev) out.set(name, d);
      else if (harness === 'lmms-eval') prev.also.push(...losers(d)); // `{**later, **earlier}`: the earlier root wins
      else out.set(name, { ...d, also: [...d.also, ...losers(prev)] }); // lm-eval warns and overrides
    }
  }
  return out;
}
