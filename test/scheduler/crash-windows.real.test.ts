// kill -9 of the queue's host at each point of the launch protocol, with real processes: the next host
// adopts the job (or, when nothing was spawned yet, starts it once), never starts the next queued job
// beside it, and records its outcome. See the launch protocol in Scheduler.start.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { JOB_MARKER_ENV, markedProcesses } from '../../src/core/runner/index.js';
import { Scheduler, type JobRecord, type LaunchStep } from '../../src/core/scheduler/index.js';
import type { EvalSpec } from '../../src/core/spec.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const hosts: Scheduler[] = [];
const pids = new Set<number>();
afterEach(() => {
  for (const s of hosts.splice(0)) s.close();
  for (const pid of pids) {
    for (const sig of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(-pid, sig);
      } catch {
        try {
          process.kill(pid, sig);
        } catch {
          /* gone */
        }
      }
    }
  }
  pids.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'lmms-crash-'));
  dirs.push(d);
  return d;
}

/** A demo run that appends its job id to `runs` when its script starts: how many times each job ran. */
const counted = (runs: string, env: string[] = []): EvalSpec => ({
  harness: 'lmms-eval',
  model: 'demo',
  tasks: ['demo_mme'],
  demo: true,
  setup: `echo "$${JOB_MARKER_ENV}" >> ${runs}`,
  env: ['export LMMS_DEMO_PACE=0', ...env],
});

const readRuns = (runs: string): string[] => (existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n').filter(Boolean) : []);
const read = (dir: string, id: string) => JSON.parse(readFileSync(path.join(dir, 'jobs', id, 'job.json'), 'utf8')) as JobRecord;
const jobIds = (dir: string): string[] =>
  readdirSync(path.join(dir, 'jobs'))
    .map((id) => read(dir, id))
    .sort((a, b) => a.seq - b.seq)
    .map((j) => j.id);

/** Runs a host that kill -9s itself at `step`; resolves with the job ids once it is dead. */
async function crashAt(dir: string, specs: EvalSpec[], step: LaunchStep, freeze = false): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/scheduler/crash-host.ts'), dir, JSON.stringify(specs), step, freeze ? 'freeze' : ''], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [, signal] = (await new Promise((r) => child.once('exit', (...a) => r(a)))) as [number | null, string | null];
  expect(signal).toBe('SIGKILL');
  expect(JSON.parse(out.trim())).toMatchObject({ step });
  const ids = jobIds(dir);
  for (const id of ids) for (const pid of markedProcesses(JOB_MARKER_ENV, id)) pids.add(pid);
  return ids;
}

async function open(dir: string, over: Partial<Parameters<typeof Scheduler.open>[0]> = {}): Promise<Scheduler> {
  const s = await Scheduler.open({ stateDir: dir, graceMs: 400, adoptPollMs: 50, concurrency: 1, ...over });
  hosts.push(s);
  return s;
}

