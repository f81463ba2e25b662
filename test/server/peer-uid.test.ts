/**
 * peerUid: the uid of the process at the other end of a loopback TCP connection, read from /proc/net/tcp{,6},
 * checked against real clients of this user (root) and of uid 65534, over IPv4, IPv6 and IPv4-mapped
 * addresses on a dual-stack socket.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ipKey, peerUid, peerUidSupported } from '../../src/server/peer-uid.js';
import { NOBODY, requestAsUser } from './other-user.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An HTTP server answering each request with the peer uid of its connection and the addresses it saw. */
async function uidServer(host: string): Promise<{ port: number; seen: { remote: string; local: string }[] }> {
  const seen: { remote: string; local: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ remote: req.socket.remoteAddress!, local: req.socket.localAddress! });
    res.end(JSON.stringify({ uid: peerUid(req.socket) }));
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  return { port: (server.address() as net.AddressInfo).port, seen };
}

function getHere(host: string, port: number): Promise<{ uid: number | null }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, path: '/', agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

const v6 = await new Promise<boolean>((resolve) => {
  const s = net.createServer().once('error', () => resolve(false));
  s.listen(0, '::1', () => s.close(() => resolve(true)));
});

describe('peerUid', () => {
  it('is supported here (Linux with /proc): CI runs these checks for real', () => {
    expect(peerUidSupported()).toBe(true);
  });

  it('names this process\'s uid and a real uid-65534 client over 127.0.0.1', async () => {
    const { port } = await uidServer('127.0.0.1');
    expect(await getHere('127.0.0.1', port)).toEqual({ uid: process.geteuid!() });
    const [other] = await requestAsUser({ host: '127.0.0.1', port, path: '/' });
    expect(other!.uid).toBe(NOBODY);
    expect(other!.json).toEqual({ uid: NOBODY });
  });

  it.runIf(v6)('works over ::1', async () => {
    const { port } = await uidServer('::1');
    expect(await getHere('::1', port)).toEqual({ uid: process.geteuid!() });
    expect((await requestAsUser({ host: '::1', port, path: '/' }))[0]!.json).toEqual({ uid: NOBODY });
  });

  it.runIf(v6)('finds IPv4 clients of a dual-stack listener, which sees them as ::ffff:127.0.0.1', async () => {
    const { port, seen } = await uidServer('::');
    expect(await getHere('127.0.0.1', port)).toEqual({ uid: process.geteuid!() });
    expect((await requestAsUser({ host: '127.0.0.1', port, path: '/' }))[0]!.json).toEqual({ uid: NOBODY });
    expect(seen.map((s) => s.remote)).toEqual(['::ffff:127.0.0.1', '::ffff:127.0.0.1']);
  });

  it('is null for a socket that is not connected', () => {
    expect(peerUid(new net.Socket())).toBeNull();
  });

  it('compares addresses whatever their spelling', () => {
    expect(ipKey('::1')).toBe(ipKey('0:0:0:0:0:0:0:1'));
    expect(ipKey('[::1]')).toBe(ipKey('::1'));
    expect(ipKey('127.0.0.1')).toBe(ipKey('::ffff:127.0.0.1'));
    expect(ipKey('::ffff:7f00:1')).toBe(ipKey('127.0.0.1'));
    expect(ipKey('fe80::1%lo')).toBe(ipKey('fe80::1'));
    expect(ipKey('127.0.0.2')).not.toBe(ipKey('127.0.0.1'));
    expect(ipKey('localhost')).toBeNull();
  });
});
