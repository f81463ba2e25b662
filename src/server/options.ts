/** Who may talk to the TCP listener of `serve`. */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

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
}

/**
 * The TCP listener's token: the given one; else, off loopback, a fresh random one (anyone on the network
 * could otherwise run commands as this user); else none.
 */
export function tcpAuth(host: string, token: string | undefined): TcpAuth {
  if (token !== undefined && token !== '') return { token, generated: false };
  if (isLoopbackHost(host)) return { token: null, generated: false };
  return { token: randomBytes(24).toString('base64url'), generated: true };
}
