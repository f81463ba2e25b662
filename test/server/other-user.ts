/**
 * HTTP requests sent by a real process of another local user (uid 65534, `nobody`), to check that a
 * listener tells its own user from others by the connection itself, not by anything the client says.
 */
import { spawn } from 'node:child_process';

export const NOBODY = 65534;

export interface OtherUserResponse {
  status: number;
  text: string;
  json: any;
  /** The uid the child really ran as (from its own process.getuid()). */
  uid: number;
}

export interface OtherUserRequest {
  host: string;
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Several requests on one keep-alive connection; the responses of all are returned. */
  repeat?: number;
}

// Runs in the child: the request(s), then one JSON line on stdout.
const CHILD = `
const http = require('node:http');
const o = JSON.parse(process.argv[1]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const one = () => new Promise((resolve, reject) => {
  const req = http.request({ host: o.host, port: o.port, method: o.method, path: o.path, headers: o.headers, agent }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (text += d));
    res.on('end', () => resolve({ status: res.statusCode, text }));
  });
  req.on('error', reject);
  req.end(o.body);
});
(async () => {
  const out = [];
  for (let i = 0; i < (o.repeat || 1); i++) out.push(await one());
  agent.destroy();
  process.stdout.write(JSON.stringify({ uid: process.getuid(), out }) + '\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

/** Sends the request(s) from a child process running as `uid` (default nobody). */
export function requestAsUser(req: OtherUserRequest, uid = NOBODY): Promise<OtherUserResponse[]> {
  const payload = JSON.stringify({ method: 'GET', headers: {}, ...req });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, payload], { uid, gid: uid, cwd: '/', env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`request as uid ${uid} failed (exit ${code}): ${stderr}`));
      const { uid: ran, out } = JSON.parse(stdout) as { uid: number; out: { status: number; text: string }[] };
      resolve(
        out.map((r) => {
          let json: unknown;
          try {
            json = JSON.parse(r.text);
          } catch {
            /* not JSON */
          }
          return { ...r, json, uid: ran };
        }),
      );
    });
  });
}