describe('kill -9 of the host during a launch', () => {
  const slow = ['export LMMS_DEMO_PACE=0.01'];

  it('before the spawn (job.json says running, nothing runs): the next host starts it once, then the next job', async () => {
    const dir = tmp();
    const runs = path.join(dir, 'runs');
    const [a, b] = await crashAt(dir, [counted(runs, slow), counted(runs)], 'persisted');
    expect(read(dir, a!)).toMatchObject({ state: 'running', pid: null });
    expect(markedProcesses(JOB_MARKER_ENV, a!)).toEqual([]);
    const s = await open(dir);
    expect(s.get(a!).state).toBe('running'); // back in the queue and started again, at its place
    expect(s.get(b!).state).toBe('queued');
    expect((await s.waitFor(a!)).state).toBe('succeeded');
    expect((await s.waitFor(b!)).state).toBe('succeeded');
    expect(readRuns(runs)).toEqual([a, b]); // each ran exactly once, in order
  });

  it('after the spawn, before the wrapper wrote its record or job.json got the pid: the next host waits for the record and adopts', async () => {
    const dir = tmp();
    const runs = path.join(dir, 'runs');
    const [a, b] = await crashAt(dir, [counted(runs, slow), counted(runs)], 'spawned', true);
    expect(read(dir, a!)).toMatchObject({ state: 'running', pid: null });
    const [wrapper] = markedProcesses(JOB_MARKER_ENV, a!);
    expect(wrapper).toBeDefined(); // the frozen wrapper runs on after its host's death
    // The host stopped it right after spawn returned; on a busy machine bash may still have got its first
    // line (the record) in before that. Then hold the record back until the thaw, so the new host always
    // meets a live wrapper without a record, as when the host dies in the microseconds after the spawn.
    const record = path.join(dir, 'jobs', a!, 'proc.json');
    const held = existsSync(record);
    if (held) renameSync(record, `${record}.held`);
    const thaw = setTimeout(() => {
      if (held) renameSync(`${record}.held`, record);
      process.kill(wrapper!, 'SIGCONT');
    }, 300);
    const s = await open(dir, { traceWaitMs: 15_000 });
    clearTimeout(thaw);
    expect(s.get(a!)).toMatchObject({ state: 'running', pid: wrapper }); // adopted, not restarted
    expect(read(dir, a!).pid).toBe(wrapper);
    expect(s.get(b!).state).toBe('queued');
    expect(markedProcesses(JOB_MARKER_ENV, b!)).toEqual([]); // not started beside it
    const doneA = await s.waitFor(a!);
    expect(doneA.state).toBe('succeeded');
    expect(doneA.exit_code).toBe(0); // from the wrapper's exit record
    expect((await s.waitFor(b!)).state).toBe('succeeded');
    expect(readRuns(runs)).toEqual([a, b]);
  });

  it('after the pid was saved: adopted as before', async () => {
    const dir = tmp();
    const runs = path.join(dir, 'runs');
    const [a, b] = await crashAt(dir, [counted(runs, slow), counted(runs)], 'recorded');
    const pid = read(dir, a!).pid;
    expect(pid).not.toBeNull();
    const s = await open(dir);
    expect(s.get(a!)).toMatchObject({ state: 'running', pid });
    expect(s.get(b!).state).toBe('queued');
    expect((await s.waitFor(a!)).state).toBe('succeeded');
    expect((await s.waitFor(b!)).state).toBe('succeeded');
    expect(readRuns(runs)).toEqual([a, b]);
  });

  it('a wrapper that never writes its record is found by its marker, holds the slot, and its end is recorded', async () => {
    const dir = tmp();
    const runs = path.join(dir, 'runs');
    const [a, b] = await crashAt(dir, [counted(runs), counted(runs)], 'persisted');
    // What a wrapper looks like in the instant before its first line: a session leader carrying the marker.
    const stand = spawn('/bin/bash', ['-c', 'sleep 30'], { detached: true, stdio: 'ignore', env: { ...process.env, [JOB_MARKER_ENV]: a! } });
    pids.add(stand.pid!);
    // spawn() can return between fork and exec, while /proc/<pid>/environ is still node's (no marker): wait
    // for the exec'd process, which is what a wrapper about to run its first line is.
    for (const deadline = Date.now() + 5000; !markedProcesses(JOB_MARKER_ENV, a!).includes(stand.pid!); ) {
      if (Date.now() > deadline) throw new Error('the stand-in wrapper never showed its marker');
      await new Promise((r) => setTimeout(r, 10));
    }
    const s = await open(dir, { traceWaitMs: 200 });
    expect(s.get(a!)).toMatchObject({ state: 'running', pid: stand.pid });
    expect(s.get(b!).state).toBe('queued');
    process.kill(stand.pid!, 'SIGKILL');
    const doneA = await s.waitFor(a!);
    expect(doneA.state).toBe('failed');
    expect(doneA.error).toMatch(/exit status unknown/);
    expect((await s.waitFor(b!)).state).toBe('succeeded');
    expect(readRuns(runs)).toEqual([b]); // a's script never ran, and it was not started a second time
  });
});
