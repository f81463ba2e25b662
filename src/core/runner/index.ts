/** The job runner: launch detached jobs, watch them (as parent or adopter), stop their process groups. */
export type { Clock, ExitInfo, LaunchRequest, LaunchedJob, ProcessHandle, StopOptions, StopResult } from './types.js';
export { buildJobEnv, isScrubbedEnvName, JOB_MARKER_ENV, SCRUBBED_ENV_NAMES, SCRUBBED_ENV_PREFIXES, type JobEnvOptions } from './env.js';
export { groupMembers, isAlive, liveProcesses, markedProcesses, readEnvVar, readProcStat, readStartTime, sessionMembers, type ProcStat } from './proc.js';
export { JOB_FILES, launchJob, readExitRecord, readProcRecord, WRAPPER_SCRIPT } from './launch.js';
export { jobMembers, jobOps, jobProcesses, realClock, realGroupOps, stopGroup, stopGroupWith, type GroupOps } from './stop.js';
export {
  CGROUP_ENV,
  CGROUP_MODES,
  cgroupBase,
  cgroupProcs,
  createJobCgroup,
  findCgroupBase,
  parseCgroupMode,
  parseMountinfo,
  removeJobCgroup,
  signalCgroup,
  type CgroupBase,
  type CgroupMode,
} from './cgroup.js';
export { traceLaunch, watchAdopted, type AdoptedWatch, type LaunchTrace, type TraceOptions } from './adopt.js';
export { DEFAULT_LOG_CAP, finishLogCap, LOGCAP_FILES, parseLogCap, readLogCapRecord } from './logcap.js';
