/**
 * The MCP tools. The first eight have the names and argument shapes of lmms-eval's own MCP server
 * (lmms_eval/mcp/tools.py in EvolvingLMMs-Lab/lmms-eval), so an agent prompt written for it works here
 * unchanged; lmms-tui adds `harness` (and the like) as optional arguments. The rest are what that server
 * lacks: logs, stopping a running job, listing runs, the exact script, and comparing runs (results-tools.ts).
 *
 * Every tool answers with small JSON (also as structuredContent); long lists are paged with offset/limit
 * and say where the next page starts. A refusal is a tool error whose JSON names every problem (field,
 * message, fix). Secrets never leave: the server masks specs and log lines, and the preview goes through
 * the core redaction rule (src/core/redact.ts).
 */
import { readFileSync } from 'node:fs';
import { findSamplesFiles } from '../core/results/find.js';
import path from 'node:path';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ApiError, ServerUnreachableError } from '../client/errors.js';
import type { JobJson, JobState, MetricJson, ResultResponse } from '../client/types.js';
import { buildCommand } from '../core/command/build.js';
import { UserError, ValidationError, type Problem } from '../core/errors.js';
import { fnmatch, resolveTasks, type TaskEntry } from '../core/discovery/index.js';
import { demoHarnessDir } from '../core/paths.js';
import { redactEnvMap, redactScript, redactSecrets, redactSpec, secretEnvValues, specSecrets } from '../core/redact.js';
import { JOB_STATES, isFinished } from '../core/scheduler/types.js';
import { HARNESSES, type Harness } from '../core/spec.js';
import { version } from '../core/version.js';
import { UsageError } from '../cli/client-helpers.js';
import { resolveJob } from '../cli/job-ref.js';
import type { McpContext } from './context.js';
import { compareRunsTool, listResultsRunsTool, RESULTS_TOOL_NAMES } from './results-tools.js';
import { specFromArgs, type EvaluateArgs } from './spec.js';

// ---- answers ---------------------------------------------------------------------------------------

/** A refusal the agent can act on: what is wrong, how to fix it, and every spec problem. */
class ToolRefusal extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

/** Values of this process's secret-named variables: the runs inherit them, so they may surface anywhere. */
let envSecrets: string[] | null = null;

/**
 * Every string of an answer through the core rule. The server already masks specs and log lines; this also
 * covers what it does not see (sample records read here, a harness message quoting a token), string by
 * string so the JSON stays intact.
 */
function masked(v: unknown): unknown {
  if (typeof v === 'string') return redactSecrets(v, (envSecrets ??= secretEnvValues(process.env)));
  if (Array.isArray(v)) return v.map(masked);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, masked(x)]));
  return v;
}

function ok(raw: Record<string, unknown>): CallToolResult {
  const value = masked(raw) as Record<string, unknown>;
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

function refusal(err: unknown): CallToolResult {
  let body: Record<string, unknown>;
  if (err instanceof ToolRefusal) body = { error: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.problems.length ? { problems: err.problems } : {}) };
  else if (err instanceof ApiError) body = { error: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.problems.length ? { problems: err.problems } : {}) };
  else if (err instanceof ValidationError) body = { error: 'the spec is not valid', problems: err.problems };
  else if (err instanceof UserError || err instanceof ServerUnreachableError) body = { error: err.message, ...((err as UserError).hint ? { hint: (err as UserError).hint } : {}) };
  else body = { error: err instanceof Error ? err.message : String(err) };
  // Whatever an error carries (a harness message quoting model_args, say) goes through the same rule.
  return { content: [{ type: 'text', text: JSON.stringify(masked(body)) }], isError: true };
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function page<T>(items: readonly T[], offset: number, limit: number): { items: T[]; total: number; offset: number; next_offset: number | null } {
  const slice = items.slice(offset, offset + limit);
  const next = offset + slice.length;
  return { items: slice, total: items.length, offset, next_offset: next < items.length ? next : null };
}

