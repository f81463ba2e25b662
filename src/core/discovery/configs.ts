/**
 * Loading one task YAML with its `include:` chain resolved, per harness (harness-facts §1.1, §1.2):
 *
 * |                      | lmms-eval (`load_yaml_config`)               | lm-eval (`load_yaml`)                      |
 * |----------------------|----------------------------------------------|--------------------------------------------|
 * | include order        | list reversed: the first listed wins         | listed order: the last listed wins         |
 * | relative include     | tried against the CWD first, then the file's | against the including file's directory     |
 * | repeated file        | only a true cycle fails (recursion)          | any file seen twice in one chain fails     |
 * | included `task_list` | kept                                         | dropped                                    |
 *
 * The file's own keys win over everything it includes. Parsed files are cached for one build, since
 * hundreds of tasks include the same template.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Harness } from '../spec.js';
import { readYamlFile, type YamlResult } from './yaml-load.js';

export type Config = Record<string, unknown>;

export interface LoadProblem {
  file: string;
  line: number | null;
  message: string;
}

export type LoadResult = { ok: true; config: Config } | { ok: false; problem: LoadProblem };

class LoadError extends Error {
  constructor(readonly problem: LoadProblem) {
    super(problem.message);
  }
}

const MAX_DEPTH = 64;

/** A YAML mapping as either parser returns it (null-prototype or plain object). */
export function isMapping(v: unknown): v is Config {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

/** Python's `target.update(src)`, leaving out `src[skip]`. Targets have a null prototype, so any key is plain data. */
function update(target: Config, src: Config, skip?: string): Config {
  for (const k of Object.keys(src)) if (k !== skip) target[k] = src[k];
  return target;
}

export class ConfigLoader {
  /** Parsed include targets; task files themselves are parsed once and not kept. */
  private readonly parsed = new Map<string, YamlResult>();
  private readonly read: string[] = [];

  constructor(
    private readonly harness: Harness,
    /** The directory the harness will run in; lmms-eval resolves relative includes there first. */
    private readonly cwd?: string,
  ) {}

  /** Absolute paths of every file read so far (task files and included templates). */
  filesRead(): string[] {
    return this.read;
  }

  /** The merged config of one task file, or the first problem met while loading it. */
  load(file: string): LoadResult {
    try {
      const config = this.harness === 'lmms-eval' ? this.lmms(file, 0, false) : this.lm(file, new Set(), false);
      return { ok: true, config };
    } catch (e) {
      if (!(e instanceof LoadError)) throw e;
      const p = e.problem;
      const message = p.file === file ? p.message : `${p.message} (included from ${file})`;
      return { ok: false, problem: { ...p, message } };
    }
  }

  private parse(file: string, keep: boolean): unknown {
    let result = this.parsed.get(file);
    if (!result) {
      result = readYamlFile(file, { strictTabs: this.harness === 'lmms-eval' });
      this.read.push(file);
      if (keep) this.parsed.set(file, result);
    }
    if (!result.ok) throw new LoadError({ file, line: result.line, message: result.message });
    return result.value;
  }

  private includeList(file: string, value: unknown): string[] {
    const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
    if (!list || list.some((v) => typeof v !== 'string')) {
      throw new LoadError({ file, line: null, message: `\`include:\` must be a file name or a list of them, not ${kindOf(value)}` });
    }
    return list as string[];
  }

  private lmms(file: string, depth: number, included = true): Config {
    if (depth > MAX_DEPTH) throw new LoadError({ file, line: null, message: 'include chain too deep (an include cycle?)' });
    const cfg = this.parse(file, included);
    if (cfg === null || cfg === undefined) {
      throw new LoadError({ file, line: null, message: 'the file is empty; lmms-eval fails on an empty task file' });
    }
    if (!isMapping(cfg)) throw new LoadError({ file, line: 1, message: `the file holds ${kindOf(cfg)}, not a mapping` });
    if (!('include' in cfg)) return cfg;
    const includes = this.includeList(file, cfg.include).slice().reverse();
    const merged: Config = Object.create(null);
    for (const inc of includes) update(merged, this.lmms(this.lmmsIncludePath(file, inc), depth + 1));
    return update(merged, cfg, 'include');
  }

  private lmmsIncludePath(file: string, inc: string): string {
    if (path.isAbsolute(inc)) return inc;
    if (this.cwd) {
      const fromCwd = path.resolve(this.cwd, inc);
      try {
        if (statSync(fromCwd).isFile()) return fromCwd;
      } catch {
        // not there: fall through to the including file's directory
      }
    }
    return path.join(path.dirname(file), inc);
  }

  private lm(file: string, seen: Set<string>, included = true): Config {
    const abs = file; // absolute and normalised already: from the walk, or path.join below
    if (seen.has(abs)) {
      throw new LoadError({ file: abs, line: null, message: `include cycle at ${abs} (lm-eval refuses a file included twice in one chain)` });
    }
    seen.add(abs);
    const cfg = this.parse(abs, included);
    if (!isMapping(cfg)) throw new LoadError({ file: abs, line: 1, message: `expected a YAML mapping, got ${kindOf(cfg)}` });
    if (!('include' in cfg)) return cfg;
    const includes = this.includeList(abs, cfg.include);
    const merged: Config = Object.create(null);
    for (const inc of includes) {
      const target = path.isAbsolute(inc) ? inc : path.join(path.dirname(abs), inc);
      update(merged, this.lm(target, seen), 'task_list');
    }
    return update(merged, cfg, 'include');
  }
}
