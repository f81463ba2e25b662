/**
 * When the server is reachable again (after `lmms-tui server stop`, a crash or a restart, the backend
 * starts a new one: src/ui/lazy-backend.ts), messages about it being unreachable are stale: the error
 * banner of an action that failed for that reason goes. (The jobs store clears its own server error on the
 * first good poll, and the Results screen re-reads results that failed to load.)
 */
import { useEffect } from 'react';
import { useServices } from '../services.js';
import { useUiStore } from './use-ui.js';

export function useServerRecovery(): void {
  const { jobs } = useServices();
  const ui = useUiStore();
  useEffect(
    () =>
      jobs.subscribe((s, prev) => {
        if (s.server !== 'up' || prev.server === 'up') return;
        if (ui.getState().error?.serverDown) ui.getState().clearError();
      }),
    [jobs, ui],
  );
}
