/**
 * UI state shared by every screen: which screen and pane has focus, which overlay is open, whether a text
 * field owns the keyboard, the transient status message, the confirm dialog and the error banner.
 *
 * A zustand *vanilla* store (no React here); components read it through primitive selectors
 * (`useUi(s => s.screen)`, src/ui/hooks/use-ui.ts) because zustand 5 re-renders forever on selectors that
 * build a fresh object each call. One store per app instance so tests never share state.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { isConnectionError } from '../client/errors.js';

export type Screen = 'launch' | 'jobs' | 'results';
export const SCREENS: readonly Screen[] = ['launch', 'jobs', 'results'];
export const SCREEN_TITLES: Record<Screen, string> = { launch: 'Launch', jobs: 'Jobs', results: 'Results' };

/**
 * Panes of each screen, in Tab order. Tab walks them and, after a screen's last pane, moves on to the next
 * screen's first (so Tab alone reaches everything, as in lazygit); 1-3 jump straight to a screen.
 */
export const SCREEN_PANES: Record<Screen, readonly string[]> = {
  launch: ['form', 'preview'],
  jobs: ['table', 'log'],
  results: ['metrics'],
};

/** A pending yes/no question; the dialog is generated from it (components/confirm-dialog.tsx). */
export interface ConfirmRequest {
  title: string;
  /** Lines shown in the dialog body, e.g. the exact command or what a stop will do. */
  body: string[];
  /** Label of the confirming choice, e.g. "Stop job". */
  confirmLabel: string;
  /** Destructive actions are drawn in the error colour. */
  danger?: boolean;
  /** The body is a bash script: wrap it so rows copied off the screen still run (text.ts wrapShellLine). */
  script?: boolean;
  onConfirm: () => void | Promise<void>;
  onCancel?: () => void;
}

export interface ErrorInfo {
  title: string;
  detail?: string;
  hint?: string;
  /** It happened because the server could not be reached: the banner goes once the server is back. */
  serverDown?: boolean;
}

/** What was just copied: shown in full until dismissed, so it can also be selected by hand. */
export interface Copied {
  what: string;
  text: string;
  /** How it went: "copied with OSC 52", "clipboard is off (setting)", … */
  note: string;
}

export type FlashKind = 'info' | 'success' | 'warning' | 'error';
export interface Flash {
  text: string;
  kind: FlashKind;
  /** Epoch ms; the footer hides the message a few seconds later. */
  at: number;
}

export interface UiState {
  screen: Screen;
  /** Focused pane of the current screen (one of SCREEN_PANES[screen]). */
  pane: string;
  /**
   * Open overlay, or null. 'help' and 'confirm' belong to the shell; screens may use their own names
   * (e.g. 'picker:tasks'): any name starting with 'picker' shows the picker bindings in the footer.
   */
  overlay: string | null;
  /** While true, printable keys are text for the focused field and never run as commands. */
  textInputActive: boolean;
  confirm: ConfirmRequest | null;
  error: ErrorInfo | null;
  flash: Flash | null;
  copied: Copied | null;
  /** Epoch ms of the last Ctrl-C; a second press within the window quits. */
  ctrlCAt: number | null;
  /** The job the Jobs and Results screens show. */
  selectedJobId: string | null;
  /**
   * The sub-view of the current screen whose keys work now, when it has its own (the Results workbench:
   * 'runs', 'samples'); the footer shows its hints first. Null otherwise.
   */
  view: string | null;
  /** Set once the user asked to quit; the runner unmounts and prints the summary. */
  quitRequested: boolean;

  setScreen(screen: Screen): void;
  setPane(pane: string): void;
  /** Next (+1) or previous (-1) pane in Tab order, crossing screens. */
  cyclePane(dir: 1 | -1): void;
  openOverlay(name: string): void;
  closeOverlay(): void;
  setTextInputActive(active: boolean): void;
  askConfirm(req: ConfirmRequest): void;
  /** Closes the dialog; `confirmed` runs onConfirm, otherwise onCancel. */
  resolveConfirm(confirmed: boolean): void;
  showError(err: ErrorInfo): void;
  clearError(): void;
  setFlash(text: string, kind?: FlashKind): void;
  clearFlash(): void;
  showCopied(c: Copied): void;
  clearCopied(): void;
  selectJob(id: string | null): void;
  /** Records a Ctrl-C press; returns true when it is the second within `windowMs` (quit). */
  pressCtrlC(now?: number, windowMs?: number): boolean;
  requestQuit(): void;
  setView(view: string | null): void;
}

