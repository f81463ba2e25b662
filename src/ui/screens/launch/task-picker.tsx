/**
 * The task picker: fuzzy search over every task, group and tag; Space marks (order kept); Tab expands a
 * group or tag to its members (which can be marked one by one); a typed wildcard shows what it expands to
 * and can itself be marked; Enter puts the marked names into the spec. The search is synchronous
 * (task-search.ts), so what is on screen always matches the query.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LaunchStore, TaskEntry, TaskList } from '../../../state/launch.js';
import type { Harness } from '../../../core/spec.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { useTheme } from '../../theme/index.js';
import { LAUNCH_BINDINGS } from './bindings.js';
import { pickerListHeight, PickerFrame, usePickerQuery } from './picker-frame.js';
import { defaultOrder, isWildcard, pickerRows, SEARCH_LIMIT, TaskSearch, type PickerRow } from './task-search.js';

/**
 * Names the typed query stands for on Enter: a list (`mme,mmmu_val x`) always, split at commas and
 * spaces; a single word only when it matched nothing (otherwise it was a search, and its matches are
 * what the list offers).
 */
export function typedNames(query: string, matched: boolean): string[] {
  const q = query.trim();
  if (q === '') return [];
  const names = q.split(/[,\s]+/).filter(Boolean);
  if (names.length === 1 && matched) return [];
  return names;
}

/** What Enter puts in the spec: the marks in order, then the typed names not already marked. */
export function chosen(marked: readonly string[], typed: readonly string[], row: PickerRow | undefined): string[] | null {
  const out = [...marked, ...typed.filter((t) => !marked.includes(t))];
  if (out.length > 0) return [...new Set(out)];
  return row ? [row.name] : null;
}

export interface TaskPickerProps {
  store: LaunchStore;
  width: number;
  height: number;
  recent: readonly string[];
  onDone(tasks: string[] | null): void;
}

/** One TaskSearch per list object: preparing 16k targets happens once, not per render or per open. */
const searches = new WeakMap<TaskList, TaskSearch>();
function searchFor(list: TaskList): TaskSearch {
  let s = searches.get(list);
  if (!s) searches.set(list, (s = new TaskSearch(list.entries)));
  return s;
}

export function TaskPicker({ store, width, height, recent, onDone }: TaskPickerProps): ReactNode {
  const theme = useTheme();
  const list = useStore(store, (s) => s.tasks);
  const state = useStore(store, (s) => s.tasksState);
  const note = useStore(store, (s) => s.tasksNote);
  const harness = useStore(store, (s) => s.spec.harness);
  const picker = usePickerQuery();
  const { query } = picker;
  const [marked, setMarked] = useState<string[]>(() => [...store.getState().spec.tasks]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());

  const search = list ? searchFor(list) : null;
  const base = useMemo(() => (list ? defaultOrder(list.entries, recent) : []), [list, recent]);
  const results = useMemo(() => (search && query.trim() !== '' ? search.search(query) : base), [search, query, base]);
  const pattern = isWildcard(query.trim()) ? query.trim() : null;
  const rows = useMemo(() => pickerRows(results, expanded, search?.byName ?? new Map(), pattern), [results, expanded, search, pattern]);
  const at = picker.cursorIn(rows.length);
  const row = rows[at];
  const page = pickerListHeight(width, height);
  const markedSet = new Set(marked);

  const typed = typedNames(query, pattern !== null || results.length > 0);
  const toggleMark = (name: string): void => setMarked((m) => (m.includes(name) ? m.filter((x) => x !== name) : [...m, name]));

  useKeys('overlay', (key) => {
    const action = actionFor(LAUNCH_BINDINGS, 'picker', key);
    if (picker.move(action, rows.length, page)) return true;
    switch (action) {
      case 'mark':
        if (row) toggleMark(row.name);
        return true;
      case 'expand':
        if (row?.expandable) {
          setExpanded((e) => {
            const next = new Set(e);
            if (next.has(row.id)) next.delete(row.id);
            else next.add(row.id);
            return next;
          });
        }
        return true;
      case 'choose':
        onDone(chosen(marked, typed, row));
        return true;
      case 'cancel':
        onDone(null);
        return true;
      default:
        // First Ctrl-C clears the query (the text field does that); on an empty query it closes the picker.
        if (key.name === 'C-c' && query === '') {
          onDone(null);
          return true;
        }
        return false;
    }
  });

  const info = typed.length > 0 ? { text: `Enter uses: ${[...marked, ...typed.filter((t) => !marked.includes(t))].join(', ')}`, tone: 'success' as const } : infoLine(list, state, note, pattern, harness, marked);
  const sep = ` ${theme.glyphs.sep} `;
  const where = rows.length > 0 ? `${at + 1}/${rows.length}` : '0';
  const matches = list && query.trim() !== '' ? `${results.length}${results.length >= SEARCH_LIMIT ? '+' : ''} match${results.length === 1 ? '' : 'es'}${sep}` : '';
  const status = `${matches}${where}${sep}${marked.length} selected${list ? `${sep}${list.entries.length} names` : ''}`;
  return (
    <PickerFrame<PickerRow>
      title="Tasks"
      status={status}
      width={width}
      height={height}
      query={query}
      onQuery={picker.setQuery}
      info={info}
      items={rows}
      cursor={at}
      renderRow={(r) => rowText(r, markedSet, theme.glyphs)}
      detail={row ? detailLines(row, list, harness) : []}
      empty={state === 'loading' ? note : state === 'error' ? 'no task list (see above)' : 'no match: Enter uses the names as typed (a,b,c for several)'}
      placeholder="type to search tasks, groups, tags; * ? [ ] for wildcards"
    />
  );
}

