/**
 * Process-wide defaults for the Launch screen's collaborators. The launch store is kept per backend (one
 * per app instance), so switching to the Jobs screen and back keeps the half-filled form; it starts from
 * the last spec the user had (settings), in demo mode pointed at the demo harness.
 */
import { openSettings, type SettingsStore } from '../../../core/settings.js';
import { createLaunchStore, type LaunchStore } from '../../../state/launch.js';

let settings: SettingsStore | null = null;

/** The user's settings file, opened on first use (LMMS_TUI_HOME decides where, as everywhere). */
export function defaultSettings(): SettingsStore {
  settings ??= openSettings();
  return settings;
}

const stores = new WeakMap<object, LaunchStore>();

export function launchStoreFor(owner: object, settingsStore: SettingsStore, demo: boolean): LaunchStore {
  let store = stores.get(owner);
  if (!store) {
    const last = safe(() => settingsStore.lastSpec());
    // A demo session must not inherit a real run's spec (or the other way round).
    const spec = last && (last.demo === true) === demo ? last : undefined;
    store = createLaunchStore({ ...(spec ? { spec } : {}), demo });
    stores.set(owner, store);
  }
  return store;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
