/**
 * `npm run bench:runner`: what the scheduler and runner cost, against spawning the same command directly.
 *  1. Dispatch latency: from submit() to the harness process running (the demo harness writes its
 *     pid file as soon as Python has started), over N jobs run one after another.
 *     Baseline: `bash job.sh` spawned directly (detached, output to a file) with the same script and env.
 *  2. Stop to group gone: a hanging job that honours SIGTERM, stopped through the scheduler, against
 *     SIGTERM to a directly spawned group; and a tree ignoring SIGTERM (grace G, then SIGKILL).
 * Env: BENCH_JOBS (default 100), BENCH_STOPS (default 10), BENCH_GRACE_MS (default 1000).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCommand } from '../src/core/command/build.js';
import { demoHarnessDir } from '../src/core/paths.js';
import { buildJobEnv, groupMembers } from '../src/core/runner/index.js';
import { Scheduler } from '../src/core/scheduler/index.js';
import type { EvalSpec } from '../src/core/spec.js';

const N = Number(process.env.BENCH_JOBS ?? 100);
const STOPS = Number(process.env.BENCH_STOPS ?? 10);
const GRACE = Number(process.env.BENCH_GRACE_MS ?? 1000);
const root = mkdtempSync(path.join(tmpdir(), 'lmms-bench-runner-'));

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}
const fmt = (x: number) => `${x.toFixed(1)} ms`;

/** Resolves when `file` exists, via a directory watch (no polling delay in the figure). */
function appears(file: string): Promise<void> {
  return new Promise((resolve) => {
    const w = watch(path.dirname(file), () => {
      if (existsSync(file)) {
        w.close();
        resolve();
      }
    });
    if (existsSync(file)) {
      w.close();
      resolve();
    }
  });
}

async function groupGone(pgid: number): Promise<void> {
  while (groupMembers(pgid).length) await new Promise((r) => setImmediate(r));
}

const spec = (pidfile: string, extra: string[] = []): EvalSpec => ({
  harness: 'lmms-eval',
  model: 'demo',
  tasks: ['demo_mme'],
  demo: true,
  limit: 1,
  env: ['export LMMS_DEMO_PACE=0', `export LMMS_DEMO_PIDFILE=${pidfile}`, ...extra],
});

/** The same script and env the scheduler would run, spawned straight from here. */
function direct(s: EvalSpec, dir: string): { pid: number; done: Promise<void> } {
  mkdirSync(dir, { recursive: true });
  const built = buildCommand({ ...s, output_path: path.join(dir, 'results') }, { cwd: dir, demoHarnessDir: demoHarnessDir() });
  writeFileSync(path.join(dir, 'job.sh'), built.script);
  const fd = openSync(path.join(dir, 'output.log'), 'a');
  const child = spawn('bash', [path.join(dir, 'job.sh')], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: buildJobEnv(process.env, { gpus: null, extra: built.env }),
  });
  closeSync(fd);
  return { pid: child.pid!, done: new Promise((r) => child.once('exit', () => r())) };
}

async function main(): Promise<void> {
  const sched = await Scheduler.open({ stateDir: path.join(root, 'state'), graceMs: GRACE, gpus: null });
  const env = { ...process.env } as Record<string, string>;
  const viaScheduler: number[] = [];
  const viaDirect: number[] = [];
  process.stderr.write(`dispatch: ${N} jobs each way (demo harness, pace 0)…\n`);
  for (let i = -2; i < N; i++) {
    // Alternate the two so machine noise hits both alike; the first two rounds are warm-up.
    const pf1 = path.join(root, `p${i}`, 'pid');
    mkdirSync(path.dirname(pf1), { recursive: true });
    const t0 = performance.now();
    const job = sched.submit(spec(pf1), { cwd: root, env });
    await appears(pf1);
    const t1 = performance.now();
    await sched.waitFor(job.id);
    const pf2 = path.join(root, `d${i}`, 'pid');
    mkdirSync(path.dirname(pf2), { recursive: true });
    const t2 = performance.now();
    const d = direct(spec(pf2), path.join(root, `d${i}`));
    await appears(pf2);
    const t3 = performance.now();
    await d.done;
    if (i >= 0) {
      viaScheduler.push(t1 - t0);
      viaDirect.push(t3 - t2);
    }
  }

  process.stderr.write(`stop: ${STOPS} runs each way…\n`);
  const stopSched: number[] = [];
  const stopDirect: number[] = [];
  const stopKill: number[] = [];
  for (let i = 0; i < STOPS; i++) {
    const pf = path.join(root, `s${i}`, 'pid');
    mkdirSync(path.dirname(pf), { recursive: true });
    const job = sched.submit(spec(pf, ['export LMMS_DEMO_HANG=1']), { cwd: root, env });
    await appears(pf);
    const pgid = sched.get(job.id).pid!;
    let t = performance.now();
    await sched.stop(job.id);
    await groupGone(pgid);
    stopSched.push(performance.now() - t);

    const pf2 = path.join(root, `sd${i}`, 'pid');
    mkdirSync(path.dirname(pf2), { recursive: true });
    const d = direct(spec(pf2, ['export LMMS_DEMO_HANG=1']), path.join(root, `sd${i}`));
    await appears(pf2);
    t = performance.now();
    process.kill(-d.pid, 'SIGTERM');
    await groupGone(d.pid);
    stopDirect.push(performance.now() - t);

    const pf3 = path.join(root, `sk${i}`, 'pid');
    mkdirSync(path.dirname(pf3), { recursive: true });
    const k = sched.submit(spec(pf3, ['export LMMS_DEMO_HANG=1', 'export LMMS_DEMO_IGNORE_TERM=1', 'export LMMS_DEMO_CHILDREN=2']), { cwd: root, env });
    await appears(pf3);
    const kg = sched.get(k.id).pid!;
    t = performance.now();
    await sched.stop(k.id);
    await groupGone(kg);
    stopKill.push(performance.now() - t - GRACE);
  }
  sched.close();

  const a = stats(viaScheduler);
  const b = stats(viaDirect);
  const c = stats(stopSched);
  const e = stats(stopDirect);
  const k = stats(stopKill);
  const rows: [string, string, string, string][] = [
    ['dispatch: submit → harness running', fmt(a.median), fmt(a.p95), `${(a.median / b.median).toFixed(2)}× direct`],
    ['  baseline: spawn bash job.sh directly', fmt(b.median), fmt(b.p95), '1.00×'],
    ['  scheduler overhead (median difference)', fmt(a.median - b.median), '', ''],
    ['stop (SIGTERM honoured) → group gone', fmt(c.median), fmt(c.p95), `${(c.median / e.median).toFixed(2)}× direct`],
    ['  baseline: kill -TERM -pgid directly', fmt(e.median), fmt(e.p95), '1.00×'],
    [`stop (SIGTERM ignored) → gone, minus ${GRACE} ms grace`, fmt(k.median), fmt(k.p95), ''],
  ];
  console.log(`\nbench:runner (${N} dispatches, ${STOPS} stops each way; node ${process.version})`);
  console.log(`${'measure'.padEnd(50)} ${'median'.padStart(10)} ${'p95'.padStart(10)}  ratio`);
  for (const [m, med, p95, r] of rows) console.log(`${m.padEnd(50)} ${med.padStart(10)} ${p95.padStart(10)}  ${r}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));
