import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { ensurePrivateDir } from '../private-files.js';
import { asResourceError, rethrowResource } from '../errors.js';
import path from 'node:path';
import { HARNESSES, type EvalSpec } from '../spec.js';
import { writeFileAtomic } from './atomic.js';
import { JOB_STATES, unstartedFields, type JobRecord } from './types.js';

export interface StoreProblem {
  dir: string;
  /** The job the problem belongs to, when its directory names one (the directory name is the id). */
  id?: string;
  message: string;
}

/** A job directory whose job.json could not be used at all; the scheduler tries to recover it. */
export interface DamagedRecord {
  id: string;
  dir: string;
  /** What is wrong, for messages ("unreadable job.json: Unexpected end of JSON input"). */
  reason: string;
  /** The state the damaged record still named, when that much was readable. */
  state: string | null;
  /** The record with its wrong fields reset, when it was valid JSON naming a job (a fallback when launch.json is gone). */
  repaired?: JobRecord;
}

/** A record as loaded: the job (with wrong-typed fields replaced by defaults) and what was replaced. */
export interface ParsedRecord {
  job: JobRecord;
  /** One line per field that had to be replaced, e.g. `gpus: expected a list of GPU indices, got null`. */
  fixes: string[];
}

export const LAUNCH_FILE = 'launch.json';

/**
 * Jobs on disk: one directory per job under `root`, holding job.json (atomic writes) and the job's own
 * files (output.log, job.sh, exit.json, proc.json, launch.json, results/, work/). A damaged job.json is
 * reported, never fatal: one bad file must not hide every other job. launch.json is the record as it
 * was when the job started, so a running job whose job.json is later damaged can be rebuilt.
 */
export class JobStore {
  /**
   * `readOnly`: for a reader beside the scheduler (`lmms-tui status` with no server running): the directory
   * is neither created nor narrowed, and only `load` is meant to be called.
   */
  constructor(
    readonly root: string,
    opts: { readOnly?: boolean } = {},
  ) {
    if (!opts.readOnly) ensurePrivateDir(root);
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }

  logPath(id: string): string {
    return path.join(this.root, id, 'output.log');
  }

