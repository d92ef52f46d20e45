// Trusted hosts on real servers: a password-protected replica bound to 127.0.0.2, listed by its
// master on 127.0.0.1. Seeded at the master, the replica is outside the trusted hosts: it is not
// sent the password and the warning says how to trust it; with --trust 127.0.0.2 it is read.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';
import { disposeAfterEach } from '../helpers/dispose';

const own = disposeAfterEach();
const PASSWORD = 'trusted-hosts-secret';
const OTHER_HOST = '127.0.0.2';
let lab: Lab;
let replica: ChildProcess;
let replicaAddress: string;
let replicaDir: string;

/** Wait until the master lists the replica at 127.0.0.2, online. */
async function listedOnline(): Promise<void> {
  const master = new Redis({ host: '127.0.0.1', port: lab.port('master'), password: PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    for (let i = 0; i < 300; i++) {
      const info = await master.info('replication').catch(() => '');
      if (info.includes(`ip=${OTHER_HOST},port=${replicaAddress.split(':')[1]},state=online`)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the master never listed ${replicaAddress} online`);
  } finally {
    master.disconnect();
  }
}

beforeAll(async () => {
  lab = await Lab.start({ nodes: [{ name: 'master' }], password: PASSWORD });
  const port = await freePort(OTHER_HOST);
  replicaAddress = `${OTHER_HOST}:${port}`;
  replicaDir = mkdtempSync(path.join(os.tmpdir(), 'rc-trust-'));
  // The lab binds 127.0.0.1 only, so this replica is started by hand (and stopped in afterAll).
  // setpriv: the kernel stops this replica if the test process dies, as the lab does for its own.
  replica = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'redis-server', 
    '--port', String(port), '--bind', OTHER_HOST, '--dir', replicaDir, '--save', '', '--appendonly', 'no',
    '--requirepass', PASSWORD, '--masterauth', PASSWORD, '--replicaof', '127.0.0.1', String(lab.port('master')),
    '--replica-announce-ip', OTHER_HOST,
  ], { stdio: 'ignore' });
  await listedOnline();
});
afterAll(async () => {
  if (replica && replica.exitCode === null) {
    const exited = new Promise((resolve) => replica.once('exit', resolve));
    replica.kill('SIGTERM');
    await exited;
  }
  if (replicaDir) rmSync(replicaDir, { recursive: true, force: true });
  await lab?.close();
});

describe('a replica outside the trusted hosts', () => {
  it('is not sent the password: UNTRUSTED_HOST on the node and in a warning that says how to trust it', async () => {
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 2000, commandTimeoutMs: 2000 }));
    const snapshot = await engine.connect({ seeds: [lab.address('master')], password: PASSWORD });
    const node = snapshot.nodes.find((n) => n.address === replicaAddress);
    expect(node?.reachable).toBe(false);
    expect(node?.error?.code).toBe('UNTRUSTED_HOST');
    expect(node?.error?.message).toMatch(/not sent the password: it is outside the trusted hosts; trust it with --trust 127\.0\.0\.2/);
    const warning = snapshot.warnings.find((w) => w.code === 'UNTRUSTED_HOST');
    expect(warning?.nodes).toEqual([replicaAddress]);
    expect(warning?.message).toContain('--trust 127.0.0.2');
    // It answered: it is untrusted, not unreachable (one warning, not two).
    expect(snapshot.warnings.filter((w) => w.nodes.includes(replicaAddress)).map((w) => w.code)).toEqual(['UNTRUSTED_HOST']);
  });

  it('is read once trusted with --trust (the CLI), and the warning is gone', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/replication-console.js', 'topology', '--seed', lab.address('master'), '--trust', OTHER_HOST, '--format', 'json'], {
        env: { ...process.env, REDISCLI_AUTH: PASSWORD },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { nodes: Array<{ address: string; role: string; reachable: boolean }>; warnings: Array<{ code: string }> };
    expect(out.nodes.find((n) => n.address === replicaAddress)).toMatchObject({ role: 'replica', reachable: true });
    expect(out.warnings.map((w) => w.code)).not.toContain('UNTRUSTED_HOST');
  });

  it('entered through Sentinel, still not sent the password: Sentinel names the master, but its replica list is what replicas announce', async () => {
    const sentinel = await lab.startSentinel({ masterName: 'trusted', master: 'master' });
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 2000, commandTimeoutMs: 2000 }));
    const snapshot = await engine.connect({ seeds: [], sentinel: { addresses: [sentinel], masterName: 'trusted' }, password: PASSWORD });
    expect(snapshot.nodes.find((n) => n.address === lab.address('master'))).toMatchObject({ role: 'master', reachable: true });
    const node = snapshot.nodes.find((n) => n.address === replicaAddress);
    expect(node?.error?.code).toBe('UNTRUSTED_HOST');
    expect(snapshot.warnings.find((w) => w.code === 'UNTRUSTED_HOST')?.nodes).toEqual([replicaAddress]);
  });
});
