/**
 * One cgroup per job, where the machine lets us make one.
 *
 * A process group or a session is something a process can leave (setsid, setpgid: a daemonised helper,
 * a vLLM engine), and an environment marker is something it can scrub. A cgroup it cannot leave
 * without write access to another cgroup: every descendant of the wrapper is born in the job's cgroup
 * whatever it does with sessions, groups or its environment, so stop reaches all of them.
 * Kernel interface: https://docs.kernel.org/admin-guide/cgroup-v2.html (cgroup.procs, cgroup.kill,
 * delegation) and https://docs.kernel.org/admin-guide/cgroup-v1/freezer-subsystem.html.
 *
 * Where the cgroup comes from, first that works:
 * - cgroup v2 (pure at /sys/fs/cgroup, or the hybrid /sys/fs/cgroup/unified): as root at the root of
 *   the hierarchy; otherwise in a subtree delegated to us (the parent of our own cgroup, or our own
 *   cgroup, when we may write there: e.g. inside `systemd-run --user --scope -p Delegate=yes`);
 * - cgroup v1 freezer, where we may write (root).
 * Each candidate is probed for real (a child is created and a short-lived process moved into it)
 * before it is used. No candidate: null, and stop falls back to the job's group, session and marker.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { readProcStat } from './proc.js';

/** `auto`: the best that works, else none; `v2` / `v1`: that kind or an error; `off`: never. */
export type CgroupMode = 'auto' | 'off' | 'v2' | 'v1';
export const CGROUP_MODES: readonly CgroupMode[] = ['auto', 'off', 'v2', 'v1'];
/** The setting's environment variable (also `--cgroup` on the hosts). */
export const CGROUP_ENV = 'LMMS_TUI_CGROUP';

export function parseCgroupMode(value: string | undefined, field = CGROUP_ENV): CgroupMode {
  if (value === undefined || value === '') return 'auto';
  const v = value.trim().toLowerCase();
  if ((CGROUP_MODES as readonly string[]).includes(v)) return v as CgroupMode;
  throw new UserError(`${field}: "${value}" is not a cgroup mode`, `use one of ${CGROUP_MODES.join(', ')} (default auto)`);
}

export interface CgroupBase {
  kind: 'v2' | 'v1';
  /** `<hierarchy dir>/lmms-tui-<uid>`: job cgroups are made inside it. */
  dir: string;
}

interface Mount {
  /** Path inside the hierarchy that is mounted (/ unless inside a cgroup namespace or bind mount). */
  root: string;
  point: string;
  fstype: string;
  superOpts: string[];
}

/** /proc/self/mountinfo, fields per proc(5): ... root mountpoint opts [optional...] - fstype source superopts. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (dash < 6 || f.length < dash + 4) continue;
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    mounts.push({ root: unescape(f[3]!), point: unescape(f[4]!), fstype: f[dash + 1]!, superOpts: f[dash + 3]!.split(',') });
  }
  return mounts;
}

/** Our cgroup in the v2 hierarchy (`0::/path`) and in named v1 controllers, from /proc/self/cgroup. */
function ownCgroups(text: string): { v2: string | null; v1: Map<string, string> } {
  let v2: string | null = null;
  const v1 = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') v2 = m[3]!;
    else for (const c of m[2]!.split(',')) v1.set(c, m[3]!);
  }
  return { v2, v1 };
}

