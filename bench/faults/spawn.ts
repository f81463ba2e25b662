/**
 * kill -9 of the real server (the shipped bundle) while it launches a job, through the real client:
 *  - `random`: at a uniformly random 0-60 ms after the submit request is sent (before, during or after
 *    the server handles it: the client's retry with the same Idempotency-Key is exercised too);
 *  - `wrapper`: the moment the job's wrapper process appears as a child of the server (before its pid
 *    can be saved in job.json).
 * Then the next server (started by the client's retry or by the next command) must adopt the job. Per
 * trial, counted:
 *  - orphans: a job process alive while its record is not running/orphaned (untracked: the next queued
 *    job would start beside it), or alive after every job of the trial has finished;
 *  - doubled runs: a job whose script ran more than once; doubled jobs: a submit that made two jobs;
 *  - submits that failed even after the retry (the user got an error; a failure, not a loss).
 * `BENCH_SPAWN_TRIALS` (default 50) trials per mode. Sets process.exitCode = 1 on any orphan or double.
 * `BENCH_SPAWN_BASELINE=/path/to/other/bin/lmms-tui.js` runs the same trials against another build too.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../../src/client/connect.js';
import type { LmmsClient } from '../../src/client/client.js';
import { isAlive, JOB_MARKER_ENV, markedProcesses } from '../../src/core/runner/index.js';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { cliEntry } from '../../test/server/helpers.js';

const TRIALS = Number(process.env.BENCH_SPAWN_TRIALS ?? 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tally {
  trials: number;
  orphans: number;
  doubledRuns: number;
  doubledJobs: number;
  submitFailed: number;
  neverRan: number;
  /** Trials where the kill landed before the server had made the job (the client's retry made it). */
  beforeJob: number;
  /** Trials where the dead server's job.json held no pid: the kill landed inside the launch window. */
  inWindow: number;
  adopted: number;
  outcomes: Record<string, number>;
}

