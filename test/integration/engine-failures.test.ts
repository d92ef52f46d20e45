import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, docsLayout, masterWithReplicas } from '../../electron/lab/lab';
import { collectTicks, node, waitForEvent, waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const POLL_MS = 250;

const own = disposeAfterEach();

describe('failures inside a running topology', () => {
  it('reports a stopped master as unreachable with its replicas still replicas and links down, then recovers', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: POLL_MS });
    const master = lab.address('master');

    await lab.stop('master');
    const down = await waitForTick(
      engine,
      (u) => !node(u.snapshot, master).reachable && u.snapshot.nodes.filter((n) => n.linkStatus === 'down').length === 2,
      5000,
      'master unreachable, links down',
    );
    expect(node(down.snapshot, master).error?.code).toBe('UNREACHABLE');
    // Its INFO fields are not shown as if read now: there are none while it does not answer.
    expect(engine.rawReplication(master)).toMatchObject({ address: master, fields: null });
    for (const name of ['replica-1', 'replica-2']) {
      const replica = node(down.snapshot, lab.address(name));
      expect(replica.role).toBe('replica');
      expect(replica.master).toBe(master);
    }
    expect(down.snapshot.edges.every((e) => e.health === 'down')).toBe(true);
    // One headline for the dead root master; the replicas' UNKNOWN_MASTER warnings fold under it.
    const headline = down.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
    expect(headline?.folded?.map((w) => w.code)).toContain('UNKNOWN_MASTER');

    await lab.restart('master');
    const up = await waitForTick(
      engine,
      (u) => node(u.snapshot, master).reachable && u.snapshot.edges.every((e) => e.health === 'up'),
      10_000,
      'links up again',
    );
    // The lab runs without persistence on purpose (restart tests): the only warning is what the
    // restart did, its replicas wiped (MASTER_RESTARTED_EMPTY, which stands for the risk too).
    expect(up.snapshot.warnings.map((w) => w.code)).toEqual(['MASTER_RESTARTED_EMPTY']);
    // A master restarted without persistence has a new replid: its replicas must full-sync.
    await waitForEvent(engine, 'full-resync', 5000, master);
    const kinds = engine.events({}).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['unreachable', 'link-down', 'reachable', 'restart', 'link-up', 'full-resync']));
  });

  it('reports a replica restarted without its replicaof setting as a lone master', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: POLL_MS });
    const replica = lab.address('replica-2');

    await lab.stop('replica-2');
    await waitForTick(engine, (u) => !node(u.snapshot, replica).reachable, 5000, 'replica unreachable');
    await lab.restart('replica-2', { asLoneMaster: true });
    const { snapshot } = await waitForTick(
      engine,
      (u) => node(u.snapshot, replica).reachable && node(u.snapshot, replica).role === 'master',
      10_000,
      'replica back as master',
    );
    expect(snapshot.edges.map((e) => e.replica)).not.toContain(replica);
    const warning = snapshot.warnings.find((w) => w.code === 'MULTIPLE_MASTERS');
    expect(warning?.nodes.sort()).toEqual([lab.address('master'), replica].sort());
    expect(warning?.message).toContain(`${replica} (lone master, no replicas)`);
    const events = engine.events({ node: replica }).map((e) => e.kind);
    expect(events).toEqual(expect.arrayContaining(['unreachable', 'reachable', 'restart', 'role-change']));
  });

  it('a replica stalled with its master has no lag figure: neither end is read, so "0 B, 0 s" would claim it in sync', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 500, commandTimeoutMs: 500 }));
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: POLL_MS });
    const [master, replica] = [lab.address('master'), lab.address('replica-1')];
    await waitForTick(engine, (u) => node(u.snapshot, replica).lag?.bytesBehindMaster === 0, 5000, 'the replica in sync');
    await lab.pause('replica-1');
    // The master read, the replica not: its lag is the master's ACKs' (0 here, nothing written).
    await waitForTick(engine, (u) => !node(u.snapshot, replica).reachable && node(u.snapshot, master).reachable, 5000, 'the replica stalled');
    await lab.pause('master');
    try {
      const { snapshot } = await waitForTick(engine, (u) => !node(u.snapshot, master).reachable && !node(u.snapshot, replica).reachable, 5000, 'both stalled');
      expect(node(snapshot, replica).lag).toMatchObject({ bytesBehindMaster: null, secondsBehind: null, bytesBehindRoot: null, secondsBehindRoot: null });
      expect(snapshot.edges.find((e) => e.replica === replica)?.health).not.toBe('up');
    } finally {
      await lab.resume('master');
      await lab.resume('replica-1');
    }
  });

  it('keeps polling the others on time while one node is stalled with SIGSTOP', async () => {
    const lab = own(await Lab.start({ nodes: docsLayout() }));
    const engine = own(new ReplicationEngine({ commandTimeoutMs: 1000, connectTimeoutMs: 1000 }));
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: POLL_MS });
    const stalled = lab.address('replica-1');

    lab.pause('replica-1');
    try {
      const ticks = await collectTicks(engine, 3000);
      // Every other node was read within the last three intervals (the stalled one times out after four) at every tick after the first second.
      const late = ticks
        .filter((t) => t.snapshot.takenAt - ticks[0]!.snapshot.takenAt > 1000)
        .flatMap((t) =>
          t.snapshot.nodes
            .filter((n) => n.address !== stalled)
            .filter((n) => n.polledAt === null || t.snapshot.takenAt - n.polledAt > 3 * POLL_MS),
        );
      expect(ticks.length).toBeGreaterThanOrEqual(10);
      expect(late).toEqual([]);
      const last = ticks.at(-1)!.snapshot;
      expect(node(last, stalled).reachable).toBe(false);
      expect(node(last, stalled).error?.code).toBe('TIMEOUT');
      expect(node(last, stalled).error?.message).toContain('did not answer');
    } finally {
      lab.resume('replica-1');
    }
    await waitForTick(engine, (u) => node(u.snapshot, stalled).reachable, 10_000, 'stalled node back');
  });


  it('a replica stalled (SIGSTOP) at connect holds discovery up to the timeout, and the first snapshot still reads the others as fresh, not stalled', async () => {
    const lab = own(await Lab.start({ nodes: docsLayout() }));
    const stalled = lab.address('replica-2');
    lab.pause('replica-2');
    try {
      // A timeout longer than three poll intervals: the nodes read before the wait would count as stale.
      const engine = own(new ReplicationEngine({ commandTimeoutMs: 4000, connectTimeoutMs: 4000 }));
      const first = await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 1000 });
      expect(node(first, stalled).reachable).toBe(false);
      // Before: the master and replica-1 STALE ("last read 4 s ago") and STALLED_UPSTREAM on both, read before the wait.
      const others = first.nodes.filter((n) => n.address !== stalled);
      expect(others.filter((n) => n.stale).map((n) => n.address)).toEqual([]);
      expect(others.every((n) => n.polledAt !== null && first.takenAt - n.polledAt < 1000)).toBe(true);
      expect(first.warnings.filter((w) => w.code === 'STALLED_UPSTREAM')).toEqual([]);
    } finally {
      lab.resume('replica-2');
    }
  });
  it('shows lag under a write load and drains it to zero afterwards', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: POLL_MS });
    const replica = lab.address('replica-1');
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    try {
      // Stall the replica while writes keep coming: its master's ACK view shows the backlog.
      const value = 'x'.repeat(4096);
      let peak = 0;
      const whileStalled: number[] = [];
      const dispose = engine.onTick((u) => {
        const state = node(u.snapshot, replica);
        peak = Math.max(peak, state.lag?.bytesBehindMaster ?? 0);
        if (!state.reachable) whileStalled.push(state.lag?.basis === 'ack' ? (state.lag.bytesBehindMaster ?? -1) : -1);
      });
      lab.pause('replica-1');
      const until = Date.now() + 2000;
      for (let i = 0; Date.now() < until && i < 200_000; i++) await writer.set(`key:${i % 500}`, value);
      lab.resume('replica-1');
      const drained = await waitForTick(
        engine,
        (u) => node(u.snapshot, replica).reachable && node(u.snapshot, replica).lag?.bytesBehindMaster === 0,
        10_000,
        'lag drained',
      );
      dispose();
      expect(peak).toBeGreaterThan(100_000);
      // While it could not be read, lag came from what the replica was last known to have, and grew.
      expect(whileStalled.length).toBeGreaterThanOrEqual(1);
      expect(whileStalled.every((bytes) => bytes > 0)).toBe(true);
      expect(node(drained.snapshot, replica).lag?.secondsBehind).toBe(0);
      const history = engine.history({ node: replica });
      expect(history.some((p) => (p.lagBytes ?? 0) > 100_000)).toBe(true);
      expect(history.at(-1)?.lagBytes).toBe(0);
    } finally {
      writer.disconnect();
    }
  });
});

describe('password-protected topology', () => {
  it('discovers it with the password and refuses wrong or missing ones with AUTH_FAILED', async () => {
    const lab = own(await Lab.start({ nodes: docsLayout(), password: 'lab-secret-123' }));
    const engine = own(new ReplicationEngine());
    const ok = await engine.connect({ seeds: [lab.address('master')], password: 'lab-secret-123', pollIntervalMs: POLL_MS });
    expect(ok.nodes).toHaveLength(4);
    expect(ok.nodes.every((n) => n.reachable)).toBe(true);
    await engine.disconnect();

    for (const password of ['wrong-password', undefined]) {
      const attempt = engine.connect({ seeds: [lab.address('master')], password });
      await expect(attempt).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      await attempt.catch((error: Error) => {
        expect(error.message).not.toContain('lab-secret-123');
        expect(error.message).not.toContain('wrong-password');
      });
    }
  });
});
