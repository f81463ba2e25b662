import type { Command } from 'commander';
import { stateDir } from '../../core/paths.js';
import { version } from '../../core/version.js';
import { isAlive } from '../../core/runner/index.js';
import { connectDetailed } from '../../client/connect.js';
import { serverPaths } from '../../server/paths.js';
import { liveServer } from '../../server/pidfile.js';
import { ServerUnreachableError } from '../../client/errors.js';
import { action, EXIT, formatDuration, printJson, usageExit } from '../client-helpers.js';
import { addSchedulerOptions, runForeground, schedulerArgs } from '../server-host.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `lmms-tui server start|stop|status|run`: the per-user server that hosts the queue. */
export function registerServer(program: Command): void {
  const server = usageExit(program.command('server').description('the per-user server that hosts the job queue (starts by itself when needed)'));

  usageExit(addSchedulerOptions(server.command('start').description('start the server in the background (no-op when it is running)'))).action(
    action(async (opts: Record<string, string | undefined>) => {
      const { client, health, started } = await connectDetailed({ autoStart: true, serverArgs: schedulerArgs(opts) });
      client.close();
      const what = started ? 'started' : 'already running:';
      process.stdout.write(`${what} lmms-tui server ${health.version} (pid ${health.pid}) for ${health.state_dir}\n`);
      if (!started && schedulerArgs(opts).length) process.stderr.write('note: its settings are unchanged; `lmms-tui server stop` first to change them\n');
    }),
  );

  usageExit(server.command('stop').description('stop the server (running jobs keep running; the next server adopts them)'))
    .option('--timeout <seconds>', 'how long to wait for it to exit', '10')
    .action(
      action(async (opts: { timeout: string }) => {
        const paths = serverPaths(stateDir());
        const info = liveServer(paths.pidFile);
        if (!info) {
          process.stdout.write(`no lmms-tui server is running for ${paths.stateDir}\n`);
          return EXIT.ok;
        }
        process.kill(info.pid, 'SIGTERM');
        const deadline = Date.now() + Number(opts.timeout) * 1000;
        while (isAlive(info)) {
          if (Date.now() > deadline) {
            process.stderr.write(`lmms-tui: the server (pid ${info.pid}) did not exit within ${opts.timeout} s\n  hint: see ${paths.log}; kill -9 ${info.pid} is safe (jobs keep running)\n`);
            return EXIT.failed;
          }
          await sleep(50);
        }
        process.stdout.write(`stopped lmms-tui server (pid ${info.pid}); running jobs keep running\n`);
        return EXIT.ok;
      }),
    );

  usageExit(server.command('status').description('show whether the server runs, and its queue'))
    .option('--json', 'print the health document as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        let conn;
        try {
          conn = await connectDetailed({ autoStart: false, checkVersion: false });
        } catch (err) {
          if (!(err instanceof ServerUnreachableError)) throw err;
          if (opts.json) await printJson({ running: false, state_dir: serverPaths(stateDir()).stateDir });
          else process.stdout.write(`not running (state dir ${serverPaths(stateDir()).stateDir})\n`);
          return EXIT.unreachable;
        }
        conn.client.close();
        const h = conn.health;
        if (opts.json) return void (await printJson({ running: true, ...h }));
        const c = h.counts;
        process.stdout.write(
          [
            `running: lmms-tui server ${h.version}, pid ${h.pid} on ${h.host}, up ${formatDuration(h.uptime_s * 1000)}`,
            `state dir  ${h.state_dir}`,
            `socket     ${h.socket}`,
            `gpus       ${h.gpus.pool ? `${h.gpus.pool.join(',')} (free: ${h.gpus.free?.join(',') || 'none'})` : 'no pool'}, concurrency ${h.concurrency}`,
            `jobs       ${c.running} running, ${c.queued} queued, ${c.succeeded} succeeded, ${c.failed} failed, ${c.stopped} stopped, ${c.cancelled} cancelled`,
          ].join('\n') + '\n',
        );
        if (h.version !== version()) {
          process.stderr.write('note: the server runs another version than this client; `lmms-tui server stop` and retry\n');
        }
        return EXIT.ok;
      }),
    );

  usageExit(addSchedulerOptions(server.command('run').description('run the server in the foreground (what auto-start runs)'))).action(
    action(async (opts: Record<string, string | undefined>) => {
      await runForeground({ ...opts, tcp: false });
    }),
  );
}
