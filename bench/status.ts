/**
 * `npm run bench:status`: what `lmms-tui status` costs when tmux runs it every few seconds. Whole process
 * (spawn to exit) of `node bin/lmms-tui.js status`, against `node -e 0` timed in the same run and
 * interleaved with it, so the ratio holds on a busy machine too. Twice: with the per-user server running
 * (asked over its socket) and with it stopped (job.json files read from the state dir). The state dir holds
 * BENCH_STATUS_JOBS finished jobs, one running job mid-bar and one queued; BENCH_RUNS runs of each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../src/client/connect.js';
import { serverPaths } from '../src/server/paths.js';
import { readPidFile } from '../src/server/pidfile.js';
import { cliEntry } from '../test/server/helpers.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const FINISHED = Number(process.env.BENCH_STATUS_JOBS ?? 50);

// Measure the code as it is now: the CLI runs the bundle in dist/.
spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', cwd: path.join(import.meta.dirname, '..') });

const home = mkdtempSync(path.join(tmpdir(), 'lmms-bench-status-'));
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  LMMS_TUI_HOME: home,
  LMMS_TUI_GPUS: 'none',
  LMMS_TUI_CONCURRENCY: '1',
  LMMS_TUI_GRACE_MS: '300',
  LMMS_DEMO_PACE: '0',
  LANG: 'C.UTF-8',
};
delete env.LMMS_TUI_URL;
const spec = { harness: 'lmms-eval' as const, model: 'demo', tasks: ['demo_mme'], demo: true, limit: 1 };

function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}

function timed(args: string[]): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout.trim() };
}

function compare(label: string, entry: string): void {
  const base: number[] = [];
  const cliBase: number[] = [];
  const status: number[] = [];
  let line = '';
  for (let i = 0; i < RUNS + 2; i++) {
    const b = timed(['-e', '0']);
    const v = timed([entry, '--version']);
    const s = timed([entry, 'status']);
    if (i < 2) continue; // warm-up: page cache, first compile cache
    base.push(b.ms);
    cliBase.push(v.ms);
    status.push(s.ms);
    line = s.out;
  }
  const b = stats(base);
  const v = stats(cliBase);
  const s = stats(status);
  const f = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
  console.log(`${label}: "${line}"`);
  console.log(`  lmms-tui status      median ${f(s.median)}  p95 ${f(s.p95)}   ratio to node -e 0: ${(s.median / b.median).toFixed(2)}x (+${(s.median - b.median).toFixed(1)} ms)`);
  console.log(`  lmms-tui --version   median ${f(v.median)}  p95 ${f(v.p95)}   (the CLI's own start-up, for reference)`);
  console.log(`  node -e 0            median ${f(b.median)}  p95 ${f(b.p95)}   (baseline)`);
}

const entry = await cliEntry();
const c = await connect({ env, stateDir: home, serverEntry: entry });
try {
  for (let i = 0; i < FINISHED; i++) await c.waitForJob((await c.submit(spec, { env, cwd: home })).id, { intervalMs: 20, timeoutMs: 30_000 });
  const slow = await c.submit({ ...spec, limit: 100 }, { env: { ...env, LMMS_DEMO_PACE: '2' }, cwd: home });
  await c.submit(spec, { env, cwd: home });
  const log = path.join(home, 'jobs', slow.id, 'output.log');
  for (const deadline = Date.now() + 20_000; !/\d+\/100 \[/.test(safeRead(log)); ) {
    if (Date.now() > deadline) throw new Error('the running job printed no progress bar');
    await new Promise((r) => setTimeout(r, 50));
  }
  const h = await c.health();
  console.log(`lmms-tui status: ${RUNS} runs each (node ${process.version}, ${cpus().length} cpus, ${FINISHED} finished + 1 running + 1 queued jobs, server ${h.version})`);
  compare('server running', entry);
  c.close();
  spawnSync(process.execPath, [entry, 'server', 'stop'], { env });
  compare('server stopped', entry);
} finally {
  c.close();
  const info = readPidFile(serverPaths(home).pidFile);
  if (info) {
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {
      /* already stopped */
    }
  }
  // The running job outlives the server by design; end it (its process group) before removing its files.
  killJobs(home);
  rmSync(home, { recursive: true, force: true });
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function killJobs(dir: string): void {
  const jobs = path.join(dir, 'jobs');
  let ids: string[] = [];
  try {
    ids = readdirSync(jobs);
  } catch {
    return;
  }
  for (const id of ids) {
    const pid = (JSON.parse(safeRead(path.join(jobs, id, 'job.json')) || '{}') as { pid?: number | null }).pid;
    if (!pid) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
