/**
 * The fastify application. One is built per listener (the Unix socket, and TCP for `serve`): they share the
 * scheduler and differ only in authentication, so the API is identical on both.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { ServerContext } from './context.js';
import { installGuard, type GuardOptions, type Refusal } from './guard.js';
import { HttpError, installErrorHandling, sendError } from './http-errors.js';
import { docsPage, openApiDocument, type RouteDoc } from './openapi.js';
import { registerRoutes } from './routes.js';
import { registerResultsRoutes } from './results-routes.js';
import { registerCompatRoutes } from '../compat/index.js'; // compat (issue #6)

export interface AppOptions {
  /** Bearer token required on every API request; null: none (the socket, or loopback TCP without --token). */
  token: string | null;
  /** Which listener this app serves: the Host, Origin and peer-uid rules apply on TCP only (guard.ts). */
  transport: 'unix' | 'tcp';
  /** The address asked for on TCP, and the names and origins let in beside it (--allow-host, --allow-origin). */
  bindHost?: string;
  allowHosts?: readonly string[];
  allowOrigins?: readonly string[];
}

/** Paths served without a token: the API description is not a secret and browsers cannot send a bearer header. */
const PUBLIC = new Set(['/openapi.json', '/docs', '/docs/']);

/** A refusal of the guard in the vocabulary of the surface asked: ours under /api and the docs, FastAPI's on root paths. */
function sendRefusal(reply: FastifyReply, r: Refusal, url: string): void {
  const p = url.split('?')[0]!;
  if (p.startsWith('/api/') || PUBLIC.has(p)) sendError(reply, new HttpError(r.status, r.code, r.message, r.hint));
  else reply.code(r.status).send({ detail: `${r.message}; ${r.hint}` });
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  // Constant time, so the token cannot be guessed byte by byte from response timings.
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function buildApp(ctx: ServerContext, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.bodyLimit,
    // Event streams never end on their own; closing the server must cut them.
    forceCloseConnections: true,
    return503OnClosing: true,
    ajv: {
      // Strict: no type coercion (a string where a number belongs is an error naming the field), and
      // unknown fields are errors rather than silently removed.
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, useDefaults: true, allowUnionTypes: true },
    },
  });
  installErrorHandling(app, ctx.bodyLimit, ctx.log);

  // First hook: nothing (token check, routing, body parsing) happens for a request the guard refuses.
  const guard: GuardOptions = {
    transport: opts.transport,
    bindHost: opts.bindHost,
    allowHosts: opts.allowHosts,
    allowOrigins: opts.allowOrigins,
    // Tokenless TCP is loopback only (options.ts); there the peer's uid is the check.
    sameUid: opts.transport === 'tcp' && !opts.token,
  };
  installGuard(app, guard, (reply, r, req) => sendRefusal(reply, r, req.url));

  const token = opts.token;
  if (token) {
    app.addHook('onRequest', async (req, reply) => {
      if (PUBLIC.has(req.url.split('?')[0]!)) return;
      if (tokenMatches(req.headers.authorization, token)) return;
      reply.header('www-authenticate', 'Bearer');
      sendError(reply, new HttpError(401, 'unauthorized', 'a bearer token is required', 'send Authorization: Bearer <token> (printed by `lmms-tui serve`)'));
      return reply;
    });
  }

  const docs: RouteDoc[] = [];
  registerRoutes(app, ctx, docs);
  registerResultsRoutes(app, ctx, docs);
  registerCompatRoutes(app, ctx); // compat (issue #6)
  let document: unknown;
  app.get('/openapi.json', async () => (document ??= openApiDocument(docs, { version: ctx.version })));
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsPage()));
  await app.ready();
  return app;
}
