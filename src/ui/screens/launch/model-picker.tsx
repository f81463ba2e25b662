/**
 * The model picker: fuzzy search over the harness's model registry (names and aliases, with kind), popular
 * ones first when the query is empty (recently used, then a short built-in list). A name that is not in
 * the registry (a plugin model, say) can still be used: Enter on no match takes the text as typed.
 */
import { useMemo, type ReactNode } from 'react';
import fuzzysort from 'fuzzysort';
import { useStore } from 'zustand';
import type { LaunchStore, ModelEntry } from '../../../state/launch.js';
import type { Harness } from '../../../core/spec.js';
import { actionFor, useKeys } from '../../keymap/dispatch.js';
import { useTheme } from '../../theme/index.js';
import { LAUNCH_BINDINGS } from './bindings.js';
import { pickerListHeight, PickerFrame, usePickerQuery } from './picker-frame.js';

/** Widely used models, shown first when present in the registry. */
export const POPULAR_MODELS: Record<Harness, readonly string[]> = {
  'lmms-eval': ['llava_onevision', 'qwen2_5_vl', 'qwen2_vl', 'internvl2', 'llava', 'openai_compatible', 'vllm'],
  'lm-eval': ['hf', 'vllm', 'local-completions', 'local-chat-completions', 'openai-chat-completions', 'sglang'],
};

interface Row {
  model: ModelEntry;
  /** Why it is listed first ('recent' / 'popular'), or ''. */
  tag: string;
  typed?: boolean;
}

export function orderModels(models: readonly ModelEntry[], recent: readonly string[], harness: Harness, demo: boolean): Row[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const rows: Row[] = [];
  const seen = new Set<string>();
  const push = (name: string, tag: string): void => {
    const m = byName.get(name);
    if (m && !seen.has(name)) {
      seen.add(name);
      rows.push({ model: m, tag });
    }
  };
  if (demo) push('demo', 'demo');
  for (const n of recent) push(n, 'recent');
  for (const n of POPULAR_MODELS[harness]) push(n, 'popular');
  for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) push(m.name, '');
  return rows;
}

export interface ModelPickerProps {
  store: LaunchStore;
  width: number;
  height: number;
  recent: readonly string[];
  onDone(model: string | null): void;
}

export function ModelPicker({ store, width, height, recent, onDone }: ModelPickerProps): ReactNode {
  const theme = useTheme();
  const models = useStore(store, (s) => s.models);
  const state = useStore(store, (s) => s.modelsState);
  const note = useStore(store, (s) => s.modelsNote);
  const harness = useStore(store, (s) => s.spec.harness);
  const demo = useStore(store, (s) => s.spec.demo === true);
  const picker = usePickerQuery();
  const { query } = picker;

  const ordered = useMemo(() => orderModels(models ?? [], recent, harness, demo), [models, recent, harness, demo]);
  const snapshot = useMemo(() => fuzzysort.snapshot(ordered, { keys: [(r: Row) => r.model.name, (r: Row) => r.model.aliases.join(' ')] }), [ordered]);
  const rows = useMemo((): Row[] => {
    const q = query.trim();
    if (q === '') return ordered;
    const found = fuzzysort.go(q, snapshot, { limit: 200, threshold: 0.3 }).map((r) => r.obj);
    const exact = found.some((r) => r.model.name === q || r.model.aliases.includes(q));
    return exact ? found : [...found, { model: { name: q, aliases: [], kind: 'as typed' }, tag: '', typed: true }];
  }, [ordered, snapshot, query]);
  const at = picker.cursorIn(rows.length);
  const row = rows[at];
  const page = pickerListHeight(width, height);

  useKeys('overlay', (key) => {
    const action = actionFor(LAUNCH_BINDINGS, 'picker', key);
    if (picker.move(action, rows.length, page)) return true;
    switch (action) {
      case 'choose':
        onDone(row ? row.model.name : query.trim() || null);
        return true;
      case 'cancel':
        onDone(null);
        return true;
      case 'mark':
      case 'expand':
        return true; // nothing to mark in a single choice; never typed into the query either
      default:
        if (key.name === 'C-c' && query === '') {
          onDone(null);
          return true;
        }
        return false;
    }
  });

  const info =
    state === 'error'
      ? { text: `cannot list models: ${note} (type a name and press Enter)`, tone: 'error' as const }
      : state === 'loading'
        ? { text: note, tone: 'warning' as const }
        : { text: `${note} for ${harness}; Enter picks, or uses the text as typed`, tone: 'muted' as const };
  return (
    <PickerFrame<Row>
      title="Model"
      status={`${models?.length ?? 0} models`}
      width={width}
      height={height}
      query={query}
      onQuery={picker.setQuery}
      info={info}
      items={rows}
      cursor={at}
      renderRow={(r) => `${r.model.problem ? '! ' : ''}${r.model.name}   ${r.typed ? '(use as typed)' : r.model.kind}${r.model.aliases.length ? `  aka ${r.model.aliases.join(', ')}` : ''}${r.tag ? `  ${theme.glyphs.sep} ${r.tag}` : ''}`}
      detail={row ? [row.model.name, `kind: ${row.model.kind}`, `aliases: ${row.model.aliases.join(', ') || '-'}`, ...(row.model.pretrained ? [`default: pretrained=${row.model.pretrained}`] : []), ...(row.model.problem ? [`! ${row.model.problem}`] : [])] : []}
      empty={state === 'loading' ? note : 'no models: type a name'}
      placeholder="type to search models and aliases"
    />
  );
}
