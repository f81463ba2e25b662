/**
 * lmms-eval server mode's `EvaluateRequest`: validated as pydantic would (same error types and locations),
 * then turned into an EvalSpec. Unlike the original, every field reaches the command: `device` is passed,
 * and `limit: 0` / `batch_size: 0` are refused with a reason instead of being dropped as falsy (which ran
 * every document, or batch size 1, without a word).
 */
import { joinModelArgs } from '../core/command/model-args.js';
import type { EvalSpec } from '../core/spec.js';
import { targetSpec, type HarnessTarget } from './config.js';
import { Checker, missing, objectBody, unprocessable, type ErrorDetail } from './fastapi.js';
import type { EvaluateRequest } from './sm-types.js';

/** Spec field → request field, for putting validation problems on the field the caller sent. */
export const SM_FIELDS: Record<string, string> = {
  model: 'model',
  tasks: 'tasks',
  model_args: 'model_args',
  num_fewshot: 'num_fewshot',
  batch_size: 'batch_size',
  device: 'device',
  limit: 'limit',
  gen_kwargs: 'gen_kwargs',
  log_samples: 'log_samples',
  predict_only: 'predict_only',
  num_gpus: 'num_gpus',
  output_path: 'output_dir',
};

const optional = <T>(body: Record<string, unknown>, key: string, check: (v: unknown) => T | undefined): T | null => {
  const v = body[key];
  return v === undefined || v === null ? null : (check(v) ?? null);
};

export function parseEvaluateRequest(raw: unknown): EvaluateRequest {
  const body = objectBody(raw);
  const c = new Checker();
  const model = 'model' in body ? c.str(body.model, ['body', 'model']) : (c.errors.push(missing(['body', 'model'], body)), undefined);
  const tasks = 'tasks' in body ? c.strList(body.tasks, ['body', 'tasks']) : (c.errors.push(missing(['body', 'tasks'], body)), undefined);
  const modelArgs = optional(body, 'model_args', (v) =>
    typeof v === 'string' || (typeof v === 'object' && !Array.isArray(v)) ? (v as Record<string, unknown> | string) : c.fail('dict_type', ['body', 'model_args'], 'Input should be a valid dictionary', v),
  );
  const req: EvaluateRequest = {
    model: model ?? '',
    tasks: tasks ?? [],
    model_args: modelArgs,
    num_fewshot: optional(body, 'num_fewshot', (v) => c.int(v, ['body', 'num_fewshot'])),
    batch_size: optional(body, 'batch_size', (v) =>
      c.union<number | string>(v, ['body', 'batch_size'], [
        ['int', (cc, x, l) => (typeof x === 'string' ? cc.fail('int_type', l, 'Input should be a valid integer', x) : cc.int(x, l))],
        ['str', (cc, x, l) => cc.str(x, l)],
      ]),
    ),
    device: optional(body, 'device', (v) => c.str(v, ['body', 'device'])),
    limit: optional(body, 'limit', (v) =>
      c.union<number>(v, ['body', 'limit'], [
        ['int', (cc, x, l) => cc.int(x, l)],
        ['float', (cc, x, l) => cc.float(x, l)],
      ]),
    ),
    gen_kwargs: optional(body, 'gen_kwargs', (v) => c.str(v, ['body', 'gen_kwargs'])),
    log_samples: body.log_samples === undefined ? true : (c.bool(body.log_samples, ['body', 'log_samples']) ?? true),
    predict_only: body.predict_only === undefined ? false : (c.bool(body.predict_only, ['body', 'predict_only']) ?? false),
    num_gpus: body.num_gpus === undefined ? 1 : (c.int(body.num_gpus, ['body', 'num_gpus']) ?? 1),
    output_dir: optional(body, 'output_dir', (v) => c.str(v, ['body', 'output_dir'])),
  };
  c.throwIfAny();
  return req;
}

/**
 * `{k: v}` as the `k=v,k=v` string lmms-eval parses. Its parser splits on commas outside quotes and braces
 * and on the first `=`, so a bare comma in a value, or `=`/`,` in a key, would silently change the
 * arguments: those are refused rather than passed on as the original did.
 */
function modelArgsString(args: Record<string, unknown> | string | null, c: Checker): string | undefined {
  if (args === null) return undefined;
  if (typeof args === 'string') return args || undefined;
  const { text, issues } = joinModelArgs(args, /[=,]/);
  for (const { key: k, value: v, kind } of issues) {
    const loc = ['body', 'model_args', k];
    if (kind === 'bad-key') c.value(loc, k, `model_args key ${JSON.stringify(k)} is empty or contains "=" or ","; lmms-eval could not parse it`);
    else if (kind === 'comma') c.value(loc, v, `the value of ${k} contains a comma, which lmms-eval would read as the start of another argument; wrap JSON in braces or avoid the comma`);
    else c.value(loc, v, `the value of ${k} contains a line break`);
  }
  return text;
}

/** The spec a request runs as; field problems found here are returned as 422 details. */
export function specFromEvaluate(req: EvaluateRequest, target: HarnessTarget): { spec: EvalSpec; errors: ErrorDetail[] } {
  const c = new Checker();
  const spec: EvalSpec = { ...targetSpec(target), model: req.model, tasks: req.tasks };
  const args = modelArgsString(req.model_args, c);
  if (args) spec.model_args = args;
  if (req.num_fewshot !== null) spec.num_fewshot = req.num_fewshot;
  if (req.batch_size !== null) spec.batch_size = String(req.batch_size);
  if (req.device !== null && req.device !== '') spec.device = req.device;
  if (req.limit !== null) {
    if (req.limit === 0) c.value(['body', 'limit'], 0, 'limit 0 would evaluate no documents; omit limit (or send null) to evaluate all of them');
    else spec.limit = req.limit;
  }
  if (req.gen_kwargs) spec.gen_kwargs = req.gen_kwargs;
  if (req.log_samples) spec.log_samples = true;
  if (req.predict_only) spec.predict_only = true;
  if (req.num_gpus !== 1) spec.num_gpus = req.num_gpus;
  if (req.output_dir) spec.output_path = req.output_dir;
  return { spec, errors: c.errors };
}

export function throwErrors(errors: ErrorDetail[]): void {
  if (errors.length) throw unprocessable(errors);
}
