/**
 * Every key binding of the shell, the Jobs and Results screens and the shared components, as data.
 * The Launch screen's bindings live beside it (screens/launch/bindings.ts) and are merged in all-bindings.ts.
 *
 * Conventions (style.md): lowercase keys are safe; UPPERCASE keys stop, cancel, retry or remove and always
 * confirm; Esc backs out and never quits; every action has a letter (no F-keys, no Meta-only chords).
 */
import type { Binding } from './types.js';

export const GLOBAL_BINDINGS: readonly Binding[] = [
  { scope: 'global', keys: ['1'], action: 'screen-launch', help: 'Launch screen' },
  { scope: 'global', keys: ['2'], action: 'screen-jobs', help: 'Jobs screen' },
  { scope: 'global', keys: ['3'], action: 'screen-results', help: 'Results screen' },
  { scope: 'global', keys: ['tab'], action: 'next-pane', help: 'next pane', footer: true, footerLabel: 'pane' },
  { scope: 'global', keys: ['S-tab'], action: 'prev-pane', help: 'previous pane' },
  { scope: 'global', keys: ['?'], action: 'help', help: 'help: every key', footer: true, footerLabel: 'help' },
  { scope: 'global', keys: ['q'], action: 'quit', help: 'quit (jobs keep running)', footer: true, footerLabel: 'quit' },
  { scope: 'global', keys: ['C-c'], action: 'quit-guarded', help: 'clear / close; twice within 2 s quits' },
];

/** Movement shared by every list (jobs table, metrics, pickers, help). */
export const LIST_BINDINGS: readonly Binding[] = [
  { scope: 'list', keys: ['j', 'down'], action: 'down', help: 'move down', footer: true, footerLabel: 'move' },
  { scope: 'list', keys: ['k', 'up'], action: 'up', help: 'move up' },
  { scope: 'list', keys: ['g', 'home'], action: 'top', help: 'first item' },
  { scope: 'list', keys: ['G', 'end'], action: 'bottom', help: 'last item' },
  { scope: 'list', keys: ['C-d', 'pagedown'], action: 'page-down', help: 'page down' },
  { scope: 'list', keys: ['C-u', 'pageup'], action: 'page-up', help: 'page up' },
];

export const JOBS_BINDINGS: readonly Binding[] = [
  { scope: 'jobs', keys: ['enter'], action: 'open-log', help: 'focus the output pane', footer: true, footerLabel: 'output' },
  { scope: 'jobs', keys: ['r'], action: 'open-results', help: 'results of the selected job', footer: true, footerLabel: 'results' },
  { scope: 'jobs', keys: ['S'], action: 'stop', help: 'stop the job (SIGTERM, then SIGKILL)', footer: true, footerLabel: 'stop' },
  { scope: 'jobs', keys: ['C'], action: 'cancel', help: 'cancel a queued job', footer: true, footerLabel: 'cancel' },
  { scope: 'jobs', keys: ['R'], action: 'retry', help: 'retry as a new job', footer: true, footerLabel: 'retry' },
  { scope: 'jobs', keys: ['D'], action: 'remove', help: 'remove a finished job (confirm says what is deleted)' },
  { scope: 'jobs', keys: ['y'], action: 'copy-command', help: 'copy the command', footer: true, footerLabel: 'copy cmd' },
  { scope: 'jobs', keys: ['Y'], action: 'copy-log-path', help: 'copy the log path' },
  { scope: 'jobs', keys: ['o'], action: 'pager', help: 'open the full log in $PAGER (cleaned, secrets masked)' },
];

export const LOG_BINDINGS: readonly Binding[] = [
  { scope: 'log', keys: ['j', 'down'], action: 'down', help: 'scroll down' },
  { scope: 'log', keys: ['k', 'up'], action: 'up', help: 'scroll up (pauses follow)', footer: true, footerLabel: 'scroll' },
  { scope: 'log', keys: ['C-d', 'pagedown'], action: 'page-down', help: 'half page down' },
  { scope: 'log', keys: ['C-u', 'pageup'], action: 'page-up', help: 'half page up' },
  { scope: 'log', keys: ['g', 'home'], action: 'top', help: 'oldest line kept' },
  { scope: 'log', keys: ['G', 'end'], action: 'bottom', help: 'bottom, resume follow', footer: true, footerLabel: 'follow' },
  { scope: 'log', keys: ['f'], action: 'toggle-follow', help: 'toggle follow' },
  { scope: 'log', keys: ['/'], action: 'search', help: 'search the output (Enter alone: the last search again)', footer: true, footerLabel: 'search' },
  { scope: 'log', keys: ['n'], action: 'next-match', help: 'next match' },
  { scope: 'log', keys: ['N'], action: 'prev-match', help: 'previous match' },
  { scope: 'log', keys: ['w'], action: 'toggle-wrap', help: 'toggle line wrap', footer: true, footerLabel: 'wrap' },
  { scope: 'log', keys: ['S'], action: 'stop', help: 'stop this job (confirm)' },
  { scope: 'log', keys: ['y'], action: 'copy-log-path', help: 'copy the log path' },
  { scope: 'log', keys: ['o'], action: 'pager', help: 'open the full log in $PAGER (cleaned, secrets masked)', footer: true, footerLabel: 'pager' },
  { scope: 'log', keys: ['escape'], action: 'back', help: 'back to the jobs table' },
];

