/** Shapes shared by the runner and its callers (the scheduler persists ProcessHandle with each job). */

/** How a job ended. `signal` is a Node-style name ('SIGTERM'); exactly one of the two is non-null when known. */
export interface ExitInfo {
  exit_code: number | null;
  signal: string | null;
}

/**
 * Enough to find a job's processes again after a restart. `pid` is the wrapper, which is also the
 * process-group leader (pgid === pid). `startTime` is /proc/<pid>/stat field 22 (clock ticks since
 * boot): pids are reused (pid_max is often 32768), the pair (pid, startTime) is not.
 */
export interface ProcessHandle {
  pid: number;
  pgid: number;
  startTime: number;
  /**
   * The job's id, as carried by every job process in JOB_MARKER_ENV (env.ts): stop also reaches
   * processes that left the group and the session but kept the marker. Absent: no marker sweep.
   */
  jobId?: string | null;
  /** The job's cgroup directory (cgroup.ts), when it has one: stop kills everything in it. */
  cgroup?: string | null;
}

export interface LaunchRequest {
  /** Exists; job.sh, wrapper.sh, output.log and exit.json are written here. */
  jobDir: string;
  /** The job's cgroup (createJobCgroup): the wrapper moves itself into it before it runs anything. */
  cgroup?: string | null;
  /** Exact bash text to run; written to <jobDir>/job.sh. */
  script: string;
  /** The COMPLETE child environment (make it with buildJobEnv). */
  env: Record<string, string>;
  /** Scratch working directory for the job; created if missing. */
  cwd: string;
  /** Cap on output.log in bytes (see logcap.ts); 0 or absent: the kernel writes the log directly. */
  logCapBytes?: number;
}

export interface LaunchedJob extends ProcessHandle {
  /** Resolves when the job ends; never rejects. */
  exited: Promise<ExitInfo>;
}

export interface StopOptions {
  /** How long the group gets to exit after SIGTERM before SIGKILL. Default 10 000 ms. */
  graceMs?: number;
  /** How often the group is checked while waiting. Default 100 ms. */
  pollMs?: number;
  /**
   * How long to wait for the group to vanish after SIGKILL. SIGKILL cannot be ignored, but a process
   * stuck in uninterruptible sleep (a wedged GPU driver call) dies only when the call returns.
   * Default 5 000 ms; survivors are then reported in StopResult.remaining.
   */
  killWaitMs?: number;
}

export interface StopResult {
  /** The signal that ended the group; null when it was already gone (nothing was sent). */
  signal: 'SIGTERM' | 'SIGKILL' | null;
  /**
   * Pids of the job still alive after SIGKILL and killWaitMs (normally absent): stuck in the kernel
   * (uninterruptible sleep, a frozen cgroup), or out of our reach. The scheduler records them as `escaped`.
   */
  remaining?: number[];
}

/** Time source for stop escalation; the default uses Date.now and setTimeout, so vitest fake timers drive it. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
