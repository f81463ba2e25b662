/** Every binding in the app: the shell's and each screen's. The help overlay and the keymap test use this. */
import { SHELL_BINDINGS } from './bindings.js';
import { LAUNCH_BINDINGS } from '../screens/launch/bindings.js';
import type { Binding } from './types.js';

export const ALL_BINDINGS: readonly Binding[] = [...SHELL_BINDINGS, ...LAUNCH_BINDINGS];
