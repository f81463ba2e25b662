// A job outlives the process that launched it, and a later process adopts it with watchAdopted.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readProcStat, watchAdopted, type ProcessHandle } from '../../src/core/runner/index.js';
import { killAll, launch, readLog, tempDir, track, waitFor } from './helpers.js';

afterEach(killAll);

const runnerIndex = fileURLToPath(new URL('../../src/core/runner/index.ts', import.meta.url));

/** Launches a job from a separate, short-lived node process and returns once that process has exited. */
async function launchFromAnotherProcess(jobDir: string, script: string): Promise<{ handle: ProcessHandle; launcherPid: number }> {
  const code = `
    import { launchJob, buildJobEnv } from ${JSON.stringify(runnerIndex)};
    const job = await launchJob({ jobDir: process.argv[1], script: process.argv[2], cwd: process.argv[1],
      env: buildJobEnv(process.env, { extra: { JOB_DIR: process.argv[1] } }) });
    console.log(JSON.stringify({ pid: job.pid, pgid: job.pgid, startTime: job.startTime, launcherPid: process.pid }));
  `;
  // No explicit exit: the launcher must be able to end on its own while the job runs (unref, no pipes).
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, jobDir, script], {
    timeout: 20_000,
  });
  const { launcherPid, ...handle } = JSON.parse(stdout) as ProcessHandle & { launcherPid: number };
  return { handle: track(handle), launcherPid };
}

describe('watchAdopted', () => {
  it('sees the end of a job that survived its launcher, with its exit code', async () => {
    const dir = tempDir();
    const { handle, launcherPid } = await launchFromAnotherProcess(
      dir,
      'echo started\nwhile [ ! -e "$JOB_DIR/go" ]; do sleep 0.02; done\nexit 5\n',
    );
    expect(readProcStat(launcherPid)).toBeNull();
    expect(isAlive(handle)).toBe(true);
    expect(readProcStat(handle.pid)?.ppid).not.toBe(launcherPid);
    await waitFor(() => readLog(dir).includes('started'), 'the job to write its log');

    const watch = watchAdopted(handle, dir, { pollMs: 20 });
    writeFileSync(path.join(dir, 'go'), '');
    expect(await watch.exited).toEqual({ exit_code: 5, signal: null });
  });

  it('reports an unknown status when the job left no exit record', async () => {
    const { job, dir } = await launch('echo started\nexec sleep 1000\n');
    await waitFor(() => readLog(dir).includes('started'), 'the job to start');
    const watch = watchAdopted(job, dir, { pollMs: 20 });
    process.kill(-job.pgid, 'SIGKILL');
    expect(await watch.exited).toEqual({ exit_code: null, signal: null });
  });

  it('resolves at once for a job that ended before adoption', async () => {
    const { job, dir } = await launch('exit 7\n');
    await job.exited;
    await waitFor(() => !isAlive(job), 'the wrapper to be reaped');
    expect(await watchAdopted(job, dir, { pollMs: 60_000 }).exited).toEqual({ exit_code: 7, signal: null });
  });
});
