import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { toTree } from '../../electron/cli/output';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { node, waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const POLL_MS = 250;
const KEYS = 5000;

const own = disposeAfterEach();

async function fill(address: string, from = 0): Promise<void> {
  const client = new Redis(`redis://${address}`, { lazyConnect: true });
  await client.connect();
  const pipeline = client.pipeline();
  for (let i = from; i < from + KEYS; i++) pipeline.set(`k:${i}`, 'x'.repeat(64));
  await pipeline.exec();
  client.disconnect();
}

async function dbsize(address: string): Promise<number> {
  const client = new Redis(`redis://${address}`, { lazyConnect: true });
  await client.connect();
  try {
    return await client.dbsize();
  } finally {
    client.disconnect();
  }
}

function fullResyncsOf(engine: ReplicationEngine, address: string): string[] {
  return engine
    .events({ limit: 10_000 })
    // A "was replaced" that ends one reported when it started is the same resync.
    .filter((e) => e.kind === 'full-resync' && e.node === address && !e.completes)
    .map((e) => e.message);
}

describe('full resyncs reported from both sides, across restarts', () => {
  it('a master without persistence restarted empty: one event per replica whose data it wiped, naming it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const master = lab.address('master');
    const replicas = [lab.address('replica-1'), lab.address('replica-2')];
    await fill(master);
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    const caughtUp = await waitForTick(engine, (u) => replicas.every((r) => node(u.snapshot, r).offset === node(u.snapshot, master).offset), 10_000, 'replicas caught up');
    const runId = node(caughtUp.snapshot, master).runId;
    for (const r of replicas) expect(await dbsize(r)).toBe(KEYS);

    await lab.restart('master');
    // Each replica loads the empty master's data: its replid becomes the master's new one.
    await waitForTick(
      engine,
      (u) =>
        node(u.snapshot, master).runId !== runId &&
        u.snapshot.edges.length === 2 &&
        u.snapshot.edges.every((e) => e.health === 'up') &&
        replicas.every((r) => node(u.snapshot, r).replid === node(u.snapshot, master).replid),
      15_000,
      'replicas resynced from the restarted master',
    );
    for (const r of replicas) expect(await dbsize(r)).toBe(0);
    // A few more ticks: neither side of the same sync may add a second event.
    const seq = engine.snapshot()?.seq ?? 0;
    await waitForTick(engine, (u) => u.snapshot.seq >= seq + 8, 10_000, 'eight more ticks');
    for (const r of replicas) {
      const events = fullResyncsOf(engine, r);
      expect(events, `full-resync events of ${r}`).toHaveLength(1);
      // 'was replaced' once the link is up again, 'started' when a poll saw the transfer (the unit tests pin each).
      expect(events[0]).toMatch(new RegExp(`^${r.replace(/\./g, '\\.')}('s data was replaced by| started) a full resync from ${master.replace(/\./g, '\\.')}`));
      // Either way the sync finished: its data was replaced once, said once.
      expect(engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync' && e.node === r && e.replaced), `replaced ${r}`).toHaveLength(1);
    }
    // The master's own event list shows the syncs it served, one per replica, and the end of each
    // that a poll saw running (a loaded machine's slower load); none is left unexplained on it.
    const served = engine.events({ node: master, limit: 10_000 }).filter((e) => e.kind === 'full-resync');
    const seenRunning = replicas.filter((r) => fullResyncsOf(engine, r)[0]?.includes(' started a full resync from '));
    expect(served.filter((e) => !e.completes).map((e) => e.node).sort()).toEqual([...replicas].sort());
    expect(served.filter((e) => e.completes).map((e) => e.node).sort()).toEqual(seenRunning.sort());
    expect(fullResyncsOf(engine, master)).toEqual([]);
    const kinds = engine.events({ limit: 10_000 }).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['restart', 'link-up', 'full-resync']));
  });

  it('a replica away past its master backlog resyncs fully: one event naming it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const admin = new Redis(`redis://${master}`);
    try {
      await admin.config('SET', 'repl-backlog-size', String(16 * 1024));
    } finally {
      admin.disconnect();
    }
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    await waitForTick(engine, (u) => node(u.snapshot, replica).offset === node(u.snapshot, master).offset, 10_000, 'replica caught up');

    await lab.stop('replica-1');
    await waitForTick(engine, (u) => !node(u.snapshot, replica).reachable, 5000, 'replica down');
    await fill(master); // ~400 KB of writes: far past a 16 KB backlog
    await lab.restart('replica-1');
    await waitForTick(
      engine,
      (u) => node(u.snapshot, replica).reachable && node(u.snapshot, replica).offset === node(u.snapshot, master).offset,
      15_000,
      'replica back and caught up',
    );
    expect(await dbsize(replica)).toBe(KEYS);
    const seq = engine.snapshot()?.seq ?? 0;
    await waitForTick(engine, (u) => u.snapshot.seq >= seq + 8, 10_000, 'eight more ticks');
    const events = fullResyncsOf(engine, replica);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(new RegExp(`^${replica.replace(/\./g, '\\.')}('s data was replaced by| started) a full resync from ${master.replace(/\./g, '\\.')}`));
    expect(engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync' && e.node === replica && e.replaced)).toHaveLength(1);
    expect(fullResyncsOf(engine, master)).toEqual([]);
    expect(engine.events({ limit: 10_000 }).map((e) => e.kind)).not.toContain('replica-dropped');
  });
});

