/**
 * State of the output pane: follow vs paused, scroll position, wrap, search. The lines themselves stay in
 * the LogTailer's ring outside React (style.md "Logs"); this store only holds `{version, lineCount}` plus
 * the view's own settings, and the pane computes its visible rows from the ring with visibleRows().
 *
 * Follow rules (style.md B.4, "what iTerm does"): follow by default; scrolling up pauses; reaching the
 * bottom or pressing G/End resumes; the state is always shown (FOLLOW / PAUSED · N new).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LogLine, LogRing } from '../core/logs/ring.js';

export interface LogViewState {
  jobId: string | null;
  logPath: string | null;
  /** Ring version at the last UI tick; bumping it is the one commit per tick. */
  version: number;
  /** Lines seen so far (ring.totalLines) at the last tick. */
  lineCount: number;
  /** Oldest line still held (ring.firstLineNo) at the last tick. */
  firstNo: number;
  follow: boolean;
  /** Paused: number of the line at the top of the pane. */
  top: number;
  /** lineCount when the view paused; "N new" = lineCount - pausedAt. */
  pausedAt: number;
  wrap: boolean;
  query: string;
  /** Line number of the current search match. */
  matchNo: number | null;
  /** The log is bigger than what was loaded: the pane says older output is in $PAGER. */
  truncatedBefore: boolean;

  reset(jobId: string | null, logPath: string | null, truncatedBefore?: boolean): void;
  tick(version: number, lineCount: number, firstNo: number): void;
  /** Scrolls by `delta` lines (negative = up) in a pane showing `height` line rows. */
  scroll(delta: number, height: number): void;
  toTop(): void;
  resume(): void;
  toggleFollow(height: number): void;
  toggleWrap(): void;
  setQuery(query: string): void;
  /** Moves to a matching line (paused, with the match in view). */
  showMatch(no: number, height: number): void;
}

export type LogViewStore = StoreApi<LogViewState>;

/** Top line number that shows the newest lines at the bottom of a pane of `height` rows. */
export function bottomTop(lineCount: number, firstNo: number, height: number): number {
  return Math.max(firstNo, lineCount - Math.max(1, height) + 1);
}

export function createLogViewStore(): LogViewStore {
  return createStore<LogViewState>()((set, get) => ({
    jobId: null,
    logPath: null,
    version: 0,
    lineCount: 0,
    firstNo: 1,
    follow: true,
    top: 1,
    pausedAt: 0,
    wrap: false,
    query: '',
    matchNo: null,
    truncatedBefore: false,

    reset: (jobId, logPath, truncatedBefore = false) =>
      set({ jobId, logPath, version: 0, lineCount: 0, firstNo: 1, follow: true, top: 1, pausedAt: 0, matchNo: null, truncatedBefore }),
    tick: (version, lineCount, firstNo) => {
      const s = get();
      if (s.version === version && s.lineCount === lineCount) return;
      // Lines dropped off the ring's start: keep a paused view on the oldest line still held.
      set({ version, lineCount, firstNo, top: s.follow ? s.top : Math.max(s.top, firstNo) });
    },
    scroll: (delta, height) => {
      const s = get();
      const bottom = bottomTop(s.lineCount, s.firstNo, height);
      const from = s.follow ? bottom : s.top;
      const top = Math.max(s.firstNo, Math.min(bottom, from + delta));
      if (delta > 0 && top >= bottom) {
        // Reaching the bottom resumes following.
        set({ follow: true, top: bottom });
        return;
      }
      if (top === from && !s.follow) return;
      set({ follow: false, top, pausedAt: s.follow ? s.lineCount : s.pausedAt });
    },
    toTop: () => {
      const s = get();
      set({ follow: false, top: s.firstNo, pausedAt: s.follow ? s.lineCount : s.pausedAt });
    },
    resume: () => set({ follow: true, matchNo: null }),
    toggleFollow: (height) => {
      const s = get();
      if (s.follow) set({ follow: false, top: bottomTop(s.lineCount, s.firstNo, height), pausedAt: s.lineCount });
      else set({ follow: true });
    },
    toggleWrap: () => set({ wrap: !get().wrap }),
    setQuery: (query) => set({ query, matchNo: null }),
    showMatch: (no, height) => {
      const s = get();
      const bottom = bottomTop(s.lineCount, s.firstNo, height);
      const top = Math.max(s.firstNo, Math.min(bottom, no - Math.floor(height / 2)));
      set({ follow: false, top, matchNo: no, pausedAt: s.follow ? s.lineCount : s.pausedAt });
    },
  }));
}

/** Next (dir 1) or previous (dir -1) line containing `query` (case-insensitive), from `fromNo`, wrapping. */
export function findMatch(ring: LogRing, query: string, fromNo: number, dir: 1 | -1): number | null {
  if (!query) return null;
  const q = query.toLowerCase();
  const first = ring.firstLineNo;
  const last = ring.totalLines;
  const n = last - first + 1;
  if (n <= 0) return null;
  for (let i = 1; i <= n; i++) {
    let no = fromNo + dir * i;
    // Wrap around within [first, last].
    no = ((((no - first) % n) + n) % n) + first;
    const line = ring.get(no);
    if (line && line.text.toLowerCase().includes(q)) return no;
  }
  return null;
}

/**
 * How many held lines contain `query` (case-insensitive, as findMatch), and which of them `matchNo` is
 * (1-based; null when no match is current): the status line's `match 3/17`.
 */
export function matchCount(ring: LogRing, query: string, matchNo: number | null): { total: number; index: number | null } {
  if (!query) return { total: 0, index: null };
  const q = query.toLowerCase();
  let total = 0;
  let index: number | null = null;
  for (let no = ring.firstLineNo; no <= ring.totalLines; no++) {
    const line = ring.get(no);
    if (!line || !line.text.toLowerCase().includes(q)) continue;
    total++;
    if (no === matchNo) index = total;
  }
  return { total, index };
}

/**
 * The lines a pane of `height` rows shows: the newest when following, else from `top`. With wrap, each
 * line takes ceil(width / cols) rows and the lines are chosen so the rows fill the pane.
 */
export function visibleLines(
  ring: LogRing,
  view: Pick<LogViewState, 'follow' | 'top' | 'wrap'>,
  height: number,
  rowsOf: (line: LogLine) => number,
): LogLine[] {
  if (height <= 0) return [];
  if (!view.wrap) {
    const top = view.follow ? ring.totalLines - height + 1 : view.top;
    return ring.slice(top, top + height);
  }
  if (view.follow) {
    const out: LogLine[] = [];
    let used = 0;
    for (let no = ring.totalLines; no >= ring.firstLineNo && used < height; no--) {
      const line = ring.get(no);
      if (!line) break;
      used += rowsOf(line);
      out.push(line);
    }
    return out.reverse();
  }
  const out: LogLine[] = [];
  let used = 0;
  for (let no = view.top; no <= ring.totalLines && used < height; no++) {
    const line = ring.get(no);
    if (!line) continue;
    used += rowsOf(line);
    out.push(line);
  }
  return out;
}
