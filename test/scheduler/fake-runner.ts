// A scripted stand-in for the runner, for the dispatch logic only (ordering, slots, GPUs, persistence).
// The real runner with real processes is exercised in scheduler.real.test.ts.
import type { RunnerApi } from '../../src/core/scheduler/index.js';
import type { ExitInfo } from '../../src/core/runner/index.js';

export interface FakeProc {
  jobDir: string;
  env: Record<string, string>;
  script: string;
  pid: number;
  exit(info?: Partial<ExitInfo>): void;
}

export function fakeRunner() {
  const procs: FakeProc[] = [];
  const alive = new Set<number>();
  let nextPid = 100_000;
  const exitRecords = new Map<string, ExitInfo>();
  const runner: RunnerApi = {
    async launchJob(req) {
      const pid = nextPid++;
      alive.add(pid);
      let resolve!: (e: ExitInfo) => void;
      const exited = new Promise<ExitInfo>((r) => (resolve = r));
      procs.push({
        jobDir: req.jobDir,
        env: req.env,
        script: req.script,
        pid,
        exit: (info) => {
          alive.delete(pid);
          resolve({ exit_code: 0, signal: null, ...info });
        },
      });
      return { pid, pgid: pid, startTime: 1, exited };
    },
    async stopGroup(handle) {
      const p = procs.find((x) => x.pid === handle.pid);
      if (!p || !alive.has(p.pid)) return { signal: null };
      p.exit({ exit_code: null, signal: 'SIGTERM' });
      return { signal: 'SIGTERM' };
    },
    watchAdopted(handle) {
      let resolve!: (e: ExitInfo) => void;
      const exited = new Promise<ExitInfo>((r) => (resolve = r));
      procs.push({ jobDir: '', env: {}, script: '', pid: handle.pid, exit: (info) => { alive.delete(handle.pid); resolve({ exit_code: 0, signal: null, ...info }); } });
      return { exited, cancel() {} };
    },
    isAlive: (h) => alive.has(h.pid),
    readExitRecord: (dir) => exitRecords.get(dir) ?? null,
    buildJobEnv: (base, opts) => ({ ...(base as Record<string, string>), ...(opts.gpus ? { CUDA_VISIBLE_DEVICES: opts.gpus.join(',') } : {}), ...opts.extra }),
    jobMembers: () => [],
    cgroupBase: () => null,
    createJobCgroup: () => null,
    removeJobCgroup: () => true,
    // The fake's processes are found by their job dir (the real one reads proc.json and /proc).
    async traceLaunch(jobDir) {
      const p = procs.find((x) => x.jobDir === jobDir && alive.has(x.pid));
      if (p) return { kind: 'running', handle: { pid: p.pid, pgid: p.pid, startTime: 1 }, via: 'record' };
      const exit = exitRecords.get(jobDir);
      return exit ? { kind: 'ended', exit } : { kind: 'never-started' };
    },
  };
  return { runner, procs, alive, exitRecords };
}

/** Judge stand-in: exit 0 succeeds, anything else fails (the real rule is tested in test/results). */
export async function simpleJudge(input: { exit: ExitInfo; stopped: boolean }) {
  if (input.stopped) return { state: 'stopped' as const, reason: 'stopped', results: [], tail: [] };
  return input.exit.exit_code === 0
    ? { state: 'succeeded' as const, reason: null, results: [], tail: [] }
    : { state: 'failed' as const, reason: `exited with code ${input.exit.exit_code}`, results: [], tail: [] };
}

/** Resolves when cond() holds, polling on the macrotask queue (no fixed sleeps). */
export async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
