/**
 * React access to the ui store. The store instance comes from context so every app (and every test render)
 * has its own; read with primitive selectors, e.g. `useUi((s) => s.textInputActive)`.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createUiStore, type UiState, type UiStore } from '../../state/ui.js';

export const UiStoreContext = createContext<UiStore | null>(null);

// Components rendered outside a provider (small component tests) share one fallback store.
let fallback: UiStore | null = null;

export function useUiStore(): UiStore {
  const store = useContext(UiStoreContext);
  if (store) return store;
  fallback ??= createUiStore();
  return fallback;
}

export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(useUiStore(), selector);
}
