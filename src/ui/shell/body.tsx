/**
 * The body: the current screen, or the help overlay / confirm dialog in its place. The screen stays
 * mounted (hidden) under an overlay so its state survives a dialog it opened.
 */
import { useCallback, useMemo, useRef, type ReactNode } from 'react';
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { Harness } from '../../core/spec.js';
import { useUi, useUiStore } from '../hooks/use-ui.js';
import { useServices } from '../services.js';
import { HelpOverlay } from '../components/help-overlay.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { JobsScreen } from '../screens/jobs/jobs-screen.js';
import { ResultsScreen } from '../screens/results/results-screen.js';
import { LaunchScreen } from '../screens/launch/launch-screen.js';

export function Body({ width, height }: { width: number; height: number }): ReactNode {
  const ui = useUiStore();
  const services = useServices();
  const screen = useUi((s) => s.screen);
  const overlay = useUi((s) => s.overlay);
  // Screens draw their own pickers ('picker:…'); only the shell's overlays cover the screen.
  const covered = overlay === 'help' || overlay === 'confirm';
  // What the server adds to a job (its job dir, its GPU pool) shows in the Launch preview.
  const stateDir = useStore(services.jobs, (s) => s.health?.state_dir ?? null);
  const poolKey = useStore(services.jobs, (s) => (s.health?.gpus.pool ? s.health.gpus.pool.join(',') : null));
  const server = useMemo(
    () => (stateDir ? { stateDir, gpuPool: poolKey === null ? null : poolKey === '' ? [] : poolKey.split(',').map(Number) } : null),
    [stateDir, poolKey],
  );
  const active = !covered;
  // The header names the harness the form targets: when the harness field (or python / setup) changes,
  // locate that one (off the render path; the same probe the start-up label used) and show it.
  const target = useRef('');
  const onTarget = useCallback(
    (t: { harness: Harness; python?: string; setup?: string }) => {
      const key = JSON.stringify(t);
      if (key === target.current) return;
      const first = target.current === '';
      target.current = key;
      // At start the runner already probes the last spec's harness (cli/commands/tui.ts).
      if (first && services.jobs.getState().harness !== null) return;
      void import('../harness-label.js')
        .then(({ harnessLabel }) => harnessLabel({ demo: services.demo, ...t }))
        .then((label) => {
          if (target.current === key) services.jobs.getState().setHarness(label);
        })
        .catch(() => undefined);
    },
    [services],
  );
  const onLaunched = (id: string): void => {
    const s = ui.getState();
    s.selectJob(id);
    s.setScreen('jobs');
    void services.poller?.poll();
  };
  return (
    <Box width={width} height={height} flexDirection="column">
      <Box display={covered ? 'none' : 'flex'} width={width} height={height}>
        {screen === 'launch' ? (
          <LaunchScreen width={width} height={height} focused={active} backend={services.backend} onLaunched={onLaunched} demo={services.demo} suspend={services.suspend} copy={services.copy} server={server} onTarget={onTarget} />
        ) : screen === 'jobs' ? (
          <JobsScreen width={width} height={height} active={active} />
        ) : (
          <ResultsScreen width={width} height={height} active={active} />
        )}
      </Box>
      {overlay === 'help' ? <HelpOverlay bindings={services.bindings} width={width} height={height} onClose={() => ui.getState().closeOverlay()} /> : null}
      {overlay === 'confirm' ? <ConfirmDialog width={width} height={height} /> : null}
    </Box>
  );
}
