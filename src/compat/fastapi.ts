/**
 * The error vocabulary of the three services we imitate. All three are FastAPI apps, so their clients know
 * two bodies: `{"detail": "<message>"}` from an HTTPException, and 422 `{"detail": [{type, loc, msg, input,
 * ctx?}]}` from pydantic v2 validation. Request bodies are checked here by hand, in pydantic's lax JSON mode
 * (a numeric string is an int, `"yes"` a bool), so the errors carry pydantic's own `type` and `msg`.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Problem } from '../core/errors.js';
import { redactData, redactSecrets } from '../core/redact.js';

export type Loc = (string | number)[];

export interface ErrorDetail {
  type: string;
  loc: Loc;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** Thrown by a compat route; the scope's error handler turns it into `{detail}` with this status. */
export class FastApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | ErrorDetail[],
  ) {
    super(typeof detail === 'string' ? detail : 'validation failed');
    this.name = 'FastApiError';
  }
}

export const httpError = (status: number, detail: string): FastApiError => new FastApiError(status, detail);
// pydantic echoes the offending input back; a refused env_vars map or env line must not carry a token out.
export const unprocessable = (details: ErrorDetail[]): FastApiError =>
  new FastApiError(422, details.map((d) => ({ ...d, input: redactData(d.input), ...(d.ctx ? { ctx: redactData(d.ctx) as Record<string, unknown> } : {}) })));

/** A body fastify could not give us as JSON: kept so the handler can answer as FastAPI would. */
export class RawBody {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

/**
 * Errors of a compat scope in FastAPI's shapes. Bodies of other content types reach the handler as RawBody
 * (FastAPI validates them as bytes, which fails). In practice the listener guard (server/guard.ts) answers
 * 415 before routing to any state-changing request whose body is not application/json, including the
 * bodies without a content type that FastAPI itself would have parsed as JSON: a page can send those
 * cross-site without a CORS preflight.
 */
export function installFastApiErrors(scope: FastifyInstance, log: (msg: string) => void): void {
  scope.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    done(null, new RawBody(String(body), String(req.headers['content-type'] ?? '')));
  });
  scope.setErrorHandler((err, _req, reply) => {
    if (err instanceof FastApiError) return reply.code(err.status).send({ detail: err.detail });
    const fe = err as FastifyError;
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.code(422).send({ detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: fe.message } }] });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(422).send({ detail: [missing(['body'], null)] });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send({ detail: 'Request body too large' });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send({ detail: fe.message });
    }
    log(`compat: internal error: ${(err as Error).stack ?? String(err)}`);
    return reply.code(500).send({ detail: `Internal Server Error: ${(err as Error).message}` });
  });
}

/** The request body as a JSON value, or a 422 naming why not. undefined: no body at all. */
export function jsonBody(req: FastifyRequest): unknown {
  const body = req.body;
  if (!(body instanceof RawBody)) return body;
  if (body.contentType === '') {
    try {
      return JSON.parse(body.text);
    } catch (err) {
      throw unprocessable([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: (err as Error).message } }]);
    }
  }
  throw unprocessable([{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body.text }]);
}

export function missing(loc: Loc, input: unknown): ErrorDetail {
  return { type: 'missing', loc, msg: 'Field required', input };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body as an object (a model), or a 422 exactly as pydantic words it. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) throw unprocessable([missing(['body'], null)]);
  if (!isObject(body)) throw unprocessable([{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body }]);
  return body;
}

/**
 * Field checks in pydantic's lax mode. Each returns the converted value, or undefined after recording an
 * error; the caller throws `unprocessable(check.errors)` once every field has been looked at, so a client
 * sees all its mistakes at once, as with FastAPI.
 */
export class Checker {
  readonly errors: ErrorDetail[] = [];

  fail(type: string, loc: Loc, msg: string, input: unknown, ctx?: Record<string, unknown>): undefined {
    this.errors.push(ctx ? { type, loc, msg, input, ctx } : { type, loc, msg, input });
    return undefined;
  }

  str(v: unknown, loc: Loc): string | undefined {
    return typeof v === 'string' ? v : this.fail('string_type', loc, 'Input should be a valid string', v);
  }

  int(v: unknown, loc: Loc): number | undefined {
    const r = laxInt(v);
    if (r.ok) return r.value;
    return this.fail(r.type, loc, r.msg, v);
  }