/** lmms-eval's run statuses: an agent written for it checks for `completed`. */
const LMMS_STATUS: Record<JobState, string> = {
  queued: 'queued',
  running: 'running',
  // Its process runs on though its record was lost (see the README's states): still running to an agent.
  orphaned: 'running',
  succeeded: 'completed',
  failed: 'failed',
  stopped: 'cancelled',
  cancelled: 'cancelled',
};

function runStatus(job: JobJson): Record<string, unknown> {
  return {
    run_id: job.id,
    status: LMMS_STATUS[job.state],
    state: job.state,
    harness: job.spec.harness,
    model: job.spec.model,
    tasks: job.spec.tasks,
    ...(job.spec.demo ? { demo: true } : {}),
    created_at: job.created_at,
    started_at: job.started_at,
    completed_at: job.ended_at,
    position_in_queue: job.position,
    gpus: job.gpus,
    exit_code: job.exit_code,
    signal: job.signal,
    error: job.error,
  };
}

// ---- schemas ---------------------------------------------------------------------------------------

const harnessArg = z.enum(HARNESSES as [Harness, ...Harness[]]).optional().describe('which harness: lmms-eval (default) or lm-eval');
const offsetArg = z.number().int().min(0).default(0).describe('first item to return (a previous next_offset)');
const limitArg = (n: number) => z.number().int().min(1).max(1000).default(n).describe(`most items to return (default ${n})`);
const runIdArg = z.string().min(1).describe('the run id evaluate returned (a unique prefix is enough)');

const specShape = {
  model: z.string().describe('model backend name, e.g. "qwen2_5_vl", "vllm", "openai" (list_models)'),
  tasks: z.array(z.string()).describe('task, group or tag names, or fnmatch patterns, e.g. ["mme", "mmmu_val"] (list_tasks)'),
  model_args: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish().describe('model arguments as a dict, e.g. {"pretrained": "Qwen/Qwen2.5-VL-7B-Instruct"}, or as the harness string "k=v,k=v"'),
  batch_size: z.union([z.number(), z.string()]).nullish().describe('batch size: N, "auto" or "auto:N"'),
  limit: z.number().nullish().describe('documents per task (below 1: a fraction); for quick tests'),
  num_fewshot: z.number().nullish().describe('few-shot examples per prompt'),
  gen_kwargs: z.string().nullish().describe('generation arguments, "k=v,k=v"'),
  log_samples: z.boolean().default(true).describe('write per-sample outputs (default true)'),
  num_gpus: z.number().default(1).describe('GPUs the run needs; above 1 it runs under accelerate launch'),
  harness: harnessArg,
  python: z.string().optional().describe('Python interpreter of the harness install (default: the session\'s, else python3)'),
  setup: z.string().optional().describe('environment set-up line run first, e.g. "source .venv/bin/activate"'),
  env: z.array(z.string()).optional().describe('env lines for the run: "NAME=value" (values expand as in bash)'),
  demo: z.boolean().optional().describe('run the built-in demo harness (simulated results)'),
  device: z.string().optional().describe('e.g. cuda:0 (the first GPU the scheduler assigned)'),
  output_path: z.string().optional().describe('results directory (default: under the job\'s own directory)'),
  flags: z.record(z.string(), z.unknown()).optional().describe('any other harness flag by its argparse name, e.g. {"seed": "0", "verbosity": "DEBUG"}'),
  extra_args: z.array(z.string()).optional().describe('arguments appended verbatim, for flags a newer harness adds'),
};

// ---- tools -----------------------------------------------------------------------------------------

export const TOOL_NAMES = [
  'list_tasks', 'get_task_info', 'list_models', 'get_model_info', 'evaluate', 'get_run_status', 'get_run_result', 'cancel_run',
  'get_run_logs', 'stop_run', 'list_runs', 'preview_command', ...RESULTS_TOOL_NAMES,
] as const;

