/**
 * `lmms-tui mcp --http`: the MCP streamable HTTP transport on a loopback port, for agents that cannot spawn
 * a stdio process. Every request passes the same checks as `lmms-tui serve` before the protocol sees it
 * (src/server/guard.ts): the Host must name this listener (DNS rebinding), a browser Origin must be ours,
 * a POST must be JSON, and the connection must come from this process's own uid (there is no token here,
 * so another local user is refused). Only loopback addresses are accepted for the bind.
 *
 * Stateless: every POST gets a fresh protocol server over the shared context (the client of the per-user
 * server and the catalogues), so no session can be hijacked or leak into another, and nothing is lost when
 * the listener restarts. Progress of a waiting `evaluate` still streams over that POST's event stream.
 */
import http from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { checkRequest, normalizeOrigin, resolveConnectionUid, type GuardOptions } from '../server/guard.js';
import { isLoopbackHost } from '../server/options.js';
import { UserError } from '../core/errors.js';
import type { McpContext } from './context.js';
import { createMcpServer } from './tools.js';

/** Largest request body read: a tool call is a few KiB; anything far beyond is not an MCP client. */
const MAX_BODY = 4 * 1024 * 1024;

export interface HttpOptions {
  host: string;
  port: number;
  /** Extra Host names (an ssh tunnel's, say), as `serve --allow-host`. */
  allowHosts?: string[];
  /** Browser origins allowed to call (a web-based MCP inspector), as `serve --allow-origin`; they get CORS answers. */
  allowOrigins?: string[];
}

export interface RunningHttp {
  url: string;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A JSON-RPC error answer (what an MCP client expects to read on this endpoint). */
function rpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function serveHttp(ctx: McpContext, opts: HttpOptions): Promise<RunningHttp> {
  if (!isLoopbackHost(opts.host)) {
    throw new UserError(`--host ${opts.host} is not a loopback address; the MCP listener has no token, so it binds loopback only`, 'use 127.0.0.1 or ::1 (reach it from elsewhere through ssh -L)');
  }
  const guard: GuardOptions = { transport: 'tcp', bindHost: opts.host, allowHosts: opts.allowHosts, allowOrigins: opts.allowOrigins, sameUid: true };
  const origins = new Set((opts.allowOrigins ?? []).map((o) => normalizeOrigin(o) ?? o));

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    await resolveConnectionUid(req.socket);
    const refusal = checkRequest(req, guard);
    if (refusal) return sendJson(res, refusal.status, { error: { code: refusal.code, message: refusal.message, hint: refusal.hint } });
    // Only an origin given with --allow-origin (which the guard has let through) gets CORS headers.
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origins.has(normalizeOrigin(origin) ?? origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-expose-headers', 'mcp-session-id, mcp-protocol-version');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id',
          'access-control-max-age': '600',
        });
        return void res.end();
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') return sendJson(res, 404, { error: { code: 'not_found', message: `no such path ${url.pathname}`, hint: 'the MCP endpoint is /mcp' } });
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return rpcError(res, 405, -32000, 'this endpoint is stateless: send each request as a POST (no server-initiated stream, no session to delete)');
    }
    const text = await readBody(req);
    if (text === null) return rpcError(res, 413, -32600, `request body over ${MAX_BODY} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return rpcError(res, 400, -32700, 'the body is not JSON');
    }
    const server = createMcpServer(ctx);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const listener = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) rpcError(res, 500, -32603, `internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(opts.port, opts.host, () => resolve());
  });
  const addr = listener.address() as { address: string; port: number };
  const shown = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        listener.close(() => resolve());
        listener.closeAllConnections();
      }),
  };
}
