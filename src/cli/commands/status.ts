import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { connectDetailed } from '../../client/connect.js';
import { isConnectionError } from '../../client/errors.js';
import { stateDir } from '../../core/paths.js';
import { JobStore } from '../../core/scheduler/store.js';
import { PAUSE_FILE } from '../../core/scheduler/types.js';
import type { Progress } from '../../core/logs/parse.js';
import { sampleProgress } from '../../state/progress-sampler.js';
import { ASCII, UNICODE, detectGlyphMode } from '../../ui/theme/glyphs.js';
import { PLACEHOLDERS, renderStatus, summarize, unknownPlaceholders, type StatusJob } from '../status-line.js';
import { UsageError, action, printJson, usageExit, writeOut } from '../client-helpers.js';

interface Gathered {
  jobs: (StatusJob & { log: string | null })[];
  paused: boolean;
  source: 'server' | 'disk';
}

/**
 * The running server's view, or null when none runs. Never starts one (autoStart off): a status bar that
 * polls every few seconds must not bring a server up. A server of another version still answers the
 * fields read here, so its version is not checked.
 */
async function fromServer(env: NodeJS.ProcessEnv): Promise<Gathered | null> {
  let conn;
  try {
    conn = await connectDetailed({ autoStart: false, checkVersion: false, env });
  } catch (err) {
    // With LMMS_TUI_URL the server is elsewhere: this host's state dir is not its queue, so say so instead.
    if (isConnectionError(err) && !env.LMMS_TUI_URL) return null;
    throw err;
  }
  try {
    const jobs = await conn.client.jobs();
    const queue = await conn.client.queue();
    return { jobs: jobs.map((j) => ({ state: j.state, ended_at: j.ended_at, log: j.log_path })), paused: queue.paused === true, source: 'server' };
  } finally {
    conn.client.close();
  }
}

/**
 * The records on disk, read the way the scheduler loads them (JobStore.load) but read-only: no lock is
 * taken and nothing is created, so this runs beside a scheduler or without one.
 */
function fromDisk(env: NodeJS.ProcessEnv): Gathered {
  const dir = stateDir(env);
  const root = path.join(dir, 'jobs');
  const paused = existsSync(path.join(dir, PAUSE_FILE));
  if (!existsSync(root)) return { jobs: [], paused, source: 'disk' };
  const store = new JobStore(root, { readOnly: true });
  const { jobs, damaged } = store.load();
  const all = [...jobs, ...damaged.flatMap((d) => (d.repaired ? [d.repaired] : []))];
  return { jobs: all.map((j) => ({ state: j.state, ended_at: j.ended_at, log: store.logPath(j.id) })), paused, source: 'disk' };
}

/** `24h`, `30m`, `7d`, `90s` or `all` → ms. */
export function parseSince(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === 'all') return Infinity;
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(v);
  if (!m) throw new UsageError(`--since: "${value}" is not a duration`, 'pass e.g. --since 24h, --since 30m, --since 7d, or --since all');
  return Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

function helpText(): string {
  const w = Math.max(...PLACEHOLDERS.map(([n]) => n.length)) + 2;
  return [
    '',
    'Placeholders of --format:',
    ...PLACEHOLDERS.map(([n, d]) => `  ${`{${n}}`.padEnd(w + 2)}${d}`),
    '',
    'With no server running it reads the job records in the state dir (never starting a server).',
    'Glyphs: Unicode in a UTF-8 locale (LC_ALL, LC_CTYPE, LANG) or with LMMS_TUI_GLYPHS=unicode; ASCII otherwise or with --ascii.',
    "tmux: set -g status-right '#(lmms-tui status)'  and  set -g status-interval 5",
  ].join('\n');
}

/** `lmms-tui status [--format F] [--ascii] [--since D] [--json]`: one line for a status bar. */
export function registerStatus(program: Command): void {
  usageExit(program.command('status').description('one-line summary for a status bar (tmux status-right)'))
    .option('--format <template>', 'the line as a template of {placeholders} (listed below)')
    .option('--ascii', 'ASCII glyphs only (> . x instead of ▶ ◷ ✗)')
    .option('--since <duration>', 'count finished jobs that ended within this long ago, e.g. 30m, 24h, 7d, or all', '24h')
    .option('--json', 'print the figures as JSON')
    .addHelpText('after', helpText())
    .action(
      action(async (opts: { format?: string; ascii?: boolean; since: string; json?: boolean }) => {
        const sinceMs = parseSince(opts.since);
        if (opts.format !== undefined) {
          const bad = unknownPlaceholders(opts.format);
          if (bad.length) throw new UsageError(`--format: unknown placeholder ${bad.map((b) => `{${b}}`).join(', ')}`, `use ${PLACEHOLDERS.map(([n]) => `{${n}}`).join(' ')}`);
        }
        const env = process.env;
        const got = (await fromServer(env)) ?? fromDisk(env);
        const running = got.jobs.filter((j) => j.state === 'running' && j.log);
        const progress: (Progress | null)[] = await Promise.all(running.map((j) => sampleProgress(j.log!)));
        const sum = summarize(got.jobs, progress, { sinceMs, paused: got.paused, source: got.source });
        if (opts.json) return void (await printJson(sum));
        const glyphs = opts.ascii || detectGlyphMode(env) === 'ascii' ? ASCII : UNICODE;
        await writeOut(`${renderStatus(sum, glyphs, opts.format)}\n`);
      }),
    );
}
