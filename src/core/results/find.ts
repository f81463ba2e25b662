/**
 * Locating results files under a run's output path (harness-facts §5.1). Each run gets its own output dir,
 * so a recursive search is both safe and the rule lmms-eval's own web UI follows.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';

export interface FindResultsOptions {
  /** Only files modified at or after this time (epoch ms). */
  since?: number;
  /**
   * Only files that are not in this snapshot as they were then (same inode, size and mtime): new files,
   * and files rewritten since. Judges "new" by identity, so a results file written over NFS with a clock
   * seconds behind ours still counts. Takes the place of `since` when given.
   */
  notIn?: ResultsSnapshot;
  /** How deep to descend below outputPath. Results sit at depth 0-1; the bound protects against a huge tree. Default 4. */
  maxDepth?: number;
}

/** lmms-eval: `<YYYYMMDD_HHMMSS>_results.json`. */
const LMMS_NAME = /_results\.json$/;
/** lm-eval directory form: `results_<date_id>.json`. */
const LME_NAME = /^results_.+\.json$/;
/** lm-eval's `date_id`: local isoformat with `:` replaced, e.g. `2026-08-21T19-56-54.123456`. */
const DATE_ID = '\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d(?:\\.\\d+)?';

export function isResultsFileName(name: string): boolean {
  return LMMS_NAME.test(name) || LME_NAME.test(name);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function list(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function walk(dir: string, depth: number, maxDepth: number, out: string[]): void {
  for (const ent of list(dir)) {
    const full = path.join(dir, ent.name);
    // Symlinked directories are not followed: no loops, and results are never written through one.
    if (ent.isDirectory()) {
      if (depth < maxDepth) walk(full, depth + 1, maxDepth, out);
    } else if ((ent.isFile() || ent.isSymbolicLink()) && isResultsFileName(ent.name)) {
      out.push(full);
    }
  }
}

/**
 * Results files of either harness under `outputPath`, newest first. An output path ending in `.json` is
 * checked both ways: lm-eval writes `<dir>/<stem>_<date_id>.json` beside it, while lmms-eval treats it as a
 * directory. A missing path gives [].
 */
export function findResultsFiles(outputPath: string, opts: FindResultsOptions = {}): string[] {
  const withTime: { file: string; mtime: number }[] = [];
  for (const [file, st] of statAll(outputPath, opts.maxDepth)) {
    const old = opts.notIn?.files[file];
    if (opts.notIn) {
      if (old && old.ino === st.ino && old.size === st.size && old.mtimeMs === st.mtimeMs) continue;
    } else if (opts.since !== undefined && st.mtimeMs < opts.since) continue;
    withTime.push({ file, mtime: st.mtimeMs });
  }
  // Names carry the harness's timestamp, so they break mtime ties in the right order.
  withTime.sort((a, b) => b.mtime - a.mtime || (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
  return withTime.map((x) => x.file);
}

/** Identity of a results file at one moment: a file with the same inode, size and mtime is the same file. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** The results files under an output path just before a run (see FindResultsOptions.notIn). */
export interface ResultsSnapshot {
  files: Record<string, FileStamp>;
}

export function snapshotResults(outputPath: string, maxDepth?: number): ResultsSnapshot {
  const files: Record<string, FileStamp> = {};
  for (const [file, st] of statAll(outputPath, maxDepth)) files[file] = st;
  return { files };
}

/** A snapshot written by an earlier host, or null when missing or unreadable. */
export function readSnapshot(file: string): ResultsSnapshot | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ResultsSnapshot;
    return v && typeof v.files === 'object' && v.files !== null ? v : null;
  } catch {
    return null;
  }
}

function statAll(outputPath: string, maxDepth = 4): Map<string, FileStamp> {
  const found: string[] = [];
  walk(outputPath, 0, maxDepth, found);
  if (outputPath.endsWith('.json')) {
    const dir = path.dirname(outputPath);
    const stem = path.basename(outputPath, '.json');
    const sibling = new RegExp(`^${escapeRe(stem)}_${DATE_ID}\\.json$`);
    for (const ent of list(dir)) if (ent.isFile() && sibling.test(ent.name)) found.push(path.join(dir, ent.name));
  }
  const out = new Map<string, FileStamp>();
  for (const file of new Set(found)) {
    try {
      const st = statSync(file);
      out.set(file, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // Removed between listing and stat: not a result any more.
    }
  }
  return out;
}

/**
 * The `--log_samples` files written by the same run as `resultsFile`, beside it, sorted: lmms-eval's
 * `<stamp>_samples_<task>.jsonl` for `<stamp>_results.json`, lm-eval's `samples_<task>_<date_id>.jsonl`
 * for `results_<date_id>.json`. Matching the run's own stamp keeps an older run's files out.
 */
export function findSamplesFiles(resultsFile: string): string[] {
  const dir = path.dirname(resultsFile);
  const base = path.basename(resultsFile);
  const lmms = /^(.*)_results\.json$/.exec(base);
  const lme = /^results_(.+)\.json$/.exec(base);
  const match = (n: string): boolean =>
    (lmms !== null && n.startsWith(`${lmms[1]}_samples_`) && n.endsWith('.jsonl')) ||
    (lme !== null && n.startsWith('samples_') && n.endsWith(`_${lme[1]}.jsonl`));
  return list(dir)
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && match(e.name))
    .map((e) => e.name)
    .sort()
    .map((n) => path.join(dir, n));
}
