/**
 * `npm run bench:server`: what the server costs a user.
 *  1. Submit-to-running latency through the Unix socket: submit round trip, until the job's process is
 *     running (pid known, seen on the event stream), and until its first log line arrives.
 *  2. Log streaming throughput: lines/s an SSE client receives, against reading output.log directly.
 * Runs a real auto-started server (demo harness) on a temporary state dir; prints a table.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripAnsi } from '../src/core/logs/ansi.js';
import { collapseCR } from '../src/core/logs/ring.js';
import { connect } from '../src/client/connect.js';
import type { LmmsClient } from '../src/client/client.js';
import { serverPaths } from '../src/server/paths.js';
import { readPidFile } from '../src/server/pidfile.js';
import { cliEntry } from '../test/server/helpers.js';

const N = Number(process.env.BENCH_JOBS ?? 20);
const FLOOD_RATE = Number(process.env.BENCH_FLOOD ?? 100_000);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 3);

const home = mkdtempSync(path.join(tmpdir(), 'lmms-bench-'));
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  LMMS_TUI_HOME: home,
  LMMS_TUI_GPUS: 'none',
  LMMS_TUI_CONCURRENCY: '1',
  LMMS_TUI_GRACE_MS: '500',
  LMMS_DEMO_PACE: '0',
};
const spec = { harness: 'lmms-eval' as const, model: 'demo', tasks: ['demo_mme'], demo: true, limit: 1 };

function stats(xs: number[]): { median: number; p95: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), min: s[0]!, max: s.at(-1)! };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function latency(c: LmmsClient): Promise<void> {
  const rtt: number[] = [];
  const running: number[] = [];
  const firstLine: number[] = [];
  for (let i = 0; i < N + 2; i++) {
    const t0 = performance.now();
    const { id } = await c.submit(spec, { env, cwd: home });
    const t1 = performance.now();
    let tRun = 0;
    let tLine = 0;
    for await (const ev of c.events(id)) {
      const now = performance.now();
      if (ev.type === 'state' && ev.job.pid !== null && !tRun) tRun = now;
      if (ev.type === 'lines' && ev.lines.length && !tLine) tLine = now;
      if (ev.type === 'end') break;
    }
    if (i < 2) continue; // warm-up: first connections, first python start
    rtt.push(t1 - t0);
    running.push(tRun - t0);
    firstLine.push(tLine - t0);
  }
  console.log(`\n1. submit → running through the socket (${N} jobs, sequential, demo harness)`);
  console.log('   measure                               median      p95      min      max');
  for (const [name, xs] of [['submit round trip (queued → running)', rtt], ['submit → job process running (pid)', running], ['submit → first log line received', firstLine]] as const) {
    const s = stats(xs);
    console.log(`   ${name.padEnd(36)} ${ms(s.median).padStart(9)} ${ms(s.p95).padStart(9)} ${ms(s.min).padStart(8)} ${ms(s.max).padStart(8)}`);
  }
}

async function throughput(c: LmmsClient): Promise<void> {
  const floodEnv = { ...env, LMMS_DEMO_FLOOD: String(FLOOD_RATE), LMMS_DEMO_FLOOD_SECONDS: String(FLOOD_SECONDS) };
  const { id } = await c.submit(spec, { env: floodEnv, cwd: home });
  // Live: follow while the job floods.
  let live = 0;
  const t0 = performance.now();
  let tEnd = 0;
  for await (const ev of c.followLog(id)) {
    if (ev.type === 'lines') live += ev.lines.length;
    if (ev.type === 'end') tEnd = performance.now();
  }
  const job = await c.job(id);
  const liveSecs = (tEnd - t0) / 1000;
  const ended = Date.parse(job.ended_at!);
  const lagMs = Date.now() - ended - (performance.now() - tEnd);

  // Catch-up: the finished log streamed from offset 0, as fast as the client takes it.
  let replay = 0;
  const t1 = performance.now();
  for await (const ev of c.events(id)) if (ev.type === 'lines') replay += ev.lines.length;
  const replaySecs = (performance.now() - t1) / 1000;

  // Baselines: the file read directly, raw split and with the same cleaning the server does.
  const t2 = performance.now();
  const rawLines = readFileSync(job.log_path, 'utf8').split('\n').length - 1;
  const rawSecs = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  const cleaned = readFileSync(job.log_path, 'utf8').split('\n').map((l) => stripAnsi(collapseCR(l))).length - 1;
  const cleanSecs = (performance.now() - t3) / 1000;

  const size = readFileSync(job.log_path).length;
  const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} lines/s`;
  console.log(`\n2. log streaming (job printing ${FLOOD_RATE.toLocaleString('en-US')} lines/s for ${FLOOD_SECONDS} s: ${rawLines.toLocaleString('en-US')} lines, ${(size / 1e6).toFixed(1)} MB)`);
  console.log(`   SSE live, while the job writes       ${rate(live, liveSecs).padStart(20)}   (all ${live.toLocaleString('en-US')} lines; end event ${Math.max(0, lagMs).toFixed(0)} ms after the job ended)`);
  console.log(`   SSE replay of the finished log       ${rate(replay, replaySecs).padStart(20)}   (${(size / 1e6 / replaySecs).toFixed(1)} MB/s)`);
  console.log(`   baseline: read file + split          ${rate(rawLines, rawSecs).padStart(20)}`);
  console.log(`   baseline: read + split + clean       ${rate(cleaned, cleanSecs).padStart(20)}   (what the server does per line, minus redaction and JSON)`);
}

const entry = await cliEntry();
const c = await connect({ stateDir: home, serverEntry: entry, env, keepAlive: true });
try {
  const h = await c.health();
  console.log(`lmms-tui server ${h.version} on ${h.socket} (node ${process.version}, ${(await import('node:os')).cpus().length} cpus)`);
  await latency(c);
  await throughput(c);
} finally {
  c.close();
  const info = readPidFile(serverPaths(home).pidFile);
  if (info) process.kill(info.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(home, { recursive: true, force: true });
}
