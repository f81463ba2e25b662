/**
 * The `Idempotency-Key` request header (the convention of the IETF httpapi draft
 * "The Idempotency-Key HTTP Header Field"): a client that lost the answer to a submit (connection reset,
 * server killed mid-request) sends the same request again with the same key and gets the job the first
 * one made, never a second job. The key is stored in the job's record, so this holds across restarts.
 */
import type { FastifyRequest } from 'fastify';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Printable ASCII, 1-200 characters: a UUID, a ULID or a caller's own request id all fit. */
const KEY = /^[\x21-\x7e]{1,200}$/;

/** The request's key, undefined when it sends none; an Error naming the header when it is malformed. */
export function idempotencyKey(req: FastifyRequest): string | undefined | Error {
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw : [raw];
  if (value.length !== 1 || !KEY.test(value[0]!.trim())) {
    return new Error('the Idempotency-Key header must be one value of 1-200 printable ASCII characters (e.g. a UUID)');
  }
  return value[0]!.trim();
}
