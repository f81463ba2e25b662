import type { Command } from 'commander';
import { registerPreview } from './preview.js';
import { registerRun } from './run.js';

/** Each subcommand lives in its own file and registers itself here. */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerPreview(program);
}
