/**
 * Results of finished jobs, fetched from the server once per job and kept (they never change after the
 * job ends). A vanilla store; the Results screen asks for a job with ensure() and reads entries by id.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ResultResponse } from '../client/types.js';

export type ResultEntry = { status: 'loading' } | { status: 'ok'; result: ResultResponse } | { status: 'error'; message: string };

export interface ResultsState {
  byId: Record<string, ResultEntry>;
  ensure(id: string, fetch: (id: string) => Promise<ResultResponse>): void;
  forget(id: string): void;
}

export type ResultsStore = StoreApi<ResultsState>;

export function createResultsStore(): ResultsStore {
  return createStore<ResultsState>()((set, get) => ({
    byId: {},
    ensure: (id, fetch) => {
      const cur = get().byId[id];
      if (cur && cur.status !== 'error') return;
      set({ byId: { ...get().byId, [id]: { status: 'loading' } } });
      fetch(id).then(
        (result) => set({ byId: { ...get().byId, [id]: { status: 'ok', result } } }),
        (err: unknown) => set({ byId: { ...get().byId, [id]: { status: 'error', message: err instanceof Error ? err.message : String(err) } } }),
      );
    },
    forget: (id) => {
      const { [id]: _gone, ...rest } = get().byId;
      set({ byId: rest });
    },
  }));
}
