/** Services for rendering <App> in tests: real stores and log feed, a fake backend, a fixed clock. */
import { createJobsStore } from '../../../src/state/jobs.js';
import { createLogViewStore } from '../../../src/state/log-view.js';
import { createResultsStore } from '../../../src/state/results.js';
import { LogFeed } from '../../../src/state/log-feed.js';
import { JobsPoller } from '../../../src/state/jobs-poller.js';
import { ALL_BINDINGS } from '../../../src/ui/keymap/all-bindings.js';
import type { AppServices } from '../../../src/ui/services.js';
import type { TuiBackend } from '../../../src/ui/backend.js';
import type { UiStore } from '../../../src/state/ui.js';
import { FIXED_NOW } from './fake-backend.js';

export interface TestServices extends AppServices {
  copied: { text: string; what: string }[];
  suspended: number;
}

export function testServices(backend: TuiBackend, opts: { ui?: UiStore; tickMs?: number; pollMs?: number; now?: number } = {}): TestServices {
  const jobs = createJobsStore();
  const logView = createLogViewStore();
  const feed = new LogFeed(logView, { tickMs: opts.tickMs ?? 20, pollMs: 20, onProgress: (id, p) => jobs.getState().setProgress(id, p) });
  const poller = new JobsPoller(jobs, backend, { intervalMs: opts.pollMs ?? 50, progressEveryMs: 50, skipProgress: () => feed.jobId });
  const s: TestServices = {
    backend,
    jobs,
    logView,
    results: createResultsStore(),
    feed,
    poller,
    bindings: ALL_BINDINGS,
    demo: backend.demo,
    host: 'gpu-box',
    now: () => opts.now ?? FIXED_NOW,
    copied: [],
    suspended: 0,
    copy(text, what) {
      s.copied.push({ text, what });
      opts.ui?.getState().showCopied({ what, text, note: 'sent to the clipboard with OSC 52' });
    },
    suspend(fn) {
      s.suspended++;
      return fn();
    },
  };
  return s;
}

export function stopServices(s: AppServices): void {
  s.poller?.stop();
  s.feed.close();
}
