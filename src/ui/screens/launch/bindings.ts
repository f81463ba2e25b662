/**
 * Keys of the Launch screen as data; the help overlay and the footer are generated from them (merged with
 * the shell's table). Scopes: 'launch' is the form, 'form-field' a field being edited (in place or the env
 * editor), 'picker' the model / task / preset pickers. Typing in a text field is the shared 'input' scope.
 * Lowercase keys are safe; `L` (launch) and `N` (reset) change state and always confirm.
 */
import type { Binding } from '../../keymap/types.js';

export const LAUNCH_BINDINGS: readonly Binding[] = [
  { scope: 'launch', keys: ['j', 'down'], action: 'next-field', help: 'next field', footer: true, footerLabel: 'move' },
  { scope: 'launch', keys: ['k', 'up'], action: 'prev-field', help: 'previous field' },
  { scope: 'launch', keys: ['tab'], action: 'next-field-or-pane', help: 'next field (after the last: the preview)' },
  { scope: 'launch', keys: ['S-tab'], action: 'prev-field-or-pane', help: 'previous field' },
  { scope: 'launch', keys: ['g', 'home'], action: 'first-field', help: 'first field' },
  { scope: 'launch', keys: ['G', 'end'], action: 'last-field', help: 'last field' },
  { scope: 'launch', keys: ['enter'], action: 'edit', help: 'edit the field / open its picker', footer: true, footerLabel: 'edit' },
  { scope: 'launch', keys: ['space'], action: 'toggle', help: 'toggle a switch, cycle a choice, open or close "more"', footer: true, footerLabel: 'toggle' },
  { scope: 'launch', keys: ['l', 'right'], action: 'cycle-next', help: 'next choice' },
  { scope: 'launch', keys: ['h', 'left'], action: 'cycle-prev', help: 'previous choice' },
  { scope: 'launch', keys: ['x', 'delete', 'backspace'], action: 'clear-field', help: 'clear the field (harness default)' },
  { scope: 'launch', keys: ['m'], action: 'pick-model', help: 'pick a model' },
  { scope: 'launch', keys: ['t'], action: 'pick-tasks', help: 'pick tasks' },
  { scope: 'launch', keys: ['v'], action: 'edit-env', help: 'edit env vars' },
  { scope: 'launch', keys: ['e'], action: 'env-in-editor', help: 'edit env vars in $EDITOR' },
  { scope: 'launch', keys: ['y'], action: 'copy-command', help: 'copy the previewed command (secrets as shown: r reveals)', footer: true, footerLabel: 'copy' },
  { scope: 'launch', keys: ['r'], action: 'reveal', help: 'show / hide secret values in the preview' },
  { scope: 'launch', keys: [']'], action: 'preview-down', help: 'scroll the preview down' },
  { scope: 'launch', keys: ['['], action: 'preview-up', help: 'scroll the preview up' },
  { scope: 'launch', keys: ['s'], action: 'save-preset', help: 'save the form as a named preset' },
  { scope: 'launch', keys: ['o'], action: 'open-preset', help: 'load or delete a preset', footer: true, footerLabel: 'presets' },
  { scope: 'launch', keys: ['i'], action: 'import-yaml', help: 'import a --config YAML' },
  { scope: 'launch', keys: ['w'], action: 'export-yaml', help: 'write the spec as a --config YAML' },
  { scope: 'launch', keys: ['N'], action: 'reset', help: 'new: reset the form (confirm)' },
  { scope: 'launch', keys: ['L'], action: 'launch', help: 'launch (confirm shows the command)', footer: true, footerLabel: 'launch' },

  { scope: 'form-field', keys: ['tab'], action: 'accept-next', help: 'accept and edit the next field' },
  { scope: 'form-field', keys: ['S-tab'], action: 'accept-prev', help: 'accept and edit the previous field' },
  { scope: 'form-field', keys: ['enter'], action: 'newline', help: 'env editor: new line', footer: true, footerLabel: 'new line' },
  { scope: 'form-field', keys: ['up', 'down'], action: 'line', help: 'env editor: previous / next line' },
  { scope: 'form-field', keys: ['C-s'], action: 'save', help: 'env editor: save the lines', footer: true, footerLabel: 'save' },
  { scope: 'form-field', keys: ['C-o'], action: 'external-editor', help: 'env editor: open in $EDITOR', footer: true, footerLabel: '$EDITOR' },
  { scope: 'form-field', keys: ['escape'], action: 'discard', help: 'env editor: close without saving', footer: true, footerLabel: 'discard' },

  { scope: 'picker', keys: ['down', 'C-n'], action: 'down', help: 'next result' },
  { scope: 'picker', keys: ['up', 'C-p'], action: 'up', help: 'previous result' },
  { scope: 'picker', keys: ['pagedown'], action: 'page-down', help: 'page down' },
  { scope: 'picker', keys: ['pageup'], action: 'page-up', help: 'page up' },
  { scope: 'picker', keys: ['home'], action: 'first', help: 'first result (Ctrl-A: start of the query)' },
  { scope: 'picker', keys: ['end'], action: 'last', help: 'last result (Ctrl-E: end of the query)' },
  { scope: 'picker', keys: ['space'], action: 'mark', help: 'mark / unmark (tasks; a typed wildcard too)', footer: true, footerLabel: 'mark' },
  { scope: 'picker', keys: ['tab'], action: 'expand', help: 'expand / collapse a group or tag', footer: true, footerLabel: 'expand' },
  { scope: 'picker', keys: ['enter'], action: 'choose', help: 'done: use the marked names (or the highlighted one)', footer: true, footerLabel: 'done' },
  { scope: 'picker', keys: ['C-x'], action: 'delete', help: 'presets: delete the highlighted preset (confirm)' },
  { scope: 'picker', keys: ['escape'], action: 'cancel', help: 'close without changes', footer: true, footerLabel: 'cancel' },
];

/**
 * Scopes whose hints the footer shows while the Launch screen has focus, from the ui store's overlay name
 * and text-input flag: pickers → picker keys; the env editor ('launch:env') → its own keys (Enter is a new
 * line there, not "accept"); a field edited in place or a prompt → the text-input keys.
 */
export function launchFooterScopes(overlay: string | null, textInputActive: boolean): Binding['scope'][] {
  if (overlay?.startsWith('picker')) return ['picker', 'input'];
  if (overlay === 'launch:env') return ['form-field'];
  if (textInputActive) return ['input'];
  return ['launch', 'global'];
}
