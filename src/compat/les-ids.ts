/**
 * lm-eval-server's job ids are integers counting up from 1. Ours are 8-hex strings, so the surface keeps
 * a map, persisted (`<stateDir>/compat/les-ids.json`, atomic writes) so ids survive a restart and are
 * never handed out twice: the original restarted at 1 and reused ids.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/scheduler/atomic.js';

interface Stored {
  next: number;
  jobs: Record<string, string>;
}

export class LesIds {
  private next = 1;
  private readonly byNum = new Map<number, string>();

  constructor(private readonly file: string) {
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Stored;
      for (const [k, v] of Object.entries(data.jobs ?? {})) if (/^\d+$/.test(k) && typeof v === 'string') this.byNum.set(Number(k), v);
      const highest = Math.max(0, ...this.byNum.keys());
      this.next = Math.max(Number.isInteger(data.next) ? data.next : 1, highest + 1);
    } catch {
      /* no map yet (or unreadable: start after nothing; the jobs themselves are still in the queue) */
    }
  }

  static forStateDir(stateDir: string): LesIds {
    return new LesIds(path.join(stateDir, 'compat', 'les-ids.json'));
  }

  /** Numbers in ascending order with their job ids. */
  entries(): [number, string][] {
    return [...this.byNum.entries()].sort((a, b) => a[0] - b[0]);
  }

  jobId(n: number): string | undefined {
    return this.byNum.get(n);
  }

  /** The job's number; a job that has one already (a repeated submit, see Idempotency-Key) keeps it. */
  add(jobId: string): number {
    for (const [n, id] of this.byNum) if (id === jobId) return n;
    const n = this.next++;
    this.byNum.set(n, jobId);
    this.save();
    return n;
  }

  /** Forgets numbers (deleted jobs, or jobs the queue has pruned). The counter never goes back. */
  forget(nums: readonly number[]): void {
    let changed = false;
    for (const n of nums) changed = this.byNum.delete(n) || changed;
    if (changed) this.save();
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const jobs: Record<string, string> = {};
    for (const [n, id] of this.entries()) jobs[String(n)] = id;
    writeFileAtomic(this.file, `${JSON.stringify({ next: this.next, jobs } satisfies Stored, null, 2)}\n`);
  }
}
