import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { node, waitForTick } from '../helpers/engine';
import { DEAD_PORT } from '../helpers/dead-port';

const TIMEOUT_MS = 1000;
let engine: ReplicationEngine;
let lab: Lab | undefined;

afterEach(async () => {
  await engine?.disconnect();
  await lab?.close();
  lab = undefined;
});

/** A TCP server that does whatever `onSocket` says with each connection. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('bad seeds get a clear, specific error within the timeout', () => {
  beforeAll(() => {
    engine = new ReplicationEngine({ connectTimeoutMs: TIMEOUT_MS, commandTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => engine.disconnect());

  async function failure(seed: string): Promise<{ code: string; message: string; ms: number }> {
    const started = Date.now();
    try {
      await engine.connect({ seeds: [seed] });
    } catch (error) {
      const e = error as { code: string; message: string };
      return { code: e.code, message: e.message, ms: Date.now() - started };
    }
    throw new Error(`connect to ${seed} succeeded`);
  }

  it('a closed port', async () => {
    const port = DEAD_PORT;
    const f = await failure(`127.0.0.1:${port}`);
    expect(f).toMatchObject({ code: 'UNREACHABLE', message: `127.0.0.1:${port}: connection refused (nothing is listening on that port)` });
    expect(f.ms).toBeLessThan(TIMEOUT_MS);
  });

  it('a port that speaks another protocol', async () => {
    const http = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    try {
      const f = await failure(http.address);
      expect(f.code).toBe('NOT_REDIS');
      expect(f.message).toContain('not with the Redis protocol');
      expect(f.ms).toBeLessThan(TIMEOUT_MS * 2 + 500);
    } finally {
      await http.close();
    }
  });

  it('a port that accepts and never answers', async () => {
    const silent = await tcpServer(() => undefined);
    try {
      const f = await failure(silent.address);
      expect(f.code).toBe('TIMEOUT');
      expect(f.message).toContain(`${silent.address} did not answer within ${TIMEOUT_MS} ms`);
      expect(f.ms).toBeLessThan(TIMEOUT_MS * 2 + 500);
    } finally {
      await silent.close();
    }
  });

  it('a stalled Redis (SIGSTOP) as the only seed', async () => {
    lab = await Lab.start({ nodes: [{ name: 'solo' }] });
    lab.pause('solo');
    try {
      const f = await failure(lab.address('solo'));
      expect(f.code).toBe('TIMEOUT');
      expect(f.ms).toBeLessThan(TIMEOUT_MS * 2 + 500);
    } finally {
      lab.resume('solo');
    }
  });

  it('a Sentinel of several masters given as a data node names them and how to choose one', async () => {
    // A Sentinel of one master is followed as the entry point to it instead (test/integration/sentinel.test.ts).
    lab = await Lab.start({ nodes: masterWithReplicas(1) });
    const sentinel = await lab.startSentinel({ masterName: 'mymaster', master: 'master' });
    const admin = new Redis(Number(sentinel.split(':')[1]), '127.0.0.1');
    try {
      await admin.call('SENTINEL', 'MONITOR', 'other', '127.0.0.1', String(DEAD_PORT), '1');
    } finally {
      admin.disconnect();
    }
    const f = await failure(sentinel);
    expect(f.code).toBe('SENTINEL');
    expect(f.message).toContain(`${sentinel} is a Redis Sentinel, not a data node`);
    expect(f.message).toContain(`mymaster at ${lab.address('master')}`);
    expect(f.message).toContain(`--sentinel ${sentinel} --master-name NAME`);
  });

  it('a node in cluster mode', async () => {
    lab = await Lab.start({ nodes: [{ name: 'clustered' }], extraArgs: ['--cluster-enabled', 'yes'] });
    const f = await failure(lab.address('clustered'));
    expect(f.code).toBe('CLUSTER_MODE');
    expect(f.message).toContain('cluster mode');
  });

  it('invalid addresses', async () => {
    await expect(engine.connect({ seeds: ['host:70000'] })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(engine.connect({ seeds: [] })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

describe('hostile strings in INFO', () => {
  it('keeps a replica announcing a hostile address as an unreachable node, never crashing', async () => {
    lab = await Lab.start({ nodes: masterWithReplicas(2) });
    const hostile = 'evil\u001b[2J<script>alert(1)</script>';
    const replica = new Redis(lab.port('replica-2'), '127.0.0.1');
    try {
      await replica.config('SET', 'replica-announce-ip', hostile);
      await replica.replicaof('NO', 'ONE');
      await replica.replicaof('127.0.0.1', lab.port('master'));
    } finally {
      replica.disconnect();
    }
    engine = new ReplicationEngine({ connectTimeoutMs: TIMEOUT_MS, commandTimeoutMs: TIMEOUT_MS });
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 250 });
    const { snapshot } = await waitForTick(
      engine,
      (u) => u.snapshot.nodes.some((n) => n.address.startsWith('evil')),
      5000,
      'the hostile address listed',
    );
    const evil = snapshot.nodes.find((n) => n.address.startsWith('evil'));
    expect(evil?.reachable).toBe(false);
    expect(evil?.error?.code).toBe('UNREACHABLE');
    expect(node(snapshot, lab.address('replica-1')).reachable).toBe(true);
    expect(snapshot.warnings.some((w) => w.code === 'ADDRESS_MISMATCH' && w.nodes.includes(evil!.address))).toBe(true);
  });
});
