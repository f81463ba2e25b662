/**
 * `lmms-tui` with no subcommand (and `lmms-tui tui`): the full-screen app, a client of the per-user
 * server (started on first use). `--demo` runs it on the bundled demo harness with a private state dir and
 * a fake pool of 4 GPUs, so the whole flow can be tried on a laptop; `--inline` skips the alternate screen.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { connect } from '../../client/connect.js';
import { backendFromClient, graceSecondsFromEnv } from '../../ui/backend.js';
import { lazyBackend } from '../../ui/lazy-backend.js';
import { stateDir } from '../../core/paths.js';
import { formatError } from '../../core/errors.js';

export interface TuiFlags {
  demo?: boolean;
  inline?: boolean;
  firstFrameExit?: boolean;
}

/** Demo mode's environment: a private state dir and a fake GPU pool, unless the caller set them. */
export function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return {
    ...env,
    LMMS_TUI_HOME: env.LMMS_TUI_HOME || path.join(tmpdir(), `lmms-tui-demo-${uid}`),
    LMMS_TUI_GPUS: env.LMMS_TUI_GPUS || '0,1,2,3',
  };
}

/**
 * Runs `load` with `globalThis.fetch` hidden. Yoga's (Ink's layout engine) Emscripten start-up asks
 * `typeof fetch`, and merely reading Node 20's global fetch loads undici, ~30 ms of start-up for nothing:
 * Yoga instantiates its embedded wasm without it. The real fetch is back as soon as the modules are in.
 */
async function withoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const desc = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!desc?.configurable) return load();
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    Object.defineProperty(globalThis, 'fetch', desc);
  }
}

function lastSpecOf(settings: { lastSpec(): import('../../core/spec.js').EvalSpec | undefined }) {
  return settings.lastSpec();
}

export async function runTuiCommand(flags: TuiFlags): Promise<number> {
  if (flags.demo) Object.assign(process.env, demoEnv(process.env));
  const env = process.env;
  const demo = flags.demo === true;
  const backend = lazyBackend(async () => backendFromClient(await connect({ autoStart: true, env, keepAlive: true }), { demo, env }), {
    demo,
    graceSeconds: graceSecondsFromEnv(env),
    where: stateDir(env),
  });
  // Loaded lazily so `lmms-tui jobs` and friends never pay for React and Ink.
  const [{ runTui }, { openSettings }, { harnessLabel }] = await withoutFetch(() =>
    Promise.all([import('../../ui/run.js'), import('../../core/settings.js'), import('../../ui/harness-label.js')]),
  );
  let clipboard: 'auto' | 'osc52' | 'tmux' | 'off' = 'auto';
  let glyphSetting: string | undefined;
  try {
    const s = openSettings({ env }).settings();
    clipboard = s.clipboard;
    glyphSetting = s.glyphs === 'ascii' ? 'ascii' : undefined;
  } catch {
    // Unreadable settings must not keep the TUI from starting; defaults apply.
  }
  const { createTheme } = await import('../../ui/theme/index.js');
  try {
    const result = await runTui({
      backend,
      inline: flags.inline,
      firstFrameExit: flags.firstFrameExit,
      clipboard,
      theme: createTheme({ env, glyphSetting }),
      heapLog: env.LMMS_TUI_BENCH_HEAP_LOG || undefined,
      onStores: (stores) => {
        if (flags.firstFrameExit) return;
        let last: ReturnType<typeof lastSpecOf> = undefined;
        try {
          last = lastSpecOf(openSettings({ env }));
        } catch {
          // No settings yet: the default harness.
        }
        void harnessLabel({ demo, env, harness: last?.harness, python: last?.python, setup: last?.setup }).then(stores.setHarness, () => undefined);
      },
    });
    if (result.summary) process.stdout.write(`${result.summary}\n`);
    return result.exitCode;
  } catch (err) {
    process.stderr.write(`lmms-tui: ${formatError(err)}\n`);
    return 1;
  }
}

export function registerTui(program: Command): void {
  const action = async (opts: TuiFlags): Promise<void> => {
    const code = await runTuiCommand(opts);
    // Exit explicitly: the server connection's keep-alive agent and stdin would otherwise hold the loop.
    process.exit(code);
  };
  const addFlags = (cmd: Command): Command =>
    cmd
      .option('--demo', 'try it on the bundled demo harness (private state dir, fake 4-GPU pool, simulated results)')
      .option('--inline', 'draw in the normal screen instead of the alternate screen (keeps scrollback)')
      .addOption(new Option('--first-frame-exit', 'draw the first frame and exit (startup benchmark)').hideHelp());
  addFlags(program.command('tui', { isDefault: true }).description('open the terminal UI (the default command)')).action(action);
}
