/** Shapes shared by the discovery engine, the CLI, the TUI and the server. */
import type { Harness } from '../spec.js';

/** The four kinds of name a harness's TaskManager registers. */
export type TaskType = 'task' | 'group' | 'tag' | 'python_task';

export interface TaskSplits {
  test?: string;
  validation?: string;
  train?: string;
  fewshot?: string;
}

/** One name the harness accepts in `--tasks`, with what the picker's detail pane shows. */
export interface TaskEntry {
  name: string;
  type: TaskType;
  /** YAML file that defines the name, relative to `root` with `/` separators; null for tags. */
  yaml_path: string | null;
  /** The task root (absolute) that defined the name. */
  root: string;
  /** Groups: the names in their `task:` list. Tags: their member tasks, sorted. */
  members?: string[];
  /** Tasks: the tags they declare (`tag:`, and in lmms-eval the legacy `group:` key). */
  tags?: string[];
  output_type?: string;
  dataset_path?: string;
  dataset_name?: string;
  splits?: TaskSplits;
  /** `metric_list[].metric` (groups: `aggregate_metric_list[].metric`). */
  metrics?: string[];
  num_fewshot?: number;
  description?: string;
  /**
   * Other YAML files that define the same name and lost to `yaml_path` under the harness's precedence
   * rules. Relative to `root` when under it, absolute otherwise.
   */
  also_defined_in?: string[];
}

/** A file that could not be indexed: shown by the UI, never fatal to the index. */
export interface IndexProblem {
  /** Absolute path of the file that has the problem. */
  file: string;
  /** 1-based line, when the problem has one. */
  line: number | null;
  message: string;
}

/** A YAML file the harness reads but registers nothing from (a template named `*.yaml`, say). */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface TaskIndex {
  harness: Harness;
  /** Task roots in the harness's order: the package's `tasks/` first, then include paths. */
  roots: string[];
  /** Every name, sorted by name (code-point order, as Python sorts). */
  entries: TaskEntry[];
  errors: IndexProblem[];
  skipped: SkippedFile[];
  /** Number of `*.yaml` files read under the roots. */
  files: number;
  /** When the index was built (ISO 8601). */
  built_at: string;
  /** Build time in milliseconds. */
  build_ms: number;
}

export interface BuildProgress {
  done: number;
  total: number;
}

export type ProgressFn = (p: BuildProgress) => void;
