/**
 * Which local user opened a TCP connection, on Linux. A Unix socket can ask the kernel (SO_PEERCRED); a TCP
 * socket cannot, but the kernel lists every TCP socket of this network namespace with its owner's uid in
 * /proc/net/tcp and /proc/net/tcp6 (format: Documentation/networking/proc_net_tcp.rst in the kernel tree).
 * The client's end of our connection is the entry whose local address is the connection's remote address
 * and whose remote address is our local one. A connection from another machine has no such entry: null.
 *
 * Hand-written rather than a procfs package: the lookup is one string search for a precomputed
 * "local remote" pair, so the table (thousands of lines on a busy box) is never parsed line by line.
 *
 * No fastify here: the MCP server and any plain node:http listener use it as is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { endianness } from 'node:os';

const LE = endianness() === 'LE';

/** The kernel's TCP states that are not a live socket with an owner: TIME_WAIT (uid shown as 0) and LISTEN. */
const NO_OWNER = new Set(['06', '0A']);

/** Lookups that read /proc (tests check that a keep-alive connection costs one). */
let reads = 0;
export function peerUidReads(): number {
  return reads;
}

/** 16 bytes of an IPv6 address, IPv4 ones as IPv4-mapped (::ffff:a.b.c.d); null when not an IP. */
function bytesOf(address: string): Buffer | null {
  let a = address.trim().replace(/^\[(.*)\]$/, '$1');
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (isIPv4(a)) return Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...a.split('.').map(Number)]);
  if (!isIPv6(a)) return null;
  // A trailing dotted quad (::ffff:127.0.0.1) as two hex groups, then `::` expanded to the missing groups.
  a = a.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, p: string, q: string, r: string, s: string) =>
    `${((Number(p) << 8) | Number(q)).toString(16)}:${((Number(r) << 8) | Number(s)).toString(16)}`);
  const halves = a.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length > 1 ? [...head, ...Array<string>(Math.max(0, 8 - head.length - rest.length)).fill('0'), ...rest] : head;
  const nums = groups.map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  if (nums.length !== 8 || nums.some((n) => Number.isNaN(n))) return null;
  const out = Buffer.alloc(16);
  nums.forEach((n, i) => out.writeUInt16BE(n, i * 2));
  return out;
}

/** A canonical key for comparing IP addresses spelled differently (`::1`, `0:0::1`; `127.0.0.1`, `::ffff:127.0.0.1`). */
export function ipKey(address: string): string | null {
  return bytesOf(address)?.toString('hex') ?? null;
}

function isMappedV4(b: Buffer): boolean {
  return b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** The kernel prints each 32-bit word of the address as a host-order integer (`%08X`). */
function hexWords(bytes: Buffer): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const w = bytes.subarray(i, i + 4);
    s += Buffer.from(LE ? [w[3]!, w[2]!, w[1]!, w[0]!] : [...w]).toString('hex');
  }
  return s.toUpperCase();
}

function endpoint(addr: Buffer, port: number): string {
  return `${hexWords(addr)}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The uid column of the live entry `local remote`, or null. */
function findUid(table: string, local: string, remote: string): number | null {
  const needle = ` ${local} ${remote} `;
  for (let at = table.indexOf(needle); at >= 0; at = table.indexOf(needle, at + 1)) {
    const end = table.indexOf('\n', at);
    // Fields after the addresses: st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
    const fields = table.slice(at + needle.length, end < 0 ? undefined : end).trim().split(/\s+/);
    if (NO_OWNER.has(fields[0] ?? '')) continue;
    const uid = Number(fields[4]);
    if (Number.isInteger(uid) && uid >= 0) return uid;
  }
  return null;
}

function readTable(file: string): string | null {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return null;
  }
}

async function readTableAsync(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'latin1');
  } catch {
    return null;
  }
}

/** True where peerUid can work at all (Linux with /proc mounted). */
export function peerUidSupported(): boolean {
  return existsSync('/proc/net/tcp') || existsSync('/proc/net/tcp6');
}

interface Probe {
  file: string;
  local: string;
  remote: string;
}

/**
 * Where the client's end of `socket` can be listed, in the order to look. Its own socket may be IPv4
 * (listed in tcp, even when our dual-stack socket sees ::ffff:a.b.c.d) or IPv6 (listed in tcp6, IPv4 peers
 * then appearing mapped). An IPv4 socket on our side means an IPv4 one on theirs: tcp6 cannot hold it, and
 * is not read, since each table read walks the kernel's whole connection hash (10-20 ms on the 23 GB VM
 * this was measured on, however few sockets there are; `npm run bench:guard`).
 */
function probes(socket: Socket): Probe[] | null {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || !localAddress || !remotePort || !localPort) return null;
  const client = bytesOf(remoteAddress);
  const server = bytesOf(localAddress);
  if (!client || !server) return null;
  const out: Probe[] = [];
  if (isMappedV4(client) && isMappedV4(server)) {
    out.push({ file: '/proc/net/tcp', local: endpoint(client.subarray(12), remotePort), remote: endpoint(server.subarray(12), localPort) });
    if (isIPv4(localAddress)) return out;
  }
  out.push({ file: '/proc/net/tcp6', local: endpoint(client, remotePort), remote: endpoint(server, localPort) });
  return out;
}

/**
 * The uid owning the other end of `socket` when that end is a socket on this machine (a loopback
 * connection, or one to a local address); null when it cannot be determined (another machine, the
 * connection already closed, no /proc). Callers refuse on null. Reads /proc synchronously; a server
 * prefers peerUidAsync, which leaves its event loop free meanwhile.
 */
export function peerUid(socket: Socket): number | null {
  const plan = probes(socket);
  if (!plan) return null;
  reads++;
  for (const p of plan) {
    const table = readTable(p.file);
    const uid = table === null ? null : findUid(table, p.local, p.remote);
    if (uid !== null) return uid;
  }
  return null;
}

/** peerUid, reading /proc off the event loop. */
export async function peerUidAsync(socket: Socket): Promise<number | null> {
  const plan = probes(socket);
  if (!plan) return null;
  reads++;
  for (const p of plan) {
    const table = await readTableAsync(p.file);
    const uid = table === null ? null : findUid(table, p.local, p.remote);
    if (uid !== null) return uid;
  }
  return null;
}
