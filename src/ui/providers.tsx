/**
 * Context providers shared by the real app and the test harness: the ui store, the input buses and the
 * theme. Screens never create these themselves.
 */
import type { ReactNode } from 'react';
import { UiStoreContext } from './hooks/use-ui.js';
import { InputProvider } from './input/input-provider.js';
import type { KeyBus } from './keymap/dispatch.js';
import type { PasteBus } from './hooks/use-paste.js';
import type { UiStore } from '../state/ui.js';
import { ThemeContext, type Theme } from './theme/index.js';

export interface ProvidersProps {
  ui: UiStore;
  theme: Theme;
  keyBus?: KeyBus;
  pasteBus?: PasteBus;
  children: ReactNode;
}

export function Providers({ ui, theme, keyBus, pasteBus, children }: ProvidersProps): ReactNode {
  return (
    <UiStoreContext.Provider value={ui}>
      <ThemeContext.Provider value={theme}>
        <InputProvider keyBus={keyBus} pasteBus={pasteBus}>
          {children}
        </InputProvider>
      </ThemeContext.Provider>
    </UiStoreContext.Provider>
  );
}
