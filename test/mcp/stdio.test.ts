/**
 * `lmms-tui mcp` over stdio with the SDK's real client: the tools lmms-eval's MCP server has (same names and
 * arguments) plus lmms-tui's; discovery; a demo evaluation to success with its logs and metrics; stopping a
 * running job's whole process tree; refusals naming every problem; secrets masked in every answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alivePids, cleanupHomes, client, newHome, until } from '../server/helpers.js';
import { startMcp, type McpSession } from './helpers.js';

const sessions: McpSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close().catch(() => undefined);
  await cleanupHomes();
});

async function session(extra: Record<string, string> = {}, args?: string[]) {
  const { home, env } = await newHome(extra);
  const s = await startMcp(env, args);
  sessions.push(s);
  return { home, env, s };
}

function pidsIn(file: string): number[] | null {
  if (!existsSync(file)) return null;
  const pids = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  return pids.length ? pids : null;
}

/** Polls get_run_status as an agent would, until the run has ended. */
async function pollToEnd(s: McpSession, runId: string) {
  return until(async () => {
    const r = await s.call('get_run_status', { run_id: runId });
    return ['completed', 'failed', 'cancelled'].includes(r.json.status) ? r.json : null;
  }, { what: `run ${runId} to end` });
}

describe('lmms-tui mcp (stdio)', () => {
  it('lists lmms-eval\'s tools with their argument names, plus lmms-tui\'s', async () => {
    const { s } = await session();
    const { tools } = await s.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(
      ['cancel_run', 'compare_runs', 'evaluate', 'get_model_info', 'get_run_logs', 'get_run_result', 'get_run_status', 'get_task_info', 'list_models', 'list_results_runs', 'list_runs', 'list_tasks', 'preview_command', 'stop_run'],
    );
    const props = (name: string) => Object.keys((byName.get(name)!.inputSchema.properties ?? {}) as object);
    // lmms-eval's own argument names (lmms_eval/mcp/tools.py), so a prompt written for it works unchanged.
    expect(props('evaluate')).toEqual(expect.arrayContaining(['model', 'tasks', 'model_args', 'batch_size', 'limit', 'num_fewshot', 'gen_kwargs', 'log_samples', 'num_gpus', 'mode', 'wait_timeout_s', 'harness']));
    expect(byName.get('evaluate')!.inputSchema.required).toEqual(['model', 'tasks']);
    expect(props('list_tasks')).toContain('query');
    expect(props('get_task_info')).toContain('task_name');
    expect(props('list_models')).toContain('include_aliases');
    expect(props('get_model_info')).toContain('model_name');
    expect(props('get_run_result')).toEqual(expect.arrayContaining(['run_id', 'include_samples', 'sample_limit', 'sample_offset']));
    for (const t of ['get_run_status', 'cancel_run', 'stop_run', 'get_run_logs']) expect(byName.get(t)!.inputSchema.required).toEqual(['run_id']);
  });

  it('discovers tasks and models: globs, paging, a group resolved to its tasks, unknown names refused with suggestions', async () => {
    const { s } = await session();
    const all = await s.call('list_tasks', { query: 'demo_mm*' });
    expect(all.json.tasks.map((t: { name: string }) => t.name)).toEqual(['demo_mme', 'demo_mmmu', 'demo_mmmu_dev', 'demo_mmmu_val']);
    const first = await s.call('list_tasks', { query: 'demo_mm*', limit: 3 });
    expect(first.json).toMatchObject({ total: 4, next_offset: 3 });
    const rest = await s.call('list_tasks', { query: 'demo_mm*', offset: first.json.next_offset });
    expect(rest.json.tasks.map((t: { name: string }) => t.name)).toEqual(['demo_mmmu_val']);
    expect(rest.json.next_offset).toBeNull();

    const group = await s.call('get_task_info', { task_name: 'demo_mmmu' });
    expect(group.isError).toBe(false);
    expect(group.json).toMatchObject({ name: 'demo_mmmu', type: 'group', resolves_to: ['demo_mmmu_dev', 'demo_mmmu_val'], metrics: ['mmmu_acc'] });
    const task = await s.call('get_task_info', { task_name: 'demo_mme' });
    expect(task.json).toMatchObject({ type: 'task', output_type: 'generate_until', resolves_to: ['demo_mme'] });
    const missing = await s.call('get_task_info', { task_name: 'demo_mmm' });
    expect(missing.isError).toBe(true);
    expect(missing.json.error).toBe("Task 'demo_mmm' not found.");
    expect(missing.json.hint).toContain('demo_mmmu');

    const lm = await s.call('list_tasks', { harness: 'lm-eval', query: 'arc' });
    expect(lm.json.tasks.map((t: { name: string }) => t.name)).toEqual(['demo_ai2_arc', 'demo_arc_challenge', 'demo_arc_easy']);

    const models = await s.call('list_models', { include_aliases: true });
    expect(models.json.models.find((m: { model_id: string }) => m.model_id === 'demo')).toMatchObject({ has_chat: true, has_simple: true });
    const info = await s.call('get_model_info', { model_name: 'qwen2_5_vl' });
    expect(info.json).toMatchObject({ model_id: 'qwen2_5_vl', has_chat: true });
    expect((await s.call('get_model_info', { model_name: 'no_such_model' })).isError).toBe(true);
  });

  it('runs a demo evaluation to success: an ordinary job, its logs and metrics, still there after the agent leaves', async () => {
    const { env, s } = await session();
    const sub = await s.call('evaluate', { model: 'demo', tasks: ['demo_mme', 'demo_mmmu'], limit: 5, mode: 'async' });
    expect(sub.isError, sub.text).toBe(false);
    const runId: string = sub.json.run_id;
    expect(sub.json.status).toMatch(/^(queued|running)$/);

    const end = await pollToEnd(s, runId);
    expect(end).toMatchObject({ run_id: runId, status: 'completed', state: 'succeeded', exit_code: 0, model: 'demo' });

    const result = await s.call('get_run_result', { run_id: runId, include_samples: true, sample_limit: 2 });
    expect(result.isError, result.text).toBe(false);
    const rows = result.json.metrics as { task: string; metric: string; value: unknown }[];
    expect(rows.find((r) => r.task === 'demo_mme' && r.metric === 'mme_perception_score')?.value).toEqual(expect.any(Number));
    expect(rows.some((r) => r.task === 'demo_mmmu_val')).toBe(true);
    expect(result.json.partial).toContain('5 documents');
    const [perModel] = Object.values(result.json.results) as { results: Record<string, Record<string, number>>; samples: { records: unknown[]; total: number; next_offset: number | null } }[];
    expect(perModel!.results.demo_mme!['mme_perception_score,none']).toEqual(expect.any(Number));
    expect(perModel!.samples.records).toHaveLength(2);
    expect(perModel!.samples.total).toBeGreaterThan(2);
    expect(perModel!.samples.next_offset).toBe(2);

    const tail = await s.call('get_run_logs', { run_id: runId, tail: 10 });
    expect(tail.json.lines).toHaveLength(10);
    expect(tail.json.lines.join('\n')).toMatch(/demo_mme\s*\|/); // the results table, the last thing the harness prints
    const head = await s.call('get_run_logs', { run_id: runId, since: 0, max_bytes: 1024 });
    expect(head.json.first_offset).toBe(0);
    expect(head.json.lines.join('\n')).toContain('DEMO HARNESS: results are simulated');
    expect(head.json.next_offset).toBeLessThanOrEqual(1024); // a page, not the whole log
    expect(head.json.next_offset).toBeLessThan(head.json.size);
    const after = await s.call('get_run_logs', { run_id: runId, since: tail.json.next_offset });
    expect(after.json.lines).toEqual([]);

    // Ordinary jobs: the CLI's client (what the TUI polls) sees it; the agent leaving does not remove it.
    await s.close();
    const c = await client(env);
    try {
      expect((await c.job(runId)).state).toBe('succeeded');
    } finally {
      c.close();
    }
    const again = await startMcp(env);
    sessions.push(again);
    const runs = await again.call('list_runs', { state: 'completed' });
    expect(runs.json.runs.map((r: { run_id: string }) => r.run_id)).toEqual([runId]);
  });

  it('offers the task catalogue and run logs as resources', async () => {
    const { s } = await session();
    const templates = (await s.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates.sort()).toEqual(['lmms-tui://runs/{run_id}/log', 'lmms-tui://tasks/{harness}']);
    const cat = await s.client.readResource({ uri: 'lmms-tui://tasks/lm-eval' });
    const parsed = JSON.parse((cat.contents[0] as { text: string }).text) as { total: number; tasks: { name: string }[] };
    expect(parsed.tasks.map((t) => t.name)).toContain('demo_hellaswag');
    expect(parsed.total).toBe(parsed.tasks.length);

    const run = await s.call('evaluate', { model: 'demo', tasks: ['demo_mme'], limit: 2, mode: 'sync' });
    const listed = (await s.client.listResources()).resources.map((r) => r.uri);
    expect(listed).toContain(`lmms-tui://runs/${run.json.run_id}/log`);
    const log = await s.client.readResource({ uri: `lmms-tui://runs/${run.json.run_id}/log` });
    expect((log.contents[0] as { text: string }).text).toMatch(/demo_mme\s*\|/);
  });

  it('runs lm-eval jobs through the harness argument', async () => {
    const { s } = await session();
    const r = await s.call('evaluate', { harness: 'lm-eval', model: 'hf', model_args: { pretrained: 'EleutherAI/pythia-160m' }, tasks: ['demo_arc_easy'], limit: 3, mode: 'sync' });
    expect(r.isError, r.text).toBe(false);
    expect(r.json).toMatchObject({ status: 'completed', harness: 'lm-eval' });
    expect(r.json.metrics.some((m: { task: string }) => m.task === 'demo_arc_easy')).toBe(true);
  });

  it('stop_run takes the whole process tree down; cancel_run cancels a queued run and leaves a running one alone', async () => {
    const { home, s } = await session();
    const pidfile = path.join(home, 'demo.pids');
    const hang = ['LMMS_DEMO_HANG=1', 'LMMS_DEMO_IGNORE_TERM=1', 'LMMS_DEMO_CHILDREN=2', `LMMS_DEMO_PIDFILE=${pidfile}`];
    // mode auto (lmms-eval's default) gives up waiting after wait_timeout_s and hands back the run id.
    const running = await s.call('evaluate', { model: 'demo', tasks: ['demo_mme'], env: hang, wait_timeout_s: 0.5 });
    expect(running.isError, running.text).toBe(false);
    expect(running.json).toMatchObject({ status: 'running', state: 'running' });
    expect(running.json.message).toContain(`get_run_status('${running.json.run_id}')`);
    const pids = await until(() => (pidsIn(pidfile)?.length === 3 ? pidsIn(pidfile) : null), { what: 'the demo pid file' });
    expect(alivePids(pids)).toEqual(pids);

    // One job at a time (no GPU pool): a second one waits in the queue.
    const queued = await s.call('evaluate', { model: 'demo', tasks: ['demo_vqa'], mode: 'async' });
    expect(queued.json).toMatchObject({ status: 'queued', position_in_queue: 1 });
    const refused = await s.call('cancel_run', { run_id: running.json.run_id });
    expect(refused.json).toMatchObject({ success: false, state: 'running' });
    expect(refused.json.message).toContain('stop_run');
    const cancelled = await s.call('cancel_run', { run_id: queued.json.run_id });
    expect(cancelled.json).toMatchObject({ success: true, state: 'cancelled' });

    const listed = await s.call('list_runs', { state: 'running' });
    expect(listed.json.runs.map((r: { run_id: string }) => r.run_id)).toEqual([running.json.run_id]);

    const stopped = await s.call('stop_run', { run_id: running.json.run_id.slice(0, 4), grace_s: 0.3 });
    expect(stopped.isError, stopped.text).toBe(false);
    expect(stopped.json).toMatchObject({ state: 'stopped', signal: 'SIGKILL' });
    expect(alivePids(pids)).toEqual([]);
    const again = await s.call('stop_run', { run_id: running.json.run_id });
    expect(again.isError).toBe(true); // already stopped: refused, with the reason
    expect(again.json.error).toMatch(/stopped/);
  });

  it('refuses a bad spec with every problem named, and starts nothing', async () => {
    const { s } = await session();
    const bad = await s.call('evaluate', {
      model: 'two words',
      tasks: [],
      batch_size: 0,
      model_args: { 'a,b': 1, pretrained: 'x,y' },
      flags: { no_such_flag: 1, seed: '0' },
      harness: 'lm-eval',
      mode: 'async',
    });
    expect(bad.isError).toBe(true);
    const fields = (bad.json.problems as { field: string; fix: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual(['batch_size', 'flags.no_such_flag', 'model', 'model_args.a,b', 'model_args.pretrained', 'tasks']);
    for (const p of bad.json.problems as { fix: string }[]) expect(p.fix.length).toBeGreaterThan(5);

    const unknown = await s.call('evaluate', { model: 'demo', tasks: ['demo_mme', 'nope_*'] });
    expect(unknown.isError).toBe(true);
    expect(unknown.json.problems).toEqual([{ field: 'tasks', message: 'no task, group or tag matches "nope_*"', fix: 'use a name list_tasks shows' }]);

    // A wrongly typed argument is the SDK's schema check: still a tool error naming the argument.
    const typed = await s.call('evaluate', { model: 'demo', tasks: 'demo_mme' });
    expect(typed.isError).toBe(true);
    expect(typed.text).toContain('tasks');

    expect((await s.call('list_runs')).json.total).toBe(0);
    expect((await s.call('list_runs', { state: 'done' })).json.problems[0]).toMatchObject({ field: 'state' });
  });

  it('masks secrets in the preview, in run status and in logs', async () => {
    const token = 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    const key = 'sk-proj-0123456789abcdefghijklmnop';
    const { s } = await session();
    const args = { model: 'demo', tasks: ['demo_mme'], limit: 2, env: [`HF_TOKEN=${token}`], model_args: { pretrained: 'x', api_key: key } };
    const preview = await s.call('preview_command', args);
    expect(preview.isError, preview.text).toBe(false);
    expect(preview.json.script).toContain('export HF_TOKEN=••••••');
    expect(preview.json.script).toContain('api_key=••••••');
    expect(preview.json.script).toContain('--tasks demo_mme');
    expect(preview.json.secrets_masked).toBe(true);
    expect(preview.text).not.toContain(token);
    expect(preview.text).not.toContain(key);

    const run = await s.call('evaluate', { ...args, mode: 'sync' });
    expect(run.json.status, run.text).toBe('completed');
    const answers = [
      run.text,
      (await s.call('get_run_status', { run_id: run.json.run_id })).text,
      (await s.call('list_runs')).text,
      (await s.call('get_run_logs', { run_id: run.json.run_id, since: 0 })).text,
      (await s.call('get_run_result', { run_id: run.json.run_id, include_samples: true })).text,
    ];
    for (const text of answers) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(key);
    }
  });
});
