// The TLS files are checked before any node is dialled, each failure naming the option and the file.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, EngineError, withAclUser } from '../../electron/engine/errors';
import { loadTlsOptions } from '../../electron/engine/tls-options';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs';

let certs: TestCertificates;
let scratch: string;
beforeAll(() => {
  certs = makeTestCertificates();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'rc-tls-bad-'));
});
afterAll(() => {
  certs.remove();
  rmSync(scratch, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected a failure');
}

describe('loadTlsOptions', () => {
  it('reads the CA, the client certificate and key, SNI and --insecure', async () => {
    const options = await loadTlsOptions({ enabled: true, caFile: certs.caFile, certFile: certs.clientCert, keyFile: certs.clientKey, sni: 'db.example.test' });
    expect(String(options.ca)).toContain('BEGIN CERTIFICATE');
    expect(String(options.cert)).toContain('BEGIN CERTIFICATE');
    expect(String(options.key)).toContain('PRIVATE KEY');
    expect(options.servername).toBe('db.example.test');
    expect(options.rejectUnauthorized).toBe(true);
    expect((await loadTlsOptions({ enabled: true, insecure: true })).rejectUnauthorized).toBe(false);
  });

  it('uses the system CAs when no --cacert is given', async () => {
    const options = await loadTlsOptions({ enabled: true });
    // On this Debian machine the system bundle exists; Node's own list is kept beside it.
    expect(Array.isArray(options.ca)).toBe(true);
    expect((options.ca as string[]).length).toBeGreaterThan(100);
  });

  it('names the option and the file for a missing, unreadable, non-PEM or mismatched file', async () => {
    const notPem = path.join(scratch, 'not.pem');
    writeFileSync(notPem, 'hello\n');
    const unreadable = path.join(scratch, 'secret.pem');
    writeFileSync(unreadable, '-----BEGIN CERTIFICATE-----\n');
    chmodSync(unreadable, 0o000);
    const missing = path.join(scratch, 'nope.crt');
    const cases: Array<[Parameters<typeof loadTlsOptions>[0], RegExp]> = [
      [{ enabled: true, caFile: missing }, /--cacert \(CA certificate\) .*nope\.crt does not exist/],
      [{ enabled: true, caFile: notPem }, /--cacert .*not\.pem is not a PEM file/],
      [{ enabled: true, caFile: scratch }, /is a directory/],
      [{ enabled: true, caFile: certs.clientKey }, /holds no certificate/],
      [{ enabled: true, keyFile: certs.clientKey }, /--key .* was given without --cert/],
      [{ enabled: true, certFile: certs.clientCert }, /--cert .* was given without --key/],
      [{ enabled: true, certFile: certs.clientCert, keyFile: certs.serverKey }, /do not belong together/],
      [{ enabled: true, certFile: certs.clientCert, keyFile: certs.clientCert }, /holds no private key/],
    ];
    // root reads any file: the permission case only holds for other users.
    if (process.getuid?.() !== 0) cases.push([{ enabled: true, caFile: unreadable }, /secret\.pem cannot be read \(permission denied\)/]);
    for (const [tls, message] of cases) {
      const error = await failure(loadTlsOptions(tls));
      expect(error.code).toBe('BAD_ARGUMENT');
      expect(error.message).toMatch(message);
    }
  });
});

describe('TLS error messages', () => {
  const at = '10.0.0.1:6380';
  const cases: Array<[string, string, RegExp]> = [
    ['ERR_TLS_CERT_ALTNAME_INVALID Hostname/IP does not match certificate\'s altnames: IP: 10.0.0.1 is not in the cert\'s list: ', 'TLS', /not issued for this host name.*--sni NAME, NAME being a name the certificate lists \(it lists no name; checked: 10\.0\.0\.1\)$/],
    ["ERR_TLS_CERT_ALTNAME_INVALID Hostname/IP does not match certificate's altnames: Host: wrong.example. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1", 'TLS', /--sni NAME, NAME being a name the certificate lists \(it lists DNS:localhost, IP Address:127\.0\.0\.1; checked: wrong\.example\)$/],
    ['CERT_HAS_EXPIRED certificate has expired', 'TLS', /has expired/],
    ['SELF_SIGNED_CERT_IN_CHAIN self-signed certificate in certificate chain', 'TLS', /not signed by a CA the console trusts: give that CA with --cacert/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE unable to verify the first certificate', 'TLS', /--cacert/],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED 80:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/x.c:1601:SSL alert number 116', 'TLS', /requires a client certificate \(tls-auth-clients yes\): give --cert FILE and --key FILE/],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA 80:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca', 'TLS', /refused the client certificate/],
    ['EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', 'TLS', /does not speak TLS: connect without --tls or use its TLS port/],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG 80:error:0A0000C6:SSL routines:tls_get_more_records:packet length too long', 'TLS', /does not speak TLS/],
    ['EPROTO 80:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure', 'TLS', /refused the TLS handshake/],
    ['EPROTO 80:error:0A0000F4:SSL routines:ossl_statem_client_read:unexpected message', 'TLS', /TLS handshake failed \(unexpected message\)/],
    ["NOPERM User monitor has no permissions to run the 'config|set' command", 'NOPERM', /ACL user monitor lacks permission for CONFIG SET: add it with ACL SETUSER monitor \+config\|set/],
    ["NOPERM this user has no permissions to run the 'info' command or its subcommand", 'NOPERM', /the ACL user lacks permission for INFO: add it with ACL SETUSER <user> \+info/],
    ['NOPERM No permissions to access a key', 'NOPERM', /lacks a permission \(No permissions to access a key\)/],
  ];
  it.each(cases)('%s', (raw, code, message) => {
    const error = classifyError(new Error(raw), at);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(at)).toBe(true);
    expect(error.message).not.toContain('deps/openssl');
  });

  it('names the connection\'s user when Redis (before 7.2) does not', () => {
    const error = classifyError(new Error("NOPERM this user has no permissions to run the 'config|set' command"), at);
    expect(withAclUser(error, 'monitor').message).toBe(`${at}: ACL user monitor lacks permission for CONFIG SET: add it with ACL SETUSER monitor +config|set`);
    expect(withAclUser(error, undefined).message).toMatch(/ACL SETUSER default \+config\|set$/);
    const other = classifyError(new Error('WRONGPASS invalid username-password pair'), at);
    expect(withAclUser(other, 'monitor')).toBe(other);
  });
});
