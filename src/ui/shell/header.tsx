/**
 * The one-line header: harness and version with the interpreter it came from, host, GPU pool (free/total),
 * server state, running/queued counts, and SIMULATED in demo mode. Segments are dropped from the right end
 * of the priority list when the line is too narrow.
 */
import type { ReactNode } from 'react';
import { Text } from 'ink';
import { useJobs, useServices } from '../services.js';
import { useTheme } from '../theme/index.js';
import { countStates } from '../../state/jobs.js';
import { useHarnessLabel } from '../hooks/use-harness-label.js';
import { cols, fit, truncate } from '../text.js';
import type { Token } from '../theme/tokens.js';

interface Segment {
  text: string;
  token: Token;
  /** Higher is dropped first when the line is too narrow. */
  priority: number;
  /** A shorter form used before anything is dropped. */
  short?: string;
}

export function headerSegments(input: {
  harness: string | null;
  host: string;
  gpus: { pool: number[] | null; free: number[] | null } | null;
  server: 'connecting' | 'up' | 'down';
  running: number;
  queued: number;
  demo: boolean;
}): Segment[] {
  const segs: Segment[] = [{ text: 'lmms-tui', token: 'title', priority: 6 }];
  if (input.demo) segs.push({ text: 'SIMULATED (demo)', token: 'warning', priority: 0 });
  const harness = input.harness ?? 'harness: locating…';
  segs.push({ text: harness, token: 'accent', priority: 3, short: harness.replace(/ \(.*\)$/, '') });
  segs.push({ text: `@${input.host}`, token: 'muted', priority: 5 });
  const pool = input.gpus?.pool;
  const gpuText = !input.gpus ? 'GPUs -' : pool && pool.length > 0 ? `GPUs ${input.gpus.free?.length ?? 0}/${pool.length} free` : 'GPUs: none';
  segs.push({ text: gpuText, token: 'text', priority: 4, short: gpuText.replace(' free', '').replace('GPUs ', 'GPU ') });
  segs.push({ text: `server ${input.server}`, token: input.server === 'up' ? 'success' : input.server === 'down' ? 'error' : 'warning', priority: 1 });
  segs.push({ text: `${input.running} running, ${input.queued} queued`, token: 'running', priority: 1, short: `${input.running} run ${input.queued} queued` });
  return segs;
}

/** Fits segments into `width`: short forms first (least important first), then drops, then cuts the last. */
export function fitSegments(segs: Segment[], width: number, sepWidth: number, ell: string): Segment[] {
  let out = [...segs];
  const total = (ss: Segment[]): number => ss.reduce((n, x) => n + cols(x.text), 0) + sepWidth * (ss.length - 1);
  const byWorst = [...out].sort((a, b) => b.priority - a.priority);
  for (const seg of byWorst) {
    if (total(out) <= width) break;
    // The title goes before anything is shortened: it carries no information.
    if (seg.priority >= 6) out = out.filter((x) => x !== seg);
    else if (seg.short) out = out.map((x) => (x === seg ? { ...x, text: seg.short! } : x));
  }
  while (out.length > 1 && total(out) > width) {
    const worst = out.reduce((a, b) => (b.priority > a.priority ? b : a));
    out = out.filter((x) => x !== worst);
  }
  if (total(out) > width && out[0]) out = [{ ...out[0], text: truncate(out[0].text, width, ell) }];
  return out;
}

export function Header({ width }: { width: number }): ReactNode {
  const theme = useTheme();
  const { demo, host } = useServices();
  const jobs = useJobs((s) => s.jobs);
  const health = useJobs((s) => s.health);
  const server = useJobs((s) => s.server);
  const harness = useHarnessLabel();
  const { running, queued } = countStates(jobs);
  const sep = ` ${theme.glyphs.sep} `;
  const segs = fitSegments(headerSegments({ harness, host, gpus: health?.gpus ?? null, server, running, queued, demo }), width, cols(sep), theme.glyphs.ellipsis);
  const used = segs.reduce((n, x) => n + cols(x.text), 0) + cols(sep) * (segs.length - 1);
  return (
    <Text wrap="truncate-end" inverse={theme.colorMode === 'none'}>
      {segs.map((s, i) => (
        <Text key={s.text}>
          {i > 0 ? <Text color={theme.color('muted')}>{sep}</Text> : null}
          <Text color={theme.color(s.token)} bold={s.priority <= 1}>
            {s.text}
          </Text>
        </Text>
      ))}
      {used < width ? fit('', width - used) : null}
    </Text>
  );
}
