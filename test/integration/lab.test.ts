import fs from 'node:fs';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, LabError, docsLayout, masterWithReplicas } from '../../electron/lab/lab';

/** Runs fn with a fresh connection that fails fast instead of retrying. */
async function withClient<T>(
  lab: Lab,
  name: string,
  fn: (client: Redis) => Promise<T>,
  options: { password?: string; timeoutMs?: number } = {},
): Promise<T> {
  const client = new Redis({
    host: '127.0.0.1',
    port: lab.port(name),
    password: options.password,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
    commandTimeout: options.timeoutMs ?? 2000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

async function replication(lab: Lab, name: string, password?: string): Promise<Record<string, string>> {
  const info = await withClient(lab, name, (client) => client.info('replication'), { password });
  return Object.fromEntries(
    info
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('lab with the docs layout', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: docsLayout() });
  });
  afterAll(() => lab?.close());

  it('starts every node with its role, master and a live link', async () => {
    expect(lab.nodeNames).toEqual(['master', 'replica-1', 'replica-2', 'replica-1-1']);
    const master = await replication(lab, 'master');
    expect(master.role).toBe('master');
    expect(master.connected_slaves).toBe('2');
    for (const [name, parent] of [
      ['replica-1', 'master'],
      ['replica-2', 'master'],
      ['replica-1-1', 'replica-1'],
    ] as const) {
      const info = await replication(lab, name);
      expect(info.role, name).toBe('slave');
      expect(info.master_port, name).toBe(String(lab.port(parent)));
      expect(info.master_link_status, name).toBe('up');
      expect(lab.address(name)).toBe(`127.0.0.1:${lab.port(name)}`);
    }
    expect((await replication(lab, 'replica-1')).connected_slaves).toBe('1');
  });

  it('stops a replica and restarts it as a lone master, then as a replica again', async () => {
    const pid = lab.pid('replica-2');
    expect(pid).not.toBeNull();
    await lab.stop('replica-2');
    expect(lab.pid('replica-2')).toBeNull();
    expect(isAlive(pid!)).toBe(false);

    await lab.restart('replica-2', { asLoneMaster: true });
    expect(lab.pid('replica-2')).not.toBe(pid);
    expect((await replication(lab, 'replica-2')).role).toBe('master');

    await lab.restart('replica-2');
    await lab.waitForLinks();
    const info = await replication(lab, 'replica-2');
    expect(info.role).toBe('slave');
    expect(info.master_port).toBe(String(lab.port('master')));
  });

  it('kills a node and brings it back on the same port', async () => {
    const port = lab.port('replica-1-1');
    await lab.kill('replica-1-1');
    expect(lab.pid('replica-1-1')).toBeNull();
    await lab.restart('replica-1-1');
    expect(lab.port('replica-1-1')).toBe(port);
    await lab.waitForLinks();
  });

  it('pauses a node: it stops answering while the others still do', async () => {
    lab.pause('replica-1');
    try {
      await expect(withClient(lab, 'replica-1', (client) => client.ping(), { timeoutMs: 500 })).rejects.toThrow();
      expect(await withClient(lab, 'master', (client) => client.ping(), { timeoutMs: 500 })).toBe('PONG');
      expect(await withClient(lab, 'replica-2', (client) => client.ping(), { timeoutMs: 500 })).toBe('PONG');
    } finally {
      lab.resume('replica-1');
    }
    expect(await withClient(lab, 'replica-1', (client) => client.ping(), { timeoutMs: 500 })).toBe('PONG');
  });

  it('closes: no process left, temp dir removed, idempotent', async () => {
    const pids = lab.nodeNames.map((name) => lab.pid(name)).filter((pid): pid is number => pid !== null);
    expect(pids).toHaveLength(4);
    expect(fs.existsSync(lab.dir)).toBe(true);
    await lab.close();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(fs.existsSync(lab.dir)).toBe(false);
    await lab.close();
    await expect(lab.restart('master')).rejects.toThrow(LabError);
  });
});

describe('lab with a password', () => {
  const password = 'lab-secret-42';
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: masterWithReplicas(1), password });
  });
  afterAll(() => lab?.close());

  it('requires the password and links the replica with it', async () => {
    await expect(withClient(lab, 'master', (client) => client.ping())).rejects.toThrow(/NOAUTH/);
    expect(await withClient(lab, 'master', (client) => client.ping(), { password })).toBe('PONG');
    expect((await replication(lab, 'replica-1', password)).master_link_status).toBe('up');
  });

  it('starts a sentinel that monitors the master with the password', async () => {
    const address = await lab.startSentinel({ masterName: 'lab-master', master: 'master' });
    expect(address).toBe(lab.address('sentinel-1'));
    const sentinelPid = lab.pid('sentinel-1');
    const masters = async (): Promise<Record<string, string>[]> => {
      const reply = (await withClient(lab, 'sentinel-1', (client) => client.call('SENTINEL', 'MASTERS'))) as string[][];
      return reply.map((flat) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1] ?? '']]))));
    };
    const [master] = await masters();
    expect(master).toMatchObject({ name: 'lab-master', ip: '127.0.0.1', port: String(lab.port('master')) });
    // With a wrong auth-pass Sentinel would not find the replica nor leave the master "disconnected".
    const deadline = Date.now() + 5000;
    let latest = master;
    while (Date.now() < deadline && !(latest?.flags === 'master' && latest['num-slaves'] === '1')) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      [latest] = await masters();
    }
    expect(latest).toMatchObject({ flags: 'master', 'num-slaves': '1' });
    await lab.close();
    expect(() => process.kill(sentinelPid!, 0)).toThrow();
  });
});

describe('lab errors', () => {
  it('names a missing binary', async () => {
    await expect(Lab.start({ nodes: docsLayout(), redisServer: 'no-such-redis-server-binary' })).rejects.toThrow(
      'no-such-redis-server-binary was not found on PATH: the lab needs Redis installed (apt-get install redis-server, or brew install redis on macOS)',
    );
    await expect(Lab.start({ nodes: docsLayout(), redisServer: '/nonexistent/redis-server' })).rejects.toThrow(
      LabError,
    );
  });

  it('rejects bad layouts', async () => {
    await expect(Lab.start({ nodes: [{ name: 'a', replicaOf: 'b' }] })).rejects.toThrow(/not in the lab/);
    await expect(
      Lab.start({
        nodes: [
          { name: 'a', replicaOf: 'b' },
          { name: 'b', replicaOf: 'a' },
        ],
      }),
    ).rejects.toThrow(/cycle/);
    await expect(Lab.start({ nodes: [{ name: 'a' }, { name: 'a' }] })).rejects.toThrow(/duplicate/);
    await expect(Lab.start({ nodes: [{ name: '../x' }] })).rejects.toThrow(/invalid lab node name/);
  });

  it('reports a server that exits at start with its output, never the password', async () => {
    const error = await Lab.start({
      nodes: masterWithReplicas(1),
      password: 'do-not-print-me',
      extraArgs: ['--no-such-option', 'yes'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    const message = (error as Error).message;
    expect(message).toMatch(/redis-server for "master" on 127\.0\.0\.1:\d+ exited with code 1 during start-up/);
    expect(message).toMatch(/no-such-option/);
    expect(message).not.toContain('do-not-print-me');
  });
});
