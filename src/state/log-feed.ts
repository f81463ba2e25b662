/**
 * Follows the selected job's output.log with a LogTailer and commits to the log-view store at most once
 * per UI tick (default 12 Hz; performance.md §4.2: one commit per tick, maxFps ≥ 2× that rate). Only one
 * job is followed at a time; the table's progress for other jobs is sampled (progress-sampler.ts).
 *
 * Two cases commit less often, at 5 Hz (G6): the output pane does not have focus, or the log is flooding
 * (more new lines per tick than anyone can read). Each frame then replaces the whole pane, so a lower
 * rate costs nothing readable and keeps the bytes sent to the terminal (and over SSH) bounded.
 */
import { statSync } from 'node:fs';
import { LogTailer } from '../core/logs/tailer.js';
import type { LogRing } from '../core/logs/ring.js';
import type { Progress } from '../core/logs/parse.js';
import type { LogViewStore } from './log-view.js';

export interface LogFeedOptions {
  /** UI tick in ms (default 80 ≈ 12 Hz). */
  tickMs?: number;
  ringSize?: number;
  /** Tailer poll fallback in ms. */
  pollMs?: number;
  /** A log bigger than this is followed from its last `maxBackfillBytes` (older output: $PAGER). */
  maxBackfillBytes?: number;
  /** Receives the followed job's progress (the jobs store), at most once per tick when it changes. */
  onProgress?: (jobId: string, progress: Progress) => void;
  /** Slow commit interval (ms) when unfocused or flooding. Default 200 (5 Hz). */
  slowTickMs?: number;
  /** New lines per commit above which the log counts as flooding. Default 200. */
  floodLines?: number;
}

export class LogFeed {
  private tailer: LogTailer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastVersion = -1;
  private lastProgress: Progress | null = null;
  private lastCommitAt = 0;
  private lastCommitLines = 0;
  private focused = true;
  private readonly tickMs: number;

  constructor(
    readonly view: LogViewStore,
    private readonly opts: LogFeedOptions = {},
  ) {
    this.tickMs = opts.tickMs ?? 80;
  }

  /** The ring of the followed job (empty placeholder when none). */
  get ring(): LogRing | null {
    return this.tailer?.ring ?? null;
  }

  get jobId(): string | null {
    return this.view.getState().jobId;
  }

  /** Follows `logPath` for `jobId`; a no-op when it is already followed. */
  follow(jobId: string | null, logPath: string | null): void {
    const v = this.view.getState();
    if (v.jobId === jobId && v.logPath === logPath && (this.tailer || !logPath)) return;
    this.stopTailer();
    if (!jobId || !logPath) {
      v.reset(null, null);
      return;
    }
    const max = this.opts.maxBackfillBytes ?? 4 * 1024 * 1024;
    let size = 0;
    try {
      size = statSync(logPath).size;
    } catch {
      // Not written yet (a queued job): the tailer waits for it.
    }
    const fromOffset = size > max ? size - max : 0;
    v.reset(jobId, logPath, fromOffset > 0);
    this.tailer = new LogTailer(logPath, { ringSize: this.opts.ringSize ?? 10_000, pollMs: this.opts.pollMs ?? 100, fromOffset });
    this.tailer.on('error', () => undefined);
    this.tailer.start();
    this.lastVersion = -1;
    this.lastProgress = null;
    this.lastCommitAt = 0;
    this.lastCommitLines = 0;
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref?.();
    }
  }

  /** Whether the output pane has focus (unfocused, it is refreshed at the slow rate). */
  setFocused(focused: boolean): void {
    this.focused = focused;
  }

  /** Reads what is on disk now (a finished job's last lines) and commits it. */
  async drain(): Promise<void> {
    await this.tailer?.readToEnd({ final: true });
    this.tick(true);
  }

  /** One UI tick: commit only when the ring changed (and, when slow, only every slowTickMs). */
  tick(force = false, now = Date.now()): void {
    const t = this.tailer;
    if (!t) return;
    const ring = t.ring;
    if (ring.version !== this.lastVersion) {
      const flooding = ring.totalLines - this.lastCommitLines > (this.opts.floodLines ?? 200);
      const slow = flooding || !this.focused;
      if (!force && slow && now - this.lastCommitAt < (this.opts.slowTickMs ?? 200)) return;
      this.lastVersion = ring.version;
      this.lastCommitAt = now;
      this.lastCommitLines = ring.totalLines;
      this.view.getState().tick(ring.version, ring.totalLines, ring.firstLineNo);
    }
    const p = t.progress;
    const id = this.view.getState().jobId;
    if (p && id && p !== this.lastProgress) {
      this.lastProgress = p;
      this.opts.onProgress?.(id, p);
    }
  }

  private stopTailer(): void {
    const t = this.tailer;
    this.tailer = null;
    if (t) void t.stop();
  }

  close(): void {
    this.stopTailer();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
