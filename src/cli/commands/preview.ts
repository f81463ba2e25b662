/**
 * `lmms-tui preview [spec flags] [-- extra args]`: prints the exact bash script a job would run, or with
 * --json its argv, script and env. Spec problems go to stderr, all at once, with exit code 2.
 */
import { Option, type Command } from 'commander';
import { buildCommand } from '../../core/command/build.js';
import { redactScript, redactSpec, specSecrets } from '../../core/redact.js';
import { validateSpec } from '../../core/command/validate.js';
import { formatProblems as problemLines, type Problem } from '../../core/errors.js';
import { demoHarnessDir } from '../../core/paths.js';
import { addSpecOptions, extraArgsOf, specFromOptions } from '../spec-options.js';
import { addTaskCheckOption, checkTaskNames } from '../task-check.js';

/** Where preview writes; tests pass their own to capture output without a child process. */
export interface PreviewIO {
  out(text: string): void;
  err(text: string): void;
  cwd(): string;
  setExitCode(code: number): void;
}

export const processIO: PreviewIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: () => process.cwd(),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** Problems one per line, each line ending in a newline. */
export function formatProblems(problems: readonly Problem[]): string {
  return `${problemLines(problems)}\n`;
}

export function registerPreview(program: Command, io: PreviewIO = processIO): Command {
  const cmd = program
    .command('preview')
    .description('print the exact script a run would execute (nothing is started)')
    .option('--json', 'print {"argv", "script", "env"} as JSON')
    .option('--reveal', 'print secrets (env lines, set-up exports, api_key= …) in clear: the exact runnable script')
    // Masking is the default now; the old opt-in flag is still accepted so scripts that pass it keep working.
    .addOption(new Option('--mask-secrets', 'secrets are masked by default; kept for old scripts').hideHelp());
  addSpecOptions(cmd);
  addTaskCheckOption(cmd);
  cmd.action(async (_extra: unknown, opts: Record<string, unknown>, self: Command) => {
    const { extraArgs, problems: strays } = extraArgsOf(self);
    const spec = specFromOptions(opts, extraArgs);
    const problems = [...strays, ...validateSpec(spec)];
    if (problems.length === 0) problems.push(...(await checkTaskNames(spec, opts, { cwd: io.cwd(), note: (t) => io.err(t) })));
    if (problems.length > 0) {
      io.err(`lmms-tui preview: the spec has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${formatProblems(problems)}`);
      io.setExitCode(2);
      return;
    }
    const built = buildCommand(spec, { cwd: io.cwd(), ...(spec.demo ? { demoHarnessDir: demoHarnessDir() } : {}) });
    const reveal = opts.reveal === true;
    const secrets = specSecrets(spec);
    const script = reveal ? built.script : redactScript(built.script, secrets);
    // argv words one by one: a secret-named flag's next word is masked like extra_args in a spec.
    const argv = reveal ? built.argv : redactSpec({ extra_args: built.argv }, secrets).extra_args;
    if (opts.json === true) io.out(`${JSON.stringify({ argv, script, env: built.env }, null, 2)}\n`);
    else io.out(script);
    if (!reveal && script !== built.script) io.err('note: secrets are masked as ••••••; --reveal prints the exact script\n');
  });
  return cmd;
}