function rowText(r: PickerRow, marked: ReadonlySet<string>, g: { mark: string; unmark: string; expand: string; collapse: string }): string {
  const mark = marked.has(r.name) ? g.mark : g.unmark;
  if (r.kind === 'pattern') return `${mark} ${r.name}   (wildcard)`;
  const arrow = r.expandable ? (r.expanded ? g.collapse : g.expand) : ' ';
  const e = r.entry;
  const kind = e ? (e.members?.length ? `${e.type} (${e.members.length})` : e.type) : 'unknown';
  // A member of a marked group runs with it: say so, so nobody marks it twice.
  const via = marked.has(r.name) ? undefined : [...r.parents].reverse().find((p) => marked.has(p));
  return `${mark} ${'  '.repeat(r.depth)}${arrow} ${r.name}   ${kind}${via ? `   (covered: ${via} is selected)` : ''}`;
}

function infoLine(list: TaskList | null, state: string, note: string, pattern: string | null, harness: Harness, marked: readonly string[]): { text: string; tone?: 'warning' | 'error' | 'muted' | 'success' } {
  if (state === 'error') return { text: `cannot list tasks: ${note}`, tone: 'error' };
  if (!list) return { text: note || 'indexing tasks…', tone: 'warning' };
  if (pattern) {
    const r = list.resolve([pattern]);
    if (r.tasks.length === 0) {
      return { text: `${pattern} matches nothing: ${harness === 'lm-eval' ? 'lm-eval would fail (Tasks not found)' : 'lmms-eval would silently drop it'}`, tone: 'warning' };
    }
    return { text: `${pattern} expands to ${r.tasks.length} task${r.tasks.length > 1 ? 's' : ''}: ${r.tasks.join(', ')}`, tone: 'success' };
  }
  if (marked.length > 0) return { text: `selected: ${marked.join(', ')}` };
  return { text: `${note}${state === 'loading' ? ' (refreshing…)' : ''}`, tone: 'muted' };
}

/** The detail pane for the highlighted row (exported for tests). */
export function detailLines(row: PickerRow, list: TaskList | null, harness: Harness): string[] {
  if (row.kind === 'pattern') {
    const r = list?.resolve([row.name]);
    return [`${row.name}  wildcard`, `matches ${r?.tasks.length ?? 0} task(s) for ${harness}`, ...(r?.tasks.slice(0, 40) ?? []).map((t) => `  ${t}`)];
  }
  const e: TaskEntry | undefined = row.entry;
  if (!e) return [row.name, 'not in the task index: the harness will not find it'];
  const lines = [`${e.name}  ${e.type}`];
  if (e.description) lines.push(e.description);
  if (e.output_type) lines.push(`output type: ${e.output_type}`);
  if (e.dataset_path) lines.push(`dataset: ${e.dataset_path}${e.dataset_name ? ` (${e.dataset_name})` : ''}`);
  const splits = Object.entries(e.splits ?? {}).filter(([, v]) => v);
  if (splits.length) lines.push(`splits: ${splits.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (e.metrics?.length) lines.push(`metrics: ${e.metrics.join(', ')}`);
  if (e.num_fewshot !== undefined) lines.push(`num_fewshot: ${e.num_fewshot}`);
  if (e.tags?.length) lines.push(`tags: ${e.tags.join(', ')}`);
  lines.push(`yaml: ${e.yaml_path ?? '(none: a tag)'}`);
  if (e.also_defined_in?.length) lines.push(`also defined in: ${e.also_defined_in.join(', ')}`);
  // Last, one per line: a big group's member list is long and the pane cuts it at its height.
  if (e.members?.length) lines.push('', `members (${e.members.length}):`, ...e.members.map((m) => `  ${m}`));
  return lines;
}