export const RESULTS_BINDINGS: readonly Binding[] = [
  { scope: 'results', keys: ['['], action: 'prev-job', help: 'previous finished job', footer: true, footerLabel: 'prev job' },
  { scope: 'results', keys: [']'], action: 'next-job', help: 'next finished job', footer: true, footerLabel: 'next job' },
  { scope: 'results', keys: ['y'], action: 'copy-results-path', help: 'copy the results path', footer: true, footerLabel: 'copy path' },
  { scope: 'results', keys: ['w'], action: 'workbench', help: 'every run on disk (workbench)', footer: true, footerLabel: 'all runs' },
  { scope: 'results', keys: ['escape'], action: 'back', help: 'back to the jobs screen' },
];

/** The workbench's runs list. */
export const RUNS_BINDINGS: readonly Binding[] = [
  { scope: 'runs', keys: ['/'], action: 'filter', help: 'filter the runs (model, task, harness, date, job id; words must all match)', footer: true, footerLabel: 'filter' },
  { scope: 'runs', keys: ['space'], action: 'mark', help: 'mark a run for comparison', footer: true, footerLabel: 'mark' },
  { scope: 'runs', keys: ['c'], action: 'compare', help: 'compare the marked runs', footer: true, footerLabel: 'compare' },
  { scope: 'runs', keys: ['enter'], action: 'open-samples', help: "the selected run's samples", footer: true, footerLabel: 'samples' },
  { scope: 'runs', keys: ['s'], action: 'sort', help: 'sort by date or model' },
  { scope: 'runs', keys: ['w'], action: 'workbench', help: 'back to the job' },
  { scope: 'runs', keys: ['escape'], action: 'back', help: 'clear the filter, else back to the job' },
];

/** The workbench's comparison of the marked runs. */
export const COMPARE_BINDINGS: readonly Binding[] = [
  { scope: 'compare', keys: ['b'], action: 'baseline', help: 'next baseline run', footer: true, footerLabel: 'baseline' },
  { scope: 'compare', keys: ['m'], action: 'metric', help: 'next metric (headline per task first)', footer: true, footerLabel: 'metric' },
  { scope: 'compare', keys: ['c', 'escape'], action: 'back', help: 'back to the runs', footer: true, footerLabel: 'runs' },
];

/** The workbench's samples view. */
export const SAMPLES_BINDINGS: readonly Binding[] = [
  { scope: 'samples', keys: ['/'], action: 'search', help: 'search every field of the samples (Enter alone: next match)', footer: true, footerLabel: 'search' },
  { scope: 'samples', keys: ['n'], action: 'next-match', help: 'next match', footer: true, footerLabel: 'next' },
  { scope: 'samples', keys: ['N'], action: 'prev-match', help: 'previous match' },
  { scope: 'samples', keys: ['r'], action: 'rerun', help: 're-run the docs listed (or matching the search) from the Launch form', footer: true, footerLabel: 're-run docs' },
  { scope: 'samples', keys: ['t'], action: 'next-task', help: 'next task with samples', footer: true, footerLabel: 'task' },
  { scope: 'samples', keys: ['x'], action: 'wrong-only', help: 'only samples scoring 0 on the first metric (wrong answers)', footer: true, footerLabel: 'wrong only' },
  { scope: 'samples', keys: ['o'], action: 'open-media', help: "open the sample's image or file with the system's opener" },
  { scope: 'samples', keys: ['escape', 'enter'], action: 'back', help: 'clear the search, else back to the runs' },
];

export const OVERLAY_BINDINGS: readonly Binding[] = [
  { scope: 'overlay', keys: ['enter', 'y'], action: 'confirm', help: 'confirm', footer: true, footerLabel: 'confirm' },
  { scope: 'overlay', keys: ['escape', 'n', 'q'], action: 'close', help: 'cancel / close', footer: true, footerLabel: 'close' },
  { scope: 'overlay', keys: ['j', 'down'], action: 'down', help: 'scroll down' },
  { scope: 'overlay', keys: ['k', 'up'], action: 'up', help: 'scroll up' },
  { scope: 'overlay', keys: ['pagedown'], action: 'page-down', help: 'scroll a page down' },
  { scope: 'overlay', keys: ['pageup'], action: 'page-up', help: 'scroll a page up' },
  { scope: 'overlay', keys: ['?'], action: 'close-help', help: 'close help' },
];

/** Text fields (filters, search, form fields): shown in help so the editing keys are discoverable. */
export const INPUT_BINDINGS: readonly Binding[] = [
  { scope: 'input', keys: ['enter'], action: 'submit', help: 'accept', footer: true, footerLabel: 'accept' },
  { scope: 'input', keys: ['escape'], action: 'cancel', help: 'cancel', footer: true, footerLabel: 'cancel' },
  { scope: 'input', keys: ['C-u'], action: 'kill-line', help: 'delete to the start' },
  { scope: 'input', keys: ['C-w'], action: 'kill-word', help: 'delete the previous word' },
  { scope: 'input', keys: ['C-a', 'home'], action: 'line-start', help: 'start of the line' },
  { scope: 'input', keys: ['C-e', 'end'], action: 'line-end', help: 'end of the line' },
  { scope: 'input', keys: ['C-c'], action: 'clear', help: 'clear the field' },
];

export const SHELL_BINDINGS: readonly Binding[] = [
  ...GLOBAL_BINDINGS,
  ...LIST_BINDINGS,
  ...JOBS_BINDINGS,
  ...LOG_BINDINGS,
  ...RESULTS_BINDINGS,
  ...RUNS_BINDINGS,
  ...COMPARE_BINDINGS,
  ...SAMPLES_BINDINGS,
  ...OVERLAY_BINDINGS,
  ...INPUT_BINDINGS,
];
