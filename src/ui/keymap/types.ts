/** Key bindings are data (style.md "Keymap"): the dispatch, the help overlay and the footer all read them. */
export type Scope = 'global' | 'list' | 'jobs' | 'log' | 'results' | 'runs' | 'compare' | 'samples' | 'launch' | 'form-field' | 'picker' | 'overlay' | 'input';

export interface Binding {
  scope: Scope;
  /** Key names as parseKey() spells them: 'j', 'G', 'enter', 'escape', 'S-tab', 'C-c', 'pagedown', … */
  keys: string[];
  /** Stable identifier the handler switches on, e.g. 'stop-job'. */
  action: string;
  /** One short phrase for the help overlay; the footer uses `footerLabel` or the first word(s) of this. */
  help: string;
  /** Shown in the footer when the scope has focus. */
  footer?: boolean;
  /** Short footer text when `help` is too long for it. */
  footerLabel?: string;
}

export const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  list: 'Lists',
  jobs: 'Jobs table',
  log: 'Output pane',
  results: 'Results',
  runs: 'Results: runs list',
  compare: 'Results: comparison',
  samples: 'Results: samples',
  launch: 'Launch form',
  'form-field': 'Form field',
  picker: 'Pickers',
  overlay: 'Dialogs and overlays',
  input: 'Text input',
};
