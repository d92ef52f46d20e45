import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { node, waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const own = disposeAfterEach();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a replica kicked again and again by its master output buffer limit', () => {
  it('each full resync is one event on the replica, the same count as the master sync_full, with the cause', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1), extraArgs: ['--repl-timeout', '3'] }));
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const admin = new Redis(`redis://${master}`);
    await admin.config('SET', 'client-output-buffer-limit', 'replica 256kb 128kb 1');
    admin.disconnect();
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 1000 });
    let writing = true;
    const writer = new Redis(`redis://${master}`);
    const value = 'x'.repeat(4000);
    const load = (async () => {
      for (let i = 0; writing; ) {
        const pipeline = writer.pipeline();
        for (let j = 0; j < 50; j++) pipeline.set(`k:${i++ % 2000}`, value);
        await pipeline.exec();
        await sleep(100);
      }
    })();
    const first = await waitForTick(engine, (u) => (node(u.snapshot, master).stats?.syncFull ?? 0) > 0 && node(u.snapshot, replica).linkStatus === 'up', 10_000, 'linked');
    const before = node(first.snapshot, master).stats?.syncFull ?? 0;
    const since = Date.now();
    for (let i = 0; i < 3; i++) {
      lab.pause('replica-1');
      await sleep(4000);
      lab.resume('replica-1');
      await sleep(3500);
    }
    const settled = await waitForTick(engine, (u) => node(u.snapshot, replica).linkStatus === 'up' && !node(u.snapshot, replica).sync, 10_000, 'linked again');
    await waitForTick(engine, (u) => u.snapshot.seq >= settled.snapshot.seq + 3, 10_000, 'three more ticks');
    writing = false;
    await load;
    writer.disconnect();
    const served = (node(engine.snapshot()!, master).stats?.syncFull ?? 0) - before;
    expect(served).toBeGreaterThanOrEqual(2);
    const resyncs = engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync' && e.at >= since);
    expect(resyncs.filter((e) => !e.completes).map((e) => e.node)).toEqual(Array.from({ length: served }, () => replica));
    // Each one finished (the link came up on the new data): each replaced its data once.
    expect(resyncs.filter((e) => e.replaced).map((e) => e.node)).toEqual(Array.from({ length: served }, () => replica));
    // Each drop counted, although the replica was not read while its master dropped it.
    const drops = engine.events({ limit: 10_000 }).filter((e) => e.kind === 'link-down' && e.node === replica && e.at >= since);
    expect(drops.length).toBeGreaterThanOrEqual(served);
    expect(resyncs.some((e) => e.message.includes(`client-output-buffer-limit replica 262144 131072 1`))).toBe(true);
  }, 40_000);
});
