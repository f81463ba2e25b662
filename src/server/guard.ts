/**
 * The checks every listener applies before routing, so that no web page and no other local user can drive
 * the queue: the native API, the compat surfaces in the same app, `lmms-tui web`, static files, /docs and
 * /openapi.json alike. `checkRequest` depends on node:http only, so a plain http server (the MCP listener)
 * uses it as is; `installGuard` wires it into fastify.
 *
 * The rules, in the order they are applied (the first that fails answers):
 *
 * 1. Host (TCP only). It must name this listener: a loopback name or address (`localhost`, 127.0.0.0/8, ::1:
 *    never the result of DNS rebinding, and what an `ssh -L` tunnel sends), the local address the
 *    connection arrived on, the bound address, the machine's hostname for non-loopback binds, or a name
 *    given with `--allow-host`; any port. Anything else is 421 Misdirected Request. A DNS-rebinding page
 *    (`rebind.evil.example` resolving to 127.0.0.1) reaches our port with its own name in Host, and is
 *    stopped here before any route runs.
 *
 * 2. Origin (TCP only). A request carrying `Origin` must come from this listener's own origin
 *    (`http://<the Host it was sent to>`) or one given with `--allow-origin`; `Origin: null` (sandboxed
 *    frames, opaque redirects) is foreign. Without Origin, `Sec-Fetch-Site: cross-site` or `same-site`
 *    (another port of localhost is same-site) is refused too: that is how a modern browser marks an
 *    `<img>`/`<script>`/navigation request from another page, which carries no Origin. 403 either way.
 *
 * 3. Who (tokenless TCP only; with a token the token is the check). The connection must come from the
 *    server's own uid (peer-uid.ts); any other uid, or one that cannot be determined, is 401 naming
 *    `--token`. Looked up once per connection (keep-alive requests reuse the answer), off the event loop
 *    when the caller awaits resolveConnectionUid first, as installGuard does.
 *
 * 4. Content-Type (every listener, the Unix socket included, so a script behaves the same on both). A
 *    state-changing request (any method but GET, HEAD, OPTIONS) is accepted only
 *    - with `Content-Type: application/json` (parameters such as charset allowed): the only type any of
 *      the APIs we serve documents (lmms-eval's server mode and web UI and TrustyAI's lm-eval-server are
 *      FastAPI apps reading JSON bodies), and one a browser cannot send cross-origin without a CORS
 *      preflight, which we never grant unless `--allow-origin` says so; or
 *    - with no Content-Type and no body at all (no Content-Length above 0, no Transfer-Encoding): what
 *      curl -X POST, httpx's `client.post(url)`, requests and our own client send for stop, cancel and
 *      retry. A browser can send such a request without a preflight (`fetch(url, {method: 'POST',
 *      mode: 'no-cors'})`), but always with an Origin header, which rule 2 has already judged.
 *    Everything else is 415: text/plain, form and multipart bodies (what pages and HTML forms send
 *    without a preflight), and bodies without a Content-Type (`no-cors` fetch of a Blob), which FastAPI
 *    itself would have parsed as JSON. Refusing before routing means the body is never parsed or acted on.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLoopbackHost } from './options.js';
import { ipKey, peerUid, peerUidAsync } from './peer-uid.js';

export interface Refusal {
  status: number;
  code: string;
  message: string;
  hint: string;
}

export interface GuardOptions {
  /** `unix`: the private socket (no browser can reach it): only the Content-Type rule applies. */
  transport: 'tcp' | 'unix';
  /** The address the listener was asked to bind (`127.0.0.1`, `::1`, `0.0.0.0`, a name …). */
  bindHost?: string;
  /** More names the Host header may carry (`--allow-host`), lower case, without port. */
  allowHosts?: readonly string[];
  /** Origins allowed to call cross-origin (`--allow-origin`), as `scheme://host[:port]`. */
  allowOrigins?: readonly string[];
  /** Only connections from the server's own uid (a tokenless TCP listener). */
  sameUid?: boolean;
}