const INSTRUCTIONS = [
  'lmms-tui: evaluate models with lmms-eval or lm-evaluation-harness on this machine\'s per-user queue.',
  'Jobs started here are ordinary lmms-tui jobs: they keep running after this session ends and show in the TUI.',
  '- list_tasks / get_task_info, list_models / get_model_info: discover benchmarks and model backends',
  '- preview_command: the exact script a spec would run (nothing starts); evaluate: submit it',
  '- get_run_status / get_run_result / get_run_logs / list_runs: follow runs',
  '- cancel_run (queued runs) / stop_run (running runs: the whole process tree)',
  '- compare_runs: finished runs side by side, deltas with their significance; list_results_runs: every results file',
  'Lists are paged: pass next_offset back as offset. lm-eval runs take harness: "lm-eval".',
].join('\n');

function entrySummary(e: TaskEntry): Record<string, unknown> {
  return {
    name: e.name,
    type: e.type,
    yaml_path: e.yaml_path ? path.resolve(e.root, e.yaml_path) : null,
    output_type: e.output_type ?? null,
    ...(e.members ? { members: e.members.length } : {}),
  };
}

/** `{task: {"metric,filter": value, "metric_stderr,filter": stderr}}`, the harness's own results layout. */
function resultsDict(metrics: readonly MetricJson[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of metrics) {
    if (!m.metric) continue;
    const t = (out[m.task] ??= {});
    t[`${m.metric},${m.filter}`] = m.value;
    if (m.stderr !== null) t[`${m.metric}_stderr,${m.filter}`] = m.stderr;
  }
  return out;
}

