import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

/** Short random ids (8 hex chars, like docker's), so any unique prefix works as an abbreviation. */
export function newJobId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!taken(id)) return id;
  }
}

/** Resolves a full id or a unique prefix; a clear error for none or several. */
export function resolveJobId(prefix: string, ids: Iterable<string>): string {
  const p = prefix.trim().toLowerCase();
  if (!p) throw new UserError('a job id is needed', 'list jobs with `lmms-tui jobs`');
  const hits: string[] = [];
  for (const id of ids) {
    if (id === p) return id;
    if (id.startsWith(p)) hits.push(id);
  }
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) throw new UserError(`no job matches "${prefix}"`, 'list jobs with `lmms-tui jobs`');
  throw new UserError(`"${prefix}" matches ${hits.length} jobs (${hits.slice(0, 5).join(', ')})`, 'type more characters of the id');
}
