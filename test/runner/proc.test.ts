// /proc readers against real processes (a comm with ") " in it, a real zombie, a faked pid reuse).
import { spawn } from 'node:child_process';
import { readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { groupMembers, isAlive, markedProcesses, readProcStat, readStartTime, sessionMembers } from '../../src/core/runner/index.js';
import { killAll, tempDir, track, waitFor } from './helpers.js';

afterEach(killAll);

/** Starts `argv` detached (its own process group) and tracks the group for cleanup. */
function detached(argv: string[]): number {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid!;
  track({ pid, pgid: pid, startTime: 0 });
  return pid;
}

describe('readStartTime / isAlive', () => {
  it('identifies a live process by pid and start time, and not a reused pid', () => {
    const start = readStartTime(process.pid);
    expect(start).toBeGreaterThan(0);
    expect(isAlive({ pid: process.pid, startTime: start! })).toBe(true);
    // Same pid, different start time: what a recycled pid looks like after a reboot or wrap-around.
    expect(isAlive({ pid: process.pid, startTime: start! + 1 })).toBe(false);
  });

  it('reports no process for a pid that does not exist', () => {
    const used = new Set(readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number));
    let free = 4_000_000;
    while (used.has(free)) free++;
    expect(readStartTime(free)).toBeNull();
    expect(isAlive({ pid: free, startTime: 1 })).toBe(false);
  });

  it('parses stat when the command name contains ") " and spaces', async () => {
    const link = path.join(tempDir(), 'x) y (z');
    symlinkSync('/bin/sleep', link);
    const pid = detached([link, '1000']);
    await waitFor(() => readProcStat(pid)?.state === 'S', 'the sleeper to sleep');
    expect(readProcStat(pid)).toMatchObject({ pid, pgrp: pid, ppid: process.pid, state: 'S' });
    expect(readStartTime(pid)).toBeGreaterThanOrEqual(readStartTime(process.pid)!);
  });
});

describe('groupMembers', () => {
  it('lists the live members of a group and leaves zombies out', async () => {
    // bash forks `sleep 0`, then execs `sleep 1000` in its own place: the exited `sleep 0` becomes a
    // zombie whose parent never reaps it, a real zombie in the group for as long as the test needs.
    const pid = detached(['bash', '-c', 'sleep 0 & exec sleep 1000']);
    const zombie = (): number | undefined =>
      readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .map((n) => readProcStat(Number(n)))
        .find((s) => s?.pgrp === pid && s.state === 'Z')?.pid;
    await waitFor(() => zombie() !== undefined, 'the zombie');
    expect(groupMembers(pid)).toEqual([pid]);
    const z = zombie()!;
    expect(isAlive({ pid: z, startTime: readStartTime(z)! })).toBe(false);
    expect(groupMembers(pid + 1_000_000)).toEqual([]);
  });
});

describe('markedProcesses / sessionMembers', () => {
  it('finds a job marker in the environment even after the process left the group and the session', async () => {
    const marker = `m${process.pid}x${Date.now()}`;
    // setsid -f: the sleep ends up in a new session and group, as a daemonising worker would.
    const child = spawn('setsid', ['-f', 'sleep', '1000'], { env: { ...process.env, LMMS_TUI_JOB: marker }, stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    let found: number[] = [];
    await waitFor(() => (found = markedProcesses('LMMS_TUI_JOB', marker)).length === 1, 'the marked sleep', 5_000);
    const stat = readProcStat(found[0]!)!;
    track({ pid: stat.pid, pgid: stat.pgrp, startTime: stat.startTime });
    expect(stat.session).toBe(stat.pid);
    expect(sessionMembers(stat.session)).toEqual([stat.pid]);
    // A value that is only a prefix of the marker does not match.
    expect(markedProcesses('LMMS_TUI_JOB', marker.slice(0, -1))).toEqual([]);
  });
});