export function createMcpServer(ctx: McpContext): McpServer {
  /** Wraps a handler: a thrown refusal or API error becomes a tool error, never a protocol failure. */
  const tool = <A>(fn: (args: A, extra: Extra) => Promise<Record<string, unknown>>) => (args: A, extra: Extra): Promise<CallToolResult> =>
    ctx.track(async () => {
      try {
        return ok(await fn(args, extra));
      } catch (err) {
        return refusal(err);
      }
    });
  const server = new McpServer({ name: 'lmms-tui', version: version() }, { instructions: INSTRUCTIONS, capabilities: { logging: {} } });

  const catalogFor = (harness: Harness | undefined, python?: string, setup?: string) => ctx.catalog(harness ?? 'lmms-eval', python, setup);

  const indexOrRefuse = async (harness: Harness | undefined) => {
    try {
      return (await catalogFor(harness).index()).index;
    } catch (err) {
      throw new ToolRefusal(`cannot list the tasks of ${harness ?? 'lmms-eval'}: ${(err as Error).message}`, (err as UserError).hint ?? 'start `lmms-tui mcp` with --python or --setup pointing at the harness install (or --demo)');
    }
  };

  // ---- discovery ----

  server.registerTool('list_tasks', {
    title: 'List evaluation tasks',
    description: 'List the tasks, groups and tags the harness accepts. query: a glob (with *, ? or [) or a case-insensitive substring. Paged.',
    inputSchema: { query: z.string().nullish().describe('filter: glob pattern, or text the name contains'), harness: harnessArg, offset: offsetArg, limit: limitArg(200) },
    annotations: { readOnlyHint: true },
  }, tool(async ({ query, harness, offset, limit }) => {
    const index = await indexOrRefuse(harness);
    const q = query ?? undefined;
    const matched = !q ? index.entries : /[*?[]/.test(q) ? index.entries.filter((e) => fnmatch(e.name, q)) : index.entries.filter((e) => e.name.toLowerCase().includes(q.toLowerCase()));
    const p = page(matched, offset, limit);
    return { tasks: p.items.map(entrySummary), total: p.total, query: q ?? null, harness: index.harness, offset: p.offset, next_offset: p.next_offset };
  }));

  server.registerTool('get_task_info', {
    title: 'Describe a task',
    description: 'Details of one task, group or tag: dataset, splits, metrics, output type, and the concrete tasks it runs.',
    inputSchema: { task_name: z.string().min(1).describe('name of the task, group or tag'), harness: harnessArg },
    annotations: { readOnlyHint: true },
  }, tool(async ({ task_name, harness }) => {
    const index = await indexOrRefuse(harness);
    const entry = index.entries.find((e) => e.name === task_name);
    if (!entry) {
      const needle = task_name.toLowerCase();
      const close = index.entries.filter((e) => e.name.toLowerCase().includes(needle) || needle.includes(e.name.toLowerCase())).slice(0, 10).map((e) => e.name);
      throw new ToolRefusal(`Task '${task_name}' not found.`, close.length ? `did you mean: ${close.join(', ')}? (list_tasks lists them all)` : 'use list_tasks to see available tasks');
    }
    const r = resolveTasks(index, [task_name]);
    return {
      name: entry.name,
      type: entry.type,
      yaml_path: entry.yaml_path ? path.resolve(entry.root, entry.yaml_path) : null,
      output_type: entry.output_type ?? null,
      dataset_path: entry.dataset_path ?? null,
      dataset_name: entry.dataset_name ?? null,
      test_split: entry.splits?.test ?? null,
      validation_split: entry.splits?.validation ?? null,
      training_split: entry.splits?.train ?? null,
      fewshot_split: entry.splits?.fewshot ?? null,
      num_fewshot: entry.num_fewshot ?? null,
      metrics: entry.metrics ?? [],
      tags: entry.tags ?? [],
      members: entry.members ?? [],
      description: entry.description ?? null,
      resolves_to: r.tasks,
      ...(r.messages.length ? { notes: r.messages } : {}),
    };
  }));

  const modelsOrRefuse = async (harness: Harness | undefined) => {
    try {
      return await catalogFor(harness).modelList();
    } catch (err) {
      throw new ToolRefusal(`cannot list the models of ${harness ?? 'lmms-eval'}: ${(err as Error).message}`, (err as UserError).hint);
    }
  };

  server.registerTool('list_models', {
    title: 'List model backends',
    description: 'Model names the harness accepts for model, with whether each has a chat and/or simple implementation. Paged.',
    inputSchema: { include_aliases: z.boolean().default(false).describe('include alternative names'), harness: harnessArg, offset: offsetArg, limit: limitArg(200) },
    annotations: { readOnlyHint: true },
  }, tool(async ({ include_aliases, harness, offset, limit }) => {
    const models = await modelsOrRefuse(harness);
    const p = page(models, offset, limit);
    return {
      models: p.items.map((m) => ({ model_id: m.name, has_chat: m.kind !== 'simple', has_simple: m.kind !== 'chat', aliases: include_aliases ? m.aliases : [] })),
      total: p.total,
      offset: p.offset,
      next_offset: p.next_offset,
    };
  }));

  server.registerTool('get_model_info', {
    title: 'Describe a model backend',
    description: 'Class paths and interface of one model backend (by name or alias).',
    inputSchema: { model_name: z.string().min(1).describe('model name or alias'), harness: harnessArg },
    annotations: { readOnlyHint: true },
  }, tool(async ({ model_name, harness }) => {
    const models = await modelsOrRefuse(harness);
    const m = models.find((x) => x.name === model_name) ?? models.find((x) => x.aliases.includes(model_name));
    if (!m) throw new ToolRefusal(`Model '${model_name}' not found.`, 'use list_models to see the available names');
    return {
      model_id: m.name,
      has_chat: m.kind !== 'simple',
      has_simple: m.kind !== 'chat',
      chat_class_path: m.chat_class ?? null,
      simple_class_path: m.simple_class ?? null,
      ...(m.target ? { target: m.target } : {}),
      aliases: m.aliases,
      ...(m.problem ? { problem: m.problem } : {}),
    };
  }));

  // ---- specs ----

  /** The spec and its problems, with the task names checked against the index when it can be read. */
  const checkedSpec = async (args: EvaluateArgs) => {
    const { spec, problems } = specFromArgs(args, ctx.defaults);
    if (problems.length) throw new ToolRefusal(`the spec has ${problems.length} problem${problems.length > 1 ? 's' : ''}`, 'fix each field named below and call again', problems);
    // Names the harness does not know make lmms-eval fail after loading the model (or exit 0 with nothing run):
    // refused here, before anything starts. Skipped when the index cannot be read or extra task dirs are in play.
    if (!spec.include_path) {
      const index = await ctx.catalog(spec.harness, spec.python, spec.setup, spec.demo === true).index().then((c) => c.index, () => null);
      if (index) {
        const r = resolveTasks(index, spec.tasks);
        if (r.fatal || r.unmatched.length) {
          const p: Problem[] = r.unmatched.length
            ? r.unmatched.map((t) => ({ field: 'tasks', message: `no task, group or tag matches ${JSON.stringify(t)}`, fix: 'use a name list_tasks shows' }))
            : [{ field: 'tasks', message: r.messages.join('; ') || 'the tasks would run nothing', fix: 'use names list_tasks shows' }];
          throw new ToolRefusal(`the spec has ${p.length} problem${p.length > 1 ? 's' : ''}`, 'fix each field named below and call again', p);
        }
      }
    }
    return spec;
  };

  server.registerTool('preview_command', {
    title: 'Preview the command',
    description: 'The exact bash script evaluate would run for these arguments (nothing is started); secrets are masked.',
    inputSchema: specShape,
    annotations: { readOnlyHint: true },
  }, tool(async (args) => {
    const spec = await checkedSpec(args as EvaluateArgs);
    const built = buildCommand(spec, { cwd: ctx.cwd, ...(spec.demo ? { demoHarnessDir: demoHarnessDir() } : {}) });
    const secrets = specSecrets(spec);
    const script = redactScript(built.script, secrets);
    const argv = redactSpec({ extra_args: built.argv }, secrets).extra_args;
    return { script, argv, env: redactEnvMap(built.env), secrets_masked: script !== built.script, harness: spec.harness };
  }));

  server.registerTool('evaluate', {
    title: 'Run an evaluation',
    description:
      'Submit an evaluation to the lmms-tui queue. mode "auto" waits up to wait_timeout_s and then returns the run_id, "async" returns at once, "sync" waits for the end. Bad arguments are refused with every problem named. The run outlives this session.',
    inputSchema: {
      ...specShape,
      mode: z.enum(['auto', 'async', 'sync']).default('auto').describe('auto (wait up to wait_timeout_s), async (return at once), sync (wait until done)'),
      // lmms-eval waits 90 s; 50 s stays below the 60 s request timeout common MCP clients (the SDK's own) apply.
      wait_timeout_s: z.number().min(0).default(50).describe('for mode auto: how long to wait before returning the run_id (default 50)'),
    },
  }, tool(async ({ mode, wait_timeout_s, ...args }, extra) => {
    const spec = await checkedSpec(args as EvaluateArgs);
    const submitted = await ctx.withClient((c) => c.submit(spec, { cwd: ctx.cwd }), { once: true });
    const id = submitted.id;
    if (mode === 'async') {
      return { run_id: id, status: LMMS_STATUS[submitted.state], state: submitted.state, position_in_queue: submitted.position, message: `Job ${submitted.state}. Use get_run_status('${id}') to check progress.` };
    }
    const started = Date.now();
    const deadline = mode === 'sync' ? Infinity : started + wait_timeout_s * 1000;
    const progressToken = extra._meta?.progressToken;
    for (let tick = 1; ; tick++) {
      const job = await ctx.withClient((c) => c.job(id));
      if (isFinished(job.state)) return { ...(await resultOf(job, {})), message: `Job ${job.state}.` };
      // The caller gave up (request cancelled, session over) or the wait is over: the run goes on regardless.
      const gaveUp = extra.signal.aborted || ctx.signal.aborted;
      if (gaveUp || Date.now() >= deadline) {
        const waited = Math.round((Date.now() - started) / 1000);
        return { run_id: id, status: LMMS_STATUS[job.state], state: job.state, position_in_queue: job.position, message: `Job still ${job.state} after ${waited}s. Use get_run_status('${id}') to check progress.` };
      }
      // Keeps a client that resets its timeout on progress (resetTimeoutOnProgress) waiting through a long sync run.
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: tick, message: `run ${id} ${job.state}` } }).catch(() => undefined);
      }
      await waitOrAbort(Math.min(500, Math.max(0, deadline - Date.now())), [extra.signal, ctx.signal]);
    }
  }));

  // ---- runs ----

  /** The run an id or unique prefix names (the HTTP routes take full ids; the CLI's resolver does the rest). */
  const runOf = async (ref: string): Promise<JobJson> => {
    try {
      return await ctx.withClient((c) => resolveJob(c, ref));
    } catch (err) {
      if (err instanceof UsageError) throw new ToolRefusal(err.message.replace(/^no job matches/, 'no run matches'), 'list_runs lists the runs and their ids');
      throw err;
    }
  };

  server.registerTool('get_run_status', {
    title: 'Status of a run',
    description: 'State, timestamps, queue position and (when it failed) why, of one run.',
    inputSchema: { run_id: runIdArg },
    annotations: { readOnlyHint: true },
  }, tool(async ({ run_id }) => runStatus(await runOf(run_id))));

  const resultOf = async (job: JobJson, opts: { include_samples?: boolean; sample_limit?: number; sample_offset?: number }) => {
    const base = runStatus(job);
    if (job.state !== 'succeeded') {
      const r: ResultResponse | null = isFinished(job.state) ? await ctx.withClient((c) => c.result(job.id)).catch(() => null) : null;
      return { ...base, results: null, error: job.error ?? `Run is not completed yet. Status: ${LMMS_STATUS[job.state]}`, ...(r?.error_tail.length ? { error_tail: r.error_tail.slice(-20) } : {}) };
    }
    const r = await ctx.withClient((c) => c.result(job.id));
    const results: Record<string, Record<string, unknown>> = {};
    for (const file of r.files) {
      // Keyed like lmms-eval's runs: by the model directory under the output path (the model name when the
      // harness wrote straight into it).
      const rel = path.relative(job.output_path, path.dirname(file));
      const key = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : job.spec.model;
      const entry: Record<string, unknown> = { results: resultsDict(r.metrics), results_file: file };
      if (opts.include_samples) entry.samples = readSamples(file, opts.sample_offset ?? 0, opts.sample_limit ?? 100);
      results[key] = entry;
    }
    return {
      ...base,
      results,
      metrics: r.metrics.map((m) => ({ task: m.task, metric: m.metric, filter: m.filter, value: m.value, stderr: m.stderr, n_samples: m.n_samples })),
      limit: r.limit ?? null,
      ...(r.limit ? { partial: `scores are over at most ${r.limit} documents per task (limit)` } : {}),
      ...(r.unreadable.length ? { unreadable: r.unreadable } : {}),
    };
  };

  server.registerTool('get_run_result', {
    title: 'Results of a run',
    description: 'Metrics of a completed run, in the harness\'s results layout and as rows; optionally per-sample records (paged).',
    inputSchema: {
      run_id: runIdArg,
      include_samples: z.boolean().default(false).describe('include per-sample records (can be large)'),
      sample_limit: z.number().int().min(0).default(100).describe('most samples to include'),
      sample_offset: z.number().int().min(0).default(0).describe('first sample to include'),
    },
    annotations: { readOnlyHint: true },
  }, tool(async ({ run_id, ...opts }) => resultOf(await runOf(run_id), opts)));

  server.registerTool('cancel_run', {
    title: 'Cancel a queued run',
    description: 'Cancel a run that has not started. A running run is not touched: use stop_run for it.',
    inputSchema: { run_id: runIdArg },
  }, tool(async ({ run_id }) => {
    const job = await runOf(run_id);
    if (job.state !== 'queued') {
      const hint = job.state === 'running' ? ' Use stop_run to stop a running run.' : '';
      return { success: false, run_id: job.id, state: job.state, message: `Run ${job.id} is ${job.state}, not queued.${hint}` };
    }
    try {
      const done = await ctx.withClient((c) => c.cancel(job.id), { once: true });
      return { success: true, run_id: done.id, state: done.state, message: `Run ${done.id} cancelled.` };
    } catch (err) {
      if (err instanceof ApiError) return { success: false, run_id: job.id, message: err.message };
      throw err;
    }
  }));

  server.registerTool('stop_run', {
    title: 'Stop a run',
    description: 'Stop a running run: SIGTERM to its whole process tree, SIGKILL after the grace period; returns once every process is gone. A queued run is cancelled.',
    inputSchema: { run_id: runIdArg, grace_s: z.number().min(0).max(3600).optional().describe('seconds between SIGTERM and SIGKILL (default: the server\'s)') },
  }, tool(async ({ run_id, grace_s }) => {
    const target = await runOf(run_id);
    const job = await ctx.withClient((c) => c.stop(target.id, { graceSeconds: grace_s, wait: true }), { once: true });
    return { ...runStatus(job), message: `Run ${job.id} ${job.state}${job.signal ? ` (${job.signal})` : ''}.` };
  }));

  server.registerTool('get_run_logs', {
    title: 'Log of a run',
    description: 'Lines of a run\'s combined output (secrets masked): the last `tail` lines, or the lines from byte offset `since` (a previous next_offset) so nothing is repeated or lost.',
    inputSchema: {
      run_id: runIdArg,
      tail: z.number().int().min(1).max(5000).optional().describe('the last N lines (default 100 when since is not given)'),
      since: z.number().int().min(0).optional().describe('byte offset to read from (a previous next_offset)'),
      max_bytes: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024).describe('most bytes of log to return'),
    },
    annotations: { readOnlyHint: true },
  }, tool(async ({ run_id, tail, since, max_bytes }) => {
    const job = await runOf(run_id);
    const log = await ctx.withClient((c) => c.log(job.id, { tail: tail ?? (since === undefined ? 100 : undefined), since, maxBytes: max_bytes }));
    return {
      run_id: job.id,
      state: job.state,
      lines: log.lines.map((l) => l.text),
      first_offset: log.lines[0]?.offset ?? log.next_offset,
      next_offset: log.next_offset,
      size: log.size,
      finished: isFinished(job.state),
    };
  }));

  server.registerTool('list_runs', {
    title: 'List runs',
    description: 'Runs on the queue, newest first. state: one or more of queued, running, succeeded (completed), failed, stopped, cancelled. label: text the run\'s id, model or task names contain. Paged.',
    inputSchema: {
      state: z.union([z.string(), z.array(z.string())]).optional().describe('filter by state (lmms-eval\'s "completed" means succeeded)'),
      label: z.string().optional().describe('text the run id, model or a task name contains'),
      offset: offsetArg,
      limit: limitArg(50),
    },
    annotations: { readOnlyHint: true },
  }, tool(async ({ state, label, offset, limit }) => {
    const wanted = state === undefined ? undefined : ([] as string[]).concat(state).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    const states: JobState[] = [];
    for (const s of wanted ?? []) {
      const mapped = s === 'completed' ? 'succeeded' : s;
      if (!(JOB_STATES as readonly string[]).includes(mapped)) {
        throw new ToolRefusal(`unknown state ${JSON.stringify(s)}`, undefined, [{ field: 'state', message: `unknown state ${JSON.stringify(s)}`, fix: `use one of ${JOB_STATES.join(', ')}` }]);
      }
      states.push(mapped as JobState);
    }
    let jobs = await ctx.withClient((c) => c.jobs(states.length ? { state: states } : {}));
    if (label) {
      const needle = label.toLowerCase();
      jobs = jobs.filter((j) => j.id.toLowerCase().includes(needle) || j.spec.model.toLowerCase().includes(needle) || j.spec.tasks.some((t) => t.toLowerCase().includes(needle)));
    }
    jobs.sort((a, b) => b.seq - a.seq);
    const p = page(jobs, offset, limit);
    return { runs: p.items.map(runStatus), total: p.total, offset: p.offset, next_offset: p.next_offset };
  }));

  // ---- results ----

  const deps = { env: ctx.env, cwd: ctx.cwd };
  server.registerTool(listResultsRunsTool.name, listResultsRunsTool.config, tool(listResultsRunsTool.handler(deps)));
  server.registerTool(compareRunsTool.name, compareRunsTool.config, tool(compareRunsTool.handler(deps)));

  // ---- resources ----

  server.registerResource('task-catalogue', new ResourceTemplate('lmms-tui://tasks/{harness}', {
    list: async () => ({ resources: HARNESSES.map((h) => ({ uri: `lmms-tui://tasks/${h}`, name: `${h} tasks`, mimeType: 'application/json' })) }),
  }), { title: 'Task catalogue', description: 'Every task, group and tag the harness accepts (name, type, output type, yaml path)', mimeType: 'application/json' }, async (uri, vars) => ctx.track(async () => {
    const h = String(vars.harness);
    if (!(HARNESSES as readonly string[]).includes(h)) throw new Error(`unknown harness ${JSON.stringify(h)}; use lmms-eval or lm-eval`);
    const index = await indexOrRefuse(h as Harness);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ harness: h, total: index.entries.length, tasks: index.entries.map(entrySummary) }) }] };
  }));

  server.registerResource('run-log', new ResourceTemplate('lmms-tui://runs/{run_id}/log', {
    list: async () => {
      const jobs = await ctx.withClient((c) => c.jobs());
      jobs.sort((a, b) => b.seq - a.seq);
      return { resources: jobs.slice(0, 50).map((j) => ({ uri: `lmms-tui://runs/${j.id}/log`, name: `log of ${j.id} (${j.state}, ${j.spec.model})`, mimeType: 'text/plain' })) };
    },
  }), { title: 'Run log', description: 'The last 500 lines of a run\'s output, secrets masked', mimeType: 'text/plain' }, async (uri, vars) => ctx.track(async () => {
    const job = await runOf(String(vars.run_id));
    const log = await ctx.withClient((c) => c.log(job.id, { tail: 500 }));
    return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: log.lines.map((l) => l.text).join('\n') }] };
  }));

  return server;
}

/** Sleeps `ms`, or less when one of the signals is aborted. */
function waitOrAbort(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}

/** Per-sample records of a run (paged), read from the jsonl files beside its results file. */
function readSamples(resultsFile: string, offset: number, limit: number): { records: unknown[]; total: number; next_offset: number | null } | { error: string } {
  const records: unknown[] = [];
  let total = 0;
  try {
    for (const file of findSamplesFiles(resultsFile)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        if (total >= offset && records.length < limit) {
          // Masked string by string with the rest of the answer (ok()).
          try {
            records.push(JSON.parse(line));
          } catch {
            records.push({ raw: line });
          }
        }
        total++;
      }
    }
  } catch (err) {
    return { error: `cannot read the samples: ${(err as Error).message}` };
  }
  const next = offset + records.length;
  return { records, total, next_offset: next < total ? next : null };
}