  float(v: unknown, loc: Loc): number | undefined {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') {
      const n = Number(v.trim());
      if (v.trim() !== '' && Number.isFinite(n)) return n;
      return this.fail('float_parsing', loc, 'Input should be a valid number, unable to parse string as a number', v);
    }
    return this.fail('float_type', loc, 'Input should be a valid number', v);
  }

  bool(v: unknown, loc: Loc): boolean | undefined {
    if (typeof v === 'boolean') return v;
    if (v === 0 || v === 1) return v === 1;
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on', 't', 'y'].includes(s)) return true;
      if (['false', '0', 'no', 'off', 'f', 'n'].includes(s)) return false;
      return this.fail('bool_parsing', loc, 'Input should be a valid boolean, unable to interpret input', v);
    }
    if (typeof v === 'number') return this.fail('bool_parsing', loc, 'Input should be a valid boolean, unable to interpret input', v);
    return this.fail('bool_type', loc, 'Input should be a valid boolean', v);
  }

  strList(v: unknown, loc: Loc): string[] | undefined {
    if (!Array.isArray(v)) return this.fail('list_type', loc, 'Input should be a valid list', v);
    const before = this.errors.length;
    const out = v.map((item, i) => this.str(item, [...loc, i]) ?? '');
    return this.errors.length === before ? out : undefined;
  }

  /** `Union[A, B]` in smart mode: the first member that accepts the value wins; otherwise one error per member. */
  union<T>(v: unknown, loc: Loc, members: [string, (c: Checker, v: unknown, loc: Loc) => T | undefined][]): T | undefined {
    const errors: ErrorDetail[] = [];
    for (const [name, check] of members) {
      const c = new Checker();
      const r = check(c, v, [...loc, name]);
      if (r !== undefined && c.errors.length === 0) return r;
      errors.push(...c.errors);
    }
    this.errors.push(...errors);
    return undefined;
  }

  /** A value error on a field (pydantic's `value_error`), worded as our validation words it. */
  value(loc: Loc, input: unknown, message: string): void {
    this.errors.push({ type: 'value_error', loc, msg: `Value error, ${message}`, input, ctx: { error: message } });
  }

  throwIfAny(): void {
    if (this.errors.length) throw unprocessable(this.errors);
  }
}

function laxInt(v: unknown): { ok: true; value: number } | { ok: false; type: string; msg: string } {
  if (typeof v === 'boolean') return { ok: true, value: v ? 1 : 0 };
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return { ok: true, value: v };
    return { ok: false, type: 'int_from_float', msg: 'Input should be a valid integer, got a number with a fractional part' };
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[+-]?\d+$/.test(s)) return { ok: true, value: Number(s) };
    return { ok: false, type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' };
  }
  return { ok: false, type: 'int_type', msg: 'Input should be a valid integer' };
}

/** A path or query parameter declared `int` (FastAPI reports it under `path` / `query`). */
export function intParam(v: string | undefined, where: 'path' | 'query', name: string): number {
  const r = laxInt(v);
  if (r.ok) return r.value;
  throw unprocessable([{ type: r.type, loc: [where, name], msg: r.msg, input: v }]);
}

/** A query parameter declared `bool`. */
export function boolQuery(v: string | undefined, name: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  const c = new Checker();
  const r = c.bool(v, ['query', name]);
  c.throwIfAny();
  return r!;
}

/**
 * Our validation problems (from the scheduler or the spec validator) as pydantic value errors, each put on
 * the request field it came from. `fieldMap` maps spec field names to the request's; unknown ones go on `body`.
 */
export function problemDetails(problems: readonly Problem[], fieldMap: Record<string, string>, body: Record<string, unknown>): ErrorDetail[] {
  return problems.map((p) => {
    const specField = p.field.replace(/^spec\./, '').replace(/ line \d+$/, '');
    const field = fieldMap[specField];
    const message = `${p.message} (${p.fix})`;
    const loc: Loc = field ? ['body', field] : ['body'];
    // The offending input is echoed back, as pydantic does: masked by the core rule (a refused env_vars
    // text holds its other lines too, tokens included).
    const shown = redactSecrets(message);
    return { type: 'value_error', loc, msg: `Value error, ${shown}`, input: redactData(field ? body[field] ?? null : body), ctx: { error: shown } };
  });
}

/** Python's `repr` of a list of ints, as LES puts it into its messages: `[1, 2]`. */
export function pyList(ids: readonly number[]): string {
  return `[${ids.join(', ')}]`;
}

/** Python's `datetime.now().isoformat()`: local time, no zone, microseconds. */
export function localIso(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** Python's `datetime.now(timezone.utc).isoformat()`: `2025-04-07T11:03:51.346000+00:00`. */
export function utcIso(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 23)}000+00:00`;
}
