// What a user types as a seed: "host:port", "host", "[v6]:port", or a redis:// / rediss:// URL
// that may carry a user, a password and a database. Shared by the engine side (CLI, web and
// Electron args) and the renderer's connect form, so it imports nothing from Node.
//
// Errors are thrown as SeedError, whose message never contains the URL's password: it shows
// the seed with the password replaced by "***". `checkSeed` is the non-throwing form for forms.

export interface Seed {
  /** "host:port" as the console dials it ("[::1]:6379" for IPv6; port 6379 when left out). */
  address: string;
  /** From a URL's user info: redis://user:password@host. */
  user?: string;
  /** Secret: from a URL's user info. Take it out of the seed at once and never echo it. */
  password?: string;
  /** True for rediss:// (TLS); false for redis:// and a plain host:port. */
  tls: boolean;
}

/** A seed that cannot be used; the message says why and never contains a password. */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

const DEFAULT_PORT = 6379;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Parse one seed. A URL's user info follows RFC 3986 and the form the brief and node-redis use:
 * `redis://user:password@host`, `redis://:password@host` (password only, redis-cli's form with a
 * colon) and `redis://user@host` (user only); both parts are percent-decoded. A database path
 * (`/0`) is accepted and ignored: replication is the same for every database.
 */
export function parseSeed(text: string): Seed {
  const value = text.trim();
  if (value.length === 0) throw new SeedError('a seed is empty: expected host:port or a redis:// URL');
  const scheme = SCHEME.exec(value);
  if (!scheme) return { address: parseHostPort(value, redactSeed(value)), tls: false };
  const name = (scheme[1] ?? '').toLowerCase();
  const shown = redactSeed(value);
  if (name !== 'redis' && name !== 'rediss') {
    throw new SeedError(`"${shown}": unsupported scheme "${name}://": use redis:// or rediss:// (TLS)`);
  }
  const rest = value.slice(scheme[0].length);
  // The last "@" ends the user info, so an unencoded "@" or "/" in a password still parses.
  const at = rest.lastIndexOf('@');
  const userInfo = at === -1 ? null : rest.slice(0, at);
  const afterUser = at === -1 ? rest : rest.slice(at + 1);
  const end = afterUser.search(/[/?#]/);
  const hostPart = end === -1 ? afterUser : afterUser.slice(0, end);
  const tail = end === -1 ? '' : afterUser.slice(end);
  checkTail(tail, shown);
  const seed: Seed = { address: parseHostPort(hostPart, shown), tls: name === 'rediss' };
  if (userInfo !== null) {
    const colon = userInfo.indexOf(':');
    const user = decode(colon === -1 ? userInfo : userInfo.slice(0, colon), 'user name', shown);
    const password = colon === -1 ? '' : decode(userInfo.slice(colon + 1), 'password', shown);
    if (user.length > 0) seed.user = user;
    if (password.length > 0) seed.password = password;
  }
  return seed;
}

/** The same check for a form field: null when the seed is usable, else the reason (no password in it). */
export function checkSeed(text: string): string | null {
  try {
    parseSeed(text);
    return null;
  } catch (error) {
    return error instanceof SeedError ? error.message : 'invalid seed';
  }
}

/**
 * The seed as it may be shown: a URL's password replaced by "***". Text with an "@" that is not a
 * URL (a mistyped scheme such as "redis//:pw@h", or "pw@h") shows "***" for all before the "@":
 * it may be a password. Anything else unchanged.
 */
export function redactSeed(text: string): string {
  const value = text.trim();
  const at = value.lastIndexOf('@');
  if (at === -1) return value;
  const scheme = SCHEME.exec(value);
  if (!scheme) return `***${value.slice(at)}`;
  const userInfo = value.slice(scheme[0].length, at);
  const colon = userInfo.indexOf(':');
  if (colon === -1) return value;
  return `${scheme[0]}${userInfo.slice(0, colon)}:***${value.slice(at)}`;
}

/** True when the text is a URL seed (redis://, rediss:// or another scheme, which parseSeed refuses). */
export function isSeedUrl(text: string): boolean {
  return SCHEME.test(text.trim());
}

function checkTail(tail: string, shown: string): void {
  if (tail === '' || tail === '/') return;
  if (tail.startsWith('?') || tail.startsWith('#') || /[?#]/.test(tail)) {
    throw new SeedError(`"${shown}": URL options (?…) and fragments (#…) are not supported: use the connection's own options`);
  }
  if (!/^\/\d{1,5}$/.test(tail)) {
    throw new SeedError(`"${shown}": the path must be a database number such as /0`);
  }
}

function decode(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new SeedError(`"${shown}": the ${what} has a malformed %-escape`);
  }
}

function parseHostPort(text: string, shown: string): string {
  if (text.includes('@')) {
    throw new SeedError(`"${shown}": a user or password goes in a URL (redis://user:password@host:port) or in --user/--password`);
  }
  if (text.length === 0) throw new SeedError(`"${shown}" has no host: expected host:port`);
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  let host: string;
  let portText: string | undefined;
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (!isIpv6(host)) throw new SeedError(`"${shown}": "[${host}]" is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon !== -1 && text.indexOf(':') !== colon) {
      // Several colons without brackets: a bare IPv6 address, port 6379.
      if (!isIpv6(text)) throw new SeedError(`"${shown}": write an IPv6 address with its port as [address]:port`);
      host = text;
    } else {
      host = colon === -1 ? text : text.slice(0, colon);
      portText = colon === -1 ? undefined : text.slice(colon + 1);
      if (host.length === 0) throw new SeedError(`"${shown}" has no host: expected host:port`);
      if (!isHostName(host)) throw new SeedError(`"${shown}": "${host}" is not a host name or IP address`);
    }
  }
  const port = parsePort(portText, shown);
  return host.includes(':') ? `[${host.toLowerCase()}]:${port}` : `${host}:${port}`;
}

function parsePort(text: string | undefined, shown: string): number {
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new SeedError(`"${shown}" has an invalid port "${text}": expected 1–65535`);
  return port;
}

const HOST_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

function isHostName(host: string): boolean {
  // All-numeric names are IPv4 or nothing: "999.1.1.1" must not pass as a host name.
  if (/^[0-9.]+$/.test(host)) return isIpv4(host);
  if (host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(part));
}

function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  let body = text;
  let groupsLeft = 8;
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIpv4(tail)) return false;
    body = body.slice(0, lastColon + 1) + '0';
    groupsLeft = 7;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const all = halves.flatMap(groups);
  if (!all.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? all.length < groupsLeft : all.length === groupsLeft;
}
