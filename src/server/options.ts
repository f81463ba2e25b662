/** Who may talk to the TCP listener of `serve`. */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { peerUidSupported } from './peer-uid.js';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (/^(0{0,4}:){2,7}0{0,3}1$/.test(h)) return true; // ::1 in any spelling
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped ? mapped[1]!.startsWith('127.') : false;
  }
  return false;
}

export interface TcpAuth {
  token: string | null;
  /** The token was made up here and must be shown to the user. */
  generated: boolean;
  /** Why it was generated: off loopback, or on loopback where the peer's uid cannot be told (no /proc). */
  reason?: 'off-loopback' | 'no-peer-uid';
}

/**
 * The TCP listener's token: the given one; else, off loopback, a fresh random one (anyone on the network
 * could otherwise run commands as this user); else none, and the guard lets only the server's own uid in
 * (guard.ts). Where that uid cannot be told (no /proc/net/tcp, e.g. macOS), a token is generated on loopback
 * too, rather than refusing every connection.
 */
export function tcpAuth(host: string, token: string | undefined, canTellPeerUid: () => boolean = peerUidSupported): TcpAuth {
  if (token !== undefined && token !== '') return { token, generated: false };
  if (isLoopbackHost(host) && canTellPeerUid()) return { token: null, generated: false };
  return { token: randomBytes(24).toString('base64url'), generated: true, reason: isLoopbackHost(host) ? 'no-peer-uid' : 'off-loopback' };
}

/** An `--allow-host` value as the guard compares it (lower case, brackets and a trailing dot removed); null when not a bare host. */
export function allowHostValue(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (!v || /[/\s@?#*]/.test(v)) return null;
  const bare = v.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (isIP(bare)) return bare;
  // A host name: labels of letters, digits, `-` and `_` (no port: Host is matched with any port).
  return /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(bare) ? bare : null;
}

/** An `--allow-origin` value as `scheme://host[:port]`; null when it is not one exact http(s) origin. */
export function allowOriginValue(value: string): string | null {
  const v = value.trim();
  if (!/^https?:\/\/[^/]+\/?$/i.test(v)) return null;
  try {
    const u = new URL(v);
    if (u.username || u.password || u.host.includes('*')) return null;
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}
