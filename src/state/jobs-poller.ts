/**
 * Keeps the jobs store in step with the server: polls the job list (~2 Hz; a Unix-socket round trip is
 * cheap) and health (less often), and samples progress of running jobs from the tail of their logs.
 * The server may restart (auto-started again by the client); a failed poll marks it down and polling goes on.
 */
import type { TuiBackend } from '../ui/backend.js';
import type { JobsStore } from './jobs.js';
import { sampleProgress } from './progress-sampler.js';

export interface JobsPollerOptions {
  intervalMs?: number;
  healthEveryMs?: number;
  /** Progress is sampled from each running job's log this often. */
  progressEveryMs?: number;
  /** Jobs whose progress comes from elsewhere (the followed job's tailer). */
  skipProgress?: () => string | null;
}

export class JobsPoller {
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private lastHealth = 0;
  private lastProgress = 0;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly healthEveryMs: number;
  private readonly progressEveryMs: number;

  constructor(
    private readonly store: JobsStore,
    private readonly backend: TuiBackend,
    private readonly opts: JobsPollerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.healthEveryMs = opts.healthEveryMs ?? 2000;
    this.progressEveryMs = opts.progressEveryMs ?? 1000;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Polls now (after an action, so the table reflects it at once). */
  async poll(): Promise<void> {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    const s = this.store.getState();
    try {
      const now = Date.now();
      const jobs = await this.backend.listJobs();
      if (this.stopped) return;
      s.setJobs(jobs, now);
      if (now - this.lastHealth >= this.healthEveryMs || !s.health) {
        this.lastHealth = now;
        s.setHealth(await this.backend.health());
      }
      if (now - this.lastProgress >= this.progressEveryMs) {
        this.lastProgress = now;
        const skip = this.opts.skipProgress?.() ?? null;
        for (const j of jobs) {
          if (j.state !== 'running' || j.id === skip) continue;
          const p = await sampleProgress(j.log_path);
          if (p) s.setProgress(j.id, p);
        }
      }
    } catch (err) {
      s.setServer('down', err instanceof Error ? err.message : String(err));
    } finally {
      this.inFlight = false;
    }
  }
}
