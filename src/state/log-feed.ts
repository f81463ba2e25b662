/**
 * Follows the selected job's output.log with a LogTailer and commits to the log-view store at most once
 * per UI tick (default 12 Hz; performance.md §4.2: one commit per tick, maxFps ≥ 2× that rate). Only one
 * job is followed at a time; the table's progress for other jobs is sampled (progress-sampler.ts).
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
}

export class LogFeed {
  private tailer: LogTailer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastVersion = -1;
  private lastProgress: Progress | null = null;
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
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref?.();
    }
  }

  /** Reads what is on disk now (a finished job's last lines) and commits it. */
  async drain(): Promise<void> {
    await this.tailer?.readToEnd({ final: true });
    this.tick();
  }

  /** One UI tick: commit only when the ring changed. */
  tick(): void {
    const t = this.tailer;
    if (!t) return;
    const ring = t.ring;
    if (ring.version !== this.lastVersion) {
      this.lastVersion = ring.version;
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
