/**
 * The CLI's job argument: a full id or any unique prefix of one. The server's HTTP routes take full ids
 * only (server/context.ts findJob), so a prefix is resolved here, against the list of jobs, before the call.
 */
import type { BatchResultJson, LmmsClient } from '../client/client.js';
import { ApiError } from '../client/errors.js';
import type { JobJson } from '../client/types.js';
import { EXIT, UsageError, writeOut } from './client-helpers.js';

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

/** The full ids several refs name, each resolved as by resolveJobId; a job named twice is acted on once. */
export async function resolveJobIds(client: LmmsClient, refs: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) ids.push(await resolveJobId(client, ref));
  return [...new Set(ids)];
}

/**
 * Prints one line per result of a batch call (`what id`, or the refusal on stderr) and returns the exit
 * code: 0 when every job was acted on, 1 when the server refused any.
 */
export async function reportBatch(results: readonly BatchResultJson[], done: (r: BatchResultJson) => string): Promise<number> {
  let failed = 0;
  for (const r of results) {
    if (r.ok) await writeOut(`${done(r)}\n`);
    else {
      failed++;
      process.stderr.write(`lmms-tui: ${r.id}: ${r.error?.message ?? 'refused'}${r.error?.hint ? `\n  hint: ${r.error.hint}` : ''}\n`);
    }
  }
  return failed ? EXIT.failed : EXIT.ok;
}
