/**
 * A real lmms-tui server in this process (TCP on a free loopback port), its compat surfaces running the demo
 * harness, plus raw HTTP requests (paths sent as-is, so traversal attempts reach the server unnormalised).
 */
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/server/daemon.js';

export { alivePids, until } from '../server/helpers.js';

export interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One request; `body` as a string is sent verbatim, anything else as JSON. */
export function request(base: string, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const u = new URL(base);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const h: Record<string, string> = { ...headers };
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: u.hostname, port: u.port, method, path: urlPath, headers: h }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface TestServer {
  home: string;
  url: string;
  server: RunningServer;
  call: (method: string, urlPath: string, body?: unknown, headers?: Record<string, string>) => Promise<Res>;
  close(): Promise<void>;
}

/**
 * Compat options come from the environment (as for an auto-started server), so they are set here, before the
 * first server of the file is built: demo harness, no pacing.
 */
export function compatEnv(home: string): void {
  process.env.LMMS_TUI_HOME = home;
  process.env.LMMS_TUI_COMPAT_DEMO = '1';
  process.env.LMMS_DEMO_PACE = '0';
  delete process.env.LMMS_TUI_URL;
}

export function newHomeDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'lmms-compat-'));
}

export async function startTestServer(home: string, settings: { gpus?: number[] | null; concurrency?: number } = {}): Promise<TestServer> {
  const server = await startServer({
    stateDir: home,
    settings: { gpus: settings.gpus ?? null, concurrency: settings.concurrency ?? 1, graceMs: 300, adoptPollMs: 100 },
    tcp: { host: '127.0.0.1', port: 0, token: null },
    log: () => undefined,
  });
  const url = server.tcp!.url;
  return {
    home,
    url,
    server,
    call: (method, urlPath, body, headers) => request(url, method, urlPath, body, headers),
    close: () => server.close(),
  };
}

/** Kills what jobs of `home` may still run, and removes it. */
export function removeHome(home: string): void {
  const jobs = path.join(home, 'jobs');
  for (const id of existsSync(jobs) ? readdirSync(jobs) : []) {
    try {
      const job = JSON.parse(readFileSync(path.join(jobs, id, 'job.json'), 'utf8')) as { pid: number | null };
      if (job.pid) process.kill(-job.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(home, { recursive: true, force: true });
}

export function pidsIn(file: string): number[] | null {
  if (!existsSync(file)) return null;
  const pids = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  return pids.length ? pids : null;
}