/** Children of `pid` (all threads), from /proc; cheap enough to poll between event-loop turns. */
function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) out.push(Number(c));
    }
  } catch {
    /* gone */
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

async function until<T>(fn: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function runMode(mode: 'random' | 'wrapper', entry: string): Promise<Tally> {
  const home = mkdtempSync(path.join(tmpdir(), `lmms-bench-spawn-${mode}-`));
  const runs = path.join(home, 'runs');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LMMS_TUI_HOME: home,
    LMMS_TUI_GPUS: 'none',
    LMMS_TUI_CONCURRENCY: '1',
    LMMS_TUI_GRACE_MS: '300',
    LMMS_TUI_ADOPT_POLL_MS: '50',
    LMMS_TUI_SERVER_ENTRY: entry,
    LMMS_DEMO_PACE: '0',
  };
  delete env.LMMS_TUI_URL;
  const t: Tally = { trials: 0, orphans: 0, doubledRuns: 0, doubledJobs: 0, submitFailed: 0, neverRan: 0, beforeJob: 0, inWindow: 0, adopted: 0, outcomes: {} };
  const paths = serverPaths(home);
  let c: LmmsClient = await connect({ env, stateDir: home, serverEntry: env.LMMS_TUI_SERVER_ENTRY });
  const jobEnv = env as Record<string, string>;
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      await c.health(); // a server is up (the previous trial's retry or check started it)
      const server = readPidFile(paths.pidFile)!;
      const tag = `trial=${trial}`;
      // The script appends its job id to `runs` when it starts: how many times each job ran.
      // About 1 s of work, so the next server meets it running.
      const spec = {
        harness: 'lmms-eval' as const, model: 'demo', tasks: ['demo_mme'], demo: true, limit: 30,
        env: ['export LMMS_DEMO_PACE=0.03'],
        setup: `echo "$${JOB_MARKER_ENV} ${tag}" >> ${runs}`,
      };
      let killed = false;
      const kill = () => {
        if (killed) return;
        killed = true;
        try {
          process.kill(server.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        // What the dead server left on disk, read at once (the client's retry may start a new server next).
        const recs = readdirSync(path.join(home, 'jobs')).flatMap((id) => {
          try {
            return [JSON.parse(readFileSync(path.join(home, 'jobs', id, 'job.json'), 'utf8')) as { state: string; pid: number | null; spec: { setup?: string } }];
          } catch {
            return [];
          }
        });
        const mine = recs.filter((r) => r.spec.setup?.includes(`${tag}"`));
        if (mine.length === 0) t.beforeJob++;
        else if (mine.some((r) => r.state === 'running' && r.pid === null)) t.inWindow++;
      };
      let stopWatch = false;
      if (mode === 'random') {
        setTimeout(kill, Math.random() * 60);
      } else {
        // Kill the moment the wrapper shows up among the server's children.
        const watch = () => {
          if (stopWatch || killed) return;
          if (children(server.pid).some((p) => cmdline(p).includes('wrapper.sh'))) kill();
          else setImmediate(watch);
        };
        setImmediate(watch);
      }
      const submitted = await c.submit(spec, { env: jobEnv, cwd: home }).then(
        (r) => r.id,
        () => null,
      );
      stopWatch = true;
      if (!killed) {
        // The submit and the launch went through before the kill could land; kill now (after the pid is saved).
        kill();
      }
      await until(() => !isAlive(server), 5000, 'the server to die');
      if (submitted === null) t.submitFailed++;
      // The next command finds the server dead and starts a new one, which adopts.
      c.close();
      c = await connect({ env, stateDir: home, serverEntry: env.LMMS_TUI_SERVER_ENTRY });
      const jobs = (await c.jobs()).filter((j) => j.spec.setup?.includes(`${tag}"`));
      if (jobs.length > 1) t.doubledJobs += jobs.length - 1;
      const orphaned = new Set<string>(); // a job counts once, however it was orphaned
      for (const j of jobs) {
        const live = markedProcesses(JOB_MARKER_ENV, j.id);
        if (live.length && j.state !== 'running' && j.state !== 'orphaned') orphaned.add(j.id);
        if (j.state === 'running' && j.pid !== null && live.length) t.adopted++;
      }
      for (const j of jobs) {
        const done = await c.waitForJob(j.id, { intervalMs: 20, timeoutMs: 30_000 }).catch((err: { job?: { state: string } }) => err.job ?? { state: 'timeout' });
        t.outcomes[done.state] = (t.outcomes[done.state] ?? 0) + 1;
        if (markedProcesses(JOB_MARKER_ENV, j.id).length) orphaned.add(j.id); // still running after its job finished
      }
      t.orphans += orphaned.size;
      const ran = existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter((l) => l.endsWith(` ${tag}`)) : [];
      const perJob = new Map<string, number>();
      for (const l of ran) perJob.set(l.split(' ')[0]!, (perJob.get(l.split(' ')[0]!) ?? 0) + 1);
      for (const n of perJob.values()) if (n > 1) t.doubledRuns += n - 1;
      if (jobs.length && ran.length === 0) t.neverRan++;
      t.trials++;
    }
  } finally {
    c.close();
    const info = readPidFile(paths.pidFile);
    if (info && isAlive(info)) process.kill(info.pid, 'SIGKILL');
    for (const id of existsSync(path.join(home, 'jobs')) ? readdirSync(path.join(home, 'jobs')) : []) {
      for (const p of markedProcesses(JOB_MARKER_ENV, id)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
  return t;
}

const HEAD = ['window', 'trials', 'killed: before job made', 'in launch (running, no pid)', 'orphans', 'doubled runs', 'doubled jobs', 'submit failed', 'adopted running', 'never ran', 'outcomes'];
const WIDTHS = [40, 6, 23, 27, 7, 12, 12, 13, 15, 9, 0];

function row(cells: string[]): string {
  return cells.map((x, i) => x.padEnd(WIDTHS[i]!)).join('  ').trimEnd();
}

export async function run(): Promise<void> {
  const name = (mode: string) => (mode === 'random' ? 'kill at 0-60 ms after submit' : 'kill as the wrapper appears');
  // BENCH_SPAWN_BASELINE=<path to another checkout's bin/lmms-tui.js>: the same trials against it, for comparison.
  const baseline = process.env.BENCH_SPAWN_BASELINE;
  const entries: [string, string][] = [['', await cliEntry()]];
  if (baseline) entries.push([' [baseline]', baseline]);
  console.log(row(HEAD));
  let broken = false;
  // Each row is printed as soon as it is measured, so a later failure does not lose it.
  for (const [suffix, entry] of entries) {
    for (const mode of ['random', 'wrapper'] as const) {
      const t = await runMode(mode, entry);
      if (!suffix && (t.orphans || t.doubledRuns || t.doubledJobs)) broken = true;
      const outcomes = Object.entries(t.outcomes).map(([k, v]) => `${k} ${v}`).join(', ');
      console.log(row([name(mode) + suffix, ...[t.trials, t.beforeJob, t.inWindow, t.orphans, t.doubledRuns, t.doubledJobs, t.submitFailed, t.adopted, t.neverRan].map(String), outcomes]));
    }
  }
  console.log(broken ? 'BROKEN: a job was orphaned or doubled' : 'survived: 0 orphans, 0 doubled (promise kept)');
  if (broken) process.exitCode = 1;
}
