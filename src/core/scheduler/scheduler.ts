import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { ensurePrivateDir } from '../private-files.js';
import { keptEnv } from '../runner/env.js';
import path from 'node:path';
import { buildCommand } from '../command/build.js';
import { asResourceError, UserError, ValidationError } from '../errors.js';
import { gpuBoundProblem, validateSpec, validateSubmission } from '../command/validate.js';
import { readSnapshot, snapshotResults, type ResultsSnapshot } from '../results/find.js';
import { DEFAULT_LOG_CAP, finishLogCap, readLogCapRecord } from '../runner/logcap.js';
import { demoHarnessDir } from '../paths.js';
import { specSecrets } from '../redact.js';
import { judgeOutcome } from '../results/judge.js';
import * as realRunner from '../runner/index.js';
import { JOB_FILES, parseCgroupMode, readEnvVar, type CgroupMode, type ExitInfo, type LaunchedJob, type LaunchTrace, type ProcessHandle } from '../runner/index.js';
import type { EvalSpec } from '../spec.js';
import { writeFileAtomic } from './atomic.js';
import { newJobId, resolveJobId } from './ids.js';
import { HostLock } from './lock.js';
import { JobStore, type DamagedRecord, type StoreProblem } from './store.js';
import { isActive, isFinished, JOB_STATES, labelProblems, PAUSE_FILE, unstartedFields, type QueueMove, type JobRecord, type JobState, type QueueSummary, type SubmitOptions } from './types.js';

/** `<jobDir>/results-before.json`: the output path's results files just before the job started. */
const RESULTS_BEFORE = 'results-before.json';

export type RunnerApi = Pick<
  typeof realRunner,
  'launchJob' | 'stopGroup' | 'watchAdopted' | 'isAlive' | 'readExitRecord' | 'buildJobEnv' | 'jobMembers' | 'cgroupBase' | 'createJobCgroup' | 'removeJobCgroup' | 'traceLaunch'
>;

/**
 * The points of the launch protocol, in order (see Scheduler.start): `persisted` (job.json says running
 * and launch.json is written; nothing spawned yet), `spawned` (the wrapper exists; its pid is not in
 * job.json yet), `recorded` (job.json holds the pid). A host may die after any of them; the next one
 * adopts the job in every case.
 */
export type LaunchStep = 'persisted' | 'spawned' | 'recorded';

export interface SchedulerOptions {
  /** State dir; jobs live in `<stateDir>/jobs/<id>/`. */
  stateDir: string;
  /** Jobs running at once. Default: the GPU pool's size when there is a pool, else 1. */
  concurrency?: number;
  /** GPU pool (indices); null/undefined: no pool, GPU requests are not enforced. */
  gpus?: number[] | null;
  /** Stop: SIGTERM, then SIGKILL after this long. Default 10 s. */
  graceMs?: number;
  /** Stop: how long processes get to vanish after SIGKILL before they are recorded as `escaped`. Default 5 s. */
  killWaitMs?: number;
  /** Finished jobs kept on disk (oldest removed first). Default 500. */
  keepFinished?: number;
  /** Poll interval for jobs adopted from a previous host. Default 500 ms. */
  adoptPollMs?: number;
  /** First accelerate --main_process_port; concurrent multi-GPU jobs get distinct ports. Default 29500. */
  basePort?: number;
  /**
   * One cgroup per job (src/core/runner/cgroup.ts): `auto` where the machine allows it, `v2`/`v1` that
   * kind or refuse to open, `off` never. Default: LMMS_TUI_CGROUP, else auto.
   */
  cgroup?: CgroupMode;
  /**
   * Most GPUs one job may ask for when there is no pool (with a pool, its size is the bound). Default 8;
   * the CLI passes the visible device count (see hostOptions). `num_gpus` above it is refused at submit:
   * it becomes `accelerate launch --num_processes N`, one process per "GPU".
   */
  maxGpus?: number;
  /** Cap on each job's output.log in bytes (head + rolling tail kept, see runner/logcap.ts); 0: none. Default 2 GiB. */
  logCapBytes?: number;
  /** How often records that could not be saved (disk full) are retried. Default 2000 ms. */
  saveRetryMs?: number;
  /** Take the one-host-per-state-dir lock. Default true. */
  lock?: boolean;
  /**
   * How long a new host waits for a just-spawned wrapper's own record (proc.json) before taking the
   * process carrying the job's marker as the wrapper. Default 3000 ms.
   */
  traceWaitMs?: number;
  /** Called at each point of the launch protocol; tests kill the host there to prove each window is closed. */
  onLaunchStep?: (step: LaunchStep, job: JobRecord, pid?: number) => void;
  runner?: RunnerApi;
  judge?: typeof judgeOutcome;
}

export interface SchedulerEvents {
  /** A job was created or changed (state, pid, …). `previous` is its state before, null when new. */
  job: [job: JobRecord, previous: JobState | null];
  /** A job was removed from the store. */
  removed: [id: string];
  /** Something on disk failed (a record not saved, a directory not removed); the queue carries on. */
  fault: [message: string];
}

