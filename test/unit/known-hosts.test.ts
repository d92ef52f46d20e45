// known_hosts read as OpenSSH reads it. The keys, fingerprints and hashed lines below were made
// with ssh-keygen (-t ed25519 / -t ecdsa, -lf, -H), so the expectations are OpenSSH's, not ours.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  hostFieldMatches,
  keyTypeLabel,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  readKnownHosts,
} from '../../electron/engine/known-hosts';

const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIMgjiVe550D7CKfu1IFRe3pc7JLwu2fyR29Zkc83UNvJ';
const A_FINGERPRINT = 'SHA256:fgH0je1IQRbfqV6Gw7Lkb66zDHKKug/4HhSDikZ0cP0';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIGoghji2PlC0CaKSdxmIDsJ+xn5njGsy7EjLqU8jdE1Z';
const B_FINGERPRINT = 'SHA256:GmZlGpKW60rp8vZladfPd45kNR51DOmqNXUyJcY5luo';
const C = 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHjU1oI+uOQucuY1qkmc4vKHarZ8tpwhD7ht6KTwHYwJn3q0UGt6W3x7kji4S1JLrAnsn9dEHJUYplMGTstys6s=';
/** `ssh-keygen -H` of "db.example.com A" and "[db.example.com]:2222 B". */
const HASHED_22 = '|1|oyZctvx80XzXbEHvLZzfUVydl6k=|kqxh0emKeitKFu2CwN1/eLAfQtQ=';
const HASHED_2222 = '|1|2eQjweT9u/uLNlMyJHEVsreyQPE=|yIKDlxAcWq745960viw6ma+H2oY=';

const blob = (base64: string) => Buffer.from(base64, 'base64');

