/**
 * What a `--tasks` value will run, worked out before launch (harness-facts §1.4): the value is split
 * into items, each item is an fnmatch pattern over every name (tasks, groups and tags), and groups
 * and tags expand to their member tasks.
 *
 * The harnesses differ on items that match nothing: lm-eval stops with "Tasks not found"; lmms-eval
 * reports the same for plain names but silently drops a pattern containing `*`, and runs nothing if
 * nothing is left. Both refuse a task claimed by two requested groups.
 */
import type { Harness } from '../spec.js';
import { fnmatchRegex, hasWildcard } from './fnmatch.js';
import type { TaskEntry, TaskIndex } from './types.js';

export interface ResolveResult {
  /** Concrete tasks that will run, sorted and de-duplicated. */
  tasks: string[];
  /** Items that match no name. */
  unmatched: string[];
  /** Each item → the concrete tasks it brings in. */
  expanded: Record<string, string[]>;
  /** Each item → the names (any type) it matched. */
  matched: Record<string, string[]>;
  /** Items given as YAML config files (lm-eval: ending in `.yaml`); not checked against the index. */
  files: string[];
  /** True when the harness would refuse the value (or run nothing). */
  fatal: boolean;
  /** Readable notes: why fatal, what is silently dropped, members that are not indexed. */
  messages: string[];
}

const lookups = new WeakMap<TaskIndex, Map<string, TaskEntry>>();

/** Name → entry for an index, built once per index object. */
export function entryMap(index: TaskIndex): Map<string, TaskEntry> {
  let map = lookups.get(index);
  if (!map) {
    map = new Map(index.entries.map((e) => [e.name, e]));
    lookups.set(index, map);
  }
  return map;
}

/** Splits a `--tasks` value into items the way the harness does. */
export function splitTaskItems(value: string | readonly string[], harness: Harness): string[] {
  if (harness === 'lmms-eval') {
    // One argv string, split on commas; an empty item stays (and is "not found").
    return (typeof value === 'string' ? value : value.join(',')).split(',');
  }
  const parts = typeof value === 'string' ? [value] : [...value];
  return parts.flatMap((p) => p.split(',')).filter((p) => p !== '');
}

/** Names matching one pattern, in index order (sorted). */
export function matchNames(index: TaskIndex, pattern: string): string[] {
  if (!hasWildcard(pattern)) return entryMap(index).has(pattern) ? [pattern] : [];
  const re = fnmatchRegex(pattern);
  return index.entries.filter((e) => re.test(e.name)).map((e) => e.name);
}

/** The concrete tasks behind a name: groups and tags expand through their members. */
export function expandName(index: TaskIndex, name: string, missing?: Set<string>): string[] {
  const map = entryMap(index);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    const e = map.get(n);
    if (!e) {
      missing?.add(n);
      out.push(n); // an inline config or a name the index lacks: the harness decides at load time
      return;
    }
    if (e.type === 'task' || e.type === 'python_task') {
      out.push(n);
      return;
    }
    if (seen.has(n)) return;
    seen.add(n);
    for (const m of e.members ?? []) visit(m);
  };
  visit(name);
  return [...new Set(out)];
}

export function resolveTasks(index: TaskIndex, value: string | readonly string[], harness: Harness = index.harness): ResolveResult {
  const items = splitTaskItems(value, harness);
  const result: ResolveResult = { tasks: [], unmatched: [], expanded: {}, matched: {}, files: [], fatal: false, messages: [] };
  const all = new Set<string>();
  const missing = new Set<string>();
  const owners = new Map<string, string>(); // task → the group that brought it in
  for (const item of items) {
    if (harness === 'lm-eval' && item.endsWith('.yaml')) {
      result.files.push(item);
      continue;
    }
    const names = matchNames(index, item);
    result.matched[item] = names;
    if (names.length === 0) {
      result.unmatched.push(item);
      result.expanded[item] = [];
      continue;
    }
    const tasks = new Set<string>();
    for (const name of names) {
      const leaves = expandName(index, name, missing);
      const isGroup = entryMap(index).get(name)?.type === 'group';
      for (const t of leaves) {
        tasks.add(t);
        all.add(t);
        if (!isGroup) continue;
        const other = owners.get(t);
        if (other !== undefined && other !== name) {
          result.fatal = true;
          result.messages.push(`${t} is in both ${other} and ${name}; the harness refuses groups that share a task in one run`);
        } else owners.set(t, name);
      }
    }
    result.expanded[item] = [...tasks].sort();
  }
  result.tasks = [...all].sort();
  for (const m of missing) result.messages.push(`${m} is a member of a requested group but not an indexed task`);

  if (harness === 'lmms-eval') {
    const dropped = result.unmatched.filter((u) => u.includes('*'));
    const notFound = result.unmatched.filter((u) => !u.includes('*'));
    for (const d of dropped) result.messages.push(`${d} matches nothing; lmms-eval drops it silently`);
    if (notFound.length > 0) {
      result.fatal = true;
      result.messages.push(`Tasks not found: ${notFound.join(', ')}`);
    } else if (result.tasks.length === 0 && result.files.length === 0) {
      result.fatal = true;
      result.messages.push('no tasks left to run');
    }
  } else if (result.unmatched.length > 0) {
    result.fatal = true;
    result.messages.push(`Tasks not found: ${result.unmatched.join(', ')}`);
  } else if (result.tasks.length === 0 && result.files.length === 0) {
    result.fatal = true;
    result.messages.push('no tasks given');
  }
  return result;
}
