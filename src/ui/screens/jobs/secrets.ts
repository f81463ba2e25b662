/** What the TUI masks in a job's output, besides the core rule's names and token shapes (core/logs/redact.ts). */
import { secretEnvValues } from '../../../core/logs/redact.js';
import { parseEnvLine, isSecretName } from '../../../core/command/env-lines.js';
import type { JobJson } from '../../../client/types.js';

/** Literal secret values to mask for a job: its secret-named env lines, and this session's secret env vars. */
export function jobSecrets(job: Pick<JobJson, 'spec'> | null, env: NodeJS.ProcessEnv = process.env): string[] {
  const values = secretEnvValues(env as Record<string, string | undefined>);
  for (const line of job?.spec.env ?? []) {
    const parsed = parseEnvLine(line);
    if (parsed.kind === 'assign' && isSecretName(parsed.name)) {
      const v = parsed.value.replace(/^(['"])(.*)\1$/, '$2');
      if (v.length >= 6 && !v.includes('$')) values.push(v);
    }
  }
  return values;
}
