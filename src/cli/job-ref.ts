/**
 * The CLI's job argument: a full id or any unique prefix of one. The server's HTTP routes take full ids
 * only (server/context.ts findJob), so a prefix is resolved here, against the list of jobs, before the call.
 */
import type { LmmsClient } from '../client/client.js';
import { ApiError } from '../client/errors.js';
import type { JobJson } from '../client/types.js';
import { UsageError } from './client-helpers.js';

/**
 * The job `ref` names: asked for directly when it is a full id, else found among all jobs by prefix.
 * `reveal` as for LmmsClient.job (the job list is always masked, so a prefix then costs one more request).
 */
export async function resolveJob(client: LmmsClient, ref: string, opts: { reveal?: boolean } = {}): Promise<JobJson> {
  const p = ref.trim().toLowerCase();
  if (!p) throw new UsageError('a job id is needed', 'list jobs with `lmms-tui jobs`');
  // Worded as for a well-formed unknown id: to the user both name no job.
  if (!/^[0-9a-f]+$/.test(p)) throw new UsageError(`no job matches "${ref}" (job ids are hexadecimal, e.g. 3f2a9c1d)`, 'list jobs with `lmms-tui jobs`');
  try {
    return await client.job(p, opts);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const hits = (await client.jobs()).filter((j) => j.id.startsWith(p));
  if (hits.length === 1) return opts.reveal ? client.job(hits[0]!.id, opts) : hits[0]!;
  if (hits.length === 0) throw new UsageError(`no job matches "${ref}"`, 'list jobs with `lmms-tui jobs`');
  throw new UsageError(`"${ref}" matches ${hits.length} jobs (${hits.slice(0, 5).map((j) => j.id).join(', ')}${hits.length > 5 ? ', …' : ''})`, 'type more characters of the id');
}

/** The full id `ref` names (see resolveJob). */
export async function resolveJobId(client: LmmsClient, ref: string): Promise<string> {
  return (await resolveJob(client, ref)).id;
}
