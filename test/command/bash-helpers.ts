/** Helpers that let real bash read what the builder wrote and report the argv it would pass on. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'lmms-tui-command-'));
}

/**
 * bash text of a recorder: appends one record to $DUMP_OUT — argv ("$0" and "$@") followed by
 * `NAME=value` for each variable named in $DUMP_VARS — as a count and NUL-terminated fields.
 */
const RECORD = [
  'rec=("$0" "$@")',
  'for v in $DUMP_VARS; do rec+=("$v=${!v-<unset>}"); done',
  'printf "%s\\0" "${#rec[@]}" "${rec[@]}" >> "${DUMP_OUT:?}"',
].join('\n');

/** An executable standing in for python (a real process, so exec and the environment are exercised). */
export function writeDumper(dir: string): string {
  const file = path.join(dir, 'fake-python');
  writeFileSync(file, `#!/bin/bash\n${RECORD}\n`);
  chmodSync(file, 0o755);
  return file;
}

/**
 * The recorder as a bash function named `python3` that prints its record on stdout, for batching
 * thousands of cases into one bash process without a fork per case. Run it under `bash -r` (restricted:
 * no output redirection, no commands with `/`) so that even badly broken quoting cannot write files.
 */
export const PYTHON3_FUNCTION = `python3() {\n${RECORD.replace('"$0"', 'python3').replace(' >> "${DUMP_OUT:?}"', '')}\n}\n`;

/** Splits the records of a dump file into arrays (argv then NAME=value fields). */
export function splitDumps(data: Buffer | string): string[][] {
  const tokens = data.toString().split('\0');
  tokens.pop(); // after the final NUL
  const out: string[][] = [];
  let i = 0;
  while (i < tokens.length) {
    const n = Number(tokens[i]);
    if (!Number.isInteger(n)) throw new Error(`corrupt dump at token ${i}: ${JSON.stringify(tokens[i])}`);
    out.push(tokens.slice(i + 1, i + 1 + n));
    i += 1 + n;
  }
  return out;
}

export interface BashResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs bash with a minimal, known environment (so the host's PYTHONPATH or HF_HOME cannot leak in) in
 * the test's temp dir: if quoting ever breaks, stray `>` redirections land there, not in the checkout.
 */
export function runBash(args: string[], opts: { cwd: string; input?: string; env?: Record<string, string> }): BashResult {
  const r = spawnSync('bash', args, {
    input: opts.input ?? '',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 20_000,
    cwd: opts.cwd,
  });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

export function writeScript(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}
