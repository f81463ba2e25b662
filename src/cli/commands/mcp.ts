/**
 * `lmms-tui mcp [--demo] [--python P] [--setup S]`: an MCP server on stdio for coding agents, a thin face over
 * the caller's per-user server (started on first use), so the jobs an agent submits are ordinary jobs.
 * stdout carries the protocol only; anything for a human goes to stderr.
 */
import type { Command } from 'commander';
import { action, usageExit } from '../client-helpers.js';

interface McpOptions {
  demo?: boolean;
  python?: string;
  setup?: string;
}

export function registerMcp(program: Command): void {
  usageExit(
    program
      .command('mcp')
      .description('serve the Model Context Protocol on stdio for coding agents (tools over this user\'s queue)')
      .option('--demo', 'tools default to the built-in demo harness (simulated results)')
      .option('--python <path>', 'default interpreter of the harness install, for discovery and runs')
      .option('--setup <line>', 'default environment set-up line, e.g. "source .venv/bin/activate"'),
  ).action(
    action(async (opts: McpOptions) => {
      const [{ StdioServerTransport }, { createMcpServer }, { McpContext }] = await Promise.all([
        import('@modelcontextprotocol/sdk/server/stdio.js'),
        import('../../mcp/tools.js'),
        import('../../mcp/context.js'),
      ]);
      const ctx = new McpContext({ defaults: { demo: opts.demo === true, python: opts.python, setup: opts.setup } });
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
      ctx.close();
    }),
  );
}
