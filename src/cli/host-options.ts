import { Option, type Command } from 'commander';
import { UserError } from '../core/errors.js';
import { detectGpus, parseGpuList } from '../core/scheduler/index.js';
import { parseLogCap } from '../core/runner/logcap.js';
import type { SchedulerOptions } from '../core/scheduler/index.js';
import { stateDir } from '../core/paths.js';
import { parseCgroupMode } from '../core/runner/index.js';

/**
 * Options of whoever hosts the scheduler (the server, or `run --no-server`). Each also reads an env var
 * so an auto-started server (and tests) can be configured without a command line.
 */
export function addHostOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--gpus <list>', 'GPU pool, e.g. 0,1,2,3 or 0-3, or "none" (default: nvidia-smi -L)').env('LMMS_TUI_GPUS'))
    .addOption(new Option('--concurrency <n>', 'jobs running at once (default: pool size, or 1)').env('LMMS_TUI_CONCURRENCY'))
    .addOption(new Option('--grace <seconds>', 'stop: seconds between SIGTERM and SIGKILL (default 10)'))
    .addOption(new Option('--keep <n>', 'finished jobs kept (default 500)').env('LMMS_TUI_KEEP'))
    .addOption(
      new Option('--cgroup <mode>', 'one cgroup per job, so stop reaches processes that left the group: auto, v2, v1 or off (default auto)').env(
        'LMMS_TUI_CGROUP',
      ),
    )
    .addOption(new Option('--log-cap <size>', "cap on each job's output.log, e.g. 2G, 512M, or off; past it the head and a rolling tail are kept (default 2G)").env('LMMS_TUI_LOG_CAP'))
    .addOption(new Option('--max-gpus <n>', 'without a GPU pool: most GPUs one job may ask for (default: CUDA_VISIBLE_DEVICES count, else 8)').env('LMMS_TUI_MAX_GPUS'));
}

export interface HostOptionValues {
  gpus?: string;
  concurrency?: string;
  grace?: string;
  keep?: string;
  cgroup?: string;
  logCap?: string;
  maxGpus?: string;
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${name}: "${v}" is not a positive whole number`, `pass e.g. ${name} 2`);
  return n;
}

export async function hostOptions(values: HostOptionValues, env: NodeJS.ProcessEnv = process.env): Promise<SchedulerOptions> {
  let graceMs: number | undefined;
  if (values.grace !== undefined) {
    const g = Number(values.grace);
    if (!Number.isFinite(g) || g < 0) throw new UserError(`--grace: "${values.grace}" is not a number of seconds`, 'pass e.g. --grace 10');
    graceMs = Math.round(g * 1000);
  } else if (env.LMMS_TUI_GRACE_MS) {
    graceMs = Number(env.LMMS_TUI_GRACE_MS);
  }
  // How long stop waits after SIGKILL before it records survivors as escaped; tests shorten it.
  const killWaitMs = Number(env.LMMS_TUI_KILL_WAIT_MS);
  let logCapBytes: number | undefined;
  if (values.logCap !== undefined) {
    const cap = parseLogCap(values.logCap);
    if (cap === null) throw new UserError(`--log-cap: "${values.logCap}" is not a size of at least 16K`, 'pass e.g. --log-cap 2G, --log-cap 512M, or --log-cap off');
    logCapBytes = cap;
  }
  const gpus = values.gpus !== undefined ? parseGpuList(values.gpus) : await detectGpus();
  return {
    killWaitMs: env.LMMS_TUI_KILL_WAIT_MS && Number.isFinite(killWaitMs) && killWaitMs >= 0 ? killWaitMs : undefined,
    stateDir: stateDir(env),
    gpus,
    logCapBytes,
    maxGpus: positiveInt('--max-gpus', values.maxGpus) ?? visibleDeviceCount(env) ?? gpus?.length ?? 8,
    concurrency: positiveInt('--concurrency', values.concurrency),
    keepFinished: positiveInt('--keep', values.keep),
    graceMs,
    cgroup: parseCgroupMode(values.cgroup ?? env.LMMS_TUI_CGROUP, '--cgroup (LMMS_TUI_CGROUP)'),
  };
}

/** Devices CUDA_VISIBLE_DEVICES names ("0,1,2" → 3), or undefined when it is unset or names none. */
function visibleDeviceCount(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.CUDA_VISIBLE_DEVICES?.trim();
  if (!v) return undefined;
  const n = v.split(',').filter((d) => d.trim() !== '' && !d.trim().startsWith('-')).length;
  return n > 0 ? n : undefined;
}