describe('a replica re-pointed to a sibling while its full sync runs', () => {
  it('one resync, from the sibling it follows now: the sibling counting it a poll late is not another sync "between two polls"', { timeout: 60_000 }, async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), extraArgs: ['--repl-diskless-sync', 'no'] }));
    const master = lab.address('master');
    const sibling = lab.address('replica-1');
    const mover = lab.address('replica-2');
    await fill(master);
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    await waitForTick(engine, (u) => u.snapshot.nodes.filter((n) => n.linkStatus === 'up').length === 2, 10_000, 'two linked replicas');

    // Detached and written to, its history is its own: a full sync from the master, slow (a 5 s snapshot).
    const admin = new Redis(`redis://${master}`);
    const moving = new Redis(`redis://${mover}`);
    own({ close: async () => (admin.disconnect(), moving.disconnect()) });
    await admin.config('SET', 'rdb-key-save-delay', '1000');
    await moving.call('REPLICAOF', 'NO', 'ONE');
    await moving.set('own-write', '1');
    await moving.call('REPLICAOF', '127.0.0.1', String(lab.port('master')));
    await waitForTick(engine, (u) => Boolean(node(u.snapshot, mover).sync), 5000, 'its sync from the master');
    await moving.call('REPLICAOF', '127.0.0.1', String(lab.port('replica-1')));
    await waitForTick(engine, (u) => node(u.snapshot, mover).master === sibling && node(u.snapshot, mover).linkStatus === 'up' && (node(u.snapshot, sibling).stats?.syncFull ?? 0) >= 1, 20_000, 'synced from the sibling');
    const seq = engine.snapshot()?.seq ?? 0;
    await waitForTick(engine, (u) => u.snapshot.seq >= seq + 8, 10_000, 'eight more ticks');

    expect(await moving.get('own-write')).toBeNull();
    const resyncs = engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync');
    expect(resyncs.filter((e) => e.node === sibling)).toEqual([]);
    expect(resyncs.filter((e) => e.node === mover && e.completes).map((e) => e.message)).toEqual([
      `${mover}'s data was replaced by a full resync from ${sibling} (re-pointed from ${master} while it synced): the sync finished, its link is up`,
    ]);
  });
});

describe('a backup taken with redis-cli (a sync client that announces no port)', () => {
  it('is no replica: no node at port 0, no UNREACHABLE, and its full sync said as a snapshot for it, not as data replaced', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    await fill(master);
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    await waitForTick(engine, (u) => node(u.snapshot, replica).linkStatus === 'up' && node(u.snapshot, replica).offset === node(u.snapshot, master).offset, 10_000, 'the replica caught up');
    const admin = new Redis(`redis://${master}`);
    own({ close: async () => admin.disconnect() });
    // The sync waits 2 s before it starts: polls see the client listed in wait_bgsave.
    await admin.config('SET', 'repl-diskless-sync', 'yes');
    await admin.config('SET', 'repl-diskless-sync-delay', '2');

    // `redis-cli --replica` takes a full sync, then stays, listed as `slaveN:ip=127.0.0.1,port=0,…`.
    const tool = spawn('redis-cli', ['-p', String(lab.port('master')), '--replica'], { stdio: 'ignore' });
    own({ close: async () => void (tool.exitCode === null && (tool.kill(), await once(tool, 'exit'))) });
    await waitForTick(engine, (u) => node(u.snapshot, master).syncClients.some((c) => c.state !== 'online'), 10_000, 'the client listed in its sync');
    const synced = await waitForTick(engine, (u) => node(u.snapshot, master).syncClients.some((c) => c.state === 'online'), 15_000, 'the client online');
    const seq = synced.snapshot.seq;
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.seq >= seq + 4, 10_000, 'four more ticks');

    expect(node(snapshot, master).syncClients).toEqual([expect.objectContaining({ ip: '127.0.0.1', state: 'online' })]);
    expect(snapshot.nodes.map((n) => n.address).sort()).toEqual([master, replica].sort());
    expect(snapshot.warnings.filter((w) => w.nodes.some((a) => a.endsWith(':0')) || w.code === 'UNREACHABLE')).toEqual([]);
    const resyncs = engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync');
    expect(resyncs.map((e) => [e.node, e.replaced ?? false, e.message.split(' that announced')[0]])).toEqual([[master, false, `${master} started a full sync for a sync client at 127.0.0.1`]]);
    expect(toTree(snapshot)).toContain('127.0.0.1 (sync client, no port announced: redis-cli --rdb or --replica, a backup or migration tool)  online');
  });
});
