/**
 * The selected job's output. Lines come from the LogFeed's ring (outside React); this component re-renders
 * on the feed's per-tick commit and draws only the rows that fit, each pre-cut to the pane width, secrets
 * redacted, coloured by log level. A `\r` progress bar is the ring's partial line, drawn as one live row
 * at the bottom instead of thousands of redraws.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { Pane, paneInner } from '../../components/pane.js';
import { TextInput } from '../../components/text-input.js';
import { useLogView, useServices } from '../../services.js';
import { useTheme, type Theme, type Token } from '../../theme/index.js';
import { clean, cols, sliceCols, truncate, wrapCols } from '../../text.js';
import { redactSecrets } from '../../../core/redact.js';
import { jobSecrets } from './secrets.js';
import { findMatch, matchCount, visibleLines } from '../../../state/log-view.js';
import type { Level } from '../../../core/logs/parse.js';
import type { LogLine } from '../../../core/logs/ring.js';
import type { JobJson } from '../../../client/types.js';
import { useOutputKeys } from './use-output-keys.js';
import { useUiStore } from '../../hooks/use-ui.js';
import { escapedTitle } from './format.js';

export { jobSecrets };

const LEVEL_TOKEN: Partial<Record<Level, Token>> = {
  ERROR: 'error',
  CRITICAL: 'error',
  WARNING: 'warning',
  SUCCESS: 'success',
  DEBUG: 'debug',
  TRACE: 'debug',
};

function highlight(text: string, query: string, theme: Theme, base: string | undefined, key: number): ReactNode {
  if (!query) return <Text key={key} color={base}>{text}</Text>;
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > from) parts.push(<Text key={`${key}.${from}`} color={base}>{text.slice(from, i)}</Text>);
    parts.push(
      <Text key={`${key}.m${i}`} inverse color={theme.color('match')}>
        {text.slice(i, i + q.length)}
      </Text>,
    );
    from = i + q.length;
  }
  if (from < text.length) parts.push(<Text key={`${key}.${from}`} color={base}>{text.slice(from)}</Text>);
  return <Text key={key}>{parts}</Text>;
}

export interface OutputPaneProps {
  width: number;
  height: number;
  focused: boolean;
  job: JobJson | null;
}

export function OutputPane({ width, height, focused, job }: OutputPaneProps): ReactNode {
  const theme = useTheme();
  const { feed, logView } = useServices();
  const ui = useUiStore();
  // Subscribing to version is what re-renders this pane once per UI tick while output streams.
  useLogView((s) => s.version);
  const follow = useLogView((s) => s.follow);
  const top = useLogView((s) => s.top);
  const wrap = useLogView((s) => s.wrap);
  const query = useLogView((s) => s.query);
  const lineCount = useLogView((s) => s.lineCount);
  const pausedAt = useLogView((s) => s.pausedAt);
  const matchNo = useLogView((s) => s.matchNo);
  const version = useLogView((s) => s.version);
  const truncatedBefore = useLogView((s) => s.truncatedBefore);
  const [searching, setSearching] = useState(false);
  const [draft, setDraft] = useState('');
  const secrets = useMemo(() => jobSecrets(job), [job?.id]);
  // Unfocused, the pane is refreshed at the slow rate (the feed is an external resource: an effect).
  useEffect(() => feed.setFocused(focused), [feed, focused]);

  const inner = paneInner(width, height);
  const ring = feed.jobId === job?.id ? feed.ring : null;
  const partial = ring ? clean(redactSecrets(ring.partial, secrets)) : '';
  const reserved = searching || partial.trim() !== '' ? 1 : 0;
  const lineRows = Math.max(0, inner.height - reserved);

  // `/` starts empty (typing replaces the last query instead of appending to it); Enter alone repeats it.
  useOutputKeys({ active: focused && !searching, lineRows, job, onSearch: () => { setDraft(''); setSearching(true); } });
  const matches = useMemo(() => (ring && query ? matchCount(ring, query, matchNo) : null), [ring, query, matchNo, version]);

  const shownText = new Map<number, string>();
  const textOf = (l: LogLine): string => {
    let t = shownText.get(l.no);
    if (t === undefined) {
      t = clean(redactSecrets(l.text, secrets));
      shownText.set(l.no, t);
    }
    return t;
  };
  const w = Math.max(1, inner.width);
  const lines = ring ? visibleLines(ring, { follow, top, wrap }, lineRows, (l) => (wrap ? Math.max(1, Math.ceil(cols(textOf(l)) / w)) : 1)) : [];
  let rows: { text: string; level: Level | null; key: number }[] = [];
  for (const l of lines) {
    const t = textOf(l);
    const pieces = wrap ? wrapCols(t, w) : [sliceCols(t, 0, w)];
    pieces.forEach((p, i) => rows.push({ text: p, level: l.level, key: l.no * 1000 + i }));
  }
  // Following with wrap, the oldest line may not fit whole: keep the newest rows.
  if (rows.length > lineRows) rows = follow ? rows.slice(rows.length - lineRows) : rows.slice(0, lineRows);

  // A finished job's log grows no more: nothing to follow, nothing new while paused; say where the view is.
  const ended = job !== null && job.state !== 'running' && job.state !== 'queued';
  const where = ended ? (follow ? 'END' : `line ${top}/${lineCount}`) : follow ? 'FOLLOW' : `PAUSED ${theme.glyphs.sep} ${Math.max(0, lineCount - pausedAt)} new`;
  const found = matches ? (matches.index !== null ? `match ${matches.index}/${matches.total}` : matches.total === 0 ? 'no match' : `${matches.total} matches`) : '';
  const status = [where, wrap ? 'WRAP' : '', query ? `/${query} ${found}` : ''].filter(Boolean).join(' ');
  const title = job
    ? `Output ${theme.glyphs.sep} ${job.id}${escapedTitle(job, theme.glyphs.sep)}${truncatedBefore ? ` ${theme.glyphs.sep} older lines: o` : ''}`
    : 'Output';
  let placeholder = '';
  if (!job) placeholder = 'no job selected';
  else if (job.state === 'queued') placeholder = `queued${job.position ? ` (#${job.position})` : ''}: output appears when it starts`;
  else if (rows.length === 0 && !partial) placeholder = job.state === 'running' ? 'waiting for output…' : 'no output';

  return (
    <Pane title={title} width={width} height={height} focused={focused} status={job ? status : undefined} clip={false}>
      <Box flexDirection="column" height={lineRows} width={inner.width}>
        {placeholder ? <Text color={theme.color('muted')}>{truncate(placeholder, inner.width, theme.glyphs.ellipsis)}</Text> : null}
        {rows.map((r) => (
          <Text key={r.key} wrap="truncate-end">
            {highlight(r.text, query, theme, r.level ? theme.color(LEVEL_TOKEN[r.level] ?? 'text') : undefined, r.key)}
          </Text>
        ))}
      </Box>
      {searching ? (
        <Text wrap="truncate-end">
          {'/'}
          <TextInput
            value={draft}
            onChange={setDraft}
            focus
            width={inner.width - 1}
            onSubmit={(typed) => {
              setSearching(false);
              const s = logView.getState();
              if (!ring) return;
              if (typed === '') {
                // Enter alone repeats the last search, as in less and vim: the next match after the current one.
                if (!s.query) return;
                const hit = findMatch(ring, s.query, s.matchNo ?? (s.follow ? ring.totalLines + 1 : s.top), s.matchNo === null ? -1 : 1);
                if (hit === null) ui.getState().setFlash(`not found: ${s.query}`, 'warning');
                else s.showMatch(hit, lineRows);
                return;
              }
              s.setQuery(typed);
              // Jump to the newest match: in a log the latest occurrence is usually the interesting one.
              const hit = findMatch(ring, typed, ring.totalLines + 1, -1);
              if (hit === null) ui.getState().setFlash(`not found: ${typed}`, 'warning');
              else s.showMatch(hit, lineRows);
            }}
            onCancel={() => setSearching(false)}
          />
        </Text>
      ) : reserved ? (
        <Text color={theme.color('accent')} wrap="truncate-end">
          {truncate(partial, inner.width, theme.glyphs.ellipsis)}
        </Text>
      ) : null}
    </Pane>
  );
}
