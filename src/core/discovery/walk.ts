/**
 * Which `*.yaml` files a harness reads under one task root, in the order it reads them. The order
 * decides which file wins when two define the same name, so each harness's walk is reproduced:
 *
 * - lmms-eval: `os.walk` top-down, a directory's files before its subdirectories, in raw directory
 *   order (what readdir(3) returns, unsorted). `fs.opendirSync` reads that same raw order, where
 *   `fs.readdirSync` would sort (libuv's scandir); on one filesystem we therefore see the order
 *   Python sees.
 * - lm-eval: `root.glob("**\/*.yaml")`, sorted by the path string.
 *
 * Both prune directories named `__pycache__` or `.ipynb_checkpoints`, match the `.yaml` suffix
 * case-sensitively (never `.yml`), and do not descend into symlinked directories.
 */
import { lstatSync, opendirSync, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { Harness } from '../spec.js';

const IGNORED_DIRS = new Set(['__pycache__', '.ipynb_checkpoints']);

export interface WalkResult {
  /** Paths relative to the root, `/`-separated, in the harness's reading order. */
  files: string[];
  /** Set when the root itself cannot be read (missing, not a directory, no permission). */
  error?: string;
}

/** Symlinks: a link to a file (or a dangling one) is listed like a file; a link to a directory is not walked. */
function linkIsDir(full: string): boolean {
  try {
    return statSync(full).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads one directory: in raw order when the order matters (lmms-eval), else with readdirSync, which
 * is about twice as fast but sorted. Unreadable subdirectories are skipped, as os.walk does.
 */
function readDir(dir: string, raw: boolean): Dirent[] | null {
  if (!raw) {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
  }
  let handle;
  try {
    handle = opendirSync(dir, { bufferSize: 256 });
  } catch {
    return null;
  }
  const out: Dirent[] = [];
  try {
    for (let e = handle.readSync(); e !== null; e = handle.readSync()) out.push(e);
  } catch {
    // A directory that vanishes mid-read: keep what was read.
  } finally {
    handle.closeSync();
  }
  return out;
}

function walk(root: string, rel: string, out: string[], raw: boolean): void {
  const entries = readDir(rel ? path.join(root, rel) : root, raw);
  if (!entries) return;
  const subdirs: string[] = [];
  for (const e of entries) {
    const childRel = rel ? `${rel}/${e.name}` : e.name;
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      if (linkIsDir(path.join(root, childRel))) continue; // listed by os.walk, never entered
      isDir = false;
    } else if (!isDir && !e.isFile()) {
      // Some filesystems do not report entry types (DT_UNKNOWN); ask.
      try {
        const st = lstatSync(path.join(root, childRel));
        if (st.isSymbolicLink() && linkIsDir(path.join(root, childRel))) continue;
        isDir = st.isDirectory();
      } catch {
        continue;
      }
    }
    if (isDir) {
      if (!IGNORED_DIRS.has(e.name)) subdirs.push(childRel);
    } else if (e.name.endsWith('.yaml')) out.push(childRel);
  }
  for (const d of subdirs) walk(root, d, out, raw);
}

function rootError(root: string): string | undefined {
  try {
    if (!statSync(root).isDirectory()) return 'not a directory';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such directory' : (e as Error).message;
  }
  return undefined;
}

/** Lists the task YAML files under `root` as `harness` would read them. */
export function walkTaskRoot(root: string, harness: Harness): WalkResult {
  const error = rootError(root);
  if (error) return { files: [], error };
  const files: string[] = [];
  walk(root, '', files, harness === 'lmms-eval');
  // Python compares str by code point; JS `<` by UTF-16 unit. They agree except for characters
  // outside the BMP, which no task path uses.
  if (harness === 'lm-eval') files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files };
}
