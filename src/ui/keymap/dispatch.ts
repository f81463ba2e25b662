/**
 * The key bus: every component that handles keys registers a handler on a layer, and each key press is
 * offered to the layers in priority order overlay → input → pane → global. Within a layer the most recently
 * (re)activated handler goes first. A handler returns true when it consumed the key; the first true wins.
 *
 * Handlers map keys to actions through the bindings table (`actionFor(scope, key)`), so keys are declared
 * once, as data, and the help overlay and footer are generated from the same table.
 */
import { useContext, useLayoutEffect, useRef, createContext } from 'react';
import { isPrintable, type KeyPress } from './keys.js';
import type { Binding, Scope } from './types.js';

export type Layer = 'overlay' | 'input' | 'pane' | 'global';
export const LAYER_ORDER: readonly Layer[] = ['overlay', 'input', 'pane', 'global'];

export type KeyHandler = (key: KeyPress) => boolean;

interface Entry {
  layer: Layer;
  ref: { current: KeyHandler };
  seq: number;
}

export class KeyBus {
  private entries: Entry[] = [];
  private seq = 0;

  register(layer: Layer, ref: { current: KeyHandler }): () => void {
    const entry: Entry = { layer, ref, seq: ++this.seq };
    this.entries.push(entry);
    return () => {
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /**
   * Offers the key to the handlers. While a text field owns the keyboard (`textInputActive`), printable keys
   * stop after the input layer: "q" or "j" typed into a field never quits or moves a list.
   */
  dispatch(key: KeyPress, opts: { textInputActive?: boolean } = {}): boolean {
    const typed = opts.textInputActive === true && isPrintable(key);
    for (const layer of LAYER_ORDER) {
      if (typed && (layer === 'pane' || layer === 'global')) return false;
      const handlers = this.entries.filter((e) => e.layer === layer).sort((a, b) => b.seq - a.seq);
      for (const e of handlers) if (e.ref.current(key)) return true;
    }
    return false;
  }

  get size(): number {
    return this.entries.length;
  }
}

export const KeyBusContext = createContext<KeyBus | null>(null);

/**
 * Registers `handler` on `layer` while `isActive`. The handler may change every render (it is read through
 * a ref), so callers need no useCallback.
 */
export function useKeys(layer: Layer, handler: KeyHandler, isActive = true): void {
  const bus = useContext(KeyBusContext);
  const ref = useRef(handler);
  ref.current = handler;
  useLayoutEffect(() => {
    if (!bus || !isActive) return;
    return bus.register(layer, ref);
  }, [bus, layer, isActive]);
}

/** The action bound to `key` in `scope`, or undefined. */
export function actionFor(bindings: readonly Binding[], scope: Scope, key: KeyPress): string | undefined {
  for (const b of bindings) if (b.scope === scope && b.keys.includes(key.name)) return b.action;
  return undefined;
}
