// Who may use serve's console, API and (off loopback) /metrics: bearer tokens (Authorization:
// Bearer, or ?token= once in a browser, which then gets an HttpOnly cookie) and/or HTTP basic
// users. Only digests of the secrets are kept, and every comparison is of equal-length digests
// with timingSafeEqual, over every entry (no early exit that would time which one matched).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'rc_session';
const REALM = 'Replication Console';
const MIN_TOKEN_LENGTH = 16;

export interface BasicUser {
  user: string;
  password: string;
}

export type AuthResult = { ok: true; via: 'bearer' | 'query' | 'cookie' | 'basic' } | { ok: false };

/** A mistake in an auth file: serve prints it in one line and exits 2 (never the secret itself). */
export class AuthFileError extends Error {
  override name = 'AuthFileError';
}

export class HttpAuth {
  readonly #tokens: Buffer[];
  readonly #cookies: Buffer[];
  readonly #users: { user: Buffer; password: Buffer }[];

  constructor({ tokens = [], users = [] }: { tokens?: string[]; users?: BasicUser[] }) {
    if (tokens.length === 0 && users.length === 0) throw new Error('HttpAuth needs a token or a user');
    this.#tokens = tokens.map(digest);
    this.#cookies = tokens.map((token) => digest(cookieValue(token)));
    this.#users = users.map(({ user, password }) => ({ user: digest(user), password: digest(password) }));
  }

  get bearer(): boolean {
    return this.#tokens.length > 0;
  }

  get basic(): boolean {
    return this.#users.length > 0;
  }

  /** The request's credentials, from its Authorization header, its session cookie or (tokens only) its ?token=. */
  check(req: IncomingMessage, url: URL): AuthResult {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer && anyMatch(this.#tokens, bearer[1] ?? '')) return { ok: true, via: 'bearer' };
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (basic && this.#basicMatches(basic[1] ?? '')) return { ok: true, via: 'basic' };
    const cookie = cookieOf(req, SESSION_COOKIE);
    if (cookie !== null && anyMatch(this.#cookies, cookie)) return { ok: true, via: 'cookie' };
    const query = url.searchParams.get('token');
    if (query !== null && query !== '' && anyMatch(this.#tokens, query)) return { ok: true, via: 'query' };
    return { ok: false };
  }

  /** The WWW-Authenticate challenges of a 401: Basic makes a browser ask for the user and password. */
  challenges(): string[] {
    return [
      ...(this.basic ? [`Basic realm="${REALM}", charset="UTF-8"`] : []),
      ...(this.bearer ? [`Bearer realm="${REALM}"`] : []),
    ];
  }

  /** What a 401 says to whoever reads it (no secret, nothing about which part was wrong). */
  hint(): string {
    const ways = [
      ...(this.bearer ? ['send "Authorization: Bearer TOKEN", or open the page once with ?token=TOKEN'] : []),
      ...(this.basic ? ['log in with a user of the basic-auth file'] : []),
    ];
    return `Unauthorized: ${ways.join('; or ')}.\n`;
  }

  /** The session cookie a browser gets after a ?token= (HttpOnly: no script reads it; Strict: no other site sends it). */
  sessionCookie(url: URL, secure: boolean): string | null {
    const token = url.searchParams.get('token');
    if (token === null) return null;
    return `${SESSION_COOKIE}=${cookieValue(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  #basicMatches(encoded: string): boolean {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = digest(decoded.slice(0, colon));
    const password = digest(decoded.slice(colon + 1));
    let found = false;
    for (const entry of this.#users) {
      // Both compared every time: & rather than &&.
      const match = Number(timingSafeEqual(user, entry.user)) & Number(timingSafeEqual(password, entry.password));
      found = found || match === 1;
    }
    return found;
  }
}

/** The cookie's value for a token: a keyed digest, so the cookie never holds the token, and a new token ends old sessions. */
function cookieValue(token: string): string {
  return createHmac('sha256', token).update('replication-console session').digest('hex');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function anyMatch(expected: Buffer[], given: string): boolean {
  const d = digest(given);
  let found = false;
  for (const e of expected) found = timingSafeEqual(d, e) || found;
  return found;
}

function cookieOf(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Lines of a secret file: blank lines and # comments skipped, surrounding whitespace trimmed. */
async function secretLines(file: string, option: string, notices: string[]): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AuthFileError(`${option}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  try {
    // A secret others on the machine can read is no secret: said, as ssh says of a key file.
    const { mode } = await stat(file);
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) notices.push(`Warning: ${option} ${file} can be read by other users (chmod 600 it).`);
  } catch {
    // Read a moment ago: a stat failure now changes nothing.
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

/** --auth-token-file: one token a line (several: rotation), each at least 16 characters. */
export async function readTokenFile(file: string, notices: string[]): Promise<string[]> {
  const lines = await secretLines(file, '--auth-token-file', notices);
  if (lines.length === 0) throw new AuthFileError(`--auth-token-file: ${file} holds no token`);
  lines.forEach((token, i) => {
    if (token.length < MIN_TOKEN_LENGTH) throw new AuthFileError(`--auth-token-file: token ${i + 1} of ${file} is shorter than ${MIN_TOKEN_LENGTH} characters (make one with: openssl rand -hex 32)`);
    if (/\s/.test(token)) throw new AuthFileError(`--auth-token-file: token ${i + 1} of ${file} contains a space`);
  });
  return lines;
}

/** --basic-auth-file: USER:PASSWORD lines (the password may hold colons; the user may not). */
export async function readBasicAuthFile(file: string, notices: string[]): Promise<BasicUser[]> {
  const lines = await secretLines(file, '--basic-auth-file', notices);
  if (lines.length === 0) throw new AuthFileError(`--basic-auth-file: ${file} holds no USER:PASSWORD line`);
  return lines.map((line, i) => {
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const password = line.slice(colon + 1);
    if (colon <= 0 || password.length === 0) throw new AuthFileError(`--basic-auth-file: entry ${i + 1} of ${file} is not USER:PASSWORD`);
    return { user, password };
  });
}
