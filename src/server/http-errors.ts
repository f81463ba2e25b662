/**
 * One error shape for every failure: `{error: {code, message, hint?, problems?}}`. Schema failures and
 * spec validation both answer 422 with `problems: [{field, message, fix}]`, so a client handles them alike.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { asResourceError, UserError, ValidationError, type Problem } from '../core/errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly problems?: readonly Problem[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

interface AjvError {
  instancePath?: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

function joinField(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

/** ajv's errors in our vocabulary: the field as a dotted path into the request, what is wrong and the fix. */
export function problemsFromAjv(errors: readonly AjvError[], context: string | undefined): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let field = (e.instancePath ?? '').split('/').filter(Boolean).join('.');
    let message = e.message ?? 'is invalid';
    let fix = 'see /openapi.json for the request schema';
    const p = e.params ?? {};
    switch (e.keyword) {
      case 'required':
        field = joinField(field, String(p.missingProperty));
        message = 'is required';
        fix = `add "${String(p.missingProperty)}"`;
        break;
      case 'additionalProperties':
        field = joinField(field, String(p.additionalProperty));
        message = 'is not a known field';
        fix = 'remove it or check its spelling (see /openapi.json)';
        break;
      case 'type':
        message = `must be ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type)}`;
        fix = `send a ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type)}`;
        break;
      case 'enum':
        message = `must be one of ${(p.allowedValues as unknown[] | undefined)?.join(', ') ?? 'the allowed values'}`;
        fix = 'use one of the allowed values';
        break;
      case 'pattern':
        message = 'has an invalid format';
        break;
    }
    if (!field) field = context === 'body' || !context ? 'body' : context;
    // `type: [a, b]` with allErrors can report the same field twice.
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message, fix });
  }
  return out;
}

export function sendError(reply: { code(n: number): { send(b: unknown): unknown } }, err: HttpError): void {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.hint) error.hint = err.hint;
  if (err.problems) error.problems = err.problems;
  reply.code(err.status).send({ error });
}

/** Maps anything a route throws to an HttpError. */
export function toHttpError(err: unknown, bodyLimit = 1024 * 1024): HttpError {
  if (err instanceof HttpError) return err;
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    return new HttpError(422, 'validation', 'the request does not match the schema', undefined, problemsFromAjv(fe.validation, fe.validationContext));
  }
  if (err instanceof ValidationError) {
    // The scheduler names spec fields; in a request they live under `spec`. `label` is a field of the request itself.
    const problems = err.problems.map((p) => ({ ...p, field: p.field.startsWith('spec') || p.field === 'label' ? p.field : `spec.${p.field}` }));
    return new HttpError(422, 'validation', problems.every((p) => p.field === 'label') ? 'the label is not valid' : 'the spec is not valid', undefined, problems);
  }
  // Disk full, permission denied, out of descriptors: the machine's state, not a bug and not a conflict.
  const resource = asResourceError(err);
  if (resource) {
    const status = resource.code === 'ENOSPC' || resource.code === 'EDQUOT' ? 507 : resource.code === 'EACCES' || resource.code === 'EPERM' ? 403 : 503;
    return new HttpError(status, 'resource', resource.message, resource.hint);
  }
  if (err instanceof UserError) return new HttpError(409, 'conflict', err.message, err.hint);
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'too_large', `the request body is larger than ${bodyLimit} bytes`, 'send a smaller body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'bad_request', `the body is not valid JSON: ${fe.message}`);
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new HttpError(fe.statusCode, 'bad_request', fe.message);
  }
  return new HttpError(500, 'internal', err instanceof Error ? err.message : String(err), 'this looks like a bug in lmms-tui; see the server log');
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number, log: (msg: string) => void): void {
  app.setErrorHandler((err, _req, reply) => {
    const http = toHttpError(err, bodyLimit);
    if (http.code === 'resource') log(`refused: ${http.message}`);
    else if (http.status >= 500) log(`internal error: ${(err as Error).stack ?? String(err)}`);
    sendError(reply, http);
  });
  app.setNotFoundHandler((req, reply) => {
    sendError(reply, new HttpError(404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`, 'see /openapi.json'));
  });
}