export const CTRL_C_WINDOW_MS = 2000;

const ALL_PANES: readonly { screen: Screen; pane: string }[] = SCREENS.flatMap((screen) =>
  SCREEN_PANES[screen].map((pane) => ({ screen, pane })),
);

export type UiStore = StoreApi<UiState>;

export function createUiStore(initial: Partial<Pick<UiState, 'screen' | 'pane' | 'selectedJobId'>> = {}): UiStore {
  const screen = initial.screen ?? 'launch';
  return createStore<UiState>()((set, get) => ({
    screen,
    pane: initial.pane ?? SCREEN_PANES[screen][0]!,
    overlay: null,
    textInputActive: false,
    confirm: null,
    error: null,
    flash: null,
    copied: null,
    ctrlCAt: null,
    selectedJobId: initial.selectedJobId ?? null,
    quitRequested: false,
    view: null,
    setView: (view) => {
      if (get().view !== view) set({ view });
    },

    setScreen: (s) => {
      if (get().screen === s) return;
      // Leaving a screen also leaves any field being edited on it.
      set({ screen: s, pane: SCREEN_PANES[s][0]!, textInputActive: false, view: null });
    },
    setPane: (pane) => set({ pane }),
    cyclePane: (dir) => {
      const { screen, pane } = get();
      const i = ALL_PANES.findIndex((p) => p.screen === screen && p.pane === pane);
      const next = ALL_PANES[(i + dir + ALL_PANES.length) % ALL_PANES.length]!;
      set({ screen: next.screen, pane: next.pane, textInputActive: next.screen === screen ? get().textInputActive : false });
    },
    openOverlay: (name) => set({ overlay: name }),
    closeOverlay: () => set({ overlay: null }),
    setTextInputActive: (active) => {
      if (get().textInputActive !== active) set({ textInputActive: active });
    },
    askConfirm: (req) => set({ confirm: req, overlay: 'confirm' }),
    resolveConfirm: (confirmed) => {
      const req = get().confirm;
      set({ confirm: null, overlay: get().overlay === 'confirm' ? null : get().overlay });
      if (!req) return;
      const run = confirmed ? req.onConfirm : req.onCancel;
      // A failing action must reach the banner, not vanish as an unhandled rejection.
      Promise.resolve()
        .then(() => run?.())
        .catch((err: unknown) => get().showError({ title: err instanceof Error ? err.message : String(err), serverDown: isConnectionError(err) }));
    },
    showError: (err) => {
      // The banner's title is one row: a message with more lines (a server's log tail) continues in the detail.
      const [title = '', ...more] = err.title.split('\n');
      const detail = [...more.map((l) => l.trim()).filter(Boolean), ...(err.detail ? [err.detail] : [])].join('\n');
      set({ error: { ...err, title, ...(detail ? { detail } : {}) } });
    },
    clearError: () => set({ error: null }),
    setFlash: (text, kind = 'info') => set({ flash: { text, kind, at: Date.now() } }),
    clearFlash: () => set({ flash: null }),
    showCopied: (copied) => set({ copied }),
    clearCopied: () => set({ copied: null }),
    selectJob: (id) => set({ selectedJobId: id }),
    pressCtrlC: (now = Date.now(), windowMs = CTRL_C_WINDOW_MS) => {
      const prev = get().ctrlCAt;
      if (prev !== null && now - prev <= windowMs) {
        set({ ctrlCAt: null, quitRequested: true });
        return true;
      }
      set({ ctrlCAt: now, flash: { text: 'press Ctrl-C again to quit (jobs keep running)', kind: 'warning', at: now } });
      return false;
    },
    requestQuit: () => set({ quitRequested: true }),
  }));
}