/**
 * The queue: submission-ordered, event-driven dispatch (a freed slot starts the next job at once),
 * a concurrency limit and a GPU pool, persistent job records, and re-adoption of jobs that outlived
 * a previous host. It owns no terminal and no sockets: the CLI, the server and the TUI host it.
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  readonly store: JobStore;
  readonly problems: StoreProblem[];
  readonly gpus: number[] | null;
  readonly concurrency: number;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly active = new Set<string>(); // jobs holding a slot
  private readonly ended = new Map<string, Promise<void>>();
  private readonly launching = new Map<string, Promise<void>>();
  private readonly stopSignals = new Map<string, string | null>();
  private readonly stopEscaped = new Map<string, number[]>();
  private readonly cgroupMode: CgroupMode;
  private readonly stopping = new Map<string, Promise<unknown>>();
  private readonly adopted = new Map<string, { cancel(): void }>();
  private readonly snapshots = new Map<string, ResultsSnapshot | null>();
  private readonly runner: RunnerApi;
  private readonly judge: typeof judgeOutcome;
  private readonly lock: HostLock | null;
  private seq = 0;
  private closed = false;
  /** Dispatch paused by the user (persisted in PAUSE_FILE). */
  private pausedFlag = false;
  /** Batch operations in progress that hold dispatch (see stopMany): a freed slot must not start a job mid-batch. */
  private holds = 0;
  /** Jobs whose latest state is only in memory: saving failed (ENOSPC, EACCES) and is retried. */
  private readonly unsaved = new Set<string>();
  private saveTimer: NodeJS.Timeout | null = null;

  private readonly byKey = new Map<string, string>(); // idempotency key -> job id

  private constructor(readonly opts: SchedulerOptions, loaded: { jobs: JobRecord[]; problems: StoreProblem[] }, store: JobStore, lock: HostLock | null) {
    super();
    this.store = store;
    this.problems = loaded.problems;
    this.lock = lock;
    this.runner = opts.runner ?? realRunner;
    this.judge = opts.judge ?? judgeOutcome;
    this.gpus = opts.gpus && opts.gpus.length ? [...opts.gpus] : null;
    this.concurrency = Math.max(1, opts.concurrency ?? (this.gpus ? this.gpus.length : 1));
    this.cgroupMode = opts.cgroup ?? parseCgroupMode(process.env.LMMS_TUI_CGROUP);
    for (const job of loaded.jobs) this.add(job);
    this.pausedFlag = existsSync(path.join(opts.stateDir, PAUSE_FILE));
  }

  private add(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.seq = Math.max(this.seq, job.seq);
    if (job.idempotency_key) this.byKey.set(job.idempotency_key, job.id);
  }

  /** Loads the store, re-adopts jobs a previous host left running, and starts dispatching. */
  static async open(opts: SchedulerOptions): Promise<Scheduler> {
    ensurePrivateDir(opts.stateDir);
    const lock = opts.lock === false ? null : HostLock.acquire(path.join(opts.stateDir, 'scheduler.lock'));
    try {
      const store = new JobStore(path.join(opts.stateDir, 'jobs'));
      const loaded = store.load();
      const s = new Scheduler(opts, loaded, store, lock);
      s.checkCgroupMode();
      await s.recoverDamaged(loaded.damaged);
      s.refuseDamagedQueued();
      await s.readopt();
      s.tidyCgroups();
      s.dispatch();
      return s;
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  // ---- queries ---------------------------------------------------------------------------------

  list(filter?: { state?: JobState | readonly JobState[] }): JobRecord[] {
    const states = filter?.state === undefined ? null : new Set(Array.isArray(filter.state) ? filter.state : [filter.state]);
    return [...this.jobs.values()].filter((j) => !states || states.has(j.state)).sort((a, b) => a.seq - b.seq);
  }

  /** A job by full id or unique prefix; throws a UserError naming the problem. */
  get(idOrPrefix: string): JobRecord {
    return this.jobs.get(resolveJobId(idOrPrefix, this.jobs.keys()))!;
  }

  logPath(id: string): string {
    return this.store.logPath(this.get(id).id);
  }

  queue(): QueueSummary {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const j of this.jobs.values()) counts[j.state]++;
    return {
      running: this.list({ state: ['running', 'orphaned'] }).map((j) => j.id),
      queued: this.list({ state: 'queued' }).map((j, i) => ({ id: j.id, position: i + 1 })),
      counts,
      gpus: { total: this.gpus ? [...this.gpus] : null, free: this.freeGpus() },
      concurrency: this.concurrency,
      paused: this.pausedFlag,
    };
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /**
   * Pauses dispatch: running jobs go on, queued jobs stay queued until resume. Persisted (PAUSE_FILE), so a
   * host restarted meanwhile stays paused rather than starting what the user held back.
   */
  pause(): QueueSummary {
    if (!this.pausedFlag) {
      writeFileAtomic(path.join(this.opts.stateDir, PAUSE_FILE), `${new Date().toISOString()}\n`);
      this.pausedFlag = true;
    }
    return this.queue();
  }

  resume(): QueueSummary {
    if (this.pausedFlag) {
      rmSync(path.join(this.opts.stateDir, PAUSE_FILE), { force: true });
      this.pausedFlag = false;
      this.dispatch();
    }
    return this.queue();
  }

  /**
   * Moves a queued job one place up or down, or to the head of the queue. The queue order is `seq`; the
   * queued jobs' seq values are dealt out again in the new order, so running and finished jobs keep theirs.
   */
  moveQueued(idOrPrefix: string, to: QueueMove): QueueSummary {
    const job = this.get(idOrPrefix);
    if (job.state !== 'queued') throw new UserError(`job ${job.id} is ${job.state}, not queued`, 'only queued jobs can be moved');
    const queued = this.list({ state: 'queued' });
    const seqs = queued.map((j) => j.seq);
    const i = queued.indexOf(job);
    const order = [...queued];
    order.splice(i, 1);
    const at = to === 'top' ? 0 : to === 'up' ? Math.max(0, i - 1) : Math.min(queued.length - 1, i + 1);
    order.splice(at, 0, job);
    order.forEach((j, k) => {
      if (j.seq !== seqs[k]) {
        j.seq = seqs[k]!;
        this.save(j);
        this.emit('job', j, j.state);
      }
    });
    this.dispatch();
    return this.queue();
  }

  /** Cancels every queued job; returns those cancelled, in queue order. */
  cancelAllQueued(): JobRecord[] {
    const out: JobRecord[] = [];
    for (const job of this.list({ state: 'queued' })) out.push(this.cancel(job.id));
    return out;
  }

  /**
   * Stops several jobs as one operation: queued ones are cancelled first, then the running ones are stopped
   * together while dispatch is held, so a slot freed by the first to end does not start a queued job that
   * the user meant to stop next (or any job, before the batch is done). Per-job outcomes, in the order given.
   */
  async stopMany(ids: readonly string[], opts: { graceMs?: number } = {}): Promise<BatchOutcome[]> {
    const found: ({ job: JobRecord } | { id: string; problem: UserError })[] = ids.map((id) => {
      try {
        return { job: this.get(id) };
      } catch (err) {
        if (err instanceof UserError) return { id, problem: err };
        throw err;
      }
    });
    this.holds++;
    try {
      const cancelled = new Set<string>();
      for (const f of found) {
        if ('job' in f && f.job.state === 'queued') {
          this.cancel(f.job.id);
          cancelled.add(f.job.id);
        }
      }
      return await Promise.all(
        found.map(async (f): Promise<BatchOutcome> => {
          if (!('job' in f)) return f;
          if (cancelled.has(f.job.id)) return { job: f.job };
          try {
            return { job: await this.stop(f.job.id, opts) };
          } catch (err) {
            if (err instanceof UserError) return { id: f.job.id, problem: err };
            throw err;
          }
        }),
      );
    } finally {
      this.holds--;
      this.dispatch();
    }
  }

  /** 1-based position among queued jobs, or null when not queued. */
  position(id: string): number | null {
    const q = this.list({ state: 'queued' });
    const i = q.findIndex((j) => j.id === id);
    return i < 0 ? null : i + 1;
  }

  /** Resolves once the job's launch has completed (it is running with a pid, or failed to start, or still queued). */
  async started(id: string): Promise<JobRecord> {
    const job = this.get(id);
    await this.launching.get(job.id);
    return job;
  }

  /** Resolves once the job has reached a finished state. */
  async waitFor(id: string): Promise<JobRecord> {
    const job = this.get(id);
    if (isFinished(job.state)) return job;
    await keepingAlive(
      new Promise<void>((resolve) => {
        const onJob = (j: JobRecord) => {
          if (j.id === job.id && isFinished(j.state)) {
            this.off('job', onJob);
            resolve();
          }
        };
        this.on('job', onJob);
      }),
    );
    return this.jobs.get(job.id)!;
  }

  // ---- operations ------------------------------------------------------------------------------

  /** The job made for an idempotency key, if any (see submit). */
  findByIdempotencyKey(key: string): JobRecord | undefined {
    const id = this.byKey.get(key);
    return id === undefined ? undefined : this.jobs.get(id);
  }

  /**
   * Queues a job. With `idempotencyKey`, a repeat of a submit that already made a job (a client retrying
   * after a connection reset, even across a server restart: the key is in job.json) returns that job
   * instead of queueing a second one; the same key with a different spec is refused.
   */
  submit(spec: EvalSpec, opts: SubmitOptions = {}): JobRecord {
    this.assertOpen();
    const key = opts.idempotencyKey ?? null;
    if (key !== null) {
      const existing = this.findByIdempotencyKey(key);
      if (existing) {
        if (canonical(existing.spec) !== canonical(spec)) {
          throw new UserError(
            `idempotency key ${JSON.stringify(key)} was already used for job ${existing.id} with a different spec`,
            'send a new key for a new job (a retry must repeat the same request)',
          );
        }
        return existing;
      }
    }
    const problems = validateSpec(spec);
    problems.push(...validateSubmission({ cwd: opts.cwd, env: opts.env }), ...labelProblems(opts.label));
    const bound = gpuBoundProblem(spec, { pool: this.gpus, max: this.opts.maxGpus ?? 8 });
    if (bound) problems.push(bound);
    if (problems.length) throw new ValidationError(problems);
    const cwd = path.resolve(opts.cwd ?? process.cwd());
    if (opts.refuseDuplicate) {
      const twin = this.findDuplicate(spec, cwd);
      if (twin) throw new DuplicateJobError(twin);
    }
    const id = newJobId((x) => this.jobs.has(x));
    const dir = this.store.dir(id);
    const job: JobRecord = {
      ...unstartedFields(),
      id,
      state: 'queued',
      spec: structuredClone(spec),
      seq: ++this.seq,
      created_at: new Date().toISOString(),
      cwd,
      // Only what the job can use: names the runner scrubs anyway (our own LMMS_TUI_* such as a client's
      // token, launcher ranks) would be secrets kept on disk for nothing (see keptEnv in runner/env.ts).
      env: opts.env ? keptEnv(opts.env) : null,
      // Every run gets its own results dir unless the user chose one: success is judged by a new
      // results file appearing there (lmms-eval exits 0 on failure).
      output_path: spec.output_path ? path.resolve(cwd, spec.output_path) : path.join(dir, 'results'),
      retry_of: opts.retryOf ?? null,
      idempotency_key: key,
      label: opts.label?.trim() || null,
    };
    this.store.create(job);
    this.add(job);
    this.emit('job', job, null);
    this.dispatch();
    return job;
  }

  /**
   * A queued or running job with the same spec (field order aside) submitted from the same directory: what a
   * second submit of the same command would duplicate. The environment is not compared: it differs between
   * any two shells (TMUX_PANE, OLDPWD) without making the run different.
   */
  findDuplicate(spec: EvalSpec, cwd: string): JobRecord | undefined {
    const want = canonical(spec);
    const dir = path.resolve(cwd);
    for (const job of this.jobs.values()) {
      if ((job.state === 'queued' || job.state === 'running') && job.cwd === dir && canonical(job.spec) === want) return job;
    }
    return undefined;
  }

  /** Cancels a queued job. */
  cancel(idOrPrefix: string): JobRecord {
    const job = this.get(idOrPrefix);
    if (job.state !== 'queued') {
      throw new UserError(`job ${job.id} is ${job.state}, not queued`, isActive(job.state) ? 'use stop for a running job' : 'nothing to cancel');
    }
    this.update(job, { state: 'cancelled', ended_at: new Date().toISOString(), error: 'cancelled before it started' });
    this.prune();
    return job;
  }

  /** Stops a running job (SIGTERM to its group, SIGKILL after the grace period); a queued one is cancelled. */
  async stop(idOrPrefix: string, opts: { graceMs?: number } = {}): Promise<JobRecord> {
    const job = this.get(idOrPrefix);
    if (job.state === 'queued') return this.cancel(job.id);
    if (!isActive(job.state)) throw new UserError(`job ${job.id} already ${job.state}`, 'nothing to stop');
    const graceMs = opts.graceMs ?? this.opts.graceMs ?? 10_000;
    // When and with what grace: a client can then show "SIGKILL in N s" with the server's own numbers.
    if (!job.stop_requested) this.update(job, { stop_requested: true, stop_requested_at: new Date().toISOString(), stop_grace_ms: graceMs });
    await this.launching.get(job.id);
    if (job.pid !== null && job.proc_start !== null && !isFinished(job.state) && !this.stopping.has(job.id)) {
      const stopping = this.runner.stopGroup(handleOf(job)!, { graceMs, killWaitMs: this.opts.killWaitMs }).then((res) => {
        this.stopSignals.set(job.id, res.signal);
        this.stopEscaped.set(job.id, res.remaining ?? []);
      });
      this.stopping.set(job.id, stopping);
    }
    await keepingAlive(Promise.all([this.stopping.get(job.id), this.ended.get(job.id)]));
    return this.jobs.get(job.id)!;
  }

  /** A new job with the same spec, directory and environment. */
  retry(idOrPrefix: string): JobRecord {
    const old = this.get(idOrPrefix);
    const spec = structuredClone(old.spec);
    return this.submit(spec, { cwd: old.cwd, env: old.env, retryOf: old.id, label: old.label });
  }

  /** Deletes a finished job and its files. */
  remove(idOrPrefix: string): void {
    const job = this.get(idOrPrefix);
    if (!isFinished(job.state)) {
      const first = isActive(job.state) ? 'stop' : 'cancel';
      throw new UserError(`job ${job.id} is ${job.state}; ${first} it first`, `lmms-tui ${first} ${job.id}`);
    }
    this.jobs.delete(job.id);
    this.store.remove(job.id);
    this.emit('removed', job.id);
  }

  /** Stops watching; running jobs keep running and the next host adopts them. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.retrySaves();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    for (const w of this.adopted.values()) w.cancel();
    this.adopted.clear();
    this.lock?.release();
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * A finished job keeps its cgroup while processes that escaped stop are in it; once they have died,
   * the next host removes the empty directory (removal fails harmlessly while it is still populated).
   */
  private tidyCgroups(): void {
    for (const job of this.jobs.values()) if (isFinished(job.state) && job.cgroup) this.runner.removeJobCgroup(job.cgroup);
  }

  /** An explicit cgroup kind that this machine cannot give is refused up front, not discovered per job. */
  private checkCgroupMode(): void {
    const mode = this.cgroupMode;
    if ((mode === 'v1' || mode === 'v2') && this.runner.cgroupBase(mode) === null) {
      throw new UserError(
        `cgroup mode ${mode}: no usable cgroup ${mode} here (none mounted, or we may not create one and move a process into it)`,
        'run as root, inside a delegated cgroup (systemd-run --user --scope -p Delegate=yes), or set LMMS_TUI_CGROUP=auto',
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('scheduler is closed');
  }

  private update(job: JobRecord, patch: Partial<JobRecord>): void {
    const previous = job.state;
    Object.assign(job, patch);
    this.save(job);
    this.emit('job', job, previous);
  }

  /**
   * Saves a record; a failure (disk full, permission lost) never throws into the queue: the record in
   * memory is the truth (its exit status, its outcome), the one on disk stays the last good version
   * (writeFileAtomic never leaves half a file), and the save is retried until it lands.
   */
  private save(job: JobRecord): void {
    try {
      this.store.save(job);
      this.unsaved.delete(job.id);
      if (this.unsaved.size) this.retrySaves();
    } catch (err) {
      const first = !this.unsaved.has(job.id);
      this.unsaved.add(job.id);
      if (first) this.fault(`job ${job.id}: record not saved, kept in memory and retried: ${asResourceError(err)?.message ?? (err as Error).message}`);
      this.scheduleSaveRetry();
    }
  }

  private retrySaves(): void {
    for (const id of [...this.unsaved]) {
      const job = this.jobs.get(id);
      if (!job) {
        this.unsaved.delete(id);
        continue;
      }
      try {
        this.store.save(job);
        this.unsaved.delete(id);
        this.fault(`job ${id}: record saved after an earlier failure`);
      } catch {
        /* still failing; the timer tries again */
      }
    }
  }

  private scheduleSaveRetry(): void {
    if (this.saveTimer || this.closed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.retrySaves();
      if (this.unsaved.size) this.scheduleSaveRetry();
    }, this.opts.saveRetryMs ?? 2000);
    // Retrying must not keep a host alive that has nothing else to do.
    this.saveTimer.unref();
  }

  /** Records that are only in memory (their save is being retried). */
  get unsavedJobs(): string[] {
    return [...this.unsaved];
  }

  private fault(message: string): void {
    if (this.listenerCount('fault') > 0) this.emit('fault', message);
  }

  private freeGpus(): number[] | null {
    if (!this.gpus) return null;
    const used = new Set<number>();
    for (const id of this.active) for (const g of this.jobs.get(id)?.gpus ?? []) used.add(g);
    return this.gpus.filter((g) => !used.has(g));
  }

  private freePort(): number {
    const used = new Set<number>();
    for (const id of this.active) {
      const p = this.jobs.get(id)?.main_process_port;
      if (p) used.add(p);
    }
    let port = this.opts.basePort ?? 29500;
    while (used.has(port)) port++;
    return port;
  }

  /**
   * Starts queued jobs in submission order while a slot fits. Strictly in order: a big job at the
   * head waits for its GPUs rather than being overtaken forever by small ones.
   */
  private dispatch(): void {
    if (this.closed || this.pausedFlag || this.holds > 0) return;
    for (const job of this.list({ state: 'queued' })) {
      if (this.active.size >= this.concurrency) return;
      const need = job.spec.num_gpus ?? 1;
      let gpus: number[] = [];
      if (this.gpus) {
        const free = this.freeGpus()!;
        if (free.length < need) return;
        gpus = free.slice(0, need);
      }
      this.start(job, gpus);
    }
  }

  private start(job: JobRecord, gpus: number[]): void {
    const dir = this.store.dir(job.id);
    this.active.add(job.id);
    const port = (job.spec.num_gpus ?? 1) > 1 ? this.freePort() : null;
    let script: string;
    let env: Record<string, string>;
    let cgroup: string | null;
    try {
      const built = buildCommand(
        { ...job.spec, output_path: job.output_path },
        {
          cwd: job.cwd,
          gpus: this.gpus ? gpus : undefined,
          mainProcessPort: port ?? undefined,
          demoHarnessDir: job.spec.demo ? demoHarnessDir() : undefined,
        },
      );
      script = built.script;
      env = this.runner.buildJobEnv(job.env ?? process.env, { gpus: this.gpus ? gpus : null, extra: built.env, jobId: job.id });
      cgroup = this.cgroupMode === 'off' ? null : this.runner.createJobCgroup(job.id, this.cgroupMode);
    } catch (err) {
      this.active.delete(job.id);
      this.update(job, { state: 'failed', ended_at: new Date().toISOString(), error: `could not build the command: ${(err as Error).message}` });
      return;
    }
    // What results files the output path already holds, so "new" is judged by identity, not by clocks.
    let before: ResultsSnapshot | null = null;
    try {
      before = snapshotResults(job.output_path);
    } catch {
      before = null;
    }
    this.snapshots.set(job.id, before);
    // Also on disk, for a host that adopts the job after a restart.
    try {
      if (before) writeFileAtomic(path.join(dir, RESULTS_BEFORE), JSON.stringify(before));
    } catch {
      /* disk full: this host still has it in memory; an adopter falls back to the clock */
    }
    // The launch protocol. 1. job.json says running (with its GPUs, port and cgroup) and launch.json keeps
    // a copy to rebuild it from, both on disk BEFORE anything is spawned. 2. The wrapper's first act is to
    // write its own pid and start time to proc.json (WRAPPER_SCRIPT in runner/launch.ts). 3. We save the pid
    // in job.json. A host killed between any two steps leaves enough for the next one (readopt/adoptTrace):
    // no record and no marked process means nothing ran, and the job goes back to the queue.
    this.update(job, { state: 'running', started_at: new Date().toISOString(), gpus, main_process_port: port, script, cgroup });
    this.store.saveLaunch(job);
    this.opts.onLaunchStep?.('persisted', job);
    const launch = this.runner
      // In the directory it was submitted from, as `python -m lmms_eval` typed there (and the preview pasted
      // there) would run: relative paths in env lines and model_args mean the same, and `show` reports it.
      .launchJob({ jobDir: dir, script, env, cwd: job.cwd, cgroup, logCapBytes: this.opts.logCapBytes ?? DEFAULT_LOG_CAP })
      .then((launched: LaunchedJob) => {
        this.opts.onLaunchStep?.('spawned', job, launched.pid);
        this.update(job, { pid: launched.pid, proc_start: launched.startTime });
        this.opts.onLaunchStep?.('recorded', job);
        this.follow(job.id, launched.exited);
      })
      .catch((err: unknown) => {
        this.follow(job.id, Promise.resolve({ exit_code: null, signal: null }), `could not start: ${asResourceError(err)?.message ?? (err as Error).message}`);
      })
      .finally(() => this.launching.delete(job.id));
    this.launching.set(job.id, launch);
  }

  private follow(id: string, exited: Promise<ExitInfo>, failure?: string): void {
    this.ended.set(
      id,
      exited.then(async (exit) => {
        const escaped = await this.drainGroup(id);
        await this.finish(id, exit, failure, escaped);
      }),
    );
  }

  /**
   * The job's main process is gone; the job is over only when all its processes are (cgroup, group,
   * session, marker: see src/core/runner/stop.ts). A stop in progress finishes its escalation (a
   * grandchild ignoring SIGTERM gets SIGKILL); otherwise leftovers (engine workers that outlived the
   * harness, a daemonised helper, still holding GPU memory) are stopped too. Returns the pids that
   * could not be removed; the job's cgroup is removed once empty.
   */
  private async drainGroup(id: string): Promise<number[]> {
    const job = this.jobs.get(id);
    if (!job) return [];
    // Without a pid (the host died while the job was starting) its cgroup and marker still find it.
    const handle = handleOf(job) ?? { pid: 0, pgid: 0, startTime: 0, jobId: job.id, cgroup: job.cgroup };
    let escaped: number[] = [];
    const stopping = this.stopping.get(id);
    if (stopping) {
      await stopping;
      this.stopping.delete(id);
      escaped = this.stopEscaped.get(id) ?? [];
      this.stopEscaped.delete(id);
    } else if (this.runner.jobMembers(handle).length > 0) {
      const res = await this.runner.stopGroup(handle, { graceMs: this.opts.graceMs ?? 10_000, killWaitMs: this.opts.killWaitMs });
      escaped = res.remaining ?? [];
    }
    if (job.cgroup && !(await this.removeCgroupWhenEmpty(job.cgroup, handle))) {
      escaped = [...new Set([...escaped, ...this.runner.jobMembers(handle)])];
    }
    return escaped.sort((a, b) => a - b);
  }

  /**
   * Removes the job's cgroup. A process that was just SIGKILLed can keep its cgroup populated for a moment
   * after it stopped being "live" in /proc (the kernel finishes its exit asynchronously), so rmdir's EBUSY
   * is retried briefly while nothing of the job is left alive; false when members remain.
   */
  private async removeCgroupWhenEmpty(cgroup: string, handle: ProcessHandle): Promise<boolean> {
    for (let wait = 5; ; wait *= 2) {
      if (this.runner.removeJobCgroup(cgroup)) return true;
      if (this.runner.jobMembers(handle).length > 0 || wait > 640) return false;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async finish(id: string, exit: ExitInfo, failure?: string, escaped: number[] = []): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || isFinished(job.state)) return;
    // Free the slot first so the next job starts while this one's outcome is being judged.
    this.active.delete(id);
    this.adopted.get(id)?.cancel();
    this.adopted.delete(id);
    this.dispatch();
    const stopSignal = this.stopSignals.get(id);
    this.stopSignals.delete(id);
    try {
      // The log writer appends the kept tail when the output ends; if it was killed, do it here.
      finishLogCap(this.store.dir(id));
    } catch (err) {
      this.fault(`job ${id}: could not finish its capped log: ${asResourceError(err)?.message ?? (err as Error).message}`);
    }
    let patch: Partial<JobRecord>;
    if (failure) {
      patch = { state: 'failed', error: failure };
    } else if (job.state === 'orphaned') {
      // Its spec and results dir are unknown, so there is nothing to judge the run by.
      const how = exit.signal ? `was ended by ${exit.signal}` : exit.exit_code !== null ? `exited with code ${exit.exit_code}` : 'ended (exit status unknown)';
      patch = { state: job.stop_requested ? 'stopped' : 'failed', error: `${job.error ?? 'orphaned'}; its process ${how}` };
    } else {
      try {
        const verdict = await this.judge({
          exit,
          stopped: job.stop_requested,
          stopSignal: stopSignal ?? null,
          logPath: this.store.logPath(id),
          outputPath: job.output_path,
          startedAt: job.started_at ? Date.parse(job.started_at) : 0,
          before: this.snapshots.get(id) ?? readSnapshot(path.join(this.store.dir(id), RESULTS_BEFORE)) ?? undefined,
          // The tail is kept in job.json and shown everywhere: the job's own secret values masked in it too.
          secretValues: specSecrets(job.spec, job.env),
        });
        patch = { state: verdict.state, error: verdict.reason, results: verdict.results, error_tail: verdict.tail };
        if (verdict.state === 'failed' && exit.exit_code === null && exit.signal === null) {
          patch.error = `ended while no lmms-tui process was watching; exit status unknown${verdict.reason ? ` (${verdict.reason})` : ''}`;
        }
      } catch (err) {
        // An unreadable log or output dir must not leave the job running forever: say what blocked the verdict.
        patch = { state: 'failed', error: `could not judge the outcome: ${asResourceError(err)?.message ?? (err as Error).message}` };
      }
    }
    this.snapshots.delete(id);
    const cap = readLogCapRecord(this.store.dir(id));
    if (cap) patch.log_capped = cap;
    this.update(job, {
      ...patch,
      exit_code: exit.exit_code,
      signal: stopSignal ?? exit.signal,
      escaped,
      ended_at: new Date().toISOString(),
    });
    this.prune();
  }

  /** Jobs a previous host left running: watch the live ones, record the outcome of the ended ones. */
  private async readopt(): Promise<void> {
    const pending: Promise<void>[] = [];
    const tracing: Promise<void>[] = [];
    for (const job of this.jobs.values()) {
      if (!isActive(job.state)) continue;
      this.active.add(job.id);
      const handle = handleOf(job);
      if (handle && this.runner.isAlive(handle)) {
        this.watch(job, handle);
      } else if (handle) {
        this.follow(job.id, Promise.resolve(this.runner.readExitRecord(this.store.dir(job.id)) ?? { exit_code: null, signal: null }));
        pending.push(this.ended.get(job.id)!);
      } else {
        // The host died between persisting the job and saving its pid: the wrapper's own record and the
        // job's marker in /proc say whether (and as which pid) it runs.
        tracing.push(
          this.trace(job.id).then((trace) => {
            const p = this.adoptTrace(job, trace);
            if (p) pending.push(p);
          }),
        );
      }
    }
    await Promise.all(tracing);
    await Promise.all(pending);
  }

  private trace(id: string): Promise<LaunchTrace> {
    return this.runner.traceLaunch(this.store.dir(id), id, { waitMs: this.opts.traceWaitMs });
  }

  private watch(job: JobRecord, handle: { pid: number; pgid: number; startTime: number }): void {
    const w = this.runner.watchAdopted(handle, this.store.dir(job.id), { pollMs: this.opts.adoptPollMs });
    this.adopted.set(job.id, w);
    this.follow(job.id, w.exited);
  }

  /** Acts on what traceLaunch found for an active job without a pid; returns the outcome to await, if any. */
  private adoptTrace(job: JobRecord, trace: LaunchTrace): Promise<void> | undefined {
    if (trace.kind === 'running') {
      this.update(job, { pid: trace.handle.pid, proc_start: trace.handle.startTime });
      this.watch(job, trace.handle);
      return undefined;
    }
    if (trace.kind === 'ended') {
      // With the wrapper's pid known, processes it left behind (it was SIGKILLed) are stopped as the job ends.
      if (trace.handle) this.update(job, { pid: trace.handle.pid, proc_start: trace.handle.startTime });
      this.follow(job.id, Promise.resolve(trace.exit ?? { exit_code: null, signal: null }));
      return this.ended.get(job.id);
    }
    // Nothing of it ever ran (the host died before the spawn, or before the wrapper's first line):
    // back to its place in the queue, unless the user had already asked to stop it.
    this.active.delete(job.id);
    if (job.stop_requested) {
      this.update(job, { state: 'cancelled', ended_at: new Date().toISOString(), error: 'stopped before it started' });
    } else {
      this.update(job, { ...unstartedFields(), state: 'queued', stop_requested: false });
    }
    return undefined;
  }

  /**
   * Job dirs whose job.json is unusable (truncated, empty, garbage, a directory, wrong-typed fields of a
   * running job). A running job is rebuilt from its launch record, the pid found again from the
   * wrapper's record; without a launch record but with a live process it is kept as `orphaned` (holding
   * its slot and GPUs until it ends). The damaged file is kept beside as job.json.damaged-<time>.
   */
  private async recoverDamaged(damaged: readonly DamagedRecord[]): Promise<void> {
    await Promise.all(
      damaged.map(async (d) => {
        const base = this.store.readLaunch(d.id);
        if (base && (d.state === null || isActive(d.state as JobState))) {
          // Only pid and proc_start change after launch; the wrapper's record gives them back (readopt).
          const job: JobRecord = { ...base, pid: null, proc_start: null };
          const aside = this.store.setAside(d.id);
          this.store.save(job);
          this.add(job);
          this.problems.push({ dir: d.dir, id: d.id, message: `${d.reason}; rebuilt from launch.json${aside ? ` (the damaged file is kept as ${path.basename(aside)})` : ''}` });
          return;
        }
        const trace = await this.trace(d.id);
        if (d.repaired && (trace.kind === 'running' || trace.kind === 'ended')) {
          // No launch record, but the record itself still holds the spec: keep it, with the pid (and, with a
          // pool, the GPUs, in case they were among the wrong fields) taken from the live process.
          const job: JobRecord = { ...d.repaired, pid: null, proc_start: null };
          if (trace.kind === 'running' && this.gpus) job.gpus = this.gpusOf(trace.handle.pid) ?? (job.gpus.length ? job.gpus : [...this.gpus]);
          const aside = this.store.setAside(d.id);
          this.store.save(job);
          this.add(job);
          this.problems.push({ dir: d.dir, id: d.id, message: `${d.reason}; repaired in place (no launch.json)${aside ? ` (the damaged file is kept as ${path.basename(aside)})` : ''}` });
          return;
        }
        if (trace.kind !== 'running') {
          this.problems.push({ dir: d.dir, id: d.id, message: `${d.reason} (skipped)` });
          return;
        }
        const job = this.orphanRecord(d, trace.handle);
        const aside = this.store.setAside(d.id);
        this.store.save(job);
        this.add(job);
        this.problems.push({ dir: d.dir, id: d.id, message: `${d.reason}; its process ${trace.handle.pid} still runs, kept as orphaned${aside ? ` (the damaged file is kept as ${path.basename(aside)})` : ''}` });
      }),
    );
  }

  /** The pool GPUs a live job process was given (its CUDA_VISIBLE_DEVICES), or null when that cannot be read. */
  private gpusOf(pid: number): number[] | null {
    const cvd = readEnvVar(pid, 'CUDA_VISIBLE_DEVICES');
    if (cvd === null || !/^\d+(,\d+)*$/.test(cvd) || !this.gpus) return null;
    return cvd.split(',').map(Number).filter((g) => this.gpus!.includes(g));
  }

  /** A stand-in record for a live job whose own record is lost: enough to hold its slot, show it and stop it. */
  private orphanRecord(d: DamagedRecord, handle: { pid: number; startTime: number }): JobRecord {
    const dir = this.store.dir(d.id);
    const since = (file: string): string | null => {
      try {
        return statSync(path.join(dir, file)).mtime.toISOString();
      } catch {
        return null;
      }
    };
    // The GPUs it was given are in its environment; if that cannot be read, it may hold any of the pool's.
    const gpus = this.gpus ? (this.gpusOf(handle.pid) ?? [...this.gpus]) : [];
    let port: number | null = null;
    try {
      const m = /--main_process_port[ =](\d+)/.exec(readFileSync(path.join(dir, JOB_FILES.script), 'utf8'));
      if (m) port = Number(m[1]);
    } catch {
      /* no script: no port to keep free */
    }
    return {
      ...unstartedFields(),
      id: d.id,
      state: 'orphaned',
      spec: { harness: 'lmms-eval', model: '(unknown: job.json damaged)', tasks: [] },
      seq: ++this.seq,
      created_at: since('.') ?? new Date().toISOString(),
      started_at: since(JOB_FILES.proc) ?? since(JOB_FILES.script),
      cwd: '/',
      env: null,
      output_path: path.join(dir, 'results'),
      retry_of: null,
      idempotency_key: null,
      pid: handle.pid,
      proc_start: handle.startTime,
      gpus,
      main_process_port: port,
      error: `job.json was damaged (${d.reason}) and there is no launch record to rebuild it from`,
    };
  }

  /**
   * A queued job whose record had to be repaired would run something other than what was asked (a
   * dropped env, num_gpus or task list): it is not started, and says why.
   */
  private refuseDamagedQueued(): void {
    for (const job of this.jobs.values()) {
      if (job.state !== 'queued') continue;
      const fixes = this.problems.filter((p) => p.id === job.id).map((p) => p.message.replace(/^job\.json: /, ''));
      if (fixes.length === 0) continue;
      this.update(job, {
        state: 'failed',
        ended_at: new Date().toISOString(),
        error: `not started: its job.json was damaged (${fixes.join('; ')}); submit it again (lmms-tui retry ${job.id} runs a copy)`,
      });
    }
  }

  /** Keeps the newest `keepFinished` finished jobs. */
  private prune(): void {
    const keep = this.opts.keepFinished ?? 500;
    const finished = [...this.jobs.values()].filter((j) => isFinished(j.state));
    if (finished.length <= keep) return;
    finished.sort((a, b) => (a.ended_at ?? '').localeCompare(b.ended_at ?? '') || a.seq - b.seq);
    for (const j of finished.slice(0, finished.length - keep)) {
      try {
        this.store.remove(j.id);
      } catch (err) {
        this.fault(`job ${j.id}: could not remove its directory: ${asResourceError(err)?.message ?? (err as Error).message}`);
        continue;
      }
      this.jobs.delete(j.id);
      this.emit('removed', j.id);
    }
  }
}

/** How the runner finds the job's processes; null before the wrapper's pid is known. */
function handleOf(job: JobRecord): ProcessHandle | null {
  if (job.pid === null || job.proc_start === null) return null;
  return { pid: job.pid, pgid: job.pid, startTime: job.proc_start, jobId: job.id, cgroup: job.cgroup };
}

/** JSON with sorted keys, so two equal specs compare equal whatever order their fields came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * Job processes are unref'd (they must not keep a host alive), so a caller awaiting only their end
 * would see Node exit under it; this holds the event loop open until `p` settles.
 */
async function keepingAlive<T>(p: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1 << 30);
  try {
    return await p;
  } finally {
    clearInterval(timer);
  }
}

/** A submit with `refuseDuplicate` found `job` (queued or running) with the same spec and directory. */
export class DuplicateJobError extends UserError {
  constructor(readonly job: JobRecord) {
    super(
      `job ${job.id}${job.label ? ` (${job.label})` : ''} with the same spec is already ${job.state}`,
      'submit anyway with --allow-duplicate (allow_duplicate over the API), or follow that job with `lmms-tui logs -f ' + job.id + '`',
    );
    this.name = 'DuplicateJobError';
  }
}

/** One job's outcome in a batch operation: the job as it ended up, or why it was refused. */
export type BatchOutcome = { job: JobRecord } | { id: string; problem: UserError };
