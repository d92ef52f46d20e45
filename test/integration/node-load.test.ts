// Each node's load against a real master and replica: ops/s under a write loop, clients,
// memory, and an RDB save seen in progress and then done.
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { disposeAfterEach } from '../helpers/dispose';
import { node, waitForTick } from '../helpers/engine';

// The load is read every 5th poll: every half second here.
const POLL_MS = 100;

const own = disposeAfterEach();

describe('node load', () => {
  it('reports ops/s under writes, clients, memory, and an RDB save in progress then done', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    const clients = [0, 1, 2].map(() => new Redis({ host: '127.0.0.1', port: lab.port('master'), lazyConnect: true, maxRetriesPerRequest: 1 }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const writer = clients[0] as Redis;
      // Writes until a snapshot shows them (pipelines of 50, bounded by the wait's deadline).
      let writing = true;
      const loop = (async () => {
        for (let i = 0; writing && i < 5000; i++) {
          const pipeline = writer.pipeline();
          for (let k = 0; k < 50; k++) pipeline.set(`load:${k + (i % 4) * 50}`, 'x'.repeat(100));
          await pipeline.exec();
        }
      })();
      const busy = await waitForTick(engine, (u) => (node(u.snapshot, master).load?.opsPerSecond ?? 0) > 100, 10_000, 'ops/s > 100 on the master').finally(() => {
        writing = false;
      });
      await loop;
      const load = node(busy.snapshot, master).load;
      expect(load?.netInputBytesPerSecond).toBeGreaterThan(0);
      expect(load?.usedMemoryBytes).toBeGreaterThan(100_000);
      expect(load?.maxMemoryBytes).toBeNull();
      // Three of ours and the engine's own connection; the replica's link is not a client here.
      expect(load?.connectedClients).toBeGreaterThanOrEqual(4);
      expect(node(busy.snapshot, replica).load).not.toBeNull();
      // The engine's history points carry the figures, for the optional load chart.
      expect(engine.history({ node: master }).some((p) => (p.opsPerSecond ?? 0) > 100)).toBe(true);

      // 200 keys at 5 ms each: a save that lasts about 1 s, two load readings at least.
      await writer.call('CONFIG', 'SET', 'rdb-key-save-delay', '5000');
      await writer.bgsave();
      const before = Date.now();
      await waitForTick(engine, (u) => node(u.snapshot, master).load?.persistence?.rdbSaveInProgress === true, 5_000, 'an RDB save in progress');
      await writer.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
      const done = await waitForTick(
        engine,
        (u) => {
          const p = node(u.snapshot, master).load?.persistence;
          return p?.rdbSaveInProgress === false && (p.lastSaveAt ?? 0) >= before - 1000;
        },
        10_000,
        'the RDB save done',
      );
      expect(node(done.snapshot, master).load?.persistence).toMatchObject({ lastSaveStatus: 'ok', aofRewriteInProgress: false });
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
