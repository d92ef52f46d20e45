import { EngineError } from './errors';

export interface HostPort {
  host: string;
  port: number;
}

/** Parse "host:port", "[::1]:port" or "host" (port 6379) into its parts; throws BAD_ARGUMENT. */
export function parseAddress(text: string, defaultPort = 6379): HostPort {
  const value = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) return { host: bracketed[1] ?? '', port: checkPort(bracketed[2], defaultPort, text) };
  const colon = value.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address with no port.
  if (colon === -1 || value.indexOf(':') !== colon) {
    if (value.length === 0) throw new EngineError('BAD_ARGUMENT', 'an address is empty: expected host:port');
    return { host: value, port: defaultPort };
  }
  const host = value.slice(0, colon);
  if (host.length === 0) throw new EngineError('BAD_ARGUMENT', `"${text}" has no host: expected host:port`);
  return { host, port: checkPort(value.slice(colon + 1), defaultPort, text) };
}

/** Format host and port the way a user types them ("[::1]:6379" for IPv6). */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Normalise a user-typed address ("localhost" → "localhost:6379"). */
export function normalizeAddress(text: string): string {
  const { host, port } = parseAddress(text);
  return formatAddress(host, port);
}

function checkPort(text: string | undefined, defaultPort: number, original: string): number {
  if (text === undefined || text === '') return defaultPort;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new EngineError('BAD_ARGUMENT', `"${original}" has an invalid port: expected 1–65535`);
  }
  return port;
}
