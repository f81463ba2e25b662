/**
 * `npm run bench:faults -- stop`: stop reaches processes that left the job's process group or session.
 * Workers ignoring SIGTERM that call setsid, setpgid(0,0), or daemonise (fork, setsid, fork), stopped
 * through the scheduler with a cgroup per job (v2, and v1 freezer where mounted) and without one
 * (cgroup off: group + session + marker + parent sweep). Each trial counts the processes left in /proc
 * (promise: 0) and the time from stop() to the job's last process gone.
 * Baseline from the same run: the same trees stopped by signalling the process group alone (what stop
 * did before), which leaves every such worker running.
 * A worker that scrubbed the job marker AND daemonised is out of reach without a cgroup (README, "What
 * a cgroup buys"): its row is printed, not promised.
 * Env: BENCH_STOP_TRIALS (default 20), BENCH_GRACE_MS (default 200).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJobEnv, cgroupBase, JOB_MARKER_ENV, launchJob, markedProcesses, readProcStat, realGroupOps, sessionMembers, stopGroupWith, type CgroupMode } from '../../src/core/runner/index.js';
import { Scheduler, type JobRecord } from '../../src/core/scheduler/index.js';
import type { EvalSpec } from '../../src/core/spec.js';

const TRIALS = Number(process.env.BENCH_STOP_TRIALS ?? 20);
const GRACE = Number(process.env.BENCH_GRACE_MS ?? 200);
const SPAWN = fileURLToPath(new URL('../../test/fixtures/escape/spawn.sh', import.meta.url));
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

function pidsIn(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
}
function running(pid: number): boolean {
  const s = readProcStat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}
async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
function stats(xs: number[]): string {
  if (!xs.length) return '-';
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `${at(0.5).toFixed(0)} / ${at(0.95).toFixed(0)} ms`;
}
function killAll(pids: Iterable<number>): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

const spec = (kind: string, pidfile: string): EvalSpec => ({
  harness: 'lmms-eval',
  model: 'demo',
  tasks: ['demo_mme'],
  demo: true,
  setup: `bash ${SPAWN} ${PYTHON} ${kind} ${pidfile} hold`,
});

interface Row {
  mode: string;
  worker: string;
  trials: number;
  left: number;
  escaped: number;
  times: number[];
  promised: boolean;
}

/** Everything of the job still running; every handle is checked, not only the ones stop used. */
function leftovers(job: JobRecord, workers: number[]): number[] {
  const left = new Set(workers.filter(running));
  for (const p of markedProcesses(JOB_MARKER_ENV, job.id)) left.add(p);
  if (job.pid !== null) for (const p of sessionMembers(job.pid)) left.add(p);
  return [...left];
}

async function viaScheduler(root: string, mode: CgroupMode, kind: string, promised: boolean): Promise<Row> {
  const dir = mkdtempSync(path.join(root, `${mode}-${kind}-`));
  const s = await Scheduler.open({ stateDir: dir, graceMs: GRACE, killWaitMs: 2000, cgroup: mode });
  const row: Row = { mode: mode === 'auto' ? `cgroup ${cgroupBase('auto')?.kind ?? 'none'}` : mode === 'off' ? 'no cgroup' : `cgroup ${mode}`, worker: kind, trials: 0, left: 0, escaped: 0, times: [], promised };
  try {
    for (let t = 0; t < TRIALS; t++) {
      const pidfile = path.join(dir, `pids-${t}`);
      const job = s.submit(spec(kind, pidfile));
      await until(() => pidsIn(pidfile).length === 1, 'the worker');
      const workers = pidsIn(pidfile);
      const t0 = performance.now();
      const done = await s.stop(job.id);
      // stop() resolves once the job has ended and all its processes are gone (or given up on).
      row.times.push(performance.now() - t0);
      const left = leftovers(done, workers);
      row.trials++;
      row.left += left.length;
      row.escaped += done.escaped.length;
      killAll(left);
    }
  } finally {
    s.close();
  }
  return row;
}

/** The old stop: the process group only. */
async function groupOnly(root: string, kind: string): Promise<Row> {
  const row: Row = { mode: 'baseline: group only', worker: kind, trials: 0, left: 0, escaped: 0, times: [], promised: false };
  for (let t = 0; t < TRIALS; t++) {
    const dir = mkdtempSync(path.join(root, `base-${kind}-`));
    const pidfile = path.join(dir, 'pids');
    const script = `bash ${SPAWN} ${PYTHON} ${kind} ${pidfile} hold\n`;
    const job = await launchJob({ jobDir: dir, script, env: buildJobEnv(process.env, { jobId: `base${t}` }), cwd: path.join(dir, 'work') });
    await until(() => pidsIn(pidfile).length === 1, 'the worker');
    const workers = pidsIn(pidfile);
    const t0 = performance.now();
    await stopGroupWith(realGroupOps, job.pgid, { graceMs: GRACE, killWaitMs: 2000 });
    row.times.push(performance.now() - t0);
    row.trials++;
    const left = workers.filter(running);
    row.left += left.length;
    killAll(left);
  }
  return row;
}

export async function run(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'lmms-bench-stop-'));
  const rows: Row[] = [];
  const kinds = ['setsid', 'setpgid', 'daemon'];
  try {
    const modes: CgroupMode[] = [];
    if (cgroupBase('auto')) modes.push('auto');
    if (cgroupBase('auto')?.kind !== 'v1' && cgroupBase('v1')) modes.push('v1');
    if (process.platform === 'linux' && process.getuid?.() === 0 && modes.length === 0) {
      console.log('BROKEN: running as root on Linux but no usable cgroup');
      process.exitCode = 1;
    }
    for (const kind of kinds) rows.push(await groupOnly(root, kind));
    for (const mode of [...modes, 'off' as const]) {
      for (const kind of kinds) rows.push(await viaScheduler(root, mode, kind, true));
      // Marker scrubbed and daemonised: only a cgroup reaches it.
      rows.push(await viaScheduler(root, mode, 'scrubbed-daemon', mode !== 'off'));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(`workers ignore SIGTERM; grace ${GRACE} ms; ${TRIALS} trials per row; times: stop() to the last process gone, median / p95`);
  console.log(`${'stop'.padEnd(22)}${'worker'.padEnd(17)}${'trials'.padStart(6)}${'left'.padStart(6)}${'escaped'.padStart(9)}   time`);
  for (const r of rows) {
    const broken = r.promised && r.left > 0;
    if (broken) process.exitCode = 1;
    const note = broken ? '  BROKEN: processes left' : !r.promised && r.left > 0 ? (r.mode.startsWith('baseline') ? '  (what stop did before)' : '  (out of reach without a cgroup, as documented)') : '';
    console.log(`${r.mode.padEnd(22)}${r.worker.padEnd(17)}${String(r.trials).padStart(6)}${String(r.left).padStart(6)}${String(r.escaped).padStart(9)}   ${stats(r.times)}${note}`);
  }
}
