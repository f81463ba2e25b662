/**
 * JSON schemas of the API. The spec schema is generated from the FLAGS table, so a flag added there is
 * accepted (and documented in /openapi.json) with no change here. Schemas check JSON shapes only; what a
 * value means (batch sizes, env lines, flags the harness lacks) is validateSpec's job, which answers with
 * the same problem shape.
 */
import { JOB_STATES } from '../core/scheduler/types.js';
import { FLAGS, HARNESSES, type FlagKind } from '../core/spec.js';

type Schema = Record<string, unknown>;

const KIND_SCHEMA: Record<FlagKind, Schema> = {
  bool: { type: 'boolean' },
  string: { type: 'string' },
  // Numbers stay numbers here; validateSpec names the field when one is not an integer or out of range.
  int: { type: 'number' },
  float: { type: 'number' },
  limit: { type: 'number' },
  batch: { type: 'string' },
  optbool: { type: ['boolean', 'string'] },
};

const stringList: Schema = { type: 'array', items: { type: 'string' } };

export function specSchema(): Schema {
  const properties: Record<string, Schema> = {
    harness: { type: 'string', enum: [...HARNESSES], default: 'lmms-eval', description: 'which harness runs the job' },
    model: { type: 'string', description: 'model registry name' },
    model_args: { type: 'string', description: 'k=v,… model arguments' },
    tasks: { ...stringList, description: 'task names, groups, tags or fnmatch patterns' },
    python: { type: 'string', description: 'Python interpreter (path or name on PATH)' },
    setup: { type: 'string', description: 'shell line run first, e.g. `source .venv/bin/activate`' },
    env: { ...stringList, description: 'env lines: `NAME=value`, `export NAME=value`, `# comment`' },
    num_gpus: { type: 'number', description: 'GPUs the job needs; above 1 runs through accelerate launch' },
    extra_args: { ...stringList, description: 'arguments appended verbatim' },
    demo: { type: 'boolean', description: 'run the built-in demo harness (simulated results)' },
  };
  for (const f of FLAGS) {
    const choices = f.choices ? ` (one of ${f.choices.join(', ')})` : '';
    properties[f.name] = { ...KIND_SCHEMA[f.kind], description: `${f.help}${choices} [${f.harnesses.join(', ')}]` };
  }
  // Unknown fields are refused rather than dropped: a misspelt flag silently ignored would run the wrong evaluation.
  return { type: 'object', required: ['model', 'tasks'], additionalProperties: false, properties };
}

export const submitBody: Schema = {
  type: 'object',
  required: ['spec'],
  additionalProperties: false,
  properties: {
    spec: specSchema(),
    cwd: { type: 'string', description: "submitter's working directory (absolute); relative paths resolve against it" },
    env: { type: 'object', additionalProperties: { type: 'string' }, description: "submitter's environment; the job starts from it" },
    idempotency_key: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$', description: 'same as the Idempotency-Key header: a repeat with the same key returns the first job' },
    label: { type: 'string', description: 'a name for the job shown beside its id (one line, at most 80 characters); masked like the spec when it holds a secret' },
    refuse_duplicate: { type: 'boolean', description: 'true: answer 409 (code `duplicate`) instead of queueing when a queued or running job has the same spec and cwd' },
  },
};

export const idParams: Schema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-fA-F]{1,64}$', description: 'the full job id (prefixes are not accepted over HTTP)' } },
};

// Query values arrive as strings; they are checked as strings (no type coercion anywhere) and parsed by the routes.
const digits = (description: string): Schema => ({ type: 'string', pattern: '^[0-9]{1,15}$', description });
const flag = (description: string): Schema => ({ type: 'string', enum: ['0', '1', 'true', 'false'], description });

/**
 * `reveal=1`: the spec, script and error text as they run, secrets in clear. Every caller that reaches a
 * route already passed the listener's checks (the owner's socket, the same uid on loopback, or the token),
 * so revealing asks for nothing more; without it, secrets are masked by the rule of src/core/redact.ts.
 */
const reveal = (): Schema => flag('1: secrets in clear (the runnable spec and script); default masked as ••••••');

