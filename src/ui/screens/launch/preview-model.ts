/**
 * What the preview pane shows: the exact script for the form's spec, or, while the spec still has problems,
 * the script of the spec with the faulty parts left out and `<model>` / `<tasks>` placeholders, so the user
 * watches the command take shape instead of staring at an empty pane.
 */
import { buildCommand, type BuildOptions } from '../../../core/command/build.js';
import { redactScript, specSecrets } from '../../../core/redact.js';
import { validateSpec } from '../../../core/command/validate.js';
import type { Problem } from '../../../core/errors.js';
import type { EvalSpec } from '../../../core/spec.js';

export interface Preview {
  /** The script as shown (secrets masked unless revealed); null when nothing sensible can be built. */
  script: string | null;
  /** The exact script that would run (unmasked), when the spec is valid. */
  exact: string | null;
  problems: Problem[];
}

/**
 * Stands for the job id in a preview's paths until the server gives the job one. The command is built
 * with a token the quoting leaves alone and the token is then shown as `<job-id>`, so the preview
 * differs from job.sh by exactly the id (a `<` in the built path would have made it quoted).
 */
export const JOB_ID_TOKEN = 'LMMS-TUI-JOB-ID';
export const JOB_ID_PLACEHOLDER = '<job-id>';

const PLACEHOLDER_MODEL = '<model>';
const PLACEHOLDER_TASKS = '<tasks>';

export function buildPreview(spec: EvalSpec, opts: BuildOptions, reveal: boolean): Preview {
  const problems = validateSpec(spec);
  if (problems.length === 0) {
    const exact = showJobId(buildCommand(spec, opts).script);
    return { script: reveal ? exact : redactScript(exact, specSecrets(spec)), exact, problems };
  }
  const partial = withoutProblems(spec, problems);
  if (validateSpec(partial).length > 0) return { script: null, exact: null, problems };
  const script = showJobId(buildCommand(partial, opts).script)
    .replace(`'${PLACEHOLDER_MODEL}'`, PLACEHOLDER_MODEL)
    .replace(`'${PLACEHOLDER_TASKS}'`, PLACEHOLDER_TASKS);
  return { script: reveal ? script : redactScript(script, specSecrets(spec)), exact: null, problems };
}

function showJobId(script: string): string {
  return script.split(JOB_ID_TOKEN).join(JOB_ID_PLACEHOLDER);
}

/** A copy of `spec` with every field that has a problem dropped (or replaced by a placeholder). */
export function withoutProblems(spec: EvalSpec, problems: readonly Problem[]): EvalSpec {
  const out = { ...spec } as unknown as Record<string, unknown>;
  const badEnv = new Set<number>();
  for (const p of problems) {
    const env = /^env line (\d+)$/.exec(p.field);
    if (env) badEnv.add(Number(env[1]) - 1);
    else if (p.field === 'model') out.model = PLACEHOLDER_MODEL;
    else if (p.field === 'tasks') {
      const good = spec.tasks.filter((t) => typeof t === 'string' && t.trim() !== '' && !/[\u0000-\u001f\u007f-\u009f]/.test(t));
      out.tasks = good.length > 0 ? good : [PLACEHOLDER_TASKS];
    } else if (p.field === 'harness') out.harness = 'lmms-eval';
    else delete out[p.field];
  }
  if (spec.env && badEnv.size > 0) out.env = spec.env.filter((_, i) => !badEnv.has(i));
  return out as unknown as EvalSpec;
}
