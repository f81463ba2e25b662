/**
 * `lmms-tui web`: lmms-eval's web UI (its front end and the API it calls) on top of the lmms-tui queue.
 * Jobs are submitted to the per-user server (started if needed) from this directory with this shell's
 * environment, like `lmms-tui run`; stopping `web` leaves them running.
 */
import { Option, type Command } from 'commander';
import path from 'node:path';
import { connect } from '../../client/connect.js';
import { startWebServer } from '../../compat/webui.js';
import { version } from '../../core/version.js';
import { tcpAuth } from '../../server/options.js';
import { action, usageExit, UsageError } from '../client-helpers.js';
import { collect, describeAuth, listenerAllowances } from '../server-host.js';

interface WebFlags {
  host: string;
  port: string;
  token?: string;
  python?: string;
  setup?: string;
  demo?: boolean;
  dist?: string;
  allowHost?: string[];
  allowOrigin?: string[];
  /** The flag's earlier name, kept so existing scripts work. */
  corsOrigin?: string[];
}

export function registerWeb(program: Command): void {
  usageExit(
    program
      .command('web')
      .description("lmms-eval's web UI backed by the lmms-tui queue (loopback by default; a token is required off loopback)")
      .option('--host <address>', 'address to bind', '127.0.0.1')
      .addOption(new Option('--port <n>', 'TCP port (0 picks a free one)').env('LMMS_SERVER_PORT').default('8000'))
      .option('--token <token>', 'token the browser must present [default: none on loopback (only your own user may connect), generated otherwise]')
      .option('--python <path>', 'interpreter that runs lmms-eval (default: as for any job)')
      .option('--setup <line>', 'environment set-up line run before each job, e.g. "source .venv/bin/activate"')
      .option('--demo', 'run the built-in demo harness (simulated results)')
      .option('--dist <dir>', "built front end to serve (default: lmms_eval/tui/web/dist of the installed lmms-eval)")
      .option('--allow-host <name>', 'also answer to this Host name (repeatable; default: loopback names and the bound address)', collect)
      .option('--allow-origin <origin>', 'let pages of this exact origin call it cross-origin (repeatable; default none)', collect)
      .addOption(new Option('--cors-origin <origin>', 'old name of --allow-origin').argParser(collect).hideHelp()),
  ).action(
    action(async (flags: WebFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${flags.port}" is not a port number`, 'e.g. --port 8000');
      const auth = tcpAuth(flags.host, flags.token);
      const { allowHosts, allowOrigins } = listenerAllowances({ allowHost: flags.allowHost, allowOrigin: [...(flags.allowOrigin ?? []), ...(flags.corsOrigin ?? [])] });
      const client = await connect({ keepAlive: true });
      const say = (s: string) => process.stdout.write(`${s}\n`);
      let server;
      try {
        server = await startWebServer({
          client,
          cwd: process.cwd(),
          env: process.env,
          target: { harness: 'lmms-eval', python: flags.python, setup: flags.setup, demo: flags.demo === true },
          distDir: flags.dist === undefined ? undefined : path.resolve(flags.dist),
          token: auth.token,
          allowHosts,
          allowOrigins,
          version: version(),
          log: (m) => process.stderr.write(`lmms-tui web: ${m}\n`),
          host: flags.host,
          port,
        });
      } catch (err) {
        client.close();
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${flags.host} is in use`, 'pick another with --port (lmms-tui serve also defaults to 8000)');
        throw err;
      }
      const open = auth.token ? `${server.url}/?token=${encodeURIComponent(auth.token)}` : `${server.url}/`;
      say(`lmms-eval web UI on ${open}`);
      say(`jobs run in the lmms-tui server at ${client.where}; stopping this command leaves them running`);
      describeAuth(auth, flags.host, say, 'the URL above carries it');
      const frontend = await server.frontend;
      say(frontend ? `front end: ${frontend}` : 'front end: not found (lmms_eval/tui/web/dist); the API works, and / explains how to get the UI');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      client.close();
    }),
  );
}
