/**
 * Deciding whether a finished job succeeded. The exit code alone is not enough: lmms-eval catches every
 * evaluation error, logs it and exits 0 (harness-facts §6.1), and either harness exits 0 when saving the
 * results fails (§6.2). So success needs exit 0, a results file written by this run, and a clean log.
 */
import { readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { readTail } from '../logs/read.js';
import { redactSecrets } from '../logs/redact.js';
import { findErrorMarker } from '../logs/scan.js';
import { findResultsFiles, type ResultsSnapshot } from './find.js';

export interface JudgeInput {
  exit: { exit_code: number | null; signal: string | null };
  /** The user asked for the stop; whatever the exit looks like, the job counts as stopped. */
  stopped: boolean;
  /**
   * The signal the stop had to send last (SIGKILL when SIGTERM was not enough); the reason names it,
   * since the job's own exit status may show only the SIGTERM its leader died of.
   */
  stopSignal?: string | null;
  /**
   * The output path's results files before the run. When given, "written by this run" means absent
   * from it or changed since (inode, size, mtime), not "mtime after the start": clocks of a network
   * filesystem may run seconds behind ours.
   */
  before?: ResultsSnapshot;
  logPath: string;
  outputPath: string | null;
  /** When the job started (epoch ms); results files older than this belong to an earlier run. */
  startedAt: number;
  /** Allowance for coarse file timestamps (1 s on some filesystems) and clock rounding. Default 2000 ms. */
  slackMs?: number;
  /** Literal secrets to mask in the reason and tail (see secretEnvValues). */
  secretValues?: string[];
  /** Log lines returned for failed jobs. Default 50. */
  tailLines?: number;
}

export type JudgedState = 'succeeded' | 'failed' | 'stopped';

export interface Outcome {
  state: JudgedState;
  /** Why it failed or how it was stopped; null on success. */
  reason: string | null;
  /** Results files this run wrote, newest first. */
  results: string[];
  /** Last log lines (ANSI stripped, redraws collapsed, secrets masked) for failed jobs; [] otherwise. */
  tail: string[];
}

const MAX_REASON = 300;

function signalName(code: number): string | null {
  // A shell reports a child killed by signal N as 128 + N.
  if (code <= 128 || code > 128 + 64) return null;
  const entry = Object.entries(constants.signals).find(([, n]) => n === code - 128);
  return entry ? entry[0] : null;
}

function exitText(exit: JudgeInput['exit']): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.exit_code === null) return 'ended without an exit status';
  const sig = signalName(exit.exit_code);
  return sig ? `exited with code ${exit.exit_code} (killed by ${sig})` : `exited with code ${exit.exit_code}`;
}

function clip(s: string): string {
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s;
}

export async function judgeOutcome(input: JudgeInput): Promise<Outcome> {
  const since = input.startedAt - (input.slackMs ?? 2000);
  const results = input.outputPath ? findResultsFiles(input.outputPath, input.before ? { notIn: input.before } : { since }) : [];
  const secrets = input.secretValues ?? [];

  if (input.stopped) {
    const how = input.stopSignal ?? input.exit.signal ?? (input.exit.exit_code !== null ? `exit code ${input.exit.exit_code}` : null);
    return { state: 'stopped', reason: how ? `stopped by user (${how})` : 'stopped by user', results, tail: [] };
  }

  let reason: string | null = null;
  const clean = input.exit.exit_code === 0 && !input.exit.signal;
  const marker = await findErrorMarker(input.logPath);
  if (!clean) {
    reason = exitText(input.exit) + (marker ? `: ${marker.message}` : '');
  } else if (marker) {
    reason = `exited 0 but logged an error: ${marker.message}`;
  } else if (!input.outputPath) {
    reason = 'exited 0 but had no output path, so it wrote no results file';
  } else if (results.length > 0 && !results.some(isReadableJson)) {
    // Either harness exits 0 when writing the results fails; on a full disk the file is left empty.
    reason = `exited 0 but its results file ${results[0]} is empty or not valid JSON (was the disk full?)`;
  } else if (results.length === 0) {
    const older = findResultsFiles(input.outputPath);
    reason = older.length
      ? `exited 0 but wrote no new results file under ${input.outputPath} (${older.length} found there predate this run)`
      : `exited 0 but wrote no results file under ${input.outputPath}`;
  }
  if (reason === null) return { state: 'succeeded', reason: null, results, tail: [] };

  const tail = await readTail(input.logPath, input.tailLines ?? 50, { includePartial: true });
  return {
    state: 'failed',
    reason: clip(redactSecrets(reason, secrets)),
    results,
    tail: tail.map((l) => redactSecrets(l, secrets)),
  };
}

/** A results file that parses (size-bounded: results files are kilobytes, a runaway one is not read whole). */
function isReadableJson(file: string): boolean {
  try {
    if (statSync(file).size > 256 * 1024 * 1024) return true;
    JSON.parse(readFileSync(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}
