// An SSH host key checked against known_hosts the way OpenSSH does: plain names and comma
// lists, [host]:port for ports other than 22, hashed entries (|1|salt|hash), wildcards and
// negation, @revoked refused and @cert-authority skipped (we do not verify certificates).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { EngineError } from './errors';

export interface KnownHostLine {
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: "a,b,[c]:2222", a pattern list, or one "|1|salt|hash". */
  hosts: string;
  keyType: string;
  /** The key blob, base64 as in the file. */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'known'; line: number }
  | { status: 'unknown' }
  | { status: 'changed'; line: number; knownFingerprint: string }
  | { status: 'revoked'; line: number };

/** ~/.ssh/known_hosts, as ssh reads it by default. */
export function defaultKnownHostsFile(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/** The name known_hosts files a host under: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** A host key's fingerprint exactly as `ssh-keygen -lf` prints it: "SHA256:" and unpadded base64. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written at the start of an SSH public key blob ("ssh-ed25519", "ecdsa-sha2-nistp256", …). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return length > 0 && length < 64 && keyBlob.length >= 4 + length ? keyBlob.toString('latin1', 4, 4 + length) : 'unknown';
}

/** How OpenSSH names a key type in its messages: ED25519, ECDSA, RSA, DSA. */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType === 'ssh-dss') return 'DSA';
  return keyType.toUpperCase();
}

/** Parse a known_hosts file's text; lines that are comments, blank or malformed are skipped, as ssh does. */
export function parseKnownHosts(text: string): KnownHostLine[] {
  const entries: KnownHostLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostLine['marker'] = null;
    if (fields[0].startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return;
    entries.push({ line: index + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** Does a known_hosts host field name `name` (already in "host" or "[host]:port" form)? */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (!globMatches(body.toLowerCase(), name.toLowerCase())) continue;
    // A negated pattern that matches excludes the host whatever else on the line matches.
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** Check a presented host key against known_hosts entries: the same key, a changed one, or none. */
export function checkHostKey(entries: KnownHostLine[], name: string, keyBlob: Buffer): HostKeyVerdict {
  const keyType = keyTypeOf(keyBlob);
  const key = keyBlob.toString('base64');
  const matching = entries.filter((entry) => hostFieldMatches(entry.hosts, name));
  // A revoked key is refused for every host a @revoked line names, before anything else.
  const revoked = matching.find((entry) => entry.marker === 'revoked' && entry.key === key);
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = matching.filter((entry) => entry.marker === null && entry.keyType === keyType);
  const same = plain.find((entry) => entry.key === key);
  if (same) return { status: 'known', line: same.line };
  const other = plain[0];
  if (other) return { status: 'changed', line: other.line, knownFingerprint: fingerprint(Buffer.from(other.key, 'base64')) };
  return { status: 'unknown' };
}

/** Read a known_hosts file; a missing one is empty (ssh creates it on the first "yes"). */
export function readKnownHosts(file: string): KnownHostLine[] {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EngineError('SSH', `the known hosts file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The key types known_hosts holds for a host: the SSH session asks the server for those first, as ssh does. */
export function knownKeyTypes(entries: KnownHostLine[], name: string): string[] {
  const types = entries.filter((entry) => entry.marker === null && hostFieldMatches(entry.hosts, name)).map((entry) => entry.keyType);
  return [...new Set(types)];
}

/** Add a host's key to known_hosts, as ssh does on "yes" (~/.ssh made 0700 and the file 0600 when missing). */
export function appendKnownHost(file: string, name: string, keyBlob: Buffer): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    let prefix = '';
    try {
      const size = statSync(file).size;
      if (size > 0 && !readFileSync(file, 'utf8').endsWith('\n')) prefix = '\n';
    } catch {
      // A new file: nothing to end first.
    }
    appendFileSync(file, `${prefix}${name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
  } catch (error) {
    throw new EngineError('SSH', `the host key could not be added to ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` exactly one. */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
