/**
 * The on-disk discovery cache: `<state dir>/cache/discovery/`.
 *
 * - `idx-<key>.json`: one index per (interpreter, package dir, version, include paths, cwd), with the
 *   fingerprint of the tree it was built from. Schema-versioned; anything unreadable is a miss.
 * - `req-<key>.json`: which index the last identical request (interpreter as asked, set-up line,
 *   environment, include paths) resolved to, so a warm start can serve it before asking Python.
 *
 * Writes go to a temporary file renamed into place, so a reader never sees half a file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../paths.js';
import type { TreeFingerprint } from './fingerprint.js';
import type { HarnessLocation } from './locate.js';
import type { TaskEntry, TaskIndex } from './types.js';

export const CACHE_SCHEMA = 1;

export function discoveryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'cache', 'discovery');
}

export interface CachedIndex {
  schema: number;
  key: string;
  location: HarnessLocation;
  includePaths: string[];
  fingerprint: TreeFingerprint;
  index: TaskIndex;
}

export interface RequestPointer {
  schema: number;
  key: string;
  location: HarnessLocation;
}

export function hashKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

/** The cache key of an index: what decides its content. */
export function indexKey(location: HarnessLocation, includePaths: readonly string[], cwd?: string): string {
  return hashKey([CACHE_SCHEMA, location.harness, location.executable, location.packageDir, location.version, includePaths, cwd ?? null]);
}

function writeAtomic(file: string, data: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// Stored entries carry the index of their root instead of its path: 15,000 copies of a long path
// would be most of the file.
type StoredEntry = Omit<TaskEntry, 'root'> & { root: number };

export function readIndexCache(dir: string, key: string): CachedIndex | null {
  const raw = readJson(path.join(dir, `idx-${key}.json`)) as (CachedIndex & { index: { entries: StoredEntry[] } }) | null;
  if (!raw || raw.schema !== CACHE_SCHEMA || raw.key !== key || !Array.isArray(raw.index?.entries)) return null;
  const roots = raw.index.roots;
  const entries = raw.index.entries as unknown as TaskEntry[];
  for (const e of raw.index.entries) (e as unknown as TaskEntry).root = roots[e.root] ?? '';
  return { ...raw, index: { ...raw.index, entries } };
}

export function writeIndexCache(dir: string, cached: CachedIndex): void {
  const rootIdx = new Map(cached.index.roots.map((r, i) => [r, i]));
  const entries: StoredEntry[] = cached.index.entries.map((e) => ({ ...e, root: rootIdx.get(e.root) ?? 0 }));
  writeAtomic(path.join(dir, `idx-${cached.key}.json`), JSON.stringify({ ...cached, index: { ...cached.index, entries } }));
}

export function readPointer(dir: string, request: string): RequestPointer | null {
  const raw = readJson(path.join(dir, `req-${request}.json`)) as RequestPointer | null;
  return raw && raw.schema === CACHE_SCHEMA && typeof raw.key === 'string' ? raw : null;
}

export function writePointer(dir: string, request: string, pointer: Omit<RequestPointer, 'schema'>): void {
  writeAtomic(path.join(dir, `req-${request}.json`), JSON.stringify({ schema: CACHE_SCHEMA, ...pointer }));
}
