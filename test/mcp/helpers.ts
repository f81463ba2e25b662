/**
 * `lmms-tui mcp` driven by the official SDK's client over stdio, as a coding agent runs it: the shipped
 * entry (bin/lmms-tui.js over the bundle the global setup builds) in a private state dir.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ROOT } from '../server/helpers.js';

export interface McpSession {
  client: Client;
  /** Calls a tool; `json` is its answer parsed (an error's too), `text` the raw text. */
  call(name: string, args?: Record<string, unknown>): Promise<{ isError: boolean; json: Record<string, any>; text: string }>;
  stderr(): string;
  close(): Promise<void>;
}

export async function startMcp(env: NodeJS.ProcessEnv, args: string[] = ['--demo']): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [env.LMMS_TUI_SERVER_ENTRY!, 'mcp', ...args],
    env: env as Record<string, string>,
    cwd: ROOT,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'lmms-tui-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    async call(name, a = {}) {
      const r = (await client.callTool({ name, arguments: a })) as CallToolResult;
      const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
      let json: Record<string, any>;
      try {
        json = JSON.parse(text) as Record<string, any>;
      } catch {
        json = { text };
      }
      return { isError: r.isError === true, json, text };
    },
    stderr: () => err,
    close: () => client.close(),
  };
}