  load(): { jobs: JobRecord[]; problems: StoreProblem[]; damaged: DamagedRecord[] } {
    const jobs: JobRecord[] = [];
    const problems: StoreProblem[] = [];
    const damaged: DamagedRecord[] = [];
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const id = entry.name;
      const dir = path.join(this.root, id);
      const file = path.join(dir, 'job.json');
      // existsSync says "no" for a record we may not read (EACCES) too: only a real ENOENT means it is gone.
      if (missing(file)) {
        // A job whose record is gone may still have a launch record and a live process.
        if (existsSync(path.join(dir, LAUNCH_FILE)) || existsSync(path.join(dir, 'proc.json'))) damaged.push({ id, dir, reason: 'no job.json', state: null });
        else problems.push({ dir, id, message: 'no job.json (skipped)' });
        continue;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        // An unreadable record (another owner, mode 000) says so, path and all; anything else unreadable
        // (a directory in its place, an I/O error) may still belong to a live job: recover it.
        const resource = asResourceError(err, file);
        if (resource && (err as NodeJS.ErrnoException).code !== 'EISDIR') {
          problems.push({ dir, id, message: `${resource.message} (skipped)` });
          continue;
        }
        damaged.push({ id, dir, reason: `unreadable job.json: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, state: null });
        continue;
      }
      try {
        const { job, fixes } = parseRecord(text, id);
        if (fixes.length && (job.state === 'running' || job.state === 'orphaned')) {
          // A live job's pid, GPUs or port may be among the wrong fields: rebuild it from its launch record.
          damaged.push({ id, dir, reason: `job.json has wrong fields (${fixes.join('; ')})`, state: job.state, repaired: job });
          continue;
        }
        for (const f of fixes) problems.push({ dir, id, message: `job.json: ${f}` });
        jobs.push(job);
      } catch (err) {
        damaged.push({ id, dir, reason: `unreadable job.json: ${(err as Error).message}`, state: stateOf(text) });
      }
    }
    jobs.sort((a, b) => a.seq - b.seq);
    return { jobs, problems, damaged };
  }

  /** Creates the job's directory and first record; on failure (disk full) nothing is left behind. */
  create(job: JobRecord): void {
    try {
      ensurePrivateDir(this.dir(job.id));
      this.save(job);
    } catch (err) {
      rmSync(this.dir(job.id), { recursive: true, force: true });
      rethrowResource(err, this.dir(job.id));
    }
  }

  save(job: JobRecord): void {
    writeFileAtomic(path.join(this.dir(job.id), 'job.json'), serialize(job));
  }

  /** The record as the job starts, written BEFORE it is spawned (see Scheduler.start). */
  saveLaunch(job: JobRecord): void {
    writeFileAtomic(path.join(this.dir(job.id), LAUNCH_FILE), serialize(job));
  }

  /** The launch record of a job, or null when there is none or it is unusable too. */
  readLaunch(id: string): JobRecord | null {
    try {
      const { job } = parseRecord(readFileSync(path.join(this.dir(id), LAUNCH_FILE), 'utf8'), id);
      return job.state === 'running' ? job : null;
    } catch {
      return null;
    }
  }

  /**
   * Moves a damaged job.json (file or directory) aside as job.json.damaged-<time>, so a rebuilt record
   * can be written and nothing the user had is lost. Returns the new name, or null when there was none.
   */
  setAside(id: string): string | null {
    const file = path.join(this.dir(id), 'job.json');
    if (!existsSync(file)) return null;
    const to = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, to);
    return to;
  }

  remove(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}

function serialize(job: JobRecord): string {
  return `${JSON.stringify(job, null, 2)}\n`;
}

/** The state a damaged record still names, if a regex can find it (a truncated file often has it). */
function stateOf(text: string): string | null {
  return /"state"\s*:\s*"([a-z]+)"/.exec(text)?.[1] ?? null;
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Parses a job.json field by field. Throws only when the record cannot name a job at all (not JSON, not
 * an object, no usable id, state or spec); a field of the wrong type is replaced by its default and
 * reported in `fixes`, so one hand-edited or bit-rotted record never breaks a face listing the others.
 */
function missing(file: string): boolean {
  try {
    statSync(file);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

export function parseRecord(text: string, dirName?: string): ParsedRecord {
  const raw = JSON.parse(text) as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || !r.id) throw new Error('missing id');
  if (dirName !== undefined && r.id !== dirName) throw new Error(`id ${r.id} does not match its directory`);
  if (typeof r.state !== 'string' || !(JOB_STATES as readonly string[]).includes(r.state)) throw new Error(`bad state ${show(r.state)}`);
  if (!r.spec || typeof r.spec !== 'object' || Array.isArray(r.spec)) throw new Error('missing spec');

  const fixes: string[] = [];
  const defaults: Record<string, unknown> = {
    ...unstartedFields(),
    cwd: '/',
    env: null,
    output_path: '',
    retry_of: null,
    idempotency_key: null,
    created_at: new Date(0).toISOString(),
    seq: 0,
  };
  const out: Record<string, unknown> = { ...r };
  // Fields added after a record was written are simply absent: filled in silently. A present field of
  // the wrong type is filled in too, and reported.
  const check = (name: string, ok: (v: unknown) => boolean, expected: string): void => {
    if (!(name in r)) out[name] = defaults[name];
    else if (!ok(r[name])) {
      fixes.push(`${name}: expected ${expected}, got ${show(r[name])}`);
      out[name] = defaults[name];
    }
  };
  const nullOr = (f: (v: unknown) => boolean) => (v: unknown) => v === null || f(v);
  const str = (v: unknown) => typeof v === 'string';
  check('schema', (v) => v === 1, '1');
  check('seq', (v) => typeof v === 'number' && Number.isFinite(v), 'a number');
  check('created_at', str, 'a date string');
  check('started_at', nullOr(str), 'a date string or null');
  check('ended_at', nullOr(str), 'a date string or null');
  check('cwd', str, 'a directory path');
  check('env', nullOr((v) => typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(str)), 'an object of strings or null');
  check('pid', nullOr((v) => isInt(v) && v > 0), 'a process id or null');
  check('proc_start', nullOr((v) => isInt(v) && v >= 0), 'a start time or null');
  check('exit_code', nullOr(isInt), 'an integer or null');
  check('signal', nullOr(str), 'a signal name or null');
  check('gpus', (v) => Array.isArray(v) && v.every((g) => isInt(g) && g >= 0), 'a list of GPU indices');
  check('main_process_port', nullOr((v) => isInt(v) && v > 0 && v < 65536), 'a port or null');
  check('output_path', str, 'a directory path');
  check('script', nullOr(str), 'the script text or null');
  check('results', isStringList, 'a list of file paths');
  check('error', nullOr(str), 'a message or null');
  check('error_tail', isStringList, 'a list of log lines');
  check('stop_requested', (v) => typeof v === 'boolean', 'true or false');
  check('retry_of', nullOr(str), 'a job id or null');
  check('idempotency_key', nullOr(str), 'a string or null');
  check('label', nullOr(str), 'a string or null');
  check('stop_requested_at', nullOr(str), 'a date string or null');
  check('stop_grace_ms', nullOr((v) => isInt(v) && v >= 0), 'milliseconds or null');
  check('cgroup', nullOr(str), 'a cgroup directory or null');
  check('escaped', (v) => Array.isArray(v) && v.every((p) => isInt(p) && p > 0), 'a list of process ids');
  check(
    'log_capped',
    nullOr((v) => typeof v === 'object' && !Array.isArray(v) && isInt((v as Record<string, unknown>).cap_bytes) && isInt((v as Record<string, unknown>).dropped_bytes)),
    '{cap_bytes, dropped_bytes} or null',
  );
  // pid and proc_start only mean something together.
  if ((out.pid === null) !== (out.proc_start === null)) {
    out.pid = null;
    out.proc_start = null;
  }
  out.spec = parseSpec(r.spec as Record<string, unknown>, fixes);
  return { job: out as unknown as JobRecord, fixes };
}

/**
 * The fields every face reads from a spec, made safe to read. What the values mean is validateSpec's
 * business (the scheduler refuses to start a queued job whose spec does not validate).
 */
function parseSpec(spec: Record<string, unknown>, fixes: string[]): EvalSpec {
  const out: Record<string, unknown> = { ...spec };
  const fix = (name: string, value: unknown, expected: string): void => {
    fixes.push(`spec.${name}: expected ${expected}, got ${show(spec[name])}`);
    out[name] = value;
  };
  if (!(HARNESSES as readonly unknown[]).includes(spec.harness)) fix('harness', 'lmms-eval', HARNESSES.join(' or '));
  if (typeof spec.model !== 'string') fix('model', show(spec.model ?? ''), 'a model name');
  if (!isStringList(spec.tasks)) fix('tasks', typeof spec.tasks === 'string' ? [spec.tasks] : [], 'a list of task names');
  for (const name of ['model_args', 'python', 'setup', 'output_path'] as const) {
    if (spec[name] !== undefined && typeof spec[name] !== 'string') fix(name, undefined, 'a string');
  }
  for (const name of ['env', 'extra_args'] as const) if (spec[name] !== undefined && !isStringList(spec[name])) fix(name, undefined, 'a list of strings');
  if (spec.num_gpus !== undefined && !(isInt(spec.num_gpus) && spec.num_gpus >= 1)) fix('num_gpus', undefined, 'a positive whole number');
  if (spec.demo !== undefined && typeof spec.demo !== 'boolean') fix('demo', undefined, 'true or false');
  return out as unknown as EvalSpec;
}
