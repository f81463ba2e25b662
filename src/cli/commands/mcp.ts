/**
 * `lmms-tui mcp [--demo] [--python P] [--setup S] [--http [--host H] [--port N]]`: an MCP server for coding
 * agents, a thin face over the caller's per-user server (started on first use), so the jobs an agent submits
 * are ordinary jobs. On stdio (the default) stdout carries the protocol only; anything for a human goes to
 * stderr. `--http` serves the streamable HTTP transport on loopback instead (src/mcp/http.ts).
 */
import type { Command } from 'commander';
import { allowHostValue, allowOriginValue, isLoopbackHost } from '../../server/options.js';
import { action, usageExit, UsageError } from '../client-helpers.js';
import type { McpContext } from '../../mcp/context.js';

interface McpOptions {
  demo?: boolean;
  python?: string;
  setup?: string;
  http?: boolean;
  host: string;
  port: string;
  allowHost?: string[];
  allowOrigin?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

async function serveStdio(ctx: McpContext): Promise<void> {
  const [{ StdioServerTransport }, { createMcpServer }] = await Promise.all([import('@modelcontextprotocol/sdk/server/stdio.js'), import('../../mcp/tools.js')]);
  const server = createMcpServer(ctx);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The client closing our stdin ends the session; the jobs it started keep running on the server.
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  // Requests read before stdin closed still get their answer (a client may write and close at once);
  // waits for runs end early. Then the answers' writes are let out before the transport closes.
  await ctx.drain();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => process.stdout.write('', r));
  await server.close().catch(() => undefined);
}

async function serveOverHttp(ctx: McpContext, opts: McpOptions): Promise<void> {
  const port = Number(opts.port);
  if (!/^\d+$/.test(opts.port) || port > 65535) throw new UsageError(`--port: "${opts.port}" is not a port number`, 'e.g. --port 8765 (0 picks a free one)');
  if (!isLoopbackHost(opts.host)) {
    throw new UsageError(`--host ${opts.host} is not a loopback address; the MCP listener has no token, so it binds loopback only`, 'use 127.0.0.1 or ::1 (reach it from another machine through ssh -L)');
  }
  const allowHosts = (opts.allowHost ?? []).map((v) => {
    const h = allowHostValue(v);
    if (!h) throw new UsageError(`--allow-host: "${v}" is not a host name or address`, 'give the bare name, without scheme or port');
    return h;
  });
  const allowOrigins = (opts.allowOrigin ?? []).map((v) => {
    const o = allowOriginValue(v);
    if (!o) throw new UsageError(`--allow-origin: "${v}" is not an origin`, 'give scheme://host[:port], e.g. --allow-origin http://localhost:6274');
    return o;
  });
  const { serveHttp } = await import('../../mcp/http.js');
  const running = await serveHttp(ctx, { host: opts.host, port, allowHosts, allowOrigins });
  process.stdout.write(`MCP (streamable HTTP) on ${running.url}: this user only (same uid), loopback only\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await ctx.drain();
  await running.close();
}

export function registerMcp(program: Command): void {
  usageExit(
    program
      .command('mcp')
      .description('serve the Model Context Protocol for coding agents on stdio, or --http on loopback (tools over this user\'s queue)')
      .option('--demo', 'tools default to the built-in demo harness (simulated results)')
      .option('--python <path>', 'default interpreter of the harness install, for discovery and runs')
      .option('--setup <line>', 'default environment set-up line, e.g. "source .venv/bin/activate"')
      .option('--http', 'serve the streamable HTTP transport at http://HOST:PORT/mcp instead of stdio')
      .option('--host <address>', 'with --http: loopback address to bind', '127.0.0.1')
      .option('--port <n>', 'with --http: TCP port (0 picks a free one)', '8765')
      .option('--allow-host <name>', 'with --http: also answer to this Host name, e.g. an ssh tunnel\'s (repeatable)', collect)
      .option('--allow-origin <origin>', 'with --http: let a browser page of this origin call it, e.g. a web MCP inspector (repeatable)', collect),
  ).action(
    action(async (opts: McpOptions) => {
      const { McpContext } = await import('../../mcp/context.js');
      const ctx = new McpContext({ defaults: { demo: opts.demo === true, python: opts.python, setup: opts.setup } });
      try {
        if (opts.http) await serveOverHttp(ctx, opts);
        else await serveStdio(ctx);
      } finally {
        ctx.close();
      }
    }),
  );
}