/** Where `cgPath` (a path inside the hierarchy) is on disk, given how the hierarchy is mounted. */
function onDisk(mount: Mount, cgPath: string): string | null {
  const root = mount.root === '/' ? '' : mount.root;
  if (root && cgPath !== root && !cgPath.startsWith(`${root}/`)) return null;
  return path.join(mount.point, cgPath.slice(root.length));
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    accessSync(path.join(dir, 'cgroup.procs'), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `<candidate>/lmms-tui-<uid>` and moves a throwaway `sh` into a child of it: what the wrapper
 * will do. Many things can refuse that (no delegation, the v2 "no internal processes" rule, a
 * read-only mount in a container), and only trying tells.
 */
function probe(kind: 'v2' | 'v1', candidate: string, uid: number): CgroupBase | null {
  if (!writable(candidate)) return null;
  const dir = path.join(candidate, `lmms-tui-${uid}`);
  const test = path.join(dir, `probe-${process.pid}`);
  try {
    mkdirSync(test, { recursive: true });
    const r = spawnSync('/bin/sh', ['-c', 'echo $$ >"$1/cgroup.procs"', 'sh', test], { stdio: 'ignore', timeout: 5000 });
    return r.status === 0 ? { kind, dir } : null;
  } catch {
    return null;
  } finally {
    try {
      rmdirSync(test);
    } catch {
      // the probe's sh has exited, so this only fails if the directory was never made
    }
  }
}

export interface FindOptions {
  mountinfo?: string;
  selfCgroup?: string;
  uid?: number;
}

/** The first cgroup base that works for `mode`, or null (mode `off`, or nothing usable). */
export function findCgroupBase(mode: CgroupMode, opts: FindOptions = {}): CgroupBase | null {
  if (mode === 'off') return null;
  const uid = opts.uid ?? process.getuid?.() ?? -1;
  let mounts: Mount[];
  let own: ReturnType<typeof ownCgroups>;
  try {
    mounts = parseMountinfo(opts.mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8'));
    own = ownCgroups(opts.selfCgroup ?? readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    return null; // not Linux, or no /proc
  }
  if (mode === 'auto' || mode === 'v2') {
    for (const m of mounts.filter((x) => x.fstype === 'cgroup2')) {
      const candidates: string[] = [];
      if (uid === 0) candidates.push(m.point);
      const mine = own.v2 !== null ? onDisk(m, own.v2) : null;
      if (mine && mine !== m.point) candidates.push(path.dirname(mine));
      if (mine) candidates.push(mine);
      for (const c of new Set(candidates)) {
        const base = probe('v2', c, uid);
        if (base) return base;
      }
    }
  }
  if (mode === 'auto' || mode === 'v1') {
    for (const m of mounts.filter((x) => x.fstype === 'cgroup' && x.superOpts.includes('freezer'))) {
      const base = probe('v1', m.point, uid);
      if (base) return base;
    }
  }
  return null;
}

const bases = new Map<CgroupMode, CgroupBase | null>();

/** findCgroupBase for this machine, probed once per process and mode. */
export function cgroupBase(mode: CgroupMode): CgroupBase | null {
  if (!bases.has(mode)) bases.set(mode, findCgroupBase(mode));
  return bases.get(mode)!;
}

/** Creates the job's cgroup; null when the mode allows none or creating it failed. */
export function createJobCgroup(jobId: string, mode: CgroupMode): string | null {
  const base = cgroupBase(mode);
  if (!base || !/^[A-Za-z0-9._-]+$/.test(jobId)) return null;
  const dir = path.join(base.dir, jobId);
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return null;
  }
}

function kindOf(cg: string): 'v1' | 'v2' {
  return existsSync(path.join(cg, 'freezer.state')) ? 'v1' : 'v2';
}

/** The cgroup and every cgroup below it (a job that may write there can make children). */
function tree(cg: string): string[] {
  const out = [cg];
  try {
    for (const e of readdirSync(cg, { withFileTypes: true })) if (e.isDirectory()) out.push(...tree(path.join(cg, e.name)));
  } catch {
    // gone
  }
  return out;
}

function readPids(cg: string): number[] {
  try {
    return readFileSync(path.join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Live (non-zombie) processes in the job's cgroup tree; [] once it is gone. */
export function cgroupProcs(cg: string): number[] {
  const pids = new Set<number>();
  for (const dir of tree(cg)) for (const pid of readPids(dir)) pids.add(pid);
  return [...pids].filter((pid) => {
    const s = readProcStat(pid);
    return s !== null && s.state !== 'Z' && s.state !== 'X';
  });
}

/**
 * True while `pid` is still in the cgroup whose hierarchy path is `rel` (or below it): a pid read from
 * cgroup.procs is checked again just before it is signalled, so a pid reused meanwhile is left alone.
 */
function stillIn(pid: number, rel: string | null): boolean {
  if (rel === null) return false;
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .some((line) => {
        const p = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
        return p === rel || p.startsWith(`${rel}/`);
      });
  } catch {
    return false;
  }
}

/** The hierarchy-relative path of an on-disk cgroup dir, for comparing with /proc/<pid>/cgroup. */
function cgPathOf(cg: string): string | null {
  let mounts: Mount[];
  try {
    mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return null;
  }
  let best: Mount | null = null;
  for (const m of mounts) {
    if ((m.fstype === 'cgroup' || m.fstype === 'cgroup2') && (cg === m.point || cg.startsWith(`${m.point}/`))) {
      if (!best || m.point.length > best.point.length) best = m;
    }
  }
  if (!best) return null;
  const root = best.root === '/' ? '' : best.root;
  return `${root}${cg.slice(best.point.length)}` || '/';
}

function signalPids(pids: number[], signal: NodeJS.Signals, check: (pid: number) => boolean): number {
  let sent = 0;
  for (const pid of pids) {
    if (!check(pid)) continue;
    try {
      process.kill(pid, signal);
      sent++;
    } catch {
      // exited in between
    }
  }
  return sent;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** v1: freezes the tree (waiting up to `waitMs` for it to settle); the pids in a frozen cgroup cannot exit or be reused. */
function freezeV1(cg: string, waitMs: number): void {
  try {
    writeFileSync(path.join(cg, 'freezer.state'), 'FROZEN');
  } catch {
    return;
  }
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    try {
      if (readFileSync(path.join(cg, 'freezer.state'), 'utf8').trim() === 'FROZEN') return;
    } catch {
      return;
    }
    sleepSync(1);
  }
}

function thawV1(cg: string): void {
  try {
    writeFileSync(path.join(cg, 'freezer.state'), 'THAWED');
  } catch {
    // gone
  }
}

/**
 * Signals every process in the job's cgroup; returns how many were signalled. SIGKILL on v2 is the
 * kernel's own cgroup.kill (atomic, no pid is read, so none can be a reused one; Linux ≥ 5.14),
 * else each listed pid; on v1 the cgroup is frozen first so the set cannot change under us, then thawed
 * so the signals are delivered.
 */
export function signalCgroup(cg: string, signal: 'SIGTERM' | 'SIGKILL'): number {
  if (kindOf(cg) === 'v1') {
    const frozen = signal === 'SIGKILL';
    if (frozen) freezeV1(cg, 200);
    try {
      const rel = cgPathOf(cg);
      return signalPids(cgroupProcs(cg), signal, (pid) => stillIn(pid, rel));
    } finally {
      if (frozen) thawV1(cg);
    }
  }
  const pids = cgroupProcs(cg);
  if (pids.length === 0) return 0;
  if (signal === 'SIGKILL' && existsSync(path.join(cg, 'cgroup.kill'))) {
    try {
      writeFileSync(path.join(cg, 'cgroup.kill'), '1');
      return pids.length;
    } catch {
      // fall through to one by one
    }
  }
  const rel = cgPathOf(cg);
  return signalPids(pids, signal, (pid) => stillIn(pid, rel));
}

/** Removes the job's cgroup tree once it is empty; false when processes are still in it. */
export function removeJobCgroup(cg: string): boolean {
  let ok = true;
  for (const dir of tree(cg).reverse()) {
    try {
      rmdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') ok = false;
    }
  }
  return ok;
}
