import type { Command } from 'commander';

type Register = (program: Command) => unknown;

/**
 * Each subcommand lives in its own file. They are imported only when needed: the bundle is split
 * (scripts/build.mjs), so `lmms-tui` opening the TUI does not load fastify, and `lmms-tui jobs` does not
 * load Ink and React. Order here is the order `--help` lists them.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  tui: () => import('./tui.js').then((m) => m.registerTui),
  run: () => import('./run.js').then((m) => m.registerRun),
  preview: () => import('./preview.js').then((m) => (p: Command) => m.registerPreview(p)),
  jobs: () => import('./jobs.js').then((m) => m.registerJobs),
  show: () => import('./show.js').then((m) => m.registerShow),
  logs: () => import('./logs.js').then((m) => m.registerLogs),
  stop: () => import('./stop.js').then((m) => m.registerStop),
  cancel: () => import('./cancel.js').then((m) => m.registerCancel),
  retry: () => import('./retry.js').then((m) => m.registerRetry),
  rm: () => import('./rm.js').then((m) => m.registerRm),
  queue: () => import('./queue.js').then((m) => m.registerQueue),
  status: () => import('./status.js').then((m) => m.registerStatus),
  server: () => import('./server.js').then((m) => m.registerServer),
  serve: () => import('./serve.js').then((m) => m.registerServe),
  web: () => import('./web.js').then((m) => m.registerWeb),
  results: () => import('./results.js').then((m) => m.registerResults),
  mcp: () => import('./mcp.js').then((m) => m.registerMcp),
  tasks: () => import('./tasks.js').then((m) => m.registerTasks),
  models: () => import('./models.js').then((m) => m.registerModels),
  config: () => import('./config.js').then((m) => (p: Command) => m.registerConfig(p)),
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/**
 * Registers the command that `args` (process.argv without node and script) names, or the TUI (the
 * default command) when it names none; everything for help, `help <cmd>` or an unknown word.
 */
export async function registerCommands(program: Command, args: readonly string[] = []): Promise<void> {
  const first = args[0];
  const wantsHelp = args.includes('-h') || args.includes('--help');
  let names: string[];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) names = [first];
  else if ((first === undefined || first.startsWith('-')) && !wantsHelp) names = ['tui'];
  else names = COMMAND_NAMES;
  const registers = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const register of registers) register(program);
}
