/**
 * Everything a screen needs from outside React, handed down once through context: the backend, the stores
 * (vanilla zustand), the log feed, and the terminal-level actions the runner implements (copy, suspend).
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { TuiBackend } from './backend.js';
import type { JobsState, JobsStore } from '../state/jobs.js';
import type { LogViewState, LogViewStore } from '../state/log-view.js';
import type { LogFeed } from '../state/log-feed.js';
import type { ResultsState, ResultsStore } from '../state/results.js';
import type { JobsPoller } from '../state/jobs-poller.js';
import type { Binding } from './keymap/types.js';

export interface AppServices {
  backend: TuiBackend;
  jobs: JobsStore;
  logView: LogViewStore;
  results: ResultsStore;
  feed: LogFeed;
  poller: JobsPoller | null;
  /** Every binding (shell + screens): the help overlay and footer read these. */
  bindings: readonly Binding[];
  demo: boolean;
  host: string;
  /** Wall clock (tests pass a fixed one so elapsed times are stable in snapshots). */
  now(): number;
  /** Copies `text` with OSC 52 per the clipboard setting and shows it in the status line. */
  copy(text: string, what: string): void;
  /**
   * Gives the terminal to another program (pager, $EDITOR) synchronously: leaves the alternate screen and
   * raw mode, runs `fn` (e.g. a spawnSync), then restores both and makes Ink redraw the whole frame.
   * Tests get a version that just runs it.
   */
  suspend<T>(fn: () => T): T;
}

export const ServicesContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices: no ServicesContext provider (render inside <App> or pass services)');
  return s;
}

export function useJobs<T>(selector: (s: JobsState) => T): T {
  return useStore(useServices().jobs, selector);
}

export function useLogView<T>(selector: (s: LogViewState) => T): T {
  return useStore(useServices().logView, selector);
}

export function useResults<T>(selector: (s: ResultsState) => T): T {
  return useStore(useServices().results, selector);
}
