/**
 * The TUI's root: services in context, then header, body (screen switch), error banner and footer, sized
 * so the frame is never taller than rows - 1. Providers for the ui store, input and theme wrap this
 * (providers.tsx), set up by the runner (run.tsx) or the test harness.
 */
import type { ReactNode } from 'react';
import { Box } from 'ink';
import { ServicesContext, type AppServices } from './services.js';
import { useUi } from './hooks/use-ui.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { Header } from './shell/header.js';
import { Body } from './shell/body.js';
import { Footer } from './components/footer.js';
import { ErrorBanner, errorBannerHeight } from './components/error-banner.js';
import { CopiedPanel, copiedPanelHeight } from './components/copied-panel.js';
import { TooSmall } from './shell/too-small.js';
import { focusedScopes, layout } from './shell/layout.js';
import { useGlobalKeys } from './shell/use-global-keys.js';
import { useServerRecovery } from './hooks/use-server-recovery.js';

function Shell({ bindings }: { bindings: AppServices['bindings'] }): ReactNode {
  const { columns, rows } = useTerminalSize();
  const error = useUi((s) => s.error);
  const copied = useUi((s) => s.copied);
  const overlay = useUi((s) => s.overlay);
  const textInputActive = useUi((s) => s.textInputActive);
  const screen = useUi((s) => s.screen);
  const pane = useUi((s) => s.pane);
  const view = useUi((s) => s.view);
  useGlobalKeys();
  useServerRecovery();
  // The copied-text panel may take up to a third of the screen; the body gives up the rows.
  const copiedMax = Math.max(2, Math.floor(rows / 3));
  const L = layout(columns, rows, errorBannerHeight(error) + copiedPanelHeight(copied, columns, copiedMax));
  if (L.tooSmall) return <TooSmall columns={columns} rows={rows} />;
  const scopes = focusedScopes({ overlay, textInputActive, screen, pane, view });
  return (
    <Box flexDirection="column" width={L.width} height={L.frameRows}>
      <Header width={L.width} />
      <Body width={L.width} height={L.bodyRows} />
      <ErrorBanner width={L.width} />
      <CopiedPanel width={L.width} maxLines={copiedMax} />
      <Footer width={L.width} scopes={scopes} bindings={bindings} />
    </Box>
  );
}

export function App({ services }: { services: AppServices }): ReactNode {
  return (
    <ServicesContext.Provider value={services}>
      <Shell bindings={services.bindings} />
    </ServicesContext.Provider>
  );
}
