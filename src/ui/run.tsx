/**
 * Runs the full-screen TUI on the real terminal: builds the stores and adapters, renders with the Ink
 * options performance.md §4 settled on (maxFps 120, incremental rendering, no console patching, one
 * commit per UI tick), and owns every exit path: `q`, a double Ctrl-C, a render error, SIGTERM/SIGHUP.
 * Jobs belong to the server, so none of these stops them; after leaving the alternate screen the runner
 * prints a one-line summary on the primary screen.
 */
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { render, type Instance } from 'ink';
import { App } from './app.js';
import { Providers } from './providers.js';
import { createUiStore } from '../state/ui.js';
import { createJobsStore, quitSummary } from '../state/jobs.js';
import { createLogViewStore } from '../state/log-view.js';
import { createResultsStore } from '../state/results.js';
import { LogFeed } from '../state/log-feed.js';
import { JobsPoller } from '../state/jobs-poller.js';
import { KeyBus } from './keymap/dispatch.js';
import { PasteBus } from './hooks/use-paste.js';
import { FilteredStdin } from './input/stdin-filter.js';
import { ALL_BINDINGS } from './keymap/all-bindings.js';
import { createTheme, type Theme } from './theme/index.js';
import { openTerminal, TermOut } from './terminal.js';
import { withInkCacheCap } from './ink-cache-cap.js';
import { clipboardSequence, copyNote, type ClipboardMode } from './clipboard.js';
import { formatError, UserError } from '../core/errors.js';
import type { TuiBackend } from './backend.js';
import type { AppServices } from './services.js';
import type { Screen } from '../state/ui.js';

export interface RunTuiOptions {
  backend: TuiBackend;
  /** No alternate screen: the TUI draws below the prompt and the scrollback keeps it. */
  inline?: boolean;
  /**
   * Startup benchmark: return as soon as the first frame is on the terminal (Ink's first render writes
   * it synchronously), with the terminal restored. Ink stays mounted: the caller exits the process.
   */
  firstFrameExit?: boolean;
  clipboard?: ClipboardMode;
  theme?: Theme;
  screen?: Screen;
  /** UI tick for streamed output (ms). */
  tickMs?: number;
  /** Job list poll interval (ms). */
  pollMs?: number;
  /** Called with the harness label resolver once stores exist (header text). */
  onStores?(stores: { setHarness(label: string | null): void }): void;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /**
   * Benchmark hook (`LMMS_TUI_BENCH_HEAP_LOG`): append `{t, heapUsed, rss}` here every second, after a GC
   * when node runs with --expose-gc, so a soak can measure the heap's slope from outside.
   */
  heapLog?: string;
}

export interface RunTuiResult {
  summary: string;
  /** Exit code for the process: 0, or 128 + signal number when a signal ended the session. */
  exitCode: number;
  bytesWritten: number;
}

