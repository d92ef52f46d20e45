// Certificates for the TLS tests, made with openssl in a temporary directory: a CA, a server
// certificate for 127.0.0.1 and localhost signed by it (also the replicas' client certificate,
// as redis-server uses tls-cert-file for both), a client certificate, a second CA nobody signs
// with (the "wrong CA"), and a server certificate for another name (host name mismatch).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed none of the above. */
  otherCaFile: string;
  /** Signed by the CA, for "db.example.test" only (no IP): a host name mismatch on 127.0.0.1. */
  otherNameCert: string;
  otherNameKey: string;
  /** Signed by the CA for 127.0.0.1, valid only on 1 January 2020. */
  expiredCert: string;
  expiredKey: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function signed(dir: string, name: string, subject: string, extensions: string): void {
  openssl(dir, ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

/** A certificate valid in the past only: `openssl x509` cannot backdate, `openssl ca` can. */
function expired(dir: string): void {
  openssl(dir, ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(path.join(dir, 'expired.ext'), 'subjectAltName=IP:127.0.0.1\n');
  writeFileSync(path.join(dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n');
  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'serial'), '1000\n');
  openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', 'expired.ext']);
}

/** Make the certificates (about a second of openssl); call remove() when done. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rc-tls-'));
  const ca = (name: string, subject: string): void =>
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', subject]);
  ca('ca', '/CN=Replication Console Test CA');
  ca('other-ca', '/CN=Some Other CA');
  signed(dir, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  signed(dir, 'client', '/CN=console', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'other-name', '/CN=db.example.test', 'subjectAltName=DNS:db.example.test\nextendedKeyUsage=serverAuth,clientAuth\n');
  expired(dir);
  const file = (name: string): string => path.join(dir, name);
  return {
    dir,
    caFile: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCaFile: file('other-ca.crt'),
    otherNameCert: file('other-name.crt'),
    otherNameKey: file('other-name.key'),
    expiredCert: file('expired.crt'),
    expiredKey: file('expired.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
