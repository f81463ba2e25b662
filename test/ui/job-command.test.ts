import { describe, expect, it } from 'vitest';
import { buildCommand } from '../../src/core/command/build.js';
import { MASK } from '../../src/core/redact.js';
import { jobCommand } from '../../src/ui/screens/jobs/job-actions.js';
import { jobSecrets } from '../../src/ui/screens/jobs/output-pane.js';
import { makeJob } from './helpers/fake-backend.js';

const spec = {
  env: ['HF_TOKEN=hf_tuiCommandSecret1234567'],
  setup: 'export MY_PASSWORD=pw-tui-secret && echo "$MY_PASSWORD"',
  model_args: 'pretrained=Qwen/Qwen2-VL-2B-Instruct,api_key=ak-tui-secret',
  python: 'python3',
};

describe('the TUI job command and log secrets', () => {
  it('copies and shows the job script with every secret masked by the core rule', () => {
    const base = makeJob({ id: 'c0ffee00', state: 'running' }, spec);
    const job = { ...base, script: buildCommand(base.spec, { cwd: '/home/u/proj' }).script };
    for (const j of [job, { ...job, script: null }]) {
      const shown = jobCommand(j);
      expect(shown).not.toMatch(/hf_tuiCommandSecret|pw-tui-secret|ak-tui-secret/);
      expect(shown).toContain(`export HF_TOKEN=${MASK}`);
      expect(shown).toContain(`api_key=${MASK}`);
    }
  });

  it('masks the literal values of env lines, set-up exports and api_key in log lines read from disk', () => {
    const job = makeJob({ id: 'c0ffee00', state: 'running' }, spec);
    expect(jobSecrets(job, {}).sort()).toEqual(['ak-tui-secret', 'hf_tuiCommandSecret1234567', 'pw-tui-secret']);
  });
});
