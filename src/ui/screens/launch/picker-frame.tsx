/**
 * Layout shared by the model, task and preset pickers: a query line, an info line, the windowed result
 * list and a detail pane for the highlighted item (right of the list when there is room, else below).
 * Rows arrive as strings and are cut to the width here, so a 16k-name list costs what 20 rows cost.
 */
import { useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { TextInput } from '../../components/text-input.js';
import { WindowedList } from '../../components/windowed-list.js';
import { clean, cols, fit, wordWrap } from '../../text.js';
import { useTheme, type Token } from '../../theme/index.js';

export interface PickerFrameProps<T> {
  title: string;
  status: string;
  width: number;
  height: number;
  query: string;
  onQuery(q: string): void;
  /** Submit and cancel of the query line are handled by the picker's own keys. */
  info: { text: string; tone?: Token };
  items: readonly T[];
  cursor: number;
  renderRow(item: T, index: number): string;
  detail: readonly string[];
  empty: string;
  placeholder: string;
}

/** Keys the query line leaves to the list (Ctrl-A / Ctrl-E still move in the query). */
const LIST_KEYS: readonly string[] = ['home', 'end'];

/** Below this width the detail pane goes under the list. */
const SIDE_BY_SIDE = 100;

export function pickerListHeight(width: number, height: number): number {
  const inner = paneInner(width, height);
  const body = Math.max(1, inner.height - 2);
  return width >= SIDE_BY_SIDE ? body : Math.max(1, body - detailHeight(body));
}

function detailHeight(body: number): number {
  return Math.min(7, Math.max(0, Math.floor(body / 2)));
}

export function PickerFrame<T>(p: PickerFrameProps<T>): ReactNode {
  const theme = useTheme();
  const inner = paneInner(p.width, p.height);
  const body = Math.max(1, inner.height - 2);
  const side = p.width >= SIDE_BY_SIDE;
  const listW = side ? Math.floor(inner.width * 0.55) : inner.width;
  // Side by side, a rule separates the detail pane from the list (a member name must not read as a row).
  const detailW = side ? inner.width - listW - 2 : inner.width;
  const listH = pickerListHeight(p.width, p.height);
  const detailH = side ? body : body - listH;
  // Detail lines wrap at spaces (names stay whole), then are cut to the rows there are.
  // A line of one name (a group's member) is cut with an ellipsis instead: a name is never split.
  const detail = p.detail.flatMap((l) => (cols(clean(l)) <= detailW || /^\s*\S+$/.test(l) ? [clean(l)] : wordWrap(clean(l), Math.max(1, detailW)))).slice(0, Math.max(0, detailH));
  return (
    <Pane title={p.title} width={p.width} height={p.height} focused status={p.status}>
      <Box width={inner.width} height={1} overflow="hidden">
        <Text color={theme.color('accent')} bold>
          {'/ '}
        </Text>
        <TextInput value={p.query} onChange={p.onQuery} focus width={inner.width - 2} placeholder={p.placeholder} label="the search" passKeys={LIST_KEYS} />
      </Box>
      <Text color={p.info.tone ? theme.color(p.info.tone) : theme.color('muted')} wrap="truncate-end">
        {fit(clean(p.info.text), inner.width, theme.glyphs.ellipsis)}
      </Text>
      <Box flexDirection={side ? 'row' : 'column'} width={inner.width} height={body} overflow="hidden">
        <WindowedList items={p.items} selected={p.cursor} height={listH} width={listW} renderRow={(item, i) => p.renderRow(item, i)} empty={p.empty} />
        {detailH > 0 ? (
          <Box flexDirection="row" height={detailH} overflow="hidden">
            {side ? (
              <Text color={theme.color('muted')}>{Array.from({ length: detailH }, () => `${theme.glyphs.rule} `).join('\n')}</Text>
            ) : null}
            <Box flexDirection="column" width={detailW} height={detailH} overflow="hidden">
              {detail.map((line, i) => (
                <Text key={i} wrap="truncate-end" color={i === 0 ? theme.color('title') : undefined} bold={i === 0}>
                  {fit(line, detailW, theme.glyphs.ellipsis)}
                </Text>
              ))}
            </Box>
          </Box>
        ) : null}
      </Box>
    </Pane>
  );
}

/** Index after moving by `delta`, clamped to the list. */
export function moveCursor(cursor: number, delta: number, count: number): number {
  if (count === 0) return 0;
  return Math.max(0, Math.min(count - 1, cursor + delta));
}

/** The cursor after a picker movement action (down/up/page-down/page-up), or null for any other action. */
export function pickerMove(action: string | null | undefined, cursor: number, page: number, count: number): number | null {
  const delta = { down: 1, up: -1, 'page-down': page, 'page-up': -page, first: -count, last: count }[action ?? ''];
  return delta === undefined ? null : moveCursor(cursor, delta, count);
}

/**
 * A picker's query and cursor: changing the query puts the cursor back on the best match; `move` applies
 * a movement action (down/up/page) over `count` rows and says whether it was one.
 */
export function usePickerQuery(): {
  query: string;
  setQuery(q: string): void;
  cursorIn(count: number): number;
  move(action: string | null | undefined, count: number, page: number): boolean;
} {
  const [query, setQueryState] = useState('');
  const [cursor, setCursor] = useState(0);
  const cursorIn = (count: number): number => Math.min(cursor, Math.max(0, count - 1));
  return {
    query,
    setQuery: (q) => {
      setQueryState(q);
      setCursor(0);
    },
    cursorIn,
    move: (action, count, page) => {
      const moved = pickerMove(action, cursorIn(count), page, count);
      if (moved === null) return false;
      setCursor(moved);
      return true;
    },
  };
}
