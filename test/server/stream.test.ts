/**
 * Live log streaming (SSE) under a job printing thousands of lines per second: a client that disconnects
 * and resumes from its last event id, and one whose server is killed mid-stream, both end up with exactly
 * the log's lines, none lost and none twice.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/core/logs/ansi.js';
import { redactSecrets } from '../../src/core/logs/redact.js';
import { collapseCR } from '../../src/core/logs/ring.js';
import type { LogEvent } from '../../src/client/types.js';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { cleanupHomes, client, demoSpec, newHome } from './helpers.js';

afterEach(cleanupHomes);

/** What the API should deliver for a finished log: every line, `\r` redraws collapsed, ANSI stripped. */
function expectedLines(file: string): string[] {
  const parts = readFileSync(file, 'utf8').split('\n');
  const last = parts.pop()!;
  if (collapseCR(last).trim() !== '') parts.push(last);
  return parts.map((p) => redactSecrets(stripAnsi(collapseCR(p))));
}

describe('live log stream', () => {
  it('resumes from the last event id without losing or repeating a line under a flood', async () => {
    const { env } = await newHome();
    const c = await client(env);
    try {
      const flood = { ...(env as Record<string, string>), LMMS_DEMO_FLOOD: '40000', LMMS_DEMO_FLOOD_SECONDS: '1' };
      const { id } = await c.submit(demoSpec({ limit: 5 }), { env: flood });
      const got: string[] = [];
      let since = 0;
      let batches = 0;
      let sawState = false;
      // First connection: leave after a few batches, mid-flood.
      for await (const ev of c.events(id)) {
        if (ev.type === 'state') sawState = true;
        if (ev.type !== 'lines') continue;
        expect(ev.offset).toBe(since);
        got.push(...ev.lines);
        since = ev.next_offset;
        if (++batches === 3) break;
      }
      expect(sawState).toBe(true);
      // Reconnect from the last id until the end.
      let end: Extract<LogEvent, { type: 'end' }> | null = null;
      for await (const ev of c.events(id, { since })) {
        if (ev.type === 'lines') {
          expect(ev.offset).toBe(since);
          got.push(...ev.lines);
          since = ev.next_offset;
        } else if (ev.type === 'end') end = ev;
      }
      expect(end?.job.state).toBe('succeeded');
      const job = await c.job(id);
      const want = expectedLines(job.log_path);
      expect(want.length).toBeGreaterThan(20_000);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
      expect(end!.next_offset).toBe(readFileSync(job.log_path).length);

      // ?since= works like Last-Event-ID for clients that cannot set headers.
      const tail = await rawEvents(env.LMMS_TUI_HOME!, `/api/v1/jobs/${id}/events?since=${end!.next_offset}`);
      expect(tail).toContain('event: end');
      expect(tail).not.toContain('event: lines');
    } finally {
      c.close();
    }
  });

  it('followLog carries on through a server kill -9, via a new server that adopts the job', async () => {
    const { home, env } = await newHome();
    const c = await client(env);
    try {
      const flood = { ...(env as Record<string, string>), LMMS_DEMO_FLOOD: '5000', LMMS_DEMO_FLOOD_SECONDS: '2' };
      const { id } = await c.submit(demoSpec({ limit: 5 }), { env: flood });
      const first = readPidFile(serverPaths(home).pidFile)!;
      const got: string[] = [];
      let killed = false;
      let end: Extract<LogEvent, { type: 'end' }> | null = null;
      let progress = 0;
      for await (const ev of c.followLog(id)) {
        if (ev.type === 'lines') {
          got.push(...ev.lines);
          if (!killed && got.length > 1000) {
            killed = true;
            process.kill(first.pid, 'SIGKILL');
          }
        } else if (ev.type === 'progress') progress++;
        else if (ev.type === 'end') end = ev;
      }
      expect(killed).toBe(true);
      expect(readPidFile(serverPaths(home).pidFile)!.pid).not.toBe(first.pid);
      expect(end?.job.state).toBe('succeeded');
      const want = expectedLines((await c.job(id)).log_path);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
      expect(progress).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });
});

function rawEvents(home: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: serverPaths(home).socket, path }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
}
