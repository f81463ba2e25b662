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
import { redactSecrets, secretEnvValues } from '../../../core/logs/redact.js';
import { parseEnvLine, isSecretName } from '../../../core/command/env-lines.js';
import { findMatch, visibleLines } from '../../../state/log-view.js';
import type { Level } from '../../../core/logs/parse.js';
import type { LogLine } from '../../../core/logs/ring.js';
import type { JobJson } from '../../../client/types.js';
import { useOutputKeys } from './use-output-keys.js';
import { escapedTitle } from './format.js';

const LEVEL_TOKEN: Partial<Record<Level, Token>> = {
  ERROR: 'error',
  CRITICAL: 'error',
  WARNING: 'warning',
  SUCCESS: 'success',
  DEBUG: 'debug',
  TRACE: 'debug',
};

/** Literal secret values to mask for a job: its secret-named env lines, and this session's secret env vars. */
export function jobSecrets(job: Pick<JobJson, 'spec'> | null, env: NodeJS.ProcessEnv = process.env): string[] {
  const values = secretEnvValues(env as Record<string, string | undefined>);
  for (const line of job?.spec.env ?? []) {
    const parsed = parseEnvLine(line);
    if (parsed.kind === 'assign' && isSecretName(parsed.name)) {
      const v = parsed.value.replace(/^(['"])(.*)\1$/, '$2');
      if (v.length >= 6 && !v.includes('$')) values.push(v);
    }
  }
  return values;
}

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
  // Subscribing to version is what re-renders this pane once per UI tick while output streams.
  useLogView((s) => s.version);
  const follow = useLogView((s) => s.follow);
  const top = useLogView((s) => s.top);
  const wrap = useLogView((s) => s.wrap);
  const query = useLogView((s) => s.query);
  const lineCount = useLogView((s) => s.lineCount);
  const pausedAt = useLogView((s) => s.pausedAt);
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

  useOutputKeys({ active: focused && !searching, lineRows, job, onSearch: () => { setDraft(query); setSearching(true); } });

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

  const status = [follow ? 'FOLLOW' : `PAUSED ${theme.glyphs.sep} ${Math.max(0, lineCount - pausedAt)} new`, wrap ? 'WRAP' : '', query ? `/${query}` : '']
    .filter(Boolean)
    .join(' ');
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
            onSubmit={(q) => {
              setSearching(false);
              const s = logView.getState();
              s.setQuery(q);
              // Jump to the newest match: in a log the latest occurrence is usually the interesting one.
              const hit = ring && q ? findMatch(ring, q, ring.totalLines + 1, -1) : null;
              if (hit !== null) s.showMatch(hit, lineRows);
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
