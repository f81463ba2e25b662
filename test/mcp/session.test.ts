/**
 * The session around the tools: a client that writes its requests and closes stdin at once still gets every
 * answer; stdout carries only the protocol; and another user running `lmms-tui mcp` against my state dir
 * cannot put a job on my queue (my socket sits in a 0700 directory).
 */
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { readPidFile } from '../../src/server/pidfile.js';
import { serverPaths } from '../../src/server/paths.js';
import { cleanupHomes, cli, client, newHome, ROOT } from '../server/helpers.js';
import { startMcp } from './helpers.js';
import { readableEntry } from '../helpers/readable-copy.js';

afterEach(cleanupHomes);

const rpc = (id: number | null, method: string, params: Record<string, unknown> = {}) => `${JSON.stringify({ jsonrpc: '2.0', ...(id === null ? {} : { id }), method, params })}\n`;

describe('lmms-tui mcp session', () => {
  it('answers requests written just before stdin closes, then exits 0; stdout is JSON-RPC only', async () => {
    const { env } = await newHome();
    const child = spawn(process.execPath, [env.LMMS_TUI_SERVER_ENTRY!, 'mcp', '--demo'], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.stdin.end(
      rpc(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } }) +
        rpc(null, 'notifications/initialized') +
        rpc(2, 'tools/call', { name: 'list_tasks', arguments: { query: 'demo_mme' } }) +
        rpc(3, 'tools/call', { name: 'list_runs', arguments: {} }),
    );
    expect(await exited).toBe(0);
    // Calls 2 and 3 run concurrently, so their answers may come in either order (JSON-RPC matches by id).
    const messages = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; result: { structuredContent?: Record<string, unknown> } })
      .sort((a, b) => a.id - b.id);
    expect(messages.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(messages[1]!.result.structuredContent).toMatchObject({ total: 1, tasks: [{ name: 'demo_mme' }] });
    expect(messages[2]!.result.structuredContent).toMatchObject({ total: 0, runs: [] });
  });

  it('outlives the server: after `server stop` the next call starts a new one and sees the same jobs', async () => {
    const { home, env } = await newHome();
    const s = await startMcp(env);
    try {
      const run = await s.call('evaluate', { model: 'demo', tasks: ['demo_mme'], limit: 2, mode: 'sync' });
      expect(run.json.status, run.text).toBe('completed');
      const first = readPidFile(serverPaths(home).pidFile)!;
      const stopped = await cli(['server', 'stop'], env);
      expect(stopped.code, stopped.stderr).toBe(0);
      const runs = await s.call('list_runs');
      expect(runs.isError, runs.text).toBe(false);
      expect(runs.json.runs.map((r: { run_id: string }) => r.run_id)).toEqual([run.json.run_id]);
      expect(readPidFile(serverPaths(home).pidFile)!.pid).not.toBe(first.pid);
    } finally {
      await s.close();
    }
  });

  it('another uid cannot start a job on my queue through my state dir', async () => {
    const { home, env } = await newHome();
    const mine = await client(env); // my server, running
    try {
      const before = readPidFile(serverPaths(home).pidFile)!;
      const transport = new StdioClientTransport({
        command: 'setpriv',
        args: ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, readableEntry(), 'mcp', '--demo'],
        env: { ...env, LMMS_TUI_SERVER_ENTRY: readableEntry() } as Record<string, string>,
        cwd: '/tmp',
        stderr: 'pipe',
      });
      const other = new Client({ name: 'intruder', version: '1' });
      await other.connect(transport);
      try {
        // The process runs (it lists its tools) but reaches no queue.
        expect((await other.listTools()).tools.map((t) => t.name)).toContain('evaluate');
        const r = (await other.callTool({ name: 'evaluate', arguments: { model: 'demo', tasks: ['demo_mme'], mode: 'async' } })) as CallToolResult;
        expect(r.isError).toBe(true);
        const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
        expect(text).toMatch(/EACCES|permission/i);
      } finally {
        await other.close();
      }
      expect(await mine.jobs()).toEqual([]);
      // Still my server: the intruder neither replaced it nor started another.
      expect(readPidFile(serverPaths(home).pidFile)).toEqual(before);
    } finally {
      mine.close();
    }
  });
});
