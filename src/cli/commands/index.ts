import type { Command } from 'commander';
import { registerCancel } from './cancel.js';
import { registerConfig } from './config.js';
import { registerJobs } from './jobs.js';
import { registerLogs } from './logs.js';
import { registerModels } from './models.js';
import { registerPreview } from './preview.js';
import { registerQueue } from './queue.js';
import { registerRetry } from './retry.js';
import { registerRm } from './rm.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerServer } from './server.js';
import { registerShow } from './show.js';
import { registerStop } from './stop.js';
import { registerTasks } from './tasks.js';
import { registerTui } from './tui.js';
import { registerWeb } from './web.js';

/** Each subcommand lives in its own file and registers itself here. */
export function registerCommands(program: Command): void {
  registerTui(program);
  registerRun(program);
  registerPreview(program);
  registerJobs(program);
  registerShow(program);
  registerLogs(program);
  registerStop(program);
  registerCancel(program);
  registerRetry(program);
  registerRm(program);
  registerQueue(program);
  registerServer(program);
  registerServe(program);
  registerWeb(program);
  registerTasks(program);
  registerModels(program);
  registerConfig(program);
}
