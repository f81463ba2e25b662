/**
 * Mirror of the server's job list (polled by JobsPoller), the server's health, and the latest progress per
 * running job. A vanilla zustand store: React reads it through primitive selectors (src/ui/hooks/use-jobs.ts).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Health, JobJson } from '../client/types.js';
import type { Progress } from '../core/logs/parse.js';

export type ServerState = 'connecting' | 'up' | 'down';

export interface JobsState {
  /** Oldest first (queue order). Replaced only when something changed, so selectors stay stable. */
  jobs: JobJson[];
  health: Health | null;
  server: ServerState;
  serverError: string | null;
  /** Latest progress report per job id (from the output log). */
  progress: Record<string, Progress>;
  /** Epoch ms of the last successful poll. */
  polledAt: number;
  /** Header text for the harness: name, version and the interpreter it came from (null: not located yet). */
  harness: string | null;

  setJobs(jobs: JobJson[], now?: number): void;
  setHealth(health: Health): void;
  setServer(state: ServerState, error?: string | null): void;
  setProgress(id: string, progress: Progress | null): void;
  setHarness(label: string | null): void;
}

export type JobsStore = StoreApi<JobsState>;

// What the table shows of a job; when none of it changes a poll does not re-render anything.
function signature(jobs: readonly JobJson[]): string {
  return jobs.map((j) => `${j.id}|${j.state}|${j.started_at}|${j.ended_at}|${j.position}|${j.gpus.join(',')}|${j.error ?? ''}|${j.results.length}|${j.stop_requested ? (j.stop_requested_at ?? 'stop') : ''}`).join('\n');
}

export function createJobsStore(initial: Partial<Pick<JobsState, 'jobs' | 'health' | 'server'>> = {}): JobsStore {
  let sig = signature(initial.jobs ?? []);
  return createStore<JobsState>()((set, get) => ({
    jobs: initial.jobs ?? [],
    health: initial.health ?? null,
    server: initial.server ?? 'connecting',
    serverError: null,
    progress: {},
    polledAt: 0,
    harness: null,
    setHarness: (harness) => set({ harness }),
    setJobs: (jobs, now = Date.now()) => {
      const next = signature(jobs);
      const patch: Partial<JobsState> = { polledAt: now };
      if (next !== sig) {
        sig = next;
        patch.jobs = [...jobs].sort((a, b) => a.seq - b.seq);
        // Forget progress of jobs that are gone or no longer running.
        const live = new Set(jobs.filter((j) => j.state === 'running').map((j) => j.id));
        const progress = get().progress;
        if (Object.keys(progress).some((id) => !live.has(id))) {
          patch.progress = Object.fromEntries(Object.entries(progress).filter(([id]) => live.has(id)));
        }
      }
      if (get().server !== 'up') Object.assign(patch, { server: 'up', serverError: null });
      set(patch);
    },
    setHealth: (health) => {
      // Uptime changes every poll; only what the header shows should cause a frame.
      const cur = get().health;
      const key = (h: Health | null): string => (h ? JSON.stringify([h.version, h.host, h.gpus, h.counts, h.store_problems.length]) : '');
      if (key(cur) !== key(health)) set({ health });
    },
    setServer: (server, error = null) => {
      if (get().server !== server || get().serverError !== error) set({ server, serverError: error });
    },
    setProgress: (id, progress) => {
      const cur = get().progress[id];
      if (!progress) {
        if (cur) {
          const { [id]: _gone, ...rest } = get().progress;
          set({ progress: rest });
        }
        return;
      }
      if (cur && cur.n === progress.n && cur.total === progress.total && cur.eta === progress.eta && cur.label === progress.label) return;
      set({ progress: { ...get().progress, [id]: progress } });
    },
  }));
}

/** Counts for the header and the quit summary. */
export function countStates(jobs: readonly JobJson[]): { running: number; queued: number } {
  let running = 0;
  let queued = 0;
  for (const j of jobs) {
    // An orphaned job's process runs too (and holds its slot).
    if (j.state === 'running' || j.state === 'orphaned') running++;
    else if (j.state === 'queued') queued++;
  }
  return { running, queued };
}

/** The one-line summary printed on the primary screen after quitting: `2 running, 1 queued: lmms-tui jobs`. */
export function quitSummary(jobs: readonly JobJson[]): string {
  const { running, queued } = countStates(jobs);
  if (running === 0 && queued === 0) return 'no jobs running';
  const parts = [];
  if (running > 0) parts.push(`${running} running`);
  if (queued > 0) parts.push(`${queued} queued`);
  return `${parts.join(', ')}: lmms-tui jobs`;
}
