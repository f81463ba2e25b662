/**
 * A fake TuiBackend for component tests (the UI boundary: the real one is exercised end to end in
 * test/e2e). Jobs are plain JobJson objects the test controls; calls are recorded.
 */
import type { Health, JobJson, ResultResponse, TuiBackend } from '../../../src/ui/backend.js';
import type { EvalSpec } from '../../../src/core/spec.js';
import type { JobState } from '../../../src/core/scheduler/types.js';

export interface FakeBackend extends TuiBackend {
  jobs: JobJson[];
  calls: { method: string; arg: unknown }[];
  results: Record<string, ResultResponse>;
  /** What logTail answers per job id. */
  logs: Record<string, string[]>;
  healthValue: Health;
  failNext: Error | null;
}

const T0 = Date.parse('2026-11-22T10:00:00Z');

export function iso(offsetS: number): string {
  return new Date(T0 + offsetS * 1000).toISOString();
}
export const FIXED_NOW = T0 + 3600 * 1000;

/** A job record; `seq` (queue order, and with it the timestamps) is its position in the list fakeBackend gets. */
export function makeJob(over: Partial<JobJson> & { id: string; state: JobState }, spec: Partial<EvalSpec> = {}, seq = 1): JobJson {
  const finished = !['queued', 'running'].includes(over.state);
  return {
    schema: 1,
    seq,
    spec: { harness: 'lmms-eval', model: 'qwen2_vl', model_args: 'pretrained=Qwen/Qwen2-VL-2B-Instruct', tasks: ['mme', 'mmmu_val'], demo: true, ...spec },
    created_at: iso(seq * 10),
    started_at: over.state === 'queued' ? null : iso(seq * 10 + 1),
    ended_at: finished ? iso(seq * 10 + 125) : null,
    cwd: '/home/u/proj',
    pid: over.state === 'running' ? 4242 : null,
    proc_start: null,
    exit_code: over.state === 'succeeded' ? 0 : over.state === 'failed' ? 1 : null,
    signal: null,
    gpus: over.state === 'running' ? [0] : [],
    main_process_port: null,
    output_path: `/state/jobs/${over.id}/results`,
    script: `export HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz\npython3 -m lmms_eval \\\n  --model qwen2_vl \\\n  --tasks mme,mmmu_val`,
    results: over.state === 'succeeded' ? [`/state/jobs/${over.id}/results/x_results.json`] : [],
    error: over.state === 'failed' ? 'exited with code 1' : null,
    error_tail: over.state === 'failed' ? ['Traceback (most recent call last):', '  File "x.py", line 1', 'RuntimeError: CUDA out of memory'] : [],
    stop_requested: false,
    stop_requested_at: null,
    stop_grace_ms: null,
    retry_of: null,
    cgroup: null,
    escaped: [],
    position: over.state === 'queued' ? 1 : null,
    log_path: `/state/jobs/${over.id}/output.log`,
    ...over,
  } as JobJson;
}

/** Puts jobs in queue order with stable timestamps, so elapsed times in snapshots do not depend on test order. */
function ordered(jobs: JobJson[]): JobJson[] {
  return jobs.map((j, i) => {
    const seq = i + 1;
    const started = j.state === 'queued' ? null : iso(seq * 10 + 1);
    const ended = ['queued', 'running'].includes(j.state) ? null : iso(seq * 10 + 125);
    return { ...j, seq, created_at: iso(seq * 10), started_at: started, ended_at: ended };
  });
}

export function fakeBackend(jobs: JobJson[] = [], opts: { demo?: boolean; graceSeconds?: number } = {}): FakeBackend {
  jobs = ordered(jobs);
  const b: FakeBackend = {
    demo: opts.demo ?? true,
    where: '/tmp/fake.sock',
    graceSeconds: opts.graceSeconds ?? 10,
    jobs,
    calls: [],
    results: {},
    logs: {},
    failNext: null,
    healthValue: {
      version: '0.1.0',
      uptime_s: 5,
      host: 'gpu-box',
      pid: 1,
      state_dir: '/state',
      socket: '/tmp/fake.sock',
      gpus: { pool: [0, 1, 2, 3], free: [1, 2, 3] },
      concurrency: 4,
      counts: { queued: 0, running: 0, orphaned: 0, succeeded: 0, failed: 0, stopped: 0, cancelled: 0 },
      store_problems: [],
    },
    async health() {
      return b.healthValue;
    },
    async listJobs() {
      return b.jobs.map((j) => ({ ...j }));
    },
    async submit(spec) {
      b.calls.push({ method: 'submit', arg: spec });
      const job = makeJob({ id: `new${b.jobs.length}`, state: 'queued' }, spec, b.jobs.length + 1);
      b.jobs.push(job);
      return { id: job.id, state: job.state, position: 1 };
    },
    async stop(id) {
      b.calls.push({ method: 'stop', arg: id });
      return b.jobs.find((j) => j.id === id)!;
    },
    async cancel(id) {
      b.calls.push({ method: 'cancel', arg: id });
      return b.jobs.find((j) => j.id === id)!;
    },
    async retry(id) {
      b.calls.push({ method: 'retry', arg: id });
      const job = makeJob({ id: `re${b.jobs.length}`, state: 'queued' }, {}, b.jobs.length + 1);
      b.jobs.push(job);
      return { id: job.id, state: job.state, position: 1 };
    },
    async remove(id) {
      b.calls.push({ method: 'remove', arg: id });
      b.jobs = b.jobs.filter((j) => j.id !== id);
    },
    async result(id) {
      b.calls.push({ method: 'result', arg: id });
      const r = b.results[id];
      if (!r) throw new Error(`no result for ${id}`);
      return r;
    },
    async logTail(id, lines) {
      b.calls.push({ method: 'logTail', arg: id });
      return (b.logs[id] ?? []).slice(-lines);
    },
    close() {},
  };
  return b;
}
