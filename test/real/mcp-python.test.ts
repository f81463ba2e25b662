/**
 * `lmms-tui mcp` driven by the Python MCP client from PyPI (`mcp`, pinned in test/real/pins.txt), as an agent
 * written in Python runs it: test/fixtures/mcp/python-client.py starts the shipped entry over stdio with
 * `mcp.client.stdio.stdio_client` and `ClientSession`, lists the tools, starts a demo evaluation, polls it to
 * the end and reads its metrics. Part of the real tier: under CI a missing venv fails, never skips.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanupHomes, newHome } from '../server/helpers.js';
import { describeReal, ROOT } from './venvs.js';

const SCRIPT = path.join(ROOT, 'test', 'fixtures', 'mcp', 'python-client.py');

afterEach(async () => {
  await cleanupHomes();
});

function run(python: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeReal(['mcp'], 'lmms-tui mcp with the Python mcp client', (py) => {
  it('lists the tools, runs a demo evaluation to completion and reads its metrics; a bad task is refused', async () => {
    const { env } = await newHome({ NODE: process.execPath });
    const r = await run(py.mcp, [SCRIPT, env.LMMS_TUI_SERVER_ENTRY!, '--demo'], env);
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, any>;
    expect(seen.server).toBe('lmms-tui');
    expect(seen.tools).toEqual(expect.arrayContaining(['list_tasks', 'get_task_info', 'list_models', 'get_model_info', 'evaluate', 'get_run_status', 'get_run_result', 'cancel_run', 'stop_run', 'get_run_logs', 'compare_runs']));
    expect(seen.evaluate.is_error).toBe(false);
    expect(seen.final_status).toMatchObject({ run_id: seen.evaluate.json.run_id, status: 'completed', state: 'succeeded', exit_code: 0 });
    expect(seen.statuses.at(-1)).toBe('completed');
    expect(seen.result.is_error).toBe(false);
    const mme = (seen.result.json.metrics as { task: string; metric: string; value: unknown }[]).find((m) => m.task === 'demo_mme' && m.metric === 'mme_perception_score');
    expect(mme?.value).toEqual(expect.any(Number));
    expect(seen.result.json.partial).toContain('4 documents');
    expect(seen.refused.is_error).toBe(true);
    expect(seen.refused.json.problems).toEqual([{ field: 'tasks', message: 'no task, group or tag matches "no_such_task_xyz"', fix: 'use a name list_tasks shows' }]);
  });
});
