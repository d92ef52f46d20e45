// --listen HOST:PORT: where serve listens, and whether that is loopback (only this machine can
// connect, so the per-run token and an open /metrics are enough) or not (auth is required).
import { isIP } from 'node:net';
import { UsageError } from '../app/options';

export const DEFAULT_LISTEN = '127.0.0.1:9121';

export interface ListenAddress {
  /** As node's listen() takes it: "127.0.0.1", "::1", "0.0.0.0", "localhost", a host name. */
  host: string;
  /** 0: a free port, chosen when listening (tests). */
  port: number;
  loopback: boolean;
}

/** "HOST:PORT", "[IPv6]:PORT" or ":PORT" (every interface, as Prometheus writes it); throws UsageError. */
export function parseListen(text: string): ListenAddress {
  const value = text.trim();
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (!match) throw new UsageError(`--listen must be HOST:PORT, [IPv6]:PORT or :PORT, not "${text.slice(0, 80)}"`);
  const bracketed = match[1];
  if (bracketed !== undefined && isIP(bracketed) !== 6) throw new UsageError(`--listen: "${bracketed.slice(0, 60)}" in brackets is not an IPv6 address`);
  const host = bracketed ?? (match[2] || '0.0.0.0');
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(host)) throw new UsageError(`--listen: "${host.slice(0, 60)}" is not a host name or an IP address`);
  const port = Number(match[3]);
  if (port > 65535) throw new UsageError(`--listen: port ${port} is not 0–65535`);
  return { host, port, loopback: isLoopbackHost(host) };
}

/** 127.0.0.0/8, ::1 and localhost: only processes of this machine reach them. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  // ::ffff:127.0.0.1, the IPv4-mapped form.
  return /^::ffff:127\./.test(h);
}