describe('host key fingerprints and types', () => {
  it('prints the fingerprint exactly as ssh-keygen -lf does', () => {
    expect(fingerprint(blob(A))).toBe(A_FINGERPRINT);
    expect(fingerprint(blob(B))).toBe(B_FINGERPRINT);
    expect(fingerprint(blob(A))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('reads the key type from the blob and names it as OpenSSH does', () => {
    expect(keyTypeOf(blob(A))).toBe('ssh-ed25519');
    expect(keyTypeOf(blob(C))).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeLabel('ssh-ed25519')).toBe('ED25519');
    expect(keyTypeLabel('ecdsa-sha2-nistp256')).toBe('ECDSA');
    expect(keyTypeLabel('ssh-rsa')).toBe('RSA');
  });

  it('files port 22 under the bare host and any other port as [host]:port', () => {
    expect(knownHostsName('db.example.com', 22)).toBe('db.example.com');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });
});

describe('parsing known_hosts', () => {
  it('skips comments, blank and malformed lines, keeps line numbers and markers', () => {
    const entries = parseKnownHosts(
      [`# a comment`, ``, `db1 ssh-ed25519 ${A}`, `broken-line`, `@revoked * ssh-ed25519 ${B}`, `@cert-authority *.example.com ssh-ed25519 ${B}`, `@unknown-marker db2 ssh-ed25519 ${A}`].join('\n'),
    );
    expect(entries).toEqual([
      { line: 3, marker: null, hosts: 'db1', keyType: 'ssh-ed25519', key: A },
      { line: 5, marker: 'revoked', hosts: '*', keyType: 'ssh-ed25519', key: B },
      { line: 6, marker: 'cert-authority', hosts: '*.example.com', keyType: 'ssh-ed25519', key: B },
    ]);
  });
});

describe('host patterns', () => {
  it('matches plain names and comma lists, case-insensitively', () => {
    expect(hostFieldMatches('db1,db2,10.0.0.5', 'db2')).toBe(true);
    expect(hostFieldMatches('DB1.Example.com', 'db1.example.com')).toBe(true);
    expect(hostFieldMatches('db1,db2', 'db3')).toBe(false);
  });

  it('needs [host]:port for a non-22 port: the bare name does not match it', () => {
    expect(hostFieldMatches('[db1]:2222', '[db1]:2222')).toBe(true);
    expect(hostFieldMatches('db1', '[db1]:2222')).toBe(false);
    expect(hostFieldMatches('[db1]:2222', 'db1')).toBe(false);
  });

  it('takes * and ? wildcards, and a matching negation excludes the host whatever else matches', () => {
    expect(hostFieldMatches('*.example.com', 'db1.example.com')).toBe(true);
    expect(hostFieldMatches('db?.example.com', 'db7.example.com')).toBe(true);
    expect(hostFieldMatches('db?.example.com', 'db10.example.com')).toBe(false);
    expect(hostFieldMatches('[*.example.com]:*', '[db1.example.com]:2222')).toBe(true);
    expect(hostFieldMatches('*.example.com,!bastion.example.com', 'bastion.example.com')).toBe(false);
    expect(hostFieldMatches('*.example.com,!bastion.example.com', 'db1.example.com')).toBe(true);
    // A negation alone matches nothing.
    expect(hostFieldMatches('!db1', 'db2')).toBe(false);
  });

  it('matches hashed entries made by ssh-keygen -H (HMAC-SHA1 of the name), port included', () => {
    expect(hostFieldMatches(HASHED_22, 'db.example.com')).toBe(true);
    expect(hostFieldMatches(HASHED_22, 'db2.example.com')).toBe(false);
    expect(hostFieldMatches(HASHED_2222, '[db.example.com]:2222')).toBe(true);
    expect(hostFieldMatches(HASHED_2222, 'db.example.com')).toBe(false);
  });
});

describe('checking a presented key', () => {
  const file = [
    `# known hosts`,
    `db1,db1.example.com ssh-ed25519 ${A}`,
    `db1 ecdsa-sha2-nistp256 ${C}`,
    `${HASHED_2222} ssh-ed25519 ${B}`,
    `@cert-authority * ssh-ed25519 ${B}`,
    `@revoked old-bastion ssh-ed25519 ${B}`,
  ].join('\n');
  const entries = parseKnownHosts(file);

  it('the same key: known, with its line', () => {
    expect(checkHostKey(entries, 'db1', blob(A))).toEqual({ status: 'known', line: 2 });
    expect(checkHostKey(entries, '[db.example.com]:2222', blob(B))).toEqual({ status: 'known', line: 4 });
  });

  it('another key of the same type: changed, naming the line and the known fingerprint', () => {
    expect(checkHostKey(entries, 'db1', blob(B))).toEqual({ status: 'changed', line: 2, knownFingerprint: A_FINGERPRINT });
  });

  it('no entry (or only a @cert-authority one, which is skipped): unknown', () => {
    expect(checkHostKey(entries, 'db9', blob(A))).toEqual({ status: 'unknown' });
    expect(checkHostKey(entries, 'db.example.com', blob(B))).toEqual({ status: 'unknown' });
  });

  it('a key only of another type known for the host: unknown, not changed', () => {
    const ecdsaOnly = parseKnownHosts(`db5 ecdsa-sha2-nistp256 ${C}`);
    expect(checkHostKey(ecdsaOnly, 'db5', blob(A))).toEqual({ status: 'unknown' });
    expect(knownKeyTypes(entries, 'db1')).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  });

  it('a @revoked key is refused', () => {
    expect(checkHostKey(entries, 'old-bastion', blob(B))).toEqual({ status: 'revoked', line: 6 });
  });
});

describe('the known_hosts file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a missing file reads as empty; appending creates the directory 0700 and the file 0600', () => {
    const home = mkdtempSync(join(tmpdir(), 'rc-kh-'));
    dirs.push(home);
    const file = join(home, '.ssh', 'known_hosts');
    expect(readKnownHosts(file)).toEqual([]);
    appendKnownHost(file, '[127.0.0.1]:2222', blob(A));
    expect(readFileSync(file, 'utf8')).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${A}\n`);
    expect(statSync(join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(checkHostKey(readKnownHosts(file), '[127.0.0.1]:2222', blob(A)).status).toBe('known');
  });

  it('appends on a line of its own when the file does not end with a newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-kh-'));
    dirs.push(dir);
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `db1 ssh-ed25519 ${A}`);
    appendKnownHost(file, 'db2', blob(B));
    expect(readFileSync(file, 'utf8')).toBe(`db1 ssh-ed25519 ${A}\ndb2 ssh-ed25519 ${B}\n`);
  });
});
