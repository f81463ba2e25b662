import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildCommand } from '../command/build.js';
import { validateSpec } from '../command/validate.js';
import { UserError, ValidationError } from '../errors.js';
import { demoHarnessDir } from '../paths.js';
import { judgeOutcome } from '../results/judge.js';
import * as realRunner from '../runner/index.js';
import { JOB_FILES, readEnvVar, type ExitInfo, type LaunchedJob, type LaunchTrace } from '../runner/index.js';
import type { EvalSpec } from '../spec.js';
import { newJobId, resolveJobId } from './ids.js';
import { HostLock } from './lock.js';
import { JobStore, type DamagedRecord, type StoreProblem } from './store.js';
import { isActive, isFinished, JOB_STATES, unstartedFields, type JobRecord, type JobState, type QueueSummary, type SubmitOptions } from './types.js';

export type RunnerApi = Pick<
  typeof realRunner,
  'launchJob' | 'stopGroup' | 'watchAdopted' | 'isAlive' | 'readExitRecord' | 'buildJobEnv' | 'groupMembers' | 'traceLaunch'
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
  /** Finished jobs kept on disk (oldest removed first). Default 500. */
  keepFinished?: number;
  /** Poll interval for jobs adopted from a previous host. Default 500 ms. */
  adoptPollMs?: number;
  /** First accelerate --main_process_port; concurrent multi-GPU jobs get distinct ports. Default 29500. */
  basePort?: number;
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
  private readonly stopping = new Map<string, Promise<unknown>>();
  private readonly adopted = new Map<string, { cancel(): void }>();
  private readonly runner: RunnerApi;
  private readonly judge: typeof judgeOutcome;
  private readonly lock: HostLock | null;
  private seq = 0;
  private closed = false;

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
    for (const job of loaded.jobs) this.add(job);
  }

  private add(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.seq = Math.max(this.seq, job.seq);
    if (job.idempotency_key) this.byKey.set(job.idempotency_key, job.id);
  }

  /** Loads the store, re-adopts jobs a previous host left running, and starts dispatching. */
  static async open(opts: SchedulerOptions): Promise<Scheduler> {
    mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
    const lock = opts.lock === false ? null : HostLock.acquire(path.join(opts.stateDir, 'scheduler.lock'));
    try {
      const store = new JobStore(path.join(opts.stateDir, 'jobs'));
      const loaded = store.load();
      const s = new Scheduler(opts, loaded, store, lock);
      await s.recoverDamaged(loaded.damaged);
      s.refuseDamagedQueued();
      await s.readopt();
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
    };
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
    const need = spec.num_gpus ?? 1;
    if (this.gpus && need > this.gpus.length) {
      problems.push({
        field: 'num_gpus',
        message: `the job needs ${need} GPUs but the pool has ${this.gpus.length} (${this.gpus.join(',')})`,
        fix: `ask for at most ${this.gpus.length}, or start lmms-tui with a larger --gpus pool`,
      });
    }
    if (problems.length) throw new ValidationError(problems);
    const cwd = path.resolve(opts.cwd ?? process.cwd());
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
      env: opts.env ?? null,
      // Every run gets its own results dir unless the user chose one: success is judged by a new
      // results file appearing there (lmms-eval exits 0 on failure).
      output_path: spec.output_path ? path.resolve(cwd, spec.output_path) : path.join(dir, 'results'),
      retry_of: opts.retryOf ?? null,
      idempotency_key: key,
    };
    this.store.create(job);
    this.add(job);
    this.emit('job', job, null);
    this.dispatch();
    return job;
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
    if (!job.stop_requested) this.update(job, { stop_requested: true });
    await this.launching.get(job.id);
    if (job.pid !== null && job.proc_start !== null && !isFinished(job.state) && !this.stopping.has(job.id)) {
      const stopping = this.runner
        .stopGroup({ pid: job.pid, pgid: job.pid, startTime: job.proc_start }, { graceMs: opts.graceMs ?? this.opts.graceMs ?? 10_000 })
        .then((res) => this.stopSignals.set(job.id, res.signal));
      this.stopping.set(job.id, stopping);
    }
    await keepingAlive(Promise.all([this.stopping.get(job.id), this.ended.get(job.id)]));
    return this.jobs.get(job.id)!;
  }

  /** A new job with the same spec, directory and environment. */
  retry(idOrPrefix: string): JobRecord {
    const old = this.get(idOrPrefix);
    const spec = structuredClone(old.spec);
    return this.submit(spec, { cwd: old.cwd, env: old.env, retryOf: old.id });
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
    for (const w of this.adopted.values()) w.cancel();
    this.adopted.clear();
    this.lock?.release();
  }

  // ---- internals -------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new Error('scheduler is closed');
  }

  private update(job: JobRecord, patch: Partial<JobRecord>): void {
    const previous = job.state;
    Object.assign(job, patch);
    this.store.save(job);
    this.emit('job', job, previous);
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
    if (this.closed) return;
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
    } catch (err) {
      this.active.delete(job.id);
      this.update(job, { state: 'failed', ended_at: new Date().toISOString(), error: `could not build the command: ${(err as Error).message}` });
      return;
    }
    // The launch protocol. 1. job.json says running (with its GPUs and port) and launch.json keeps a copy
    // to rebuild it from, both on disk BEFORE anything is spawned. 2. The wrapper's first act is to write
    // its own pid and start time to proc.json (WRAPPER_SCRIPT in runner/launch.ts). 3. We save the pid in
    // job.json. A host killed between any two steps leaves enough for the next one (readopt/adoptTrace):
    // no record and no marked process means nothing ran, and the job goes back to the queue.
    this.update(job, { state: 'running', started_at: new Date().toISOString(), gpus, main_process_port: port, script });
    this.store.saveLaunch(job);
    this.opts.onLaunchStep?.('persisted', job);
    const launch = this.runner
      .launchJob({ jobDir: dir, script, env, cwd: path.join(dir, 'work') })
      .then((launched: LaunchedJob) => {
        this.opts.onLaunchStep?.('spawned', job, launched.pid);
        this.update(job, { pid: launched.pid, proc_start: launched.startTime });
        this.opts.onLaunchStep?.('recorded', job);
        this.follow(job.id, launched.exited);
      })
      .catch((err: unknown) => {
        this.follow(job.id, Promise.resolve({ exit_code: null, signal: null }), `could not start: ${(err as Error).message}`);
      })
      .finally(() => this.launching.delete(job.id));
    this.launching.set(job.id, launch);
  }

  private follow(id: string, exited: Promise<ExitInfo>, failure?: string): void {
    this.ended.set(
      id,
      exited.then(async (exit) => {
        await this.drainGroup(id);
        await this.finish(id, exit, failure);
      }),
    );
  }

  /**
   * The job's main process is gone; the job is over only when its whole process group is. A stop in
   * progress finishes its escalation (a grandchild ignoring SIGTERM gets SIGKILL); otherwise
   * leftovers (engine workers that outlived the harness, still holding GPU memory) are stopped too.
   */
  private async drainGroup(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || job.pid === null || job.proc_start === null) return;
    const stopping = this.stopping.get(id);
    if (stopping) {
      await stopping;
      this.stopping.delete(id);
      return;
    }
    if (this.runner.groupMembers(job.pid).length === 0) return;
    await this.runner.stopGroup({ pid: job.pid, pgid: job.pid, startTime: job.proc_start }, { graceMs: this.opts.graceMs ?? 10_000 });
  }

  private async finish(id: string, exit: ExitInfo, failure?: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || isFinished(job.state)) return;
    // Free the slot first so the next job starts while this one's outcome is being judged.
    this.active.delete(id);
    this.adopted.get(id)?.cancel();
    this.adopted.delete(id);
    this.dispatch();
    const stopSignal = this.stopSignals.get(id);
    this.stopSignals.delete(id);
    let patch: Partial<JobRecord>;
    if (failure) {
      patch = { state: 'failed', error: failure };
    } else if (job.state === 'orphaned') {
      // Its spec and results dir are unknown, so there is nothing to judge the run by.
      const how = exit.signal ? `was ended by ${exit.signal}` : exit.exit_code !== null ? `exited with code ${exit.exit_code}` : 'ended (exit status unknown)';
      patch = { state: job.stop_requested ? 'stopped' : 'failed', error: `${job.error ?? 'orphaned'}; its process ${how}` };
    } else {
      const verdict = await this.judge({
        exit,
        stopped: job.stop_requested,
        logPath: this.store.logPath(id),
        outputPath: job.output_path,
        startedAt: job.started_at ? Date.parse(job.started_at) : 0,
      });
      patch = { state: verdict.state, error: verdict.reason, results: verdict.results, error_tail: verdict.tail };
      if (verdict.state === 'failed' && exit.exit_code === null && exit.signal === null) {
        patch.error = `ended while no lmms-tui process was watching; exit status unknown${verdict.reason ? ` (${verdict.reason})` : ''}`;
      }
    }
    this.update(job, {
      ...patch,
      exit_code: exit.exit_code,
      signal: stopSignal ?? exit.signal,
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
      const handle = job.pid !== null && job.proc_start !== null ? { pid: job.pid, pgid: job.pid, startTime: job.proc_start } : null;
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
      this.jobs.delete(j.id);
      this.store.remove(j.id);
      this.emit('removed', j.id);
    }
  }
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
