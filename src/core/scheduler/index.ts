export * from './types.js';
export { DuplicateJobError, Scheduler, type LaunchStep, type SchedulerOptions, type RunnerApi, type SchedulerEvents } from './scheduler.js';
export { JobStore, type StoreProblem } from './store.js';
export { resolveJobId } from './ids.js';
export { parseGpuList, detectGpus } from './gpus.js';
