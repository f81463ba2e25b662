// A running job whose job.json is damaged while no host runs (truncated, empty, garbage, a directory,
// wrong-typed fields): the next host rebuilds it from its launch record, or, with no launch record
// either, keeps it as `orphaned` with its pid; either way it holds its slot and GPU until its process
// ends, so the next queued job does not start beside it. Real processes, real /proc.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, JOB_MARKER_ENV, markedProcesses, readStartTime } from '../../src/core/runner/index.js';
import { Scheduler } from '../../src/core/scheduler/index.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { until } from './fake-runner.js';

const dirs: string[] = [];
const hosts: Scheduler[] = [];
const groups: number[] = [];
afterEach(async () => {
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const s of hosts.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const demo = (env: string[] = []): EvalSpec => ({ harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true, env: ['export LMMS_DEMO_PACE=0', ...env] });

async function open(stateDir: string): Promise<Scheduler> {
  // One GPU, so a job that is not counted as holding it would let the next one start at once.
  const s = await Scheduler.open({ stateDir, gpus: [0], graceMs: 300, adoptPollMs: 50, traceWaitMs: 200 });
  hosts.push(s);
  return s;
}

/** A hanging job `a` (running, pid saved) and a quick job `b` queued behind it; the host is then gone. */
async function runningThenHostGone(): Promise<{ dir: string; a: string; b: string; pid: number; jobFile: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lmms-damaged-'));
  dirs.push(dir);
  const s = await open(dir);
  const a = s.submit(demo(['export LMMS_DEMO_HANG=1'])).id;
  const b = s.submit(demo()).id;
  await until(() => s.get(a).pid !== null, 10_000);
  const pid = s.get(a).pid!;
  groups.push(pid);
  s.close();
  hosts.splice(hosts.indexOf(s), 1);
  return { dir, a, b, pid, jobFile: path.join(dir, 'jobs', a, 'job.json') };
}

const DAMAGE: [string, (file: string) => void][] = [
  ['truncated', (f) => writeFileSync(f, readFileSync(f, 'utf8').slice(0, 200))],
  ['empty', (f) => writeFileSync(f, '')],
  ['garbage', (f) => writeFileSync(f, '\u0000\u00ff not json at all }{')],
  [
    'a directory',
    (f) => {
      rmSync(f);
      mkdirSync(f);
    },
  ],
  ['"pid": "abc"', (f) => writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), pid: 'abc' }))],
  ['"gpus": null', (f) => writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), gpus: null }))],
];

describe('a running job with a damaged job.json', () => {
  it.each(DAMAGE)('%s: rebuilt from its launch record, adopted with its pid and GPU; the next job waits', async (_kind, damage) => {
    const { dir, a, b, pid, jobFile } = await runningThenHostGone();
    damage(jobFile);
    const s = await open(dir);
    expect(s.get(a)).toMatchObject({ state: 'running', pid, gpus: [0] });
    expect(s.problems.find((p) => p.id === a)?.message).toMatch(/rebuilt from launch\.json/);
    // The damaged original is kept beside, and job.json is whole again.
    expect(readdirSync(path.join(dir, 'jobs', a)).some((f) => f.startsWith('job.json.damaged-'))).toBe(true);
    expect(JSON.parse(readFileSync(jobFile, 'utf8'))).toMatchObject({ id: a, state: 'running', pid });
    expect(s.get(b).state).toBe('queued');
    expect(markedProcesses(JOB_MARKER_ENV, b)).toEqual([]);
    const stopped = await s.stop(a);
    expect(stopped.state).toBe('stopped');
    expect(isAlive({ pid, startTime: readStartTime(pid) ?? -1 })).toBe(false);
    expect((await s.waitFor(b)).state).toBe('succeeded');
  });

  it('with no launch record either: kept as orphaned with its pid, holding the GPU until it ends', async () => {
    const { dir, a, b, pid, jobFile } = await runningThenHostGone();
    writeFileSync(jobFile, '{"id": "' + a + '", "state": "runn');
    rmSync(path.join(dir, 'jobs', a, 'launch.json'));
    const s = await open(dir);
    const orphan = s.get(a);
    expect(orphan).toMatchObject({ state: 'orphaned', pid, gpus: [0] }); // its GPU read from its environment
    expect(orphan.error).toMatch(/job\.json was damaged/);
    expect(s.problems.find((p) => p.id === a)?.message).toMatch(new RegExp(`process ${pid} still runs, kept as orphaned`));
    expect(s.queue().running).toEqual([a]);
    expect(s.queue().gpus.free).toEqual([]);
    expect(s.get(b).state).toBe('queued');
    expect(markedProcesses(JOB_MARKER_ENV, b)).toEqual([]);
    // Its stand-in record survives another restart.
    s.close();
    hosts.splice(hosts.indexOf(s), 1);
    const s2 = await open(dir);
    expect(s2.get(a)).toMatchObject({ state: 'orphaned', pid });
    expect(s2.get(b).state).toBe('queued');
    const stopped = await s2.stop(a);
    expect(stopped.state).toBe('stopped');
    expect(stopped.error).toMatch(/its process was ended by SIGTERM/);
    expect((await s2.waitFor(b)).state).toBe('succeeded');
  });

  it('wrong-typed pid and GPUs with no launch record: repaired in place, spec kept, pid and GPU from the live process', async () => {
    const { dir, a, b, pid, jobFile } = await runningThenHostGone();
    writeFileSync(jobFile, JSON.stringify({ ...JSON.parse(readFileSync(jobFile, 'utf8')), pid: 'abc', gpus: null }));
    rmSync(path.join(dir, 'jobs', a, 'launch.json'));
    const s = await open(dir);
    expect(s.get(a)).toMatchObject({ state: 'running', pid, gpus: [0], spec: { model: 'demo', tasks: ['demo_mme'] } });
    expect(s.problems.find((p) => p.id === a)?.message).toMatch(/pid: expected a process id or null, got "abc".*repaired in place/);
    expect(s.get(b).state).toBe('queued');
    expect((await s.stop(a)).state).toBe('stopped');
    expect((await s.waitFor(b)).state).toBe('succeeded');
  });

  it('a damaged record of a job whose process is gone is reported and skipped; the queue goes on', async () => {
    const { dir, a, b, pid, jobFile } = await runningThenHostGone();
    process.kill(-pid, 'SIGKILL');
    await until(() => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), 5000);
    writeFileSync(jobFile, 'garbage');
    rmSync(path.join(dir, 'jobs', a, 'launch.json'));
    const s = await open(dir);
    expect(() => s.get(a)).toThrow(/no job matches/);
    expect(s.problems.find((p) => p.id === a)?.message).toMatch(/unreadable job\.json.*skipped/);
    expect((await s.waitFor(b)).state).toBe('succeeded');
  });
});