interface Compiled {
  names: Set<string>;
  ips: Set<string>;
  origins: Set<string>;
}

const compiled = new WeakMap<GuardOptions, Compiled>();

function compile(opts: GuardOptions): Compiled {
  let c = compiled.get(opts);
  if (c) return c;
  const names = new Set<string>();
  const ips = new Set<string>();
  const add = (h: string) => {
    const name = normalizeName(h);
    const ip = ipKey(name);
    if (ip) ips.add(ip);
    else if (name) names.add(name);
  };
  for (const h of opts.allowHosts ?? []) add(h);
  const bind = opts.bindHost ? normalizeName(opts.bindHost) : '';
  // For a wildcard bind (0.0.0.0, ::) the connection's own local address is what names it; the wildcard
  // itself is kept too (the URL `serve` prints), an IP literal being nothing DNS rebinding can produce.
  if (bind) add(bind);
  if (bind && !isLoopbackHost(bind)) add(hostname());
  c = { names, ips, origins: new Set((opts.allowOrigins ?? []).map((o) => normalizeOrigin(o) ?? o)) };
  compiled.set(opts, c);
  return c;
}

function normalizeName(h: string): string {
  return h.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** `scheme://host[:port]` of an origin, lower case, default port dropped; null when not an http(s) origin. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return null;
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** `host[:port]` → the host part (brackets removed) and the authority as a URL would spell it; null when malformed. */
function parseHost(header: string): { name: string; authority: string } | null {
  try {
    const u = new URL(`http://${header.trim()}`);
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash || !u.hostname) return null;
    return { name: normalizeName(u.hostname), authority: u.host };
  } catch {
    return null;
  }
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The peer uid of each connection, looked up on its first request (a promise while the lookup runs). */
const uids = new WeakMap<Socket, number | null | Promise<number | null>>();

/** The connection's peer uid, looked up (synchronously) the first time and remembered for the connection. */
export function connectionUid(socket: Socket): number | null {
  const known = uids.get(socket);
  if (known !== undefined && !(known instanceof Promise)) return known;
  const uid = peerUid(socket);
  uids.set(socket, uid);
  return uid;
}

/**
 * Looks the connection's peer uid up off the event loop and remembers it, so that checkRequest then finds
 * it without reading /proc. A server calls this before checkRequest on listeners with `sameUid`.
 */
export async function resolveConnectionUid(socket: Socket): Promise<number | null> {
  let known = uids.get(socket);
  if (known === undefined) {
    known = peerUidAsync(socket);
    uids.set(socket, known);
    known.then((uid) => uids.set(socket, uid), () => uids.set(socket, null));
  }
  return known;
}

function hostAllowed(name: string, socket: Socket, c: Compiled): boolean {
  if (isLoopbackHost(name)) return true;
  const ip = ipKey(name);
  if (ip) return c.ips.has(ip) || (socket.localAddress !== undefined && ipKey(socket.localAddress) === ip);
  return c.names.has(name);
}

/**
 * Null when the request may proceed, else why not (status, a stable code, a message naming what was
 * refused, and a hint naming the fix). See the rules at the top of this file.
 */
export function checkRequest(req: IncomingMessage, opts: GuardOptions): Refusal | null {
  const c = compile(opts);
  const method = (req.method ?? 'GET').toUpperCase();
  const origin = one(req.headers.origin);
  const allowedOrigin = origin !== undefined && c.origins.has(normalizeOrigin(origin) ?? origin);

  if (opts.transport === 'tcp') {
    const rawHost = one(req.headers.host);
    const host = rawHost === undefined ? null : parseHost(rawHost);
    // No Host at all is an HTTP/1.0 client, never a browser.
    if (rawHost !== undefined && (!host || !hostAllowed(host.name, req.socket, c))) {
      return {
        status: 421,
        code: 'misdirected_request',
        message: `Host "${rawHost}" does not name this server (refused: a page reaching it under another name is a DNS-rebinding attack)`,
        hint: `use http://localhost:${req.socket.localPort ?? 'PORT'}/ or the address it listens on, or start it with --allow-host ${host?.name ?? 'NAME'} if that name is yours`,
      };
    }
    const site = one(req.headers['sec-fetch-site']);
    if (origin !== undefined && !allowedOrigin) {
      const own = host ? `http://${host.authority}` : null;
      if (normalizeOrigin(origin) !== own) {
        return {
          status: 403,
          code: 'cross_origin',
          message: `requests from ${origin === 'null' ? 'an opaque origin (Origin: null)' : origin} are refused: only pages this server serves may call it`,
          hint: normalizeOrigin(origin) ? `start it with --allow-origin ${normalizeOrigin(origin)} to let that page in` : 'call it from a script or the command line',
        };
      }
    }
    if ((site === 'cross-site' || site === 'same-site') && !allowedOrigin) {
      return {
        status: 403,
        code: 'cross_site',
        message: `a ${site} browser request is refused (Sec-Fetch-Site: ${site})`,
        hint: 'open the URL directly (type or paste it into the address bar), or allow the calling page with --allow-origin ORIGIN',
      };
    }
    if (opts.sameUid) {
      const mine = process.geteuid?.();
      const theirs = connectionUid(req.socket);
      if (mine === undefined || theirs !== mine) {
        return {
          status: 401,
          code: 'unauthorized',
          message:
            theirs === null
              ? 'cannot tell which local user this connection comes from, and this server (started without --token) accepts only its own user'
              : `this server (started without --token) accepts only its own user (uid ${mine}); this connection comes from uid ${theirs}`,
          hint: 'ask its owner to start it with --token TOKEN (`lmms-tui serve --token …` / `lmms-tui web --token …`) and send Authorization: Bearer TOKEN',
        };
      }
    }
  }

  if (!SAFE_METHODS.has(method)) {
    const type = one(req.headers['content-type']);
    if (type !== undefined) {
      const media = type.split(';')[0]!.trim().toLowerCase();
      if (media !== 'application/json') {
        return {
          status: 415,
          code: 'unsupported_media_type',
          message: `a ${method} request must send Content-Type: application/json (this one sent "${type}")`,
          hint: 'send the body as JSON with the header Content-Type: application/json (curl: -H "Content-Type: application/json")',
        };
      }
    } else {
      const length = one(req.headers['content-length']);
      if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0')) {
        return {
          status: 415,
          code: 'unsupported_media_type',
          message: `a ${method} request with a body must send Content-Type: application/json (this one sent none)`,
          hint: 'add the header Content-Type: application/json (curl: -H "Content-Type: application/json")',
        };
      }
    }
  }
  return null;
}

/** CORS answers for an origin given with --allow-origin (and only for one). */
function corsHeaders(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
}

/**
 * Installs the guard as the first `onRequest` hook of `app` (call before any other hook). `send` answers
 * a refusal in the listener's own error vocabulary. Allowed origins also get their CORS preflight answered.
 */
export function installGuard(app: FastifyInstance, opts: GuardOptions, send: (reply: FastifyReply, refusal: Refusal, req: FastifyRequest) => void): void {
  const c = compile(opts);
  app.addHook('onRequest', async (req, reply) => {
    if (opts.sameUid && opts.transport === 'tcp') await resolveConnectionUid(req.raw.socket);
    const refusal = checkRequest(req.raw, opts);
    if (refusal) {
      send(reply, refusal, req);
      return reply;
    }
    const origin = one(req.headers.origin);
    if (origin !== undefined && c.origins.has(normalizeOrigin(origin) ?? origin)) {
      corsHeaders(reply, origin);
      if (req.method === 'OPTIONS') {
        reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST, DELETE')
          .header('access-control-allow-headers', 'content-type, authorization, last-event-id, idempotency-key')
          .header('access-control-max-age', '600')
          .send();
        return reply;
      }
    }
    return undefined;
  });
}