export const listQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', pattern: `^(${JOB_STATES.join('|')})(,(${JOB_STATES.join('|')}))*$`, description: 'comma list of states' },
    reveal: reveal(),
  },
};

export const revealQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: { reveal: reveal() },
};

export const stopQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    grace: { type: 'string', pattern: '^[0-9]{1,6}(\\.[0-9]{1,3})?$', description: 'seconds between SIGTERM and SIGKILL' },
    wait: flag('answer only once the job has ended'),
  },
};

export const logQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tail: digits('the last N complete lines (after `since` when both are given)'),
    since: digits('byte offset to read from (a previous next_offset)'),
    max_bytes: digits('read at most about this many bytes (default 1 MiB)'),
    ansi: flag('keep ANSI colour codes (default: stripped)'),
  },
};

export const eventsQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: digits('byte offset to resume from; the Last-Event-ID header wins when both are given'),
    ansi: flag('keep ANSI colour codes (default: stripped)'),
    reveal: { ...reveal(), description: '1: the job in `state` and `end` events with secrets in clear (log lines stay masked)' },
  },
};

// ---- response shapes: documentation only (not given to fastify, whose serializer would drop unlisted fields)

const nullable = (type: string): Schema => ({ type: [type, 'null'] });

export const problemSchema: Schema = {
  type: 'object',
  properties: { field: { type: 'string' }, message: { type: 'string' }, fix: { type: 'string' } },
};

export const errorSchema: Schema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'validation, not_found, ambiguous, conflict, unauthorized, too_large, bad_request, internal' },
        message: { type: 'string' },
        hint: { type: 'string' },
        problems: { type: 'array', items: problemSchema },
      },
    },
  },
};

export const jobSchema: Schema = {
  type: 'object',
  description:
    'A job. Secrets in `spec`, `script`, `error` and `error_tail` (secret-named env lines and set-up exports, api_key= in k=v fields, Authorization values, URL passwords, known token shapes) are masked as •••••• unless the request has `reveal=1`. The submitter\'s environment is never returned.',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: [...JOB_STATES] },
    spec: specSchema(),
    seq: { type: 'integer', description: 'submission number (queue order)' },
    position: { ...nullable('integer'), description: '1-based queue position; null when not queued' },
    created_at: { type: 'string', format: 'date-time' },
    started_at: nullable('string'),
    ended_at: nullable('string'),
    cwd: { type: 'string' },
    pid: nullable('integer'),
    proc_start: nullable('integer'),
    exit_code: nullable('integer'),
    signal: nullable('string'),
    gpus: { type: 'array', items: { type: 'integer' } },
    main_process_port: nullable('integer'),
    output_path: { type: 'string' },
    script: nullable('string'),
    results: stringList,
    error: nullable('string'),
    error_tail: stringList,
    stop_requested: { type: 'boolean' },
    stop_requested_at: { ...nullable('string'), description: 'when the stop was asked for (SIGTERM sent)' },
    stop_grace_ms: { ...nullable('integer'), description: 'the grace of that stop: SIGKILL follows stop_requested_at by this much' },
    retry_of: nullable('string'),
    cgroup: { ...nullable('string'), description: "the job's cgroup directory; null: none (stop sweeps the process group, session and job marker)" },
    escaped: {
      type: 'array',
      items: { type: 'integer' },
      description: "pids of the job's processes still alive after stop's SIGKILL (stuck or out of reach); empty normally",
    },
    log_capped: {
      type: ['object', 'null'],
      description: 'set when output.log reached its size cap: its head and a rolling tail were kept, the middle dropped',
      properties: { cap_bytes: { type: 'integer' }, dropped_bytes: { type: 'integer' } },
    },
    idempotency_key: nullable('string'),
    label: { ...nullable('string'), description: "the job's name (`run --name`); null when none" },
    problems: { ...stringList, description: "what was wrong with this job's record when it was loaded (fields replaced, record rebuilt)" },
    log_path: { type: 'string' },
  },
};

const counts: Schema = { type: 'object', properties: Object.fromEntries(JOB_STATES.map((s) => [s, { type: 'integer' }])) };
const gpuList: Schema = { type: ['array', 'null'], items: { type: 'integer' } };

