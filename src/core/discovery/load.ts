/**
 * The task index as the TUI, the server and `lmms-tui tasks` get it: cached on disk per installed
 * harness, served at once when warm, revalidated in the background, rebuilt (with progress) when cold
 * or when the tree changed.
 */
import path from 'node:path';
import type { Harness } from '../spec.js';
import { buildIndex } from './build.js';
import {
  CACHE_SCHEMA,
  discoveryCacheDir,
  hashKey,
  indexKey,
  readIndexCache,
  readPointer,
  writeIndexCache,
  writePointer,
  type CachedIndex,
} from './cache.js';
import { fingerprintExternal, fingerprintRoots, fingerprintTree, sameFingerprint } from './fingerprint.js';
import { locateHarness, type HarnessLocation } from './locate.js';
import { defaultPython, type PythonTarget } from './python.js';
import type { ProgressFn, TaskIndex } from './types.js';

export interface LoadTaskIndexOptions extends PythonTarget {
  harness: Harness;
  /** Extra task directories (`--include_path`), after the package's own tasks. */
  includePaths?: readonly string[];
  /** Ignore the cache and rebuild. */
  refresh?: boolean;
  /** Default: `<state dir>/cache/discovery`. */
  cacheDir?: string;
  /** Progress of a (cold) build. */
  onProgress?: ProgressFn;
  /** A location already found, to skip asking Python. */
  location?: HarnessLocation;
  /** Reuse a Python probe younger than this (ms); see locateHarness. */
  probeMaxAgeMs?: number;
  /** Build slice length (ms) between yields to the event loop. */
  sliceMs?: number;
  /**
   * false: serve a cached index without starting the background revalidation (which asks Python again);
   * for a one-shot check that only needs a fresh index when the cached one disagrees. Default true.
   */
  revalidate?: boolean;
  /** Serve only a cached index; without one, reject instead of asking Python (which runs `setup`). */
  cachedOnly?: boolean;
  /** Errors of the background revalidation (the promise itself never rejects). */
  onRevalidateError?: (err: unknown) => void;
}

export interface LoadedTaskIndex {
  index: TaskIndex;
  location: HarnessLocation;
  fromCache: boolean;
  /** Resolves with a fresh index when the served one turned out stale, else null. Never rejects. */
  revalidate: Promise<TaskIndex | null>;
}

// Variables that decide which Python and which packages a request gets; the rest of the
// environment (terminal, SSH, tmux) changes from shell to shell and would only defeat the pointer.
const PYTHON_ENV = ['PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONNOUSERSITE', 'PYTHONUSERBASE', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'CONDA_DEFAULT_ENV', 'HOME'];

const inflight = new Map<string, Promise<CachedIndex>>();

interface Ctx {
  opts: LoadTaskIndexOptions;
  dir: string;
  request: string;
  includePaths: string[];
}

async function buildAndStore(ctx: Ctx, location: HarnessLocation): Promise<CachedIndex> {
  const key = indexKey(location, ctx.includePaths, ctx.opts.cwd);
  const running = inflight.get(key);
  if (running) return running;
  const job = (async (): Promise<CachedIndex> => {
    const roots = [location.tasksDir, ...ctx.includePaths];
    // Fingerprint first: a file edited during the build then shows up as a change next time.
    const rootPrints = await fingerprintRoots(roots);
    const { filesRead, ...index } = await buildIndex(roots, location.harness, {
      onProgress: ctx.opts.onProgress,
      cwd: ctx.opts.cwd,
      sliceMs: ctx.opts.sliceMs,
    });
    const external = await fingerprintExternal(index.roots, filesRead);
    const cached: CachedIndex = { schema: CACHE_SCHEMA, key, location, includePaths: ctx.includePaths, fingerprint: { roots: rootPrints, external }, index };
    try {
      writeIndexCache(ctx.dir, cached);
      writePointer(ctx.dir, ctx.request, { key, location });
    } catch {
      // A read-only state directory costs speed next time, not correctness now.
    }
    return cached;
  })();
  inflight.set(key, job);
  try {
    return await job;
  } finally {
    inflight.delete(key);
  }
}

function locate(ctx: Ctx): Promise<HarnessLocation> {
  const { opts } = ctx;
  return opts.location ? Promise.resolve(opts.location) : locateHarness({ ...opts, maxAgeMs: opts.probeMaxAgeMs });
}

async function revalidate(ctx: Ctx, served: CachedIndex): Promise<TaskIndex | null> {
  try {
    const location = await locate(ctx);
    const key = indexKey(location, ctx.includePaths, ctx.opts.cwd);
    let current: CachedIndex | null = served;
    if (key !== served.key) {
      // The interpreter now resolves to another install (an upgrade, another venv).
      current = readIndexCache(ctx.dir, key);
      if (!current) return (await buildAndStore(ctx, location)).index;
    }
    const now = await fingerprintTree(current.index.roots, Object.keys(current.fingerprint.external));
    if (sameFingerprint(now, current.fingerprint)) {
      if (current === served) return null;
      writePointer(ctx.dir, ctx.request, { key, location });
      return current.index;
    }
    return (await buildAndStore(ctx, location)).index;
  } catch (err) {
    ctx.opts.onRevalidateError?.(err);
    return null;
  }
}

/** loadTaskIndex with `cachedOnly` found no cached index for the request. */
export class NoCachedIndexError extends Error {
  constructor() {
    super('no task index is cached for this interpreter and set-up line yet');
    this.name = 'NoCachedIndexError';
  }
}

export async function loadTaskIndex(opts: LoadTaskIndexOptions): Promise<LoadedTaskIndex> {
  const env = opts.env ?? process.env;
  const base = opts.cwd ?? process.cwd();
  const includePaths = (opts.includePaths ?? []).map((p) => path.resolve(base, p));
  const request = hashKey([
    CACHE_SCHEMA,
    opts.harness,
    opts.python ?? defaultPython(env, opts.setup),
    opts.setup ?? '',
    includePaths,
    opts.cwd ?? null,
    PYTHON_ENV.map((k) => env[k] ?? null),
  ]);
  const ctx: Ctx = { opts, dir: opts.cacheDir ?? discoveryCacheDir(env), request, includePaths };

  if (!opts.refresh && !opts.location) {
    const pointer = readPointer(ctx.dir, request);
    const cached = pointer ? readIndexCache(ctx.dir, pointer.key) : null;
    if (cached) return { index: cached.index, location: cached.location, fromCache: true, revalidate: opts.revalidate === false ? Promise.resolve(null) : revalidate(ctx, cached) };
  }
  if (opts.cachedOnly) throw new NoCachedIndexError();
  const location = await locate(ctx);
  if (!opts.refresh) {
    const cached = readIndexCache(ctx.dir, indexKey(location, includePaths, opts.cwd));
    if (cached) {
      const fresh = { ...ctx, opts: { ...opts, location } };
      return { index: cached.index, location, fromCache: true, revalidate: revalidate(fresh, cached) };
    }
  }
  const built = await buildAndStore(ctx, location);
  return { index: built.index, location, fromCache: false, revalidate: Promise.resolve(null) };
}
