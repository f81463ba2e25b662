/** Keys that work everywhere (scope 'global'), on the lowest-priority layer. */
import { actionFor, useKeys } from '../keymap/dispatch.js';
import { GLOBAL_BINDINGS } from '../keymap/bindings.js';
import { useUiStore } from '../hooks/use-ui.js';

export function useGlobalKeys(): void {
  const ui = useUiStore();
  useKeys('global', (key) => {
    const s = ui.getState();
    // Esc backs out and never quits: here, at the bottom of the stack, it only dismisses an error or
    // the copied-text panel.
    if (key.name === 'escape') {
      if (s.error) s.clearError();
      else if (s.copied) s.clearCopied();
      return true;
    }
    switch (actionFor(GLOBAL_BINDINGS, 'global', key)) {
      case 'screen-launch': s.setScreen('launch'); return true;
      case 'screen-jobs': s.setScreen('jobs'); return true;
      case 'screen-results': s.setScreen('results'); return true;
      case 'next-pane': s.cyclePane(1); return true;
      case 'prev-pane': s.cyclePane(-1); return true;
      case 'help': s.openOverlay('help'); return true;
      case 'quit': s.requestQuit(); return true;
      default: return false;
    }
  });
}
