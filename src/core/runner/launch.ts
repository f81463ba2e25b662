/**
 * Starting a job so that it outlives whoever started it (the TUI may die with its SSH session).
 *
 * We spawn a tiny bash wrapper detached (new session, so a new process group whose id is the wrapper's
 * pid) with stdout/stderr pointing straight at <jobDir>/output.log: the kernel writes the log, no pipe
 * runs through our process, so nothing blocks or breaks when we exit. The wrapper first records its
 * own pid and start time in proc.json, then runs job.sh and records how it ended in exit.json: that is
 * how a later host finds a job and learns its fate without having been its parent, even when the host
 * died before it could save the pid itself. With a log cap (the default, see logcap.ts) the job's output
 * goes through a small capping writer instead, which also lives in the job's process group: still nothing
 * runs through our process.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExternalError } from '../errors.js';
import { LOGCAP_FILES, LOGCAP_SCRIPT } from './logcap.js';
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
export const WRAPPER_SCRIPT = String.raw`# lmms-tui job wrapper (generated). $1 = job directory, $2 = the job's cgroup directory or empty,
# $3 = node, $4 = log cap in bytes (0: none).
# cgroup first, before anything forks: every process the job ever starts is born in it, whatever it
# does with setsid/setpgid (src/core/runner/cgroup.ts). If the move fails, stop still sweeps the group,
# session and marker; say so in the log rather than refuse to run.
if [ -n "$2" ] && ! { echo $$ >"$2/cgroup.procs"; } 2>/dev/null; then echo "lmms-tui: could not join cgroup $2; stop falls back to the process group, session and job marker" >&2; fi
trap ':' TERM INT HUP
# --- launch record: the first thing the wrapper does after the (fork-free) cgroup join above, before
# job.sh or anything else runs. A host killed -9 between spawn and saving the pid in job.json leaves this
# record behind, so the next host adopts the job instead of losing it (readProcRecord in launch.ts,
# traceLaunch in adopt.ts). Field 22 of /proc/$$/stat is the start time; field 2 is "(bash)", one word,
# so read can split it.
read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ start _ </proc/$$/stat
printf '{"pid": %s, "start": %s}\n' "$$" "$start" >"$1/proc.json.$$" && mv -f "$1/proc.json.$$" "$1/proc.json"
# --- end of launch record ---
# [disk full] The exit record's space, taken before the job can fill the disk: at the end it is
# overwritten in place (no new blocks needed) and renamed, so a full disk does not lose the exit status.
printf '%80s\n' '' >"$1/exit.json.reserve" 2>/dev/null
# [log cap] Output through the capping writer (logcap.ts) when there is a cap and node to run it.
capper=
if [ "$4" -gt 0 ] 2>/dev/null && [ -x "$3" ] && [ -f "$1/logcap.cjs" ]; then
  # Opened by this shell (not by the forked job.sh) so that $! is the writer's pid; closed after the job
  # so that the writer sees end of input once the job's own processes are gone.
  # A clean environment: the job's NODE_OPTIONS (--require, --inspect) are not the writer's business.
  rm -f "$1/job.ended"
  exec 3> >(exec env -i LMMS_TUI_JOB="$LMMS_TUI_JOB" "$3" "$1/logcap.cjs" "$1" "$4")
  capper=$!
  "$BASH" "$1/job.sh" >&3 2>&1 3>&-
  st=$?
  exec 3>&-
else
  "$BASH" "$1/job.sh"
  st=$?
fi
# bash reports "killed by signal n" as status 128+n.
code=$st sig=null
if [ "$st" -gt 128 ] && name=$(kill -l "$((st - 128))" 2>/dev/null); then code=null sig="\"SIG$name\""; fi
rec="{\"exit_code\": $code, \"signal\": $sig}"
# Rename: a reader never sees a half-written record. The reserve first (see above), else a temp file.
if ! { printf '%s' "$rec" 1<>"$1/exit.json.reserve" && mv -f "$1/exit.json.reserve" "$1/exit.json"; } 2>/dev/null; then
  tmp="$1/exit.json.$$"
  printf '%s\n' "$rec" >"$tmp" && mv -f "$tmp" "$1/exit.json" || rm -f "$tmp"
fi
# [log cap] Let the writer add the last lines: it ends at end of input, or soon after job.ended appears
# when a leftover process still holds the pipe. (A file, not a signal: node resets signal dispositions
# at start, so a signal sent before its handler exists would kill it.) SIGKILL after 10 s in any case:
# the host then appends the tail the writer left on disk.
if [ -n "$capper" ]; then
  : >"$1/job.ended" 2>/dev/null
  n=0
  while kill -0 "$capper" 2>/dev/null; do
    n=$((n + 1))
    [ "$n" -gt 200 ] && kill -KILL "$capper" 2>/dev/null
    sleep 0.05
  done
fi
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
  // The script holds the env lines in clear (HF_TOKEN=…): the owner's alone, like job.json.
  writeFileSync(path.join(jobDir, JOB_FILES.script), req.script, { mode: 0o600 });
  const wrapperPath = path.join(jobDir, JOB_FILES.wrapper);
  writeFileSync(wrapperPath, WRAPPER_SCRIPT);
  if (req.logCapBytes) writeFileSync(path.join(jobDir, LOGCAP_FILES.script), LOGCAP_SCRIPT);
  // A record left by an earlier attempt in the same directory would be taken for this run's result.
  rmSync(path.join(jobDir, JOB_FILES.exit), { force: true });
  rmSync(path.join(jobDir, JOB_FILES.proc), { force: true });

  const argv = [BASH, wrapperPath, jobDir, req.cgroup ?? '', process.execPath, String(req.logCapBytes ?? 0)];
  const fd = openSync(path.join(jobDir, JOB_FILES.log), 'a', 0o600);
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