export const submitResponse: Schema = {
  type: 'object',
  properties: { id: { type: 'string' }, state: { type: 'string' }, position: nullable('integer'), job: jobSchema },
};

export const queueSchema: Schema = {
  type: 'object',
  properties: {
    running: stringList,
    queued: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, position: { type: 'integer' } } } },
    counts,
    gpus: { type: 'object', properties: { total: gpuList, free: gpuList } },
    concurrency: { type: 'integer' },
    paused: { type: 'boolean', description: 'dispatch is paused: running jobs go on, queued ones wait (kept across server restarts)' },
  },
};

const fullId: Schema = { type: 'string', pattern: '^[0-9a-fA-F]{1,64}$', description: 'a full job id (prefixes are not accepted over HTTP)' };

export const moveBody: Schema = {
  type: 'object',
  required: ['to'],
  additionalProperties: false,
  properties: { to: { type: 'string', enum: ['up', 'down', 'top'], description: 'one place up, one place down, or to the head of the queue' } },
};

export const batchBody: Schema = {
  type: 'object',
  required: ['action', 'ids'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['stop', 'cancel', 'retry', 'remove'], description: 'what to do with each job' },
    ids: { type: 'array', items: fullId, minItems: 1, maxItems: 1000, description: 'full job ids' },
    grace: { type: 'number', minimum: 0, maximum: 86400, description: 'stop: seconds between SIGTERM and SIGKILL (default the server\'s)' },
  },
};

export const batchResponse: Schema = {
  type: 'object',
  properties: {
    results: {
      type: 'array',
      description: 'one entry per id, in the order sent',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          ok: { type: 'boolean' },
          state: { type: 'string', description: 'the job\'s state after the action (stop, cancel)' },
          new_id: { type: 'string', description: 'retry: the id of the new job' },
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } },
        },
      },
    },
  },
};

export const cancelQueuedResponse: Schema = { type: 'object', properties: { cancelled: { ...stringList, description: 'ids of the jobs cancelled, in queue order' } } };

export const healthSchema: Schema = {
  type: 'object',
  properties: {
    version: { type: 'string' },
    uptime_s: { type: 'number' },
    host: { type: 'string' },
    pid: { type: 'integer' },
    state_dir: { type: 'string' },
    socket: { type: 'string' },
    gpus: { type: 'object', properties: { pool: gpuList, free: gpuList } },
    concurrency: { type: 'integer' },
    grace_ms: { type: 'integer', description: 'the stop grace this server uses (SIGTERM, then SIGKILL after this long)' },
    counts,
    store_problems: {
      type: 'array',
      description: 'job records that were damaged at start-up: skipped, rebuilt, kept as orphaned, or with fields replaced',
      items: { type: 'object', properties: { dir: { type: 'string' }, id: nullable('string'), message: { type: 'string' } } },
    },
  },
};

export const logSchema: Schema = {
  type: 'object',
  properties: {
    lines: { type: 'array', items: { type: 'object', properties: { offset: { type: 'integer' }, text: { type: 'string' } } } },
    next_offset: { type: 'integer' },
    size: { type: 'integer' },
  },
};

export const resultSchema: Schema = {
  type: 'object',
  properties: {
    files: stringList,
    samples: stringList,
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          task: { type: 'string' },
          metric: { type: 'string' },
          filter: { type: 'string' },
          value: { type: ['number', 'string', 'null'] },
          stderr: nullable('number'),
          n_samples: nullable('integer'),
          depth: { type: 'integer', description: "level in the task tree (group_subtasks): a group's members follow it one level deeper" },
          group: { type: 'boolean', description: "a group's aggregate, or with metric '' the heading of a group without one" },
        },
      },
    },
    error: nullable('string'),
    error_tail: stringList,
    unreadable: { type: 'array', items: { type: 'object', properties: { file: { type: 'string' }, message: { type: 'string' } } } },
    limit: { ...nullable('number'), description: 'the --limit the newest results file records; null: whole tasks' },
    eval_seconds: { ...nullable('number'), description: 'total_evaluation_time_seconds of the newest results file' },
  },
};
