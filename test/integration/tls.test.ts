// TLS against real redis-server 7.0: a TLS-only master and replica (no plain port, tls-replication
// yes) with certificates made by openssl in the test; each way TLS goes wrong has its own message.
import { spawn } from 'node:child_process';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { EngineError } from '../../electron/engine/errors';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';
import type { ConnectOptions, TlsOptions } from '../../electron/shared/types';
import { disposeAfterEach } from '../helpers/dispose';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { runCli } from '../helpers/cli';

const own = disposeAfterEach();
let certs: TestCertificates;
/** TLS-only master + replica, clients without certificates allowed. */
let lab: Lab;

beforeAll(async () => {
  certs = makeTestCertificates();
  lab = await Lab.start({ nodes: masterWithReplicas(1), tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.caFile } });
});
afterAll(async () => {
  await lab?.close();
  certs?.remove();
});

function engine(): ReplicationEngine {
  return own(new ReplicationEngine({ connectTimeoutMs: 2000, commandTimeoutMs: 2000 }));
}

async function failure(options: ConnectOptions): Promise<EngineError> {
  try {
    await engine().connect(options);
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected the connection to fail');
}

/** Until something completes a TLS handshake on the port (certificate not checked), or 10 s. */
async function untilTlsAnswers(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false });
      const done = (answer: boolean): void => {
        socket.destroy();
        resolve(answer);
      };
      socket.once('secureConnect', () => done(true));
      socket.once('error', () => done(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing speaks TLS on port ${port}`);
}

function tls(extra: Partial<TlsOptions> = {}): TlsOptions {
  return { enabled: true, caFile: certs.caFile, ...extra };
}

describe('a TLS-only master and replica', () => {
  it('are both found through TLS, from either one, with the same settings for the discovered node', async () => {
    for (const seed of ['master', 'replica-1']) {
      const snapshot = await engine().connect({ seeds: [lab.address(seed)], tls: tls() });
      expect(snapshot.nodes.map((n) => [n.address, n.role, n.reachable]).sort()).toEqual(
        [
          [lab.address('master'), 'master', true],
          [lab.address('replica-1'), 'replica', true],
        ].sort(),
      );
      expect(snapshot.nodes.find((n) => n.role === 'replica')?.linkStatus).toBe('up');
      expect(snapshot.connection).toMatchObject({ tls: true, insecure: false });
      expect(snapshot.warnings.map((w) => w.code)).not.toContain('TLS_INSECURE');
    }
  });

  it('are found by the CLI from a rediss:// seed', async () => {
    const run = await runCli(['topology', '--seed', `rediss://${lab.address('replica-1')}`, '--cacert', certs.caFile, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { nodes: Array<{ address: string; role: string }> };
    expect(out.nodes.map((n) => `${n.address} ${n.role}`).sort()).toEqual([`${lab.address('master')} master`, `${lab.address('replica-1')} replica`].sort());
  });

  it('a plain client on the TLS port is told to connect with --tls', async () => {
    const error = await failure({ seeds: [lab.address('master')] });
    expect(error.code).toBe('TLS');
    expect(error.message).toBe(`${lab.address('master')} closed the connection at once: this port uses TLS, connect with --tls (or a rediss:// seed)`);
  });

  it('a TLS client on a plain port is told the server does not speak TLS', async () => {
    const plain = own(await Lab.start({ nodes: [{ name: 'plain' }] }));
    const error = await failure({ seeds: [plain.address('plain')], tls: tls() });
    expect(error.code).toBe('TLS');
    expect(error.message).toBe(`${plain.address('plain')} does not speak TLS: connect without --tls or use its TLS port (a replica the console found in a master's list announces its plain port: tls-replication no on it, or its replica-announce-port)`);
  });

  it('a CA that did not sign the certificate: --cacert; --insecure connects and says TLS_INSECURE', async () => {
    const error = await failure({ seeds: [lab.address('master')], tls: tls({ caFile: certs.otherCaFile }) });
    expect(error.code).toBe('TLS');
    expect(error.message).toMatch(/not signed by a CA the console trusts: give that CA with --cacert FILE/);
    // Without --cacert the system CAs are used: they did not sign the test CA either.
    expect((await failure({ seeds: [lab.address('master')], tls: { enabled: true } })).message).toMatch(/--cacert/);

    const snapshot = await engine().connect({ seeds: [lab.address('master')], tls: tls({ caFile: certs.otherCaFile, insecure: true }) });
    expect(snapshot.nodes.filter((n) => n.reachable)).toHaveLength(2);
    expect(snapshot.connection).toMatchObject({ tls: true, insecure: true });
    const insecure = snapshot.warnings.find((w) => w.code === 'TLS_INSECURE');
    expect(insecure?.message).toMatch(/without certificate verification \(--insecure\)/);
  });

  it('a certificate for another name: --sni; the name it lists connects', async () => {
    const error = await failure({ seeds: [lab.address('master')], tls: tls({ sni: 'db.example.test' }) });
    expect(error.code).toBe('TLS');
    expect(error.message).toMatch(/not issued for this host name or IP: connect with --sni NAME/);
    // The names the certificate lists, and the one checked: the right --sni is in the message.
    expect(error.message).toMatch(/\(it lists [^)]*DNS:localhost[^)]*; checked: db\.example\.test\)$/);
    const snapshot = await engine().connect({ seeds: [lab.address('master')], tls: tls({ sni: 'localhost' }) });
    expect(snapshot.nodes.filter((n) => n.reachable)).toHaveLength(2);
  });

  /**
   * What the console says of a TLS server with this certificate, dialled at 127.0.0.1. The lab
   * checks its nodes' certificates, so this one server is started by hand.
   */
  async function failureWithCert(cert: string, key: string): Promise<EngineError> {
    const port = await freePort();
    const server = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'redis-server', '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', certs.caFile, '--tls-auth-clients', 'no'], { stdio: 'ignore' });
    try {
      await untilTlsAnswers(port);
      return await failure({ seeds: [`127.0.0.1:${port}`], tls: tls() });
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  }

  it('an expired certificate says so', async () => {
    const error = await failureWithCert(certs.expiredCert, certs.expiredKey);
    expect(error.code).toBe('TLS');
    expect(error.message).toMatch(/the server's certificate has expired: renew it on the server \(tls-cert-file\)/);
  });

  it('a certificate for a DNS name only, dialled by IP: the names it lists are said (not "it lists no name")', async () => {
    const error = await failureWithCert(certs.otherNameCert, certs.otherNameKey);
    expect(error.code).toBe('TLS');
    // Node's own text lists only the certificate's IP addresses when an IP is checked: it said "it lists no name".
    expect(error.message).toMatch(/--sni NAME, NAME being a name the certificate lists \(it lists DNS:db\.example\.test; checked: 127\.0\.0\.1\)$/);
  });

  it('the CLI exits 3 on a TLS failure, with the message and no stack', async () => {
    const run = await runCli(['topology', '--seed', lab.address('master'), '--tls', '--cacert', certs.otherCaFile]);
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/not signed by a CA the console trusts/);
  });
});

describe('a server that requires client certificates (tls-auth-clients yes)', () => {
  it('says to give --cert and --key, and connects with them', async () => {
    const strict = own(await Lab.start({ nodes: masterWithReplicas(1), tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.caFile, authClients: 'yes' } }));
    const error = await failure({ seeds: [strict.address('master')], tls: tls() });
    expect(error.code).toBe('TLS');
    expect(error.message).toBe(`${strict.address('master')} requires a client certificate (tls-auth-clients yes): give --cert FILE and --key FILE`);
    const snapshot = await engine().connect({ seeds: [strict.address('master')], tls: tls({ certFile: certs.clientCert, keyFile: certs.clientKey }) });
    expect(snapshot.nodes.map((n) => [n.role, n.reachable]).sort()).toEqual([
      ['master', true],
      ['replica', true],
    ]);
  });
});
