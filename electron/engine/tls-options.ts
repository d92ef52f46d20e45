// From the user's TLS settings (redis-cli's --cacert, --cert, --key, --sni, --insecure) to the
// options tls.connect takes, with the files read and checked up front: a wrong path or a key
// without its certificate is reported by option and file name before any node is dialled.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, rootCertificates, type ConnectionOptions } from 'node:tls';
import type { TlsOptions } from '../shared/types';
import { EngineError } from './errors';

/** The CA bundles of common systems: redis-cli trusts the system's CAs, Node only its own bundled list. */
const SYSTEM_CA_FILES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

type Option = 'cacert' | 'cert' | 'key';
const LABEL: Record<Option, string> = {
  cacert: '--cacert (CA certificate)',
  cert: '--cert (client certificate)',
  key: '--key (client private key)',
};

/** Read and check the files of `tls`; rejects with BAD_ARGUMENT naming the option and the file. */
export async function loadTlsOptions(tls: TlsOptions): Promise<ConnectionOptions> {
  if (tls.keyFile && !tls.certFile) throw new EngineError('BAD_ARGUMENT', `${LABEL.key} ${tls.keyFile} was given without --cert: give the client certificate that goes with it`);
  if (tls.certFile && !tls.keyFile) throw new EngineError('BAD_ARGUMENT', `${LABEL.cert} ${tls.certFile} was given without --key: give its private key too`);
  const options: ConnectionOptions = { rejectUnauthorized: tls.insecure !== true };
  if (tls.sni) options.servername = tls.sni;
  if (tls.caFile) {
    const ca = await readPem('cacert', tls.caFile);
    checkCertificates('cacert', tls.caFile, ca);
    options.ca = ca;
  } else {
    const system = await systemCertificates();
    if (system) options.ca = [...rootCertificates, system];
  }
  if (tls.certFile && tls.keyFile) {
    const cert = await readPem('cert', tls.certFile);
    checkCertificates('cert', tls.certFile, cert);
    const key = await readPem('key', tls.keyFile);
    checkKey(tls.keyFile, key);
    try {
      createSecureContext({ cert, key });
    } catch {
      throw new EngineError('BAD_ARGUMENT', `${LABEL.cert} ${tls.certFile} and ${LABEL.key} ${tls.keyFile} do not belong together: the key is not the certificate's`);
    }
    options.cert = cert;
    options.key = key;
  }
  return options;
}

async function readPem(option: Option, file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code ?? 'error'})`;
    throw new EngineError('BAD_ARGUMENT', `${LABEL[option]} ${file} ${why}`);
  }
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
    throw new EngineError('BAD_ARGUMENT', `${LABEL[option]} ${file} is not a PEM file (no "-----BEGIN …-----" block): convert it, e.g. openssl x509 -inform der -in FILE -out FILE.pem`);
  }
  return text;
}

function checkCertificates(option: Option, file: string, pem: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new EngineError('BAD_ARGUMENT', `${LABEL[option]} ${file} holds no certificate (no "-----BEGIN CERTIFICATE-----" block)`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new EngineError('BAD_ARGUMENT', `${LABEL[option]} ${file} holds a certificate that cannot be parsed (damaged PEM)`);
    }
  }
}

function checkKey(file: string, pem: string): void {
  if (/ENCRYPTED/.test(pem)) {
    throw new EngineError('BAD_ARGUMENT', `${LABEL.key} ${file} is encrypted with a passphrase: give an unencrypted key, as redis-cli needs (openssl pkey -in FILE -out FILE.plain)`);
  }
  try {
    createPrivateKey(pem);
  } catch {
    throw new EngineError('BAD_ARGUMENT', `${LABEL.key} ${file} holds no private key that can be read`);
  }
}

async function systemCertificates(): Promise<string | null> {
  for (const file of SYSTEM_CA_FILES) {
    try {
      return await readFile(file, 'utf8');
    } catch {
      // Not this system's layout: try the next.
    }
  }
  return null;
}
