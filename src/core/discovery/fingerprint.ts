/**
 * A cheap "has anything changed?" check for a task tree: a stat walk (no reads) over every file and
 * directory under each root. An edited file moves its mtime and maybe its size; an added, removed or
 * renamed one changes a count and its directory's mtime. Templates are covered too, since they are
 * files under the root even when not named `*.yaml`; includes that point outside the roots are
 * stat'ed one by one.
 *
 * It yields to the event loop every few milliseconds so that a revalidation in the background never
 * holds the loop for long, even on a 15,000-file tree.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export interface RootFingerprint {
  root: string;
  files: number;
  yaml: number;
  dirs: number;
  /** Largest mtime (ms) over files and directories. */
  maxMtimeMs: number;
  /** Sum of file sizes and of mtimes: catches an edit that keeps the largest mtime unchanged. */
  bytes: number;
  mtimeSum: number;
}

export interface TreeFingerprint {
  roots: RootFingerprint[];
  /** Files outside the roots that were read (includes by absolute or `../` path): path → "mtime:size". */
  external: Record<string, string>;
}

const IGNORED_DIRS = new Set(['__pycache__', '.ipynb_checkpoints']);
const SLICE_MS = 8;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Synchronous stats are ~8x faster than fs.promises here (no thread-pool round trip per file), so the
 * walk is synchronous in slices of a few milliseconds with a yield to the event loop between them.
 */
async function walkRoot(root: string): Promise<RootFingerprint> {
  const fp: RootFingerprint = { root, files: 0, yaml: 0, dirs: 0, maxMtimeMs: 0, bytes: 0, mtimeSum: 0 };
  const pending = [root];
  let sliceStart = performance.now();
  const add = (mtimeMs: number): void => {
    if (mtimeMs > fp.maxMtimeMs) fp.maxMtimeMs = mtimeMs;
    fp.mtimeSum = (fp.mtimeSum + mtimeMs) % 1e15;
  };
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
      add(statSync(dir).mtimeMs);
    } catch {
      continue;
    }
    fp.dirs++;
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!IGNORED_DIRS.has(e.name)) pending.push(full);
        continue;
      }
      const st = statSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      add(st.mtimeMs);
      fp.files++;
      fp.bytes += st.size;
      if (e.name.endsWith('.yaml')) fp.yaml++;
    }
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
  }
  return fp;
}

/** Fingerprints each root. */
export function fingerprintRoots(roots: readonly string[]): Promise<RootFingerprint[]> {
  return Promise.all(roots.map(walkRoot));
}

/** "mtime:size" of each file read that lies outside every root. */
export async function fingerprintExternal(roots: readonly string[], filesRead: readonly string[]): Promise<Record<string, string>> {
  const inside = (f: string): boolean => roots.some((r) => f.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
  const outside = [...new Set(filesRead.filter((f) => !inside(f)))].sort();
  const stamps = await Promise.all(outside.map((f) => stat(f).then((st) => `${st.mtimeMs}:${st.size}`, () => 'missing')));
  return Object.fromEntries(outside.map((f, i) => [f, stamps[i]!]));
}

export async function fingerprintTree(roots: readonly string[], filesRead: readonly string[] = []): Promise<TreeFingerprint> {
  const [fps, external] = await Promise.all([fingerprintRoots(roots), fingerprintExternal(roots, filesRead)]);
  return { roots: fps, external };
}

export function sameFingerprint(a: TreeFingerprint, b: TreeFingerprint): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
