/**
 * The process-level hazards the demo plays for the engine's runner: a hung run, workers that ignore SIGTERM and
 * outlive their parent, a log flood, stdin that must never be read. Linux only (reads /proc).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LOGGING_LINE,
  LOGURU_LINE,
  isAlive,
  killAllStarted,
  procInfo,
  removeTempDirs,
  runDemo,
  startDemo,
  type Running,
  stripAnsi,
  tempDir,
  waitFor,
} from './helpers.js';

afterEach(() => {
  killAllStarted();
  removeTempDirs();
});

const HANGING = ['--model', 'demo', '--tasks', 'demo_vqa'];

/** The pids the demo writes to LMMS_DEMO_PIDFILE once started; fails at once if the run ended instead. */
async function readPids(run: Running, file: string, count: number): Promise<number[]> {
  let ended = false;
  void run.exited.then(() => (ended = true));
  return waitFor(() => {
    if (ended) throw new Error(`the demo exited before writing its pidfile:\n${run.stderr()}`);
    try {
      const pids = readFileSync(file, 'utf8').trim().split('\n').map(Number);
      return pids.length === count ? pids : undefined;
    } catch {
      return undefined;
    }
  }, `pidfile with ${count} pids`);
}

describe.skipIf(process.platform !== 'linux')('demo harness processes', () => {
  it('LMMS_DEMO_HANG prints its start-up lines, then blocks until signalled', async () => {
    const pidfile = path.join(tempDir(), 'pids');
    const run = startDemo('lmms_eval', HANGING, { env: { LMMS_DEMO_HANG: '1', LMMS_DEMO_PIDFILE: pidfile } });
    expect(await readPids(run, pidfile, 1)).toEqual([run.pid]);
    await waitFor(() => stripAnsi(run.stdout()).includes('simulated: no weights are loaded'), 'the model-loading line');
    expect(isAlive(run.pid)).toBe(true);
    process.kill(run.pid, 'SIGTERM');
    const done = await run.done;
    expect(done.signal).toBe('SIGTERM');
    expect(done.stdout).not.toContain('Running generate_until requests');
  });

  it('a hung lm_eval run ends on SIGINT the way Python does (killed by SIGINT)', async () => {
    const pidfile = path.join(tempDir(), 'pids');
    const run = startDemo('lm_eval', ['--model', 'demo', '--tasks', 'demo_hellaswag'], { env: { LMMS_DEMO_HANG: '1', LMMS_DEMO_PIDFILE: pidfile } });
    await readPids(run, pidfile, 1);
    await waitFor(() => run.stderr().includes('Initializing demo model'), 'the model-loading line');
    process.kill(run.pid, 'SIGINT');
    const done = await run.done;
    expect(done.signal).toBe('SIGINT');
    expect(done.stderr).toContain('KeyboardInterrupt');
  });

  it('IGNORE_TERM + CHILDREN: the whole group ignores SIGTERM and only SIGKILL to the group ends it', async () => {
    const pidfile = path.join(tempDir(), 'pids');
    const run = startDemo('lmms_eval', HANGING, {
      env: { LMMS_DEMO_HANG: '1', LMMS_DEMO_IGNORE_TERM: '1', LMMS_DEMO_CHILDREN: '2', LMMS_DEMO_PIDFILE: pidfile },
    });
    const pids = await readPids(run, pidfile, 3);
    expect(pids[0]).toBe(run.pid);
    for (const pid of pids) {
      const info = procInfo(pid);
      expect(info.pgrp).toBe(run.pid); // plain children: same process group, no setsid
      expect(info.ignoresTerm).toBe(true);
    }
    process.kill(-run.pid, 'SIGTERM');
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    process.kill(-run.pid, 'SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 'every process of the group to be gone');
  });

  it('workers outlive a parent that is killed alone (only a group stop reaches them)', async () => {
    const pidfile = path.join(tempDir(), 'pids');
    const run = startDemo('lmms_eval', HANGING, { env: { LMMS_DEMO_HANG: '1', LMMS_DEMO_CHILDREN: '2', LMMS_DEMO_PIDFILE: pidfile } });
    const [parent, ...children] = await readPids(run, pidfile, 3);
    expect(procInfo(children[0]!).ignoresTerm).toBe(false);
    process.kill(parent!, 'SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    for (const pid of children) expect(isAlive(pid)).toBe(true);
    // The workers inherited stdout/stderr, so the pipes only close once the group is stopped.
    process.kill(-run.pid, 'SIGKILL');
    await run.done;
    await waitFor(() => children.every((pid) => !isAlive(pid)), 'the orphaned workers to be gone');
  });

  it('a normal run reaps its workers before it exits', async () => {
    const pidfile = path.join(tempDir(), 'pids');
    const done = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa'], {
      env: { LMMS_DEMO_CHILDREN: '2', LMMS_DEMO_IGNORE_TERM: '1', LMMS_DEMO_PIDFILE: pidfile },
    });
    expect(done.code).toBe(0);
    const children = readFileSync(pidfile, 'utf8').trim().split('\n').map(Number).slice(1);
    expect(children).toHaveLength(2);
    for (const pid of children) expect(isAlive(pid)).toBe(false);
  });

  it('LMMS_DEMO_FLOOD writes realistic log lines in bulk, on stdout for lmms_eval and stderr for lm_eval', async () => {
    const env = { LMMS_DEMO_FLOOD: '20000', LMMS_DEMO_FLOOD_SECONDS: '0.5' };
    const lmms = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa'], { env });
    const flood = stripAnsi(lmms.stdout).split('\n').filter((l) => l.includes('[flood]'));
    expect(flood).toHaveLength(10_000);
    for (const line of [flood[0]!, flood.at(-1)!]) expect(line).toMatch(LOGURU_LINE);
    const lm = await runDemo('lm_eval', ['--model', 'demo', '--tasks', 'demo_hellaswag'], { env });
    const lmFlood = lm.stderr.split('\n').filter((l) => l.includes('[flood]'));
    expect(lmFlood).toHaveLength(10_000);
    expect(lmFlood[0]).toMatch(LOGGING_LINE);
  });

  it('never reads stdin: a run with an open, silent stdin still finishes', async () => {
    const run = startDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa'], { stdin: 'pipe' });
    const done = await run.done;
    expect(done.code).toBe(0);
    run.proc.stdin?.destroy();
  });

  it('a bad knob value stops the run with exit 2 and one clear line', async () => {
    const done = await runDemo('lmms_eval', HANGING, { env: { LMMS_DEMO_FAIL: 'sometimes' } });
    expect(done.code).toBe(2);
    expect(done.stderr).toBe('demo harness: LMMS_DEMO_FAIL must be one of exit1, exit0, noresults (got \'sometimes\')\n');
  });
});
