// A node that cuts the console's connection while a poll is in flight, on a real redis-server:
// Sentinel does it to every node it reconfigures (CLIENT KILL TYPE normal), and so do idle
// timeouts and proxies. The node never stopped answering, so it must never be shown unreachable,
// not even for a tick: in a Sentinel failover, that flicker was a replica "down" beside the real
// change, and an event and an alert timer for nothing.
import Redis from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { ClientRegistry } from '../../electron/engine/client-registry';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { TickUpdate } from '../../electron/shared/types';
import { waitForTick } from '../helpers/engine';
import { until } from '../helpers/until';

/** Busy for `ms` on the server: every other client's command waits behind it. */
const BUSY = `local t = redis.call('TIME') local start = t[1] * 1000000 + t[2]
while true do local n = redis.call('TIME') if n[1] * 1000000 + n[2] - start > tonumber(ARGV[1]) * 1000 then break end end
return 1`;

let lab: Lab | undefined;
let engine: ReplicationEngine | undefined;

afterAll(async () => {
  await engine?.disconnect();
  await lab?.close();
});

it('a connection the node cuts under a poll is made again at once: the node is never shown unreachable', async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(1) });
  await lab.waitForLinks();
  const replica = lab.address('replica-1');
  engine = new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
  await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 100 });
  await waitForTick(engine, (u) => u.snapshot.nodes.find((n) => n.address === replica)?.reachable === true, 10_000, 'the replica read');

  const ticks: TickUpdate[] = [];
  const stop = engine.onTick((u) => ticks.push(u));
  const plain = (): Redis => new Redis({ port: lab?.port('replica-1'), maxRetriesPerRequest: 0, retryStrategy: () => null });
  for (let round = 0; round < 3; round++) {
    const busy = plain();
    const killer = plain();
    try {
      await killer.ping();
      // The console's next INFO waits behind the script; the kill is read in the same turn of the
      // server's loop, so the console's connection goes with its INFO unanswered.
      const script = busy.eval(BUSY, 0, '400').catch(() => null);
      // Two ticks on: the console has sent the replica its next INFO, which waits (the server answers nothing now).
      const seen = ticks.length;
      await until('two ticks while the script runs', async () => (ticks.length >= seen + 2 ? true : undefined), 2000, 5);
      await killer.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes').catch(() => null);
      await script;
    } finally {
      busy.disconnect();
      killer.disconnect();
    }
  }
  // Read again after the last cut, then look at every tick since the first.
  const after = ticks.length;
  await until('two more ticks', async () => (ticks.length >= after + 2 ? true : undefined), 5000);
  stop();
  const down = ticks.filter((u) => u.snapshot.nodes.find((n) => n.address === replica)?.reachable === false);
  expect(down.map((u) => u.snapshot.nodes.find((n) => n.address === replica)?.error?.message)).toEqual([]);
  expect(ticks.length).toBeGreaterThan(3);
}, 60_000);

it('a read cut beside another call on the same connection is sent again at once: the other call failing leaves no backoff in its way', async () => {
  lab ??= await Lab.start({ nodes: masterWithReplicas(1) });
  const address = lab.address('master');
  const registry = new ClientRegistry({ connectTimeoutMs: 2000, commandTimeoutMs: 20_000 });
  const killer = new Redis({ port: lab.port('master'), maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await registry.run(address, (c) => c.ping());
    // On one connection, in this order: a call that is not sent again (a BLPOP, blocked, holds the
    // connection's queue), then a read that is. The cut fails the first before the second.
    const other = registry.run(address, (c) => c.blpop('connection-cut:never', 10)).then(() => 'answered', (e: Error) => e.message);
    const read = registry.run(address, (c) => c.info('replication'), { againOnCut: true }).then((text) => text.includes('role:master'), (e: Error) => e.message);
    await until('the BLPOP to block', async () => (String(await killer.client('LIST')).includes('cmd=blpop') ? true : undefined), 5000);
    await killer.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    expect(await other).toMatch(/closed/i);
    expect(await read).toBe(true);
  } finally {
    killer.disconnect();
    registry.disconnectAll();
  }
}, 30_000);
