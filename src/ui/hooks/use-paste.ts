/**
 * Bracketed paste for Ink 6.8 (which has no usePaste). The stdin filter (input/stdin-filter.ts) lifts text
 * between ESC[200~ and ESC[201~ out of the key stream and emits it on a PasteBus; the focused text field
 * subscribes with usePaste. Only the most recently activated subscriber receives a paste, so a paste lands in
 * exactly one field, and with no field focused it is dropped instead of being run as keys.
 */
import { createContext, useContext, useLayoutEffect, useRef } from 'react';

export type PasteHandler = (text: string) => void;

export class PasteBus {
  private handlers: { current: PasteHandler }[] = [];
  /** Called when a paste arrives with nobody to take it (the shell shows a hint). */
  onDropped: ((text: string) => void) | null = null;

  subscribe(ref: { current: PasteHandler }): () => void {
    this.handlers.push(ref);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== ref);
    };
  }

  emit(text: string): void {
    const top = this.handlers[this.handlers.length - 1];
    if (top) top.current(text);
    else this.onDropped?.(text);
  }
}

export const PasteBusContext = createContext<PasteBus | null>(null);

export function usePaste(handler: PasteHandler, isActive = true): void {
  const bus = useContext(PasteBusContext);
  const ref = useRef(handler);
  ref.current = handler;
  useLayoutEffect(() => {
    if (!bus || !isActive) return;
    return bus.subscribe(ref);
  }, [bus, isActive]);
}
