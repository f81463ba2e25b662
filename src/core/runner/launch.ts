/**
 * Starting a job so that it outlives whoever started it (the TUI may die with its SSH session).
 *
 * We spawn a tiny bash wrapper detached (new session, so a new process group whose id is the wrapper's
 * pid) with stdout/stderr pointing straight at <jobDir>/output.log: the kernel writes the log, no pipe
 * runs through our process, so nothing blocks or breaks when we exit. The wrapper first records its
 * own pid and start time in proc.json, then runs job.sh and records how it ended in exit.json: that is
 * how a later host finds a job and learns its fate without having been its parent, even when the host
 * died before it could save the pid itself.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExternalError } from '../errors.js';
import { readStartTime } from './proc.js';
import type { ExitInfo, LaunchRequest, LaunchedJob, ProcessHandle } from './types.js';

export const JOB_FILES = {
  script: 'job.sh',
  wrapper: 'wrapper.sh',
  log: 'output.log',
  exit: 'exit.json',
  /** Written by the wrapper itself before job.sh runs: its pid and /proc start time (see WRAPPER_SCRIPT). */
  proc: 'proc.json',
} as const;

/**
 * The wrapper, run as `bash wrapper.sh <jobDir>`. Two choices matter:
 * - A trap HANDLER, not an ignore: `trap '' TERM` is inherited through exec, and python would then
 *   ignore SIGTERM. A handler is reset to default in the child, and bash defers running it until the
 *   foreground child has exited, so a SIGTERM to the whole group cannot kill the wrapper before it has
 *   recorded the status. (SIGKILL still kills it: then there is no exit.json.)
 * - job.sh runs in the FOREGROUND, not `&` + wait: a non-interactive bash starts background commands
 *   with SIGINT ignored, and Python keeps an inherited SIG_IGN for SIGINT, so Ctrl-C-style stops
 *   (KeyboardInterrupt) would stop working.
 */
export const WRAPPER_SCRIPT = String.raw`# lmms-tui job wrapper (generated). $1 = job directory.
trap ':' TERM INT HUP
# --- launch record: the FIRST thing the wrapper does, before job.sh (or anything else) runs. ---
# A host killed -9 between spawn and saving the pid in job.json leaves this record behind, so the next
# host adopts the job instead of losing it (readProcRecord in launch.ts, traceLaunch in adopt.ts).
# Field 22 of /proc/$$/stat is the start time; field 2 is "(bash)", one word, so read can split it.
read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ start _ </proc/$$/stat
printf '{"pid": %s, "start": %s}\n' "$$" "$start" >"$1/proc.json.$$" && mv -f "$1/proc.json.$$" "$1/proc.json"
# --- end of launch record ---
"$BASH" "$1/job.sh"
st=$?
# bash reports "killed by signal n" as status 128+n.
code=$st sig=null
if [ "$st" -gt 128 ] && name=$(kill -l "$((st - 128))" 2>/dev/null); then code=null sig="\"SIG$name\""; fi
# Temp file + rename: a reader never sees a half-written record.
tmp="$1/exit.json.$$"
printf '{"exit_code": %s, "signal": %s}\n' "$code" "$sig" >"$tmp" && mv -f "$tmp" "$1/exit.json"
exit "$st"
`;

// The env may lack a usable PATH for the wrapper's own lookup; /bin/bash is where every Linux has it.
const BASH = existsSync('/bin/bash') ? '/bin/bash' : 'bash';

/**
 * The wrapper's own launch record (pid + /proc start time), or null when there is none yet (the host
 * died in the moment between spawn and the wrapper's first line) or it is damaged.
 */
export function readProcRecord(jobDir: string): ProcessHandle | null {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path.join(jobDir, JOB_FILES.proc), 'utf8'));
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const { pid, start } = data as Record<string, unknown>;
  if (!Number.isInteger(pid) || (pid as number) <= 0 || !Number.isInteger(start) || (start as number) < 0) return null;
  return { pid: pid as number, pgid: pid as number, startTime: start as number };
}

/** The exit record the wrapper wrote, or null if there is none (still running, or the wrapper was SIGKILLed). */
export function readExitRecord(jobDir: string): ExitInfo | null {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path.join(jobDir, JOB_FILES.exit), 'utf8'));
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const { exit_code, signal } = data as Record<string, unknown>;
  const code = typeof exit_code === 'number' ? exit_code : null;
  const sig = typeof signal === 'string' ? signal : null;
  return code === null && sig === null ? null : { exit_code: code, signal: sig };
}

export async function launchJob(req: LaunchRequest): Promise<LaunchedJob> {
  const jobDir = path.resolve(req.jobDir);
  mkdirSync(req.cwd, { recursive: true });
  writeFileSync(path.join(jobDir, JOB_FILES.script), req.script);
  const wrapperPath = path.join(jobDir, JOB_FILES.wrapper);
  writeFileSync(wrapperPath, WRAPPER_SCRIPT);
  // A record left by an earlier attempt in the same directory would be taken for this run's result.
  rmSync(path.join(jobDir, JOB_FILES.exit), { force: true });
  rmSync(path.join(jobDir, JOB_FILES.proc), { force: true });

  const argv = [BASH, wrapperPath, jobDir];
  const fd = openSync(path.join(jobDir, JOB_FILES.log), 'a');
  let child;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      // stdin /dev/null: harnesses have interactive modes (wizards, prompts) that would otherwise hang.
      stdio: ['ignore', fd, fd],
    });
  } finally {
    // The child has its own copy; ours would only keep the file open for as long as we live.
    closeSync(fd);
  }

  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new ExternalError(`could not start the job wrapper: ${err.message}`, argv, null, '');
  }
  // Read synchronously, before the event loop can reap the child: even a job that already exited is
  // still a zombie here, so its stat is readable.
  const startTime = readStartTime(pid);
  if (startTime === null) throw new Error(`lmms-tui: job wrapper ${pid} vanished before its start time was read`);

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      // exit.json holds the job's real status; the wrapper's own status is the fallback when it was SIGKILLed.
      resolve(readExitRecord(jobDir) ?? { exit_code: code, signal });
    });
  });
  // Our process may exit while the job runs on.
  child.unref();
  return { pid, pgid: pid, startTime, exited };
}
