import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/core/scheduler/index.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { ValidationError } from '../../src/core/errors.js';
import { fakeRunner, simpleJudge, until } from './fake-runner.js';

const spec = (over: Partial<EvalSpec> = {}): EvalSpec => ({ harness: 'lmms-eval', model: 'demo', tasks: ['mme'], ...over });
const dirs: string[] = [];
const open: Scheduler[] = [];
function stateDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'lmms-sched-'));
  dirs.push(d);
  return d;
}
async function host(dir: string, f: ReturnType<typeof fakeRunner>, over: Partial<Parameters<typeof Scheduler.open>[0]> = {}) {
  const s = await Scheduler.open({ stateDir: dir, runner: f.runner, judge: simpleJudge as never, ...over });
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('scheduler dispatch', () => {
  it('runs jobs one at a time in submission order by default, starting the next as soon as one ends', async () => {
    const f = fakeRunner();
    const s = await host(stateDir(), f);
    const a = s.submit(spec());
    const b = s.submit(spec());
    const c = s.submit(spec());
    await until(() => f.procs.length === 1);
    expect(s.get(a.id).state).toBe('running');
    expect(s.queue().queued).toEqual([{ id: b.id, position: 1 }, { id: c.id, position: 2 }]);
    f.procs[0]!.exit();
    await until(() => f.procs.length === 2);
    expect(f.procs[1]!.jobDir.endsWith(b.id)).toBe(true);
    expect(s.get(a.id).state).toBe('succeeded');
    expect(s.position(c.id)).toBe(1);
  });

  it('assigns exactly the free GPUs, holds a job until enough are free, and keeps order', async () => {
    const f = fakeRunner();
    const s = await host(stateDir(), f, { gpus: [0, 1, 2, 3] });
    const a = s.submit(spec({ num_gpus: 2 }));
    const b = s.submit(spec({ num_gpus: 1 }));
    const c = s.submit(spec({ num_gpus: 2 })); // needs 2, only 1 left: waits
    const d = s.submit(spec({ num_gpus: 1 })); // would fit, but must not overtake c
    await until(() => f.procs.length === 2);
    expect(s.get(a.id).gpus).toEqual([0, 1]);
    expect(s.get(b.id).gpus).toEqual([2]);
    expect(f.procs[0]!.env.CUDA_VISIBLE_DEVICES).toBe('0,1');
    expect(f.procs[1]!.env.CUDA_VISIBLE_DEVICES).toBe('2');
    expect(s.get(c.id).state).toBe('queued');
    expect(s.get(d.id).state).toBe('queued');
    expect(s.queue().gpus.free).toEqual([3]);
    f.procs[0]!.exit(); // frees 0,1
    await until(() => f.procs.length === 4);
    expect(s.get(c.id).gpus).toEqual([0, 1]);
    expect(s.get(d.id).gpus).toEqual([3]);
    expect(s.get(c.id).main_process_port).toBe(29500);
  });

  it('gives concurrent multi-GPU jobs distinct accelerate ports', async () => {
    const f = fakeRunner();
    const s = await host(stateDir(), f, { gpus: [0, 1, 2, 3] });
    const a = s.submit(spec({ num_gpus: 2 }));
    const b = s.submit(spec({ num_gpus: 2 }));
    await until(() => f.procs.length === 2);
    expect(s.get(a.id).main_process_port).not.toBe(s.get(b.id).main_process_port);
    expect(f.procs[1]!.script).toContain(`--main_process_port ${s.get(b.id).main_process_port}`);
  });

  it('refuses at submit a job needing more GPUs than the pool holds, naming the field', async () => {
    const s = await host(stateDir(), fakeRunner(), { gpus: [0, 1] });
    expect(() => s.submit(spec({ num_gpus: 3 }))).toThrow(ValidationError);
    try {
      s.submit(spec({ num_gpus: 3 }));
    } catch (err) {
      expect((err as ValidationError).problems[0]!.field).toBe('num_gpus');
    }
    expect(s.list()).toHaveLength(0);
  });

  it('without a pool leaves CUDA_VISIBLE_DEVICES as the user had it and does not enforce GPU counts', async () => {
    const f = fakeRunner();
    const s = await host(stateDir(), f);
    s.submit(spec({ num_gpus: 8 }), { env: { CUDA_VISIBLE_DEVICES: '5', PATH: process.env.PATH ?? '' } });
    await until(() => f.procs.length === 1);
    expect(f.procs[0]!.env.CUDA_VISIBLE_DEVICES).toBe('5');
  });

  it('rejects an invalid spec with every problem at once and stores nothing', async () => {
    const s = await host(stateDir(), fakeRunner());
    let err: ValidationError | undefined;
    try {
      s.submit({ harness: 'lmms-eval', model: 'demo', tasks: [], batch_size: 'lots', limit: -5 });
    } catch (e) {
      err = e as ValidationError;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const fields = err!.problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['tasks', 'batch_size', 'limit']));
    expect(s.list()).toHaveLength(0);
  });
});

