/**
 * `npm run bench:guard`: what the listener guard (server/guard.ts) costs a request.
 *  1. GET /api/v1/health on a tokenless loopback `serve`: keep-alive TCP (peer uid looked up once), a new
 *     connection per request (looked up every time), against the same requests over the Unix socket
 *     (no Host/Origin/uid rules) as the baseline from the same run.
 *  2. peerUid alone, with the TCP table at its usual size and with 2,000 extra idle loopback connections.
 * A real server in this process on a temporary state dir; prints a table.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../src/server/daemon.js';
import { peerUid } from '../src/server/peer-uid.js';

const N = Number(process.env.BENCH_REQUESTS ?? 1000);
const IDLE = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 2000);

const home = mkdtempSync(path.join(tmpdir(), 'lmms-bench-guard-'));
const server = await startServer({ stateDir: home, settings: { gpus: null, concurrency: 1 }, tcp: { host: '127.0.0.1', port: 0, token: null }, log: () => undefined });
const port = server.tcp!.port;

function run(opts: http.RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ path: '/api/v1/health', ...opts }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function perRequest(name: string, opts: () => http.RequestOptions, n = N): Promise<[string, number]> {
  for (let i = 0; i < 20; i++) await run(opts()); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await run(opts());
  return [name, ((performance.now() - t0) * 1000) / n];
}

function peerUidCost(sock: net.Socket, n = 200): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (peerUid(sock) === null) throw new Error('peer uid not found');
  return ((performance.now() - t0) * 1000) / n;
}

try {
  const keep = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rows = [
    await perRequest('Unix socket, keep-alive (baseline)', () => ({ socketPath: server.paths.socket, agent: sockAgent })),
    await perRequest('TCP keep-alive (uid looked up once)', () => ({ host: '127.0.0.1', port, agent: keep })),
    await perRequest('TCP, new connection per request', () => ({ host: '127.0.0.1', port, agent: false }), Math.ceil(N / 10)),
    await perRequest('Unix socket, new connection per request', () => ({ socketPath: server.paths.socket, agent: false }), Math.ceil(N / 10)),
  ];
  keep.destroy();
  sockAgent.destroy();
  const base = rows[0]![1];
  console.log(`\n1. GET /api/v1/health, ${N} sequential requests each (node ${process.version})`);
  console.log('   listener                                  µs/request   vs baseline');
  for (const [name, us] of rows) console.log(`   ${name.padEnd(40)} ${us.toFixed(0).padStart(10)}   ${`${(us / base).toFixed(2)}×`.padStart(11)}`);

  // 2. peerUid on one live connection, then with many idle loopback connections in the table.
  const echo = net.createServer(() => undefined);
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const accepted: net.Socket[] = [];
  echo.on('connection', (s) => accepted.push(s));
  const connectOne = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect((echo.address() as net.AddressInfo).port, '127.0.0.1', () => resolve(c)).once('error', reject);
    });
  // In batches well under the listen backlog, so no SYN waits for a retransmit.
  const open = async (n: number) => {
    const out: net.Socket[] = [];
    while (out.length < n) out.push(...(await Promise.all(Array.from({ length: Math.min(100, n - out.length) }, connectOne))));
    return out;
  };
  const [probe] = await open(1);
  while (accepted.length < 1) await new Promise((r) => setTimeout(r, 5));
  const small = peerUidCost(accepted[0]!);
  const idle = await open(IDLE);
  while (accepted.length < IDLE + 1) await new Promise((r) => setTimeout(r, 5));
  const large = peerUidCost(accepted[0]!, 50);
  console.log(`\n2. peerUid (reads /proc/net/tcp; tcp6 only for IPv6 peers)`);
  console.log(`   TCP table as it is                       ${small.toFixed(0).padStart(10)} µs`);
  console.log(`   with ${IDLE} more idle loopback connections ${large.toFixed(0).padStart(7)} µs   (${(IDLE * 2).toLocaleString('en-US')} more table lines)`);
  for (const s of [probe!, ...idle, ...accepted]) s.destroy();
  await new Promise((r) => echo.close(r));
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}
