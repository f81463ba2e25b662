// launchJob with real bash/python jobs: exit records, the log, stdin, environment, signals.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJobEnv, groupMembers, isAlive, launchJob, readExitRecord, readProcRecord, stopGroup } from '../../src/core/runner/index.js';
import { killAll, launch, readLog, tempDir, track, waitFor } from './helpers.js';

afterEach(killAll);

// Blocks until the test creates <jobDir>/go, so the job is provably still running meanwhile.
const WAIT_FOR_GO = 'while [ ! -e "$JOB_DIR/go" ]; do sleep 0.02; done\n';

describe('launchJob', () => {
  it('records the exit code and sends stdout and stderr to output.log', async () => {
    const { job, dir } = await launch('echo to-stdout\necho to-stderr >&2\nexit 3\n');
    expect(await job.exited).toEqual({ exit_code: 3, signal: null });
    expect(readExitRecord(dir)).toEqual({ exit_code: 3, signal: null });
    expect(readLog(dir)).toBe('to-stdout\nto-stderr\n');
    expect(readFileSync(path.join(dir, 'job.sh'), 'utf8')).toContain('exit 3');
  });

  it('returns while the job is still running, as the leader of its own process group', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'exit.json'), '{"exit_code": 9, "signal": null}\n'); // left by an earlier attempt
    const job = track(
      await launchJob({ jobDir: dir, script: WAIT_FOR_GO + 'exit 0\n', env: buildJobEnv(process.env, { extra: { JOB_DIR: dir } }), cwd: dir }),
    );
    expect(job.pgid).toBe(job.pid);
    expect(isAlive(job)).toBe(true);
    expect(groupMembers(job.pgid)).toContain(job.pid);
    expect(readExitRecord(dir)).toBeNull();
    writeFileSync(path.join(dir, 'go'), '');
    expect(await job.exited).toEqual({ exit_code: 0, signal: null });
    await waitFor(() => !isAlive(job), 'the wrapper to be gone');
  });

  it('the wrapper records its own pid and start time in proc.json before the job script runs', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'proc.json'), '{"pid": 1, "start": 1}\n'); // left by an earlier attempt
    const job = track(await launchJob({ jobDir: dir, script: 'cat "$JOB_DIR/proc.json"\n', env: buildJobEnv(process.env, { extra: { JOB_DIR: dir } }), cwd: dir }));
    expect(await job.exited).toEqual({ exit_code: 0, signal: null });
    // What job.sh saw: the record was already there, naming the wrapper (the group leader) exactly.
    expect(JSON.parse(readLog(dir))).toEqual({ pid: job.pid, start: job.startTime });
    expect(readProcRecord(dir)).toEqual({ pid: job.pid, pgid: job.pgid, startTime: job.startTime });
    expect(readdirSync(dir).filter((f) => f.startsWith('proc.json.'))).toEqual([]); // no temp file left
  });

  it('gives the job /dev/null as stdin, so a prompt reads EOF instead of hanging', async () => {
    const { job, dir } = await launch('if read -r line; then echo "read:$line"; else echo stdin-eof; fi\n');
    expect(await job.exited).toEqual({ exit_code: 0, signal: null });
    expect(readLog(dir)).toBe('stdin-eof\n');
  });

  it('runs the job in its scratch cwd (created) with exactly the given environment', async () => {
    const dir = path.join(tempDir(), 'job dir with spaces');
    mkdirSync(dir);
    const cwd = path.join(dir, 'scratch', 'run1');
    const env = buildJobEnv({ ...process.env, RANK: '2', CUDA_VISIBLE_DEVICES: '0,1,2,3' }, { gpus: [1, 3], extra: { FOO: 'bar baz' } });
    const job = track(
      await launchJob({ jobDir: dir, cwd, env, script: 'echo "pwd=$PWD cvd=$CUDA_VISIBLE_DEVICES rank=${RANK-unset} foo=$FOO unbuf=$PYTHONUNBUFFERED"\n' }),
    );
    expect(await job.exited).toEqual({ exit_code: 0, signal: null });
    expect(readLog(dir)).toBe(`pwd=${cwd} cvd=1,3 rank=unset foo=bar baz unbuf=1\n`);
  });

  it('records SIGTERM when the job is stopped, and SIGTERM reaches python', async () => {
    const { job, dir } = await launch('exec python3 -c "import time; print(\'ready\', flush=True); time.sleep(1000)"\n');
    await waitFor(() => readLog(dir).includes('ready'), 'python to start');
    expect(await stopGroup(job, { graceMs: 5000, pollMs: 10 })).toEqual({ signal: 'SIGTERM' });
    expect(await job.exited).toEqual({ exit_code: null, signal: 'SIGTERM' });
    expect(readExitRecord(dir)).toEqual({ exit_code: null, signal: 'SIGTERM' });
  });

  it('lets SIGINT interrupt python (not ignored as for background commands of a script)', async () => {
    const { job, dir } = await launch(
      'python3 -c "import time\ntry:\n  print(\'ready\', flush=True); time.sleep(1000)\nexcept KeyboardInterrupt:\n  print(\'interrupted\', flush=True); raise"\n',
    );
    await waitFor(() => readLog(dir).includes('ready'), 'python to start');
    process.kill(-job.pgid, 'SIGINT');
    expect(await job.exited).toEqual({ exit_code: null, signal: 'SIGINT' });
    expect(readLog(dir)).toContain('interrupted');
  });

  it('falls back to the wrapper status when the wrapper itself is SIGKILLed (no exit.json)', async () => {
    const { job, dir } = await launch('echo started\nexec sleep 1000\n');
    await waitFor(() => readLog(dir).includes('started'), 'the job to start');
    process.kill(-job.pgid, 'SIGKILL');
    expect(await job.exited).toEqual({ exit_code: null, signal: 'SIGKILL' });
    expect(existsSync(path.join(dir, 'exit.json'))).toBe(false);
  });

  it('appends to output.log across attempts in the same job dir', async () => {
    const dir = tempDir();
    const env = buildJobEnv(process.env, {});
    await (await launchJob({ jobDir: dir, cwd: dir, env, script: 'echo first\n' })).exited;
    await (await launchJob({ jobDir: dir, cwd: dir, env, script: 'echo second\n' })).exited;
    expect(readLog(dir)).toBe('first\nsecond\n');
  });
});
