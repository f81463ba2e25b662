/**
 * Synchronous fuzzy search over every task, group and tag name, and the picker's row model.
 *
 * performance.md §3: fuzzysort over prepared targets answers a keystroke over 16k names in ~0.5 ms, so the
 * search runs inline on every key (no debounce, no worker) and the list never lags the query. The
 * snapshot is built once per index; the first query also warms it up here rather than on the user's
 * first keystroke.
 */
import fuzzysort from 'fuzzysort';
import type { TaskEntry } from '../../../state/launch.js';

/** Results kept per query: several screens of best matches; a larger limit (500) tripled the p99 per keystroke over 16k names. */
export const SEARCH_LIMIT = 200;

export function isWildcard(query: string): boolean {
  return /[*?[]/.test(query);
}

export class TaskSearch {
  readonly byName: ReadonlyMap<string, TaskEntry>;
  readonly #entries: readonly TaskEntry[];
  readonly #snapshot;

  constructor(entries: readonly TaskEntry[]) {
    this.#entries = entries;
    this.byName = new Map(entries.map((e) => [e.name, e]));
    this.#snapshot = fuzzysort.snapshot(entries as TaskEntry[], { key: 'name' });
    fuzzysort.go('a', this.#snapshot, { limit: 1 });
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Best matches first; the whole list (groups and tags first, then by name) for an empty query. */
  search(query: string, limit = SEARCH_LIMIT): readonly TaskEntry[] {
    const q = query.trim();
    if (q === '') return this.#entries;
    // Wildcard characters would only lower every score; search the literal parts instead.
    const fuzzy = isWildcard(q) ? q.replace(/[*?[\]]+/g, '') : q;
    if (fuzzy === '') return this.#entries;
    return fuzzysort.go(fuzzy, this.#snapshot, { limit, threshold: 0.3 }).map((r) => r.obj);
  }
}

/** Entries in display order for an empty query: recent names first, then groups and tags, then tasks. */
export function defaultOrder(entries: readonly TaskEntry[], recent: readonly string[]): TaskEntry[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const first = recent.map((n) => byName.get(n)).filter((e): e is TaskEntry => e !== undefined);
  const seen = new Set(first.map((e) => e.name));
  const rank = (e: TaskEntry): number => (e.type === 'group' ? 0 : e.type === 'tag' ? 1 : 2);
  const rest = entries.filter((e) => !seen.has(e.name)).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return [...first, ...rest];
}

export interface PickerRow {
  /** 'pattern' is the typed wildcard itself, which can be marked like a name. */
  kind: 'pattern' | 'entry';
  name: string;
  /** Nesting under an expanded group or tag. */
  depth: number;
  entry: TaskEntry | undefined;
  expandable: boolean;
  expanded: boolean;
  /** Unique among rows (a task can appear under several expanded groups); what Tab expands. */
  id: string;
  /** Names of the groups/tags this row is listed under, outermost first. */
  parents: readonly string[];
}

const MAX_DEPTH = 4;

/**
 * Flattens results and the members of expanded groups/tags into the rows the list shows. `expanded` holds
 * row ids, so expanding a group nested under another expands that row only, not every row of that name.
 */
export function pickerRows(
  results: readonly TaskEntry[],
  expanded: ReadonlySet<string>,
  byName: ReadonlyMap<string, TaskEntry>,
  pattern: string | null,
): PickerRow[] {
  const rows: PickerRow[] = [];
  if (pattern) rows.push({ kind: 'pattern', name: pattern, depth: 0, entry: undefined, expandable: false, expanded: false, id: `pattern:${pattern}`, parents: [] });
  const add = (name: string, depth: number, parentId: string, parents: readonly string[]): void => {
    const entry = byName.get(name);
    const members = entry?.members ?? [];
    const expandable = members.length > 0;
    const id = parentId ? `${parentId}>${name}` : name;
    const isOpen = expandable && expanded.has(id) && depth < MAX_DEPTH;
    rows.push({ kind: 'entry', name, depth, entry, expandable, expanded: isOpen, id, parents });
    if (isOpen) for (const m of members) add(m, depth + 1, id, [...parents, name]);
  };
  for (const e of results) add(e.name, 0, '', []);
  return rows;
}
