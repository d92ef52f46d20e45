import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { TopologySnapshot, WarningCode } from '../../electron/shared/types';
import { node, waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const POLL_MS = 250;

const own = disposeAfterEach();

async function on<T>(address: string, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(`redis://${address}`, { lazyConnect: true });
  await client.connect();
  try {
    return await work(client);
  } finally {
    client.disconnect();
  }
}

function codes(snapshot: TopologySnapshot, address?: string): WarningCode[] {
  return snapshot.warnings.filter((w) => address === undefined || w.nodes.includes(address)).map((w) => w.code);
}

describe('replication risks on real servers', () => {
  it('MASTER_NO_PERSISTENCE for a master with replicas and neither RDB saves nor AOF; not when it saves, nor when CONFIG is refused', async () => {
    // The lab runs every node with save "" and appendonly no.
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const engine = own(new ReplicationEngine());
    const first = await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    const risk = first.warnings.find((w) => w.code === 'MASTER_NO_PERSISTENCE');
    expect(risk?.nodes).toEqual([master]);
    expect(risk?.message).toContain('lower than a warning');
    expect(node(first, master).settings).toMatchObject({ save: '', aofEnabled: false, replDisklessSync: true });
    // A lone master (the replica has none) is no such risk.
    expect(codes(first, lab.address('replica-1'))).not.toContain('MASTER_NO_PERSISTENCE');
    await engine.disconnect();

    await on(master, (c) => c.config('SET', 'save', '3600 1'));
    const saving = await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    expect(node(saving, master).settings?.save).toBe('3600 1');
    expect(codes(saving)).not.toContain('MASTER_NO_PERSISTENCE');
    await engine.disconnect();

    // An ACL user that may not run CONFIG: persistence is unknown, and unknown is no warning.
    await on(master, (c) => c.config('SET', 'save', ''));
    for (const name of ['master', 'replica-1']) {
      await on(lab.address(name), (c) => c.call('ACL', 'SETUSER', 'watcher', 'on', '>watch-pw', '~*', '&*', '+@all', '-config'));
    }
    const blind = await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS, user: 'watcher', password: 'watch-pw' });
    expect(node(blind, master).reachable).toBe(true);
    expect(node(blind, master).settings).toMatchObject({ save: null, aofEnabled: false, replBacklogSize: null });
    expect(codes(blind)).not.toContain('MASTER_NO_PERSISTENCE');
  });

  it('WRITABLE_REPLICA for a replica with replica-read-only no, gone when it is read-only again', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const replica = lab.address('replica-2');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: POLL_MS });

    await on(replica, (c) => c.config('SET', 'replica-read-only', 'no'));
    const { snapshot } = await waitForTick(engine, (u) => codes(u.snapshot).includes('WRITABLE_REPLICA'), 5000, 'WRITABLE_REPLICA');
    const warning = snapshot.warnings.find((w) => w.code === 'WRITABLE_REPLICA');
    expect(warning?.nodes).toEqual([replica]);
    expect(warning?.message).toContain('vanish at its next full resync');
    expect(codes(snapshot, lab.address('replica-1'))).not.toContain('WRITABLE_REPLICA');

    await on(replica, (c) => c.config('SET', 'replica-read-only', 'yes'));
    await waitForTick(engine, (u) => !codes(u.snapshot).includes('WRITABLE_REPLICA'), 5000, 'WRITABLE_REPLICA gone');
  });

  it('BACKLOG_EXCEEDED for a stalled replica past its master backlog; BACKLOG_SHORT and the advisor under a write load', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const master = lab.address('master');
    const stalled = lab.address('replica-1');
    await on(master, (c) => c.config('SET', 'repl-backlog-size', String(16 * 1024)));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });

    const writer = new Redis(`redis://${master}`);
    let writing = true;
    const load = (async () => {
      for (let i = 0; writing; i++) {
        await writer.set(`load:${i % 100}`, 'x'.repeat(512));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      // ~25 KB/s into a 16 KB backlog: under a second of writes, far below a minute.
      const short = await waitForTick(engine, (u) => codes(u.snapshot, master).includes('BACKLOG_SHORT'), 20_000, 'BACKLOG_SHORT');
      const window = node(short.snapshot, master).backlogWindow;
      expect(window?.writeBytesPerSecond).toBeGreaterThan(5000);
      expect(window?.coversSeconds).toBeLessThan(60);
      const replicaWindow = node(short.snapshot, lab.address('replica-2')).backlogWindow;
      expect(replicaWindow?.awaySeconds).not.toBeNull();
      expect(replicaWindow?.awaySeconds ?? Infinity).toBeLessThanOrEqual((window?.coversSeconds ?? 0) + 0.001);
      expect(codes(short.snapshot)).not.toContain('BACKLOG_EXCEEDED');

      lab.pause('replica-1');
      const exceeded = await waitForTick(engine, (u) => codes(u.snapshot, stalled).includes('BACKLOG_EXCEEDED'), 15_000, 'BACKLOG_EXCEEDED');
      const warning = exceeded.snapshot.warnings.find((w) => w.code === 'BACKLOG_EXCEEDED');
      expect(warning?.nodes).toEqual([stalled, master]);
      expect(warning?.message).toContain('full one');
      expect(codes(exceeded.snapshot, lab.address('replica-2'))).not.toContain('BACKLOG_EXCEEDED');
    } finally {
      writing = false;
      await load;
      writer.disconnect();
      lab.resume('replica-1');
    }
  });

  it('replica-dropped when a master stops listing a live replica that still points at it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    // Killed, the replica reconnects at once; with a password it does not know, it cannot: the master
    // stops listing it while it stays up and keeps pointing at the master (the engine's session stays authenticated).
    await on(master, async (c) => {
      await c.config('SET', 'requirepass', 'not-the-replicas');
      await c.call('CLIENT', 'KILL', 'TYPE', 'replica');
    });
    await waitForTick(engine, () => engine.events({ limit: 1000 }).some((e) => e.kind === 'replica-dropped'), 5000, 'a replica-dropped event');
    const event = engine.events({ limit: 1000 }).find((e) => e.kind === 'replica-dropped');
    expect(event?.node).toBe(master);
    expect(event?.message).toContain(`dropped its replica ${lab.address('replica-1')}`);
  });
});
