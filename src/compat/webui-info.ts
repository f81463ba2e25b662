/**
 * The web UI's `/health`, `/models` and `/tasks` payloads. `/tasks` lists every name the harness accepts
 * (tasks, groups, tags, Python tasks) from the discovery index; the original's own YAML scan skipped files
 * with `!function` tags or quoted keys and lost about 70% of them, including its default `mme`.
 */
import { execa } from 'execa';
import { hostname, arch, release, type } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelInfo, TaskEntry } from '../core/discovery/index.js';

/** Python's str.title(): a letter after a non-letter is upper-cased, every other letter lower-cased. */
export function pyTitle(s: string): string {
  let out = '';
  let prevCased = false;
  for (const ch of s) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (prevCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevCased = cased;
  }
  return out;
}

/** The original's display name: title-cased id, `[Group] ` for groups, ` (Category)` from the folder. */
export function taskDisplayName(e: TaskEntry): string {
  const name = pyTitle(e.name.replace(/[_-]/g, ' '));
  if (e.type === 'group') return `[Group] ${name}`;
  if (!e.yaml_path) return name;
  const parent = path.basename(path.dirname(path.resolve(e.root, e.yaml_path)));
  if (parent.toLowerCase() !== e.name.toLowerCase().replace(/[_-]/g, '')) {
    const category = pyTitle(parent.replace(/[_-]/g, ' '));
    if (!name.toLowerCase().includes(category.toLowerCase())) return `${name} (${category})`;
  }
  return name;
}

export function taskList(entries: readonly TaskEntry[]): { id: string; name: string; group: boolean }[] {
  return entries.map((e) => ({ id: e.name, name: taskDisplayName(e), group: e.type === 'group' }));
}

export function modelList(models: readonly ModelInfo[]): { id: string; name: string }[] {
  return models.map((m) => ({ id: m.name, name: m.aliases.length ? `${m.name} (${m.aliases.join(', ')})` : m.name }));
}

/**
 * The version of a harness that is importable but not an installed distribution (a git checkout on
 * PYTHONPATH): its `pyproject.toml`, else `__version__` in its `__init__.py`; null when neither says.
 */
export async function checkoutVersion(packageDir: string): Promise<string | null> {
  const read = (file: string) => readFile(file, 'utf8').catch(() => '');
  const project = /^\[project\][^[]*?^version\s*=\s*["']([^"']+)["']/m.exec(await read(path.join(packageDir, '..', 'pyproject.toml')));
  if (project) return project[1]!;
  const init = /^__version__\s*=\s*["']([^"']+)["']/m.exec(await read(path.join(packageDir, '__init__.py')));
  return init ? init[1]! : null;
}

export interface GitInfo {
  branch: string;
  commit: string;
  root: string;
}

/** Asked once at start-up, without blocking (the original ran git synchronously on every /health and preview). */
export async function gitInfo(cwd: string): Promise<GitInfo> {
  const git = async (...args: string[]) => {
    const r = await execa('git', args, { cwd, reject: false, timeout: 5000, stdin: 'ignore' });
    return r.exitCode === 0 ? String(r.stdout).trim() : '';
  };
  const [branch, commit, root] = await Promise.all([git('rev-parse', '--abbrev-ref', 'HEAD'), git('rev-parse', '--short', 'HEAD'), git('rev-parse', '--show-toplevel')]);
  return { branch: branch || 'unknown', commit: commit || 'unknown', root };
}

/** Something like Python's platform.platform() for the header's tooltip. */
export function platformString(): string {
  return `${type()}-${release()}-${arch()}`;
}

export function systemInfo(cwd: string, git: GitInfo, python: string): Record<string, string> {
  return { hostname: hostname(), platform: platformString(), python, cwd, repo_root: git.root };
}