describe('scheduler operations', () => {
  it('cancel, retry, remove and stop behave by state', async () => {
    const f = fakeRunner();
    const s = await host(stateDir(), f);
    const a = s.submit(spec());
    const b = s.submit(spec());
    await until(() => f.procs.length === 1);
    expect(() => s.cancel(a.id)).toThrow(/not queued/);
    expect(s.cancel(b.id.slice(0, 4)).state).toBe('cancelled');
    expect(() => s.remove(a.id)).toThrow(/stop it first/);
    const stopped = await s.stop(a.id);
    expect(stopped.state).toBe('stopped');
    expect(stopped.signal).toBe('SIGTERM');
    const r = s.retry(b.id);
    expect(r.retry_of).toBe(b.id);
    expect(r.spec).toEqual(s.get(b.id).spec);
    await until(() => f.procs.length === 2);
    s.remove(b.id);
    expect(() => s.get(b.id)).toThrow(/no job matches/);
  });

  it('resolves unique id prefixes and explains ambiguous ones', async () => {
    const s = await host(stateDir(), fakeRunner());
    const jobs = Array.from({ length: 40 }, () => s.submit(spec()));
    const one = jobs[7]!;
    expect(s.get(one.id.slice(0, 8)).id).toBe(one.id);
    expect(() => s.get('')).toThrow(/job id is needed/);
    expect(() => s.get('zzzz')).toThrow(/no job matches/);
  });

  it('keeps only the newest finished jobs', async () => {
    const f = fakeRunner();
    const s = await host(stateDir(), f, { keepFinished: 2 });
    const ids = [s.submit(spec()).id, s.submit(spec()).id, s.submit(spec()).id];
    for (let i = 0; i < 3; i++) {
      await until(() => f.procs.length === i + 1);
      f.procs[i]!.exit();
      await until(() => s.list({ state: 'succeeded' }).length >= Math.min(i + 1, 2));
    }
    await until(() => s.list().length === 2);
    expect(s.list().map((j) => j.id)).toEqual(ids.slice(1));
  });
});

describe('scheduler persistence', () => {
  it('reloads jobs from disk, skipping a corrupt or half-written job.json with a report', async () => {
    const dir = stateDir();
    const f = fakeRunner();
    let s = await host(dir, f);
    const a = s.submit(spec());
    const b = s.submit(spec());
    await until(() => f.procs.length === 1);
    s.close();
    mkdirSync(path.join(dir, 'jobs', 'deadbeef'));
    writeFileSync(path.join(dir, 'jobs', 'deadbeef', 'job.json'), '{"id": "deadbeef", "state": "runn');
    s = await host(dir, f);
    expect(s.problems.map((p) => p.dir)).toEqual([path.join(dir, 'jobs', 'deadbeef')]);
    expect(s.problems[0]!.message).toMatch(/unreadable job.json/);
    expect(s.list().map((j) => j.id)).toEqual([a.id, b.id]);
    // a was still alive: adopted, not restarted; b is still queued behind it
    expect(f.procs).toHaveLength(2);
    expect(s.get(b.id).state).toBe('queued');
    f.procs[1]!.exit({ exit_code: 1 });
    await until(() => s.get(a.id).state === 'failed');
    await until(() => f.procs.length === 3);
    expect(s.get(b.id).state).toBe('running');
  });

  it('records the outcome of a job that ended while no host was running, then continues the queue', async () => {
    const dir = stateDir();
    const f = fakeRunner();
    let s = await host(dir, f);
    const a = s.submit(spec());
    const b = s.submit(spec());
    await until(() => f.procs.length === 1 && s.get(a.id).pid !== null);
    s.close();
    f.alive.delete(f.procs[0]!.pid); // it ended unobserved...
    f.exitRecords.set(f.procs[0]!.jobDir, { exit_code: 0, signal: null }); // ...and its wrapper left a record
    s = await host(dir, f);
    expect(s.get(a.id).state).toBe('succeeded');
    await until(() => s.get(b.id).state === 'running');
  });

  it('allows one host per state dir', async () => {
    const dir = stateDir();
    await host(dir, fakeRunner());
    await expect(Scheduler.open({ stateDir: dir })).rejects.toThrow(/already running the queue/);
  });
});
