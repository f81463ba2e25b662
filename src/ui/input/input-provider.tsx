/**
 * Wires terminal input to the key bus. It listens to Ink's raw input events (one token each, thanks to the
 * stdin filter), parses them with parseKey, applies the Ctrl-C policy, and dispatches by layer priority.
 *
 * Ctrl-C policy (the same in every scope, k9s #3435): the first press is offered to the layers so a field
 * clears or an overlay closes, and arms "press Ctrl-C again to quit"; a second press within 2 s quits.
 */
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useInput, useStdin } from 'ink';
import { KeyBus, KeyBusContext } from '../keymap/dispatch.js';
import { parseKey } from '../keymap/keys.js';
import { PasteBus, PasteBusContext } from '../hooks/use-paste.js';
import { useUiStore } from '../hooks/use-ui.js';

export interface InputProviderProps {
  keyBus?: KeyBus;
  pasteBus?: PasteBus;
  children: ReactNode;
}

export function InputProvider({ keyBus, pasteBus, children }: InputProviderProps): ReactNode {
  const keys = useMemo(() => keyBus ?? new KeyBus(), [keyBus]);
  const paste = useMemo(() => pasteBus ?? new PasteBus(), [pasteBus]);
  const ui = useUiStore();
  const { internal_eventEmitter: events, isRawModeSupported } = useStdin();

  // Ink's useInput runs its handler inside React's batchedUpdates (one commit per key even when a handler
  // touches several stores), but hands over a pre-digested (input, key). We want the raw token, so a plain
  // listener registered first remembers it and the useInput handler parses that.
  const lastRaw = useRef('');
  useEffect(() => {
    const remember = (raw: string): void => {
      lastRaw.current = raw;
    };
    events.prependListener('input', remember);
    return () => {
      events.off('input', remember);
    };
  }, [events]);

  useInput(
    () => {
      const key = parseKey(lastRaw.current);
      const state = ui.getState();
      // The first Ctrl-C is still offered to the layers (a field clears, an overlay closes).
      if (key.name === 'C-c' && state.pressCtrlC()) return;
      keys.dispatch(key, { textInputActive: state.textInputActive });
    },
    { isActive: isRawModeSupported },
  );

  useEffect(() => {
    paste.onDropped = () => ui.getState().setFlash('paste ignored: no text field has focus', 'warning');
    return () => {
      paste.onDropped = null;
    };
  }, [paste, ui]);

  return (
    <KeyBusContext.Provider value={keys}>
      <PasteBusContext.Provider value={paste}>{children}</PasteBusContext.Provider>
    </KeyBusContext.Provider>
  );
}
