/**
 * Error taxonomy (house style): a UserError is the user's to fix and is shown as message + hint with no
 * stack; an ExternalError is a program we ran that failed; anything else is a bug.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export class ExternalError extends Error {
  constructor(
    message: string,
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'ExternalError';
  }
}

/** One problem with a spec or request: which field, what is wrong, how to fix it. */
export interface Problem {
  field: string;
  message: string;
  fix: string;
}

export class ValidationError extends UserError {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((p) => `${p.field}: ${p.message} (${p.fix})`).join('\n'));
    this.name = 'ValidationError';
  }
}

/** Problems one per line, `  field: message — fix` (the API's `spec.` prefix dropped). */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  ${p.field.replace(/^spec\./, '')}: ${p.message} — ${p.fix}`).join('\n');
}

export function formatError(err: unknown): string {
  if (err instanceof UserError) return err.hint ? `${err.message}\n  hint: ${err.hint}` : err.message;
  if (err instanceof ExternalError) {
    const code = err.exitCode === null ? 'no exit code' : `exit ${err.exitCode}`;
    return `${err.message}\n  ran: ${err.argv.join(' ')} (${code})\n${err.stderrTail}`;
  }
  if (err instanceof Error) return `${err.stack ?? err.message}\n  This looks like a bug in lmms-tui; please report it.`;
  return String(err);
}
