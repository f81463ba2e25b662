/**
 * Tasks and models for the compat surfaces, from the discovery cache: the originals re-indexed every task
 * YAML per `/tasks` call (lmms-eval server mode) or kept a scanner's partial list (the web UI). Here the
 * first call may build the index; later calls answer from memory, and a background revalidation swaps in
 * a fresh index when the task tree changed on disk.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listModels, loadTaskIndex, type HarnessLocation, type ModelInfo, type TaskEntry, type TaskIndex } from '../core/discovery/index.js';
import { discoveryEnv, type HarnessTarget } from './config.js';

export interface CatalogIndex {
  index: TaskIndex;
  location: HarnessLocation;
}

export class Catalog {
  private indexing: Promise<CatalogIndex> | null = null;
  private models: Promise<ModelInfo[]> | null = null;

  constructor(
    readonly target: HarnessTarget,
    private readonly opts: { env?: NodeJS.ProcessEnv; cwd?: string; cacheDir?: string; log?: (msg: string) => void } = {},
  ) {}

  private get env(): NodeJS.ProcessEnv {
    return discoveryEnv(this.target, this.opts.env ?? process.env);
  }

  /** The task index and where the harness lives; a failure is not remembered, so the next call retries. */
  index(): Promise<CatalogIndex> {
    if (!this.indexing) {
      const job = loadTaskIndex({
        harness: this.target.harness,
        python: this.target.python,
        setup: this.target.setup,
        env: this.env,
        cwd: this.opts.cwd,
        cacheDir: this.opts.cacheDir,
        onRevalidateError: (err) => this.opts.log?.(`task index revalidation failed: ${(err as Error).message}`),
      }).then((loaded) => {
        void loaded.revalidate.then((fresh) => {
          if (fresh && this.indexing === job) this.indexing = Promise.resolve({ index: fresh, location: loaded.location });
        });
        return { index: loaded.index, location: loaded.location };
      });
      this.indexing = job;
      job.catch(() => {
        if (this.indexing === job) this.indexing = null;
      });
    }
    return this.indexing;
  }

  async location(): Promise<HarnessLocation> {
    return (await this.index()).location;
  }

  /** `--model` names from the static registry (no import of the harness, so no torch at request time). */
  modelList(): Promise<ModelInfo[]> {
    if (!this.models) {
      const job = this.location().then((loc) => listModels(loc, { env: this.env, checkClasses: false }));
      this.models = job;
      job.catch(() => {
        if (this.models === job) this.models = null;
      });
    }
    return this.models;
  }

  async entry(name: string): Promise<TaskEntry | null> {
    const { index } = await this.index();
    return index.entries.find((e) => e.name === name) ?? null;
  }

  /** The YAML text that defines a task or group, and its path relative to the package's parent (`lmms_eval/tasks/…`). */
  async taskYaml(name: string): Promise<{ yaml: string; path: string } | null> {
    const entry = await this.entry(name);
    if (!entry?.yaml_path) return null;
    const file = path.resolve(entry.root, entry.yaml_path);
    const location = await this.location();
    const rel = path.relative(path.dirname(location.packageDir), file);
    const shown = rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
    try {
      return { yaml: await readFile(file, 'utf8'), path: shown };
    } catch {
      return null;
    }
  }
}
