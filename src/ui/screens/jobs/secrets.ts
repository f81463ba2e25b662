/** What the TUI masks in a job's output, besides the core rule's names and token shapes (core/redact.ts). */
import { specSecrets } from '../../../core/redact.js';
import type { JobJson } from '../../../client/types.js';

/** Literal secret values to mask for a job: its secret-named env lines, and this session's secret env vars. */
export function jobSecrets(job: Pick<JobJson, 'spec'> | null, env: NodeJS.ProcessEnv = process.env): string[] {
  return specSecrets(job?.spec, env as Record<string, string | undefined>);
}
