// Finding a cgroup for jobs (src/core/runner/cgroup.ts), for real: as root, and as another uid inside a
// delegated cgroup v2 subtree.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupProcs, createJobCgroup, findCgroupBase, parseCgroupMode, parseMountinfo, readProcStat, removeJobCgroup } from '../../src/core/runner/index.js';
import { UserError } from '../../src/core/errors.js';
import { readableCopy, readableScript } from '../helpers/readable-copy.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function mounted(fstype: string, opt?: string): string | null {
  const m = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).find((x) => x.fstype === fstype && (!opt || x.superOpts.includes(opt)));
  return m?.point ?? null;
}

describe('cgroup mode setting', () => {
  it('accepts auto, off, v2, v1 (any case, empty = auto) and names the field and the choices otherwise', () => {
    expect(parseCgroupMode(undefined)).toBe('auto');
    expect(parseCgroupMode('')).toBe('auto');
    expect(parseCgroupMode(' OFF ')).toBe('off');
    expect(parseCgroupMode('v1')).toBe('v1');
    expect(() => parseCgroupMode('yes', '--cgroup')).toThrow(UserError);
    expect(() => parseCgroupMode('yes', '--cgroup')).toThrow(/--cgroup: "yes" is not a cgroup mode/);
    try {
      parseCgroupMode('v3');
    } catch (err) {
      expect((err as UserError).hint).toBe('use one of auto, off, v2, v1 (default auto)');
    }
  });

  it('off finds nothing', () => {
    expect(findCgroupBase('off')).toBeNull();
  });
});

describe.runIf(process.platform === 'linux' && isRoot)('cgroups as root', () => {
  // CI runs as root: a hierarchy that is mounted must be usable, or this fails (never a quiet fallback).
  it('uses cgroup v2 at the root of the hierarchy where it is mounted, else the v1 freezer', () => {
    const v2 = mounted('cgroup2');
    const freezer = mounted('cgroup', 'freezer');
    expect(v2 ?? freezer, 'root has no cgroup hierarchy at all').not.toBeNull();
    if (v2) expect(findCgroupBase('auto')).toEqual({ kind: 'v2', dir: path.join(v2, 'lmms-tui-0') });
    else expect(findCgroupBase('auto')).toEqual({ kind: 'v1', dir: path.join(freezer!, 'lmms-tui-0') });
    if (freezer) expect(findCgroupBase('v1')).toEqual({ kind: 'v1', dir: path.join(freezer, 'lmms-tui-0') });
  });

  it('creates a job cgroup, lists its live processes and removes it only once empty', async () => {
    const cg = createJobCgroup(`t${process.pid}`, 'auto')!;
    expect(cg).not.toBeNull();
    cleanups.push(() => removeJobCgroup(cg));
    const child = execFile('/bin/sh', ['-c', `echo $$ >${cg}/cgroup.procs; exec sleep 1000`]);
    cleanups.push(() => child.kill('SIGKILL'));
    const deadline = Date.now() + 5000;
    while (cgroupProcs(cg).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(cgroupProcs(cg)).toEqual([child.pid]);
    expect(removeJobCgroup(cg)).toBe(false);
    expect(existsSync(cg)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(cgroupProcs(cg)).toEqual([]);
    expect(removeJobCgroup(cg)).toBe(true);
    expect(existsSync(cg)).toBe(false);
  });

  it.runIf(mounted('cgroup2') !== null)(
    'as another uid in a delegated cgroup v2 subtree: jobs get cgroups there and stop kills a setsid worker ignoring SIGTERM',
    async () => {
      // Delegation as the kernel documents it (Documentation/admin-guide/cgroup-v2.rst, "Delegation"):
      // chown the subtree's directory and its cgroup.procs, cgroup.threads and cgroup.subtree_control.
      const deleg = path.join(mounted('cgroup2')!, `lmms-test-deleg-${process.pid}`);
      mkdirSync(path.join(deleg, 'host'), { recursive: true });
      for (const f of ['', 'cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control']) chownSync(path.join(deleg, f), 65534, 65534);
      for (const f of ['', 'cgroup.procs']) chownSync(path.join(deleg, 'host', f), 65534, 65534);
      cleanups.push(() => removeJobCgroup(deleg));
      const state = mkdtempSync(path.join(tmpdir(), 'lmms-deleg-'));
      chownSync(state, 65534, 65534);
      cleanups.push(() => rmSync(state, { recursive: true, force: true }));
      const pidfile = path.join(state, 'pids');
      // The other uid runs a readable copy (this checkout may sit under a 0700 directory): the host script
      // bundled, and the fixture beside it (test/helpers/readable-copy.ts).
      const spawnSh = path.join(readableCopy(), 'test/fixtures/escape/spawn.sh');
      const child = await readableScript(path.join(root, 'test/runner/cgroup-child.ts'));
      // The host starts inside the delegated subtree (sh moves itself, then becomes the other uid).
      const { stdout } = await promisify(execFile)(
        '/bin/sh',
        [
          '-c',
          `echo $$ >"$1/host/cgroup.procs" && exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$2" "$3" "$4" "$2" "$5" "$6"`,
          'sh',
          deleg,
          state,
          process.execPath,
          child,
          spawnSh,
          pidfile,
        ],
        { cwd: '/', timeout: 60_000 },
      );
      const { job, inCgroup } = JSON.parse(stdout) as { job: { cgroup: string; state: string; signal: string; escaped: number[] }; inCgroup: number[] };
      const [worker] = readFileSync(pidfile, 'utf8').trim().split('\n').map(Number) as [number];
      expect(job.cgroup).toBe(path.join(deleg, 'lmms-tui-65534', job.cgroup.split('/').pop()!));
      expect(inCgroup).toContain(worker);
      expect(job).toMatchObject({ state: 'stopped', signal: 'SIGKILL', escaped: [] });
      const stat = readProcStat(worker);
      expect(stat === null || stat.state === 'Z').toBe(true);
      expect(existsSync(job.cgroup)).toBe(false);
    },
  );
});
