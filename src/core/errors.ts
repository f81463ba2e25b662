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

/**
 * The operating system refused a file operation for a reason outside lmms-tui: the disk is full, a file
 * is not ours to read, the process ran out of file descriptors. Not a bug and not bad input: every face
 * shows it as one sentence naming the path and what to do, with no stack trace.
 */
export class ResourceError extends UserError {
  constructor(
    readonly code: string,
    readonly path: string | null,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.name = 'ResourceError';
  }
}

/** errno codes that mean "the machine said no", not "lmms-tui is broken". */
const RESOURCE_CODES: Record<string, { say: (where: string) => string; hint: string }> = {
  ENOSPC: { say: (p) => `disk full: cannot write ${p}`, hint: 'free space on that filesystem (or point LMMS_TUI_HOME elsewhere); nothing already written was lost' },
  EDQUOT: { say: (p) => `disk quota exceeded: cannot write ${p}`, hint: 'free space within your quota, or point LMMS_TUI_HOME elsewhere' },
  EACCES: { say: (p) => `permission denied: ${p}`, hint: 'check the owner and mode of that path (ls -ld); lmms-tui only reads and writes files of its own user' },
  EPERM: { say: (p) => `permission denied: ${p}`, hint: 'check the owner and mode of that path (ls -ld)' },
  EROFS: { say: (p) => `read-only filesystem: cannot write ${p}`, hint: 'point LMMS_TUI_HOME at a writable directory' },
  EMFILE: { say: (p) => `too many open files (EMFILE) while opening ${p}`, hint: 'raise the limit (ulimit -n) or close other programs; lmms-tui keeps running' },
  ENFILE: { say: (p) => `the system is out of file descriptors (ENFILE) while opening ${p}`, hint: 'close programs holding many files; lmms-tui keeps running' },
};

/**
 * The ResourceError an fs error stands for, or null when `err` is something else. `fallbackPath` names
 * the file when the error does not carry one (a failed write(2) on an already open descriptor).
 */
export function asResourceError(err: unknown, fallbackPath?: string): ResourceError | null {
  if (err instanceof ResourceError) return err;
  const e = err as NodeJS.ErrnoException | null;
  const known = e && typeof e.code === 'string' ? RESOURCE_CODES[e.code] : undefined;
  if (!known) return null;
  const where = e!.path ?? fallbackPath ?? null;
  return new ResourceError(e!.code!, where, known.say(where ?? `(${e!.syscall ?? 'a file operation'})`), known.hint);
}

/** Rethrows an fs error as a ResourceError when it is one (see asResourceError); anything else unchanged. */
export function rethrowResource(err: unknown, fallbackPath?: string): never {
  throw asResourceError(err, fallbackPath) ?? err;
}

export function formatError(err: unknown): string {
  const resource = asResourceError(err);
  if (resource) err = resource;
  if (err instanceof UserError) return err.hint ? `${err.message}\n  hint: ${err.hint}` : err.message;
  if (err instanceof ExternalError) {
    const code = err.exitCode === null ? 'no exit code' : `exit ${err.exitCode}`;
    return `${err.message}\n  ran: ${err.argv.join(' ')} (${code})\n${err.stderrTail}`;
  }
  if (err instanceof Error) return `${err.stack ?? err.message}\n  This looks like a bug in lmms-tui; please report it.`;
  return String(err);
}
