// The scheduler with the real runner, real bash and the demo harness: outcomes, stop of a process
// tree, and surviving a kill -9 of the host.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, type JobRecord } from '../../src/core/scheduler/index.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { until } from './fake-runner.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const hosts: Scheduler[] = [];
const groups: number[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'lmms-real-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const s of hosts.splice(0)) s.close();
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const demo = (env: string[] = [], over: Partial<EvalSpec> = {}): EvalSpec => ({
  harness: 'lmms-eval',
  model: 'demo',
  tasks: ['demo_mme'],
  demo: true,
  env: ['export LMMS_DEMO_PACE=0', ...env],
  ...over,
});

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function open(stateDir: string, over: Partial<Parameters<typeof Scheduler.open>[0]> = {}): Promise<Scheduler> {
  const s = await Scheduler.open({ stateDir, graceMs: 400, adoptPollMs: 50, ...over });
  hosts.push(s);
  return s;
}

describe('scheduler with real processes', () => {
  it('judges a demo run that wrote results as succeeded and a run that exits 0 with an error as failed', async () => {
    const s = await open(tmp());
    const ok = s.submit(demo());
    const bad = s.submit(demo(['export LMMS_DEMO_FAIL=exit0']));
    const a = await s.waitFor(ok.id);
    const b = await s.waitFor(bad.id);
    expect(a.state).toBe('succeeded');
    expect(a.exit_code).toBe(0);
    expect(a.results.length).toBeGreaterThan(0);
    expect(a.results[0]!.startsWith(a.output_path)).toBe(true);
    expect(b.state).toBe('failed');
    expect(b.exit_code).toBe(0);
    expect(b.error).toMatch(/error/i);
    expect(b.error_tail.length).toBeGreaterThan(0);
    expect(readFileSync(s.logPath(ok.id), 'utf8')).toMatch(/Model Responding/);
  });

  it('counts a results file as this run\'s even when its mtime is seconds behind the start (NFS clock skew)', async () => {
    const dir = tmp();
    const out = path.join(dir, 'shared-results');
    mkdirSync(out);
    writeFileSync(path.join(out, '20200101_000000_results.json'), '{"results": {}}'); // an earlier run's
    utimesSync(path.join(out, '20200101_000000_results.json'), Date.now() / 1000 - 3600, Date.now() / 1000 - 3600);
    // A stand-in interpreter that writes its results file with a timestamp 10 s in the past, as a file
    // server with a slow clock would.
    const fake = path.join(dir, 'fake-python');
    writeFileSync(fake, '#!/bin/bash\nwhile [ $# -gt 0 ]; do [ "$1" = --output_path ] && o=$2; shift; done\nmkdir -p "$o"\nf="$o/20991231_235959_results.json"\necho \'{"results": {}}\' >"$f"\ntouch -d "@$(( $(date +%s) - 10 ))" "$f"\necho done\n', { mode: 0o755 });
    const s = await open(dir);
    const job = await s.waitFor(s.submit({ harness: 'lmms-eval', model: 'm', tasks: ['t'], python: fake, output_path: out }).id);
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    expect(job.results).toEqual([path.join(out, '20991231_235959_results.json')]);
  });

  it('stops a job whose grandchildren ignore SIGTERM: SIGKILL after the grace period, nothing left', async () => {
    const dir = tmp();
    const pidfile = path.join(dir, 'pids');
    const s = await open(dir);
    const job = s.submit(demo(['export LMMS_DEMO_HANG=1', 'export LMMS_DEMO_IGNORE_TERM=1', 'export LMMS_DEMO_CHILDREN=2', `export LMMS_DEMO_PIDFILE=${pidfile}`]));
    await until(() => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim().split('\n').length >= 3, 15_000);
    const pids = readFileSync(pidfile, 'utf8').trim().split('\n').map(Number);
    groups.push(s.get(job.id).pid!);
    const done = await s.stop(job.id);
    expect(done.state).toBe('stopped');
    expect(done.signal).toBe('SIGKILL');
    expect(pids.filter(alive)).toEqual([]);
  });

  it('keeps jobs running when the host is killed with SIGKILL; the next host adopts them and continues the queue', async () => {
    const dir = tmp();
    const specs = [demo(['export LMMS_DEMO_PACE=0.01']), demo()];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/scheduler/host-child.ts'), dir, JSON.stringify(specs)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('\n'), 20_000);
    const [a, b] = JSON.parse(out) as string[];
    const jobFile = (id: string) => path.join(dir, 'jobs', id, 'job.json');
    const read = (id: string) => JSON.parse(readFileSync(jobFile(id), 'utf8')) as JobRecord;
    await until(() => read(a!).pid !== null, 10_000);
    const pid = read(a!).pid!;
    groups.push(pid);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(alive(pid)).toBe(true); // the job outlived its host
    expect(read(b!).state).toBe('queued');

    const s = await open(dir);
    expect(s.get(a!).state).toBe('running'); // adopted, not restarted
    expect(s.get(a!).pid).toBe(pid);
    const doneA = await s.waitFor(a!);
    expect(doneA.state).toBe('succeeded');
    expect(doneA.exit_code).toBe(0); // read from the wrapper's exit record
    const doneB = await s.waitFor(b!);
    expect(doneB.state).toBe('succeeded');
  });
});