function startHeapLog(file: string): NodeJS.Timeout {
  const t0 = Date.now();
  const gc = (globalThis as { gc?: () => void }).gc;
  const timer = setInterval(() => {
    gc?.();
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: (Date.now() - t0) / 1000, heapUsed: m.heapUsed, rss: m.rss })}\n`);
  }, 1000);
  timer.unref();
  return timer;
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export async function runTui(opts: RunTuiOptions): Promise<RunTuiResult> {
  const stdin = opts.stdin ?? process.stdin;
  const real = opts.stdout ?? process.stdout;
  if (!stdin.isTTY || !real.isTTY) {
    throw new UserError('lmms-tui needs a terminal (stdin and stdout must be a TTY)', 'run it in a terminal or tmux; for scripts use `lmms-tui run` and `lmms-tui jobs`');
  }
  const out = new TermOut(real);
  const ui = createUiStore({ screen: opts.screen ?? 'launch' });
  const jobs = createJobsStore();
  const logView = createLogViewStore();
  const results = createResultsStore();
  const feed = new LogFeed(logView, { tickMs: opts.tickMs, onProgress: (id, p) => jobs.getState().setProgress(id, p) });
  const poller = new JobsPoller(jobs, opts.backend, { intervalMs: opts.pollMs, skipProgress: () => feed.jobId });
  opts.onStores?.({ setHarness: (label) => jobs.getState().setHarness(label) });
  const keyBus = new KeyBus();
  const pasteBus = new PasteBus();
  const filtered = new FilteredStdin(stdin, (text) => pasteBus.emit(text));
  const theme = opts.theme ?? createTheme();
  const clipboard = opts.clipboard ?? 'auto';

  let finish: (reason: { code: number; error?: unknown }) => void = () => undefined;
  const finished = new Promise<{ code: number; error?: unknown }>((resolve) => {
    finish = resolve;
  });
  const term = openTerminal({ out, stdin, inline: opts.inline === true, onSignal: (sig) => finish({ code: SIGNAL_CODES[sig] ?? 1 }) });
  const crash = (err: unknown): void => finish({ code: 1, error: err });
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  const services: AppServices = {
    backend: opts.backend,
    jobs,
    logView,
    results,
    feed,
    poller,
    bindings: ALL_BINDINGS,
    demo: opts.backend.demo,
    host: hostname(),
    now: () => Date.now(),
    copy(text, what) {
      // OSC 52 goes straight to the terminal: it moves no cursor, so Ink's idea of the screen stays right.
      const seq = clipboardSequence(text, clipboard);
      if (seq) out.raw(seq);
      ui.getState().showCopied({ what, text, note: copyNote(text, clipboard) });
    },
    suspend: (fn) => term.suspend(fn),
  };

  let instance: Instance | null = null;
  let heapTimer: NodeJS.Timeout | null = null;
  try {
    instance = withInkCacheCap(() =>
      render(
        <Providers ui={ui} theme={theme} keyBus={keyBus} pasteBus={pasteBus}>
          <App services={services} />
        </Providers>,
        {
          stdout: out as unknown as NodeJS.WriteStream,
          stdin: filtered as unknown as NodeJS.ReadStream,
          stderr: process.stderr,
          exitOnCtrlC: false,
          patchConsole: false,
          maxFps: 120,
          // Incremental rendering needs the cursor homed before each frame (terminal.ts), which only the
          // alternate screen allows; inline mode redraws the frame in full.
          incrementalRendering: opts.inline !== true,
        },
      ),
    );
    if (opts.firstFrameExit) {
      // The frame is on the terminal (Ink's first render writes synchronously). Return before React runs
      // the screens' effects (discovery, polling): the caller exits now, so what is measured is the frame.
      term.dispose();
      return { summary: '', exitCode: 0, bytesWritten: out.bytes };
    }
    instance.waitUntilExit().then(
      () => finish({ code: 0 }),
      (err: unknown) => finish({ code: 1, error: err }),
    );
    poller.start();
    if (opts.heapLog) heapTimer = startHeapLog(opts.heapLog);
    ui.subscribe((s) => {
      if (s.quitRequested) finish({ code: 0 });
    });
    const end = await finished;
    instance.unmount();
    term.restore();
    if (end.error !== undefined) {
      process.stderr.write(`lmms-tui: ${formatError(end.error)}\n`);
      return { summary: '', exitCode: end.code, bytesWritten: out.bytes };
    }
    // A last look at the queue so the summary is current (bounded: the server may be gone). The timer
    // stays ref'd: with Ink unmounted it may be all that keeps the process alive until the summary.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([poller.poll(), new Promise((r) => (timer = setTimeout(r, 500)))]);
    clearTimeout(timer);
    const summary = jobs.getState().server === 'up' ? quitSummary(jobs.getState().jobs) : 'server not reachable; jobs keep running: lmms-tui jobs';
    return { summary, exitCode: end.code, bytesWritten: out.bytes };
  } finally {
    if (heapTimer) clearInterval(heapTimer);
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    poller.stop();
    feed.close();
    term.dispose();
    opts.backend.close();
  }
}
