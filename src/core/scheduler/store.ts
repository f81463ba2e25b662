import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { ensurePrivateDir } from '../private-files.js';
import { asResourceError, rethrowResource } from '../errors.js';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { JOB_STATES, unstartedFields, type JobRecord } from './types.js';

export interface StoreProblem {
  dir: string;
  message: string;
}

/**
 * Jobs on disk: one directory per job under `root`, holding job.json (atomic writes) and the job's own
 * files (output.log, job.sh, exit.json, results/, work/). A damaged job.json is reported and skipped,
 * never fatal: one bad file must not hide every other job.
 */
export class JobStore {
  constructor(readonly root: string) {
    ensurePrivateDir(root);
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }

  logPath(id: string): string {
    return path.join(this.root, id, 'output.log');
  }

  load(): { jobs: JobRecord[]; problems: StoreProblem[] } {
    const jobs: JobRecord[] = [];
    const problems: StoreProblem[] = [];
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(this.root, entry.name);
      const file = path.join(dir, 'job.json');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        // An unreadable directory or record (another owner, mode 000) says so, path and all.
        const code = (err as NodeJS.ErrnoException).code;
        const resource = asResourceError(err, file);
        problems.push({ dir, message: code === 'ENOENT' ? 'no job.json (skipped)' : `${resource?.message ?? (err as Error).message} (skipped)` });
        continue;
      }
      try {
        const job = parseRecord(text);
        if (job.id !== entry.name) throw new Error(`id ${job.id} does not match its directory`);
        jobs.push(job);
      } catch (err) {
        problems.push({ dir, message: `unreadable job.json: ${(err as Error).message} (skipped)` });
      }
    }
    jobs.sort((a, b) => a.seq - b.seq);
    return { jobs, problems };
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
    writeFileAtomic(path.join(this.dir(job.id), 'job.json'), `${JSON.stringify(job, null, 2)}\n`);
  }

  remove(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}

function parseRecord(text: string): JobRecord {
  const raw = JSON.parse(text) as Partial<JobRecord> | null;
  if (!raw || typeof raw !== 'object') throw new Error('not an object');
  if (typeof raw.id !== 'string' || !raw.id) throw new Error('missing id');
  if (!raw.state || !JOB_STATES.includes(raw.state)) throw new Error(`bad state ${JSON.stringify(raw.state)}`);
  if (!raw.spec || typeof raw.spec !== 'object') throw new Error('missing spec');
  if (typeof raw.seq !== 'number') throw new Error('missing seq');
  // Fill fields added after a record was written, so older records stay readable.
  return {
    ...unstartedFields(),
    cwd: '/',
    env: null,
    output_path: '',
    retry_of: null,
    created_at: new Date(0).toISOString(),
    ...raw,
  } as JobRecord;
}
