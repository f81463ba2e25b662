/**
 * Discovery: every task and model a harness accepts, without importing the harness.
 *
 * - locateHarness: where the package is installed for an interpreter (one cheap Python call).
 * - buildIndex: the task index from task roots, by the harness's own rules (no Python).
 * - loadTaskIndex: the same, cached on disk and revalidated in the background.
 * - resolveTasks: what a `--tasks` value will run, before launch.
 * - listModels: names for `--model`.
 */
export { buildIndex, type BuildOptions, type BuildResult } from './build.js';
export { discoveryCacheDir } from './cache.js';
export { fnmatch } from './fnmatch.js';
export { clearProbeCache, demoEnv, locateHarness, probePython, type HarnessLocation, type LocateOptions, type PythonProbe } from './locate.js';
export { loadTaskIndex, NoCachedIndexError, type LoadedTaskIndex, type LoadTaskIndexOptions } from './load.js';
export { listModels, parseModelRegistry, type ListModelsOptions, type ModelInfo, type ModelKind } from './models.js';
export { defaultPython, type PythonTarget } from './python.js';
export { entryMap, expandName, matchNames, resolveTasks, splitTaskItems, type ResolveResult } from './resolve.js';
export type { BuildProgress, IndexProblem, ProgressFn, SkippedFile, TaskEntry, TaskIndex, TaskSplits, TaskType } from './types.js';
export { FunctionRef } from './yaml-scalars.js';
