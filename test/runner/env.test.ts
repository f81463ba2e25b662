import { describe, expect, it } from 'vitest';
import { buildJobEnv, SCRUBBED_ENV_NAMES } from '../../src/core/runner/index.js';

const launcherEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/u',
  HF_TOKEN: 'hf_x',
  RANK: '3',
  LOCAL_RANK: '1',
  WORLD_SIZE: '8',
  LOCAL_WORLD_SIZE: '8',
  GROUP_RANK: '0',
  ROLE_RANK: '0',
  MASTER_ADDR: '10.0.0.1',
  MASTER_PORT: '29500',
  TORCHELASTIC_RUN_ID: 'abc',
  ACCELERATE_MIXED_PRECISION: 'fp16',
  SLURM_JOB_ID: '42',
  LMMS_TUI_HOME: '/state',
  LMMS_TUI_SOCKET: '/state/s.sock',
  CUDA_VISIBLE_DEVICES: '0,1,2,3',
  UNSET: undefined,
};

describe('buildJobEnv', () => {
  it('drops launcher, SLURM and lmms-tui variables but keeps the rest of the user environment', () => {
    const env = buildJobEnv(launcherEnv, {});
    expect(Object.keys(env).sort()).toEqual(['CUDA_VISIBLE_DEVICES', 'HF_TOKEN', 'HOME', 'PATH', 'PYTHONUNBUFFERED']);
    expect(env.PATH).toBe('/usr/bin:/bin');
    for (const name of SCRUBBED_ENV_NAMES) expect(env).not.toHaveProperty(name);
  });

  it('makes python unbuffered so the log keeps up with the run', () => {
    expect(buildJobEnv({ PYTHONUNBUFFERED: '0' }, {}).PYTHONUNBUFFERED).toBe('1');
  });

  it('sets CUDA_VISIBLE_DEVICES to the assigned GPUs, and leaves the user value alone without a pool', () => {
    expect(buildJobEnv(launcherEnv, { gpus: [2, 5] }).CUDA_VISIBLE_DEVICES).toBe('2,5');
    expect(buildJobEnv(launcherEnv, { gpus: [] }).CUDA_VISIBLE_DEVICES).toBe('');
    expect(buildJobEnv(launcherEnv, { gpus: null }).CUDA_VISIBLE_DEVICES).toBe('0,1,2,3');
    expect(buildJobEnv(launcherEnv, {}).CUDA_VISIBLE_DEVICES).toBe('0,1,2,3');
  });

  it('applies extra last, so an explicit user setting wins', () => {
    const env = buildJobEnv(launcherEnv, { gpus: [1], extra: { CUDA_VISIBLE_DEVICES: '7', MASTER_PORT: '29511', FOO: 'bar' } });
    expect(env).toMatchObject({ CUDA_VISIBLE_DEVICES: '7', MASTER_PORT: '29511', FOO: 'bar' });
  });

  it('does not modify the base environment', () => {
    const base = { ...launcherEnv };
    buildJobEnv(base, { gpus: [0], extra: { X: '1' } });
    expect(base).toEqual(launcherEnv);
  });
});

describe('job marker', () => {
  it('marks the job environment with its id, and an env line cannot forge it', () => {
    const env = buildJobEnv({ LMMS_TUI_JOB: 'other' }, { jobId: 'abc123', extra: { LMMS_TUI_JOB: 'forged' } });
    expect(env.LMMS_TUI_JOB).toBe('abc123');
  });
});
