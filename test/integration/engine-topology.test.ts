import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, cascade, masterWithReplicas } from '../../electron/lab/lab';
import { collectTicks, node, waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const POLL_MS = 250;

const own = disposeAfterEach();

describe('discovery and lag on healthy topologies', () => {
  it('finds a master with two replicas from a replica seed, with every link up and no false lag', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), extraArgs: ['--repl-ping-replica-period', '1'] }));
    const engine = own(new ReplicationEngine());
    const first = await engine.connect({ seeds: [lab.address('replica-2')], pollIntervalMs: POLL_MS });

    expect(first.nodes.map((n) => n.address).sort()).toEqual(
      ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)).sort(),
    );
    expect(node(first, lab.address('master')).role).toBe('master');
    for (const name of ['replica-1', 'replica-2']) {
      const replica = node(first, lab.address(name));
      expect(replica.role).toBe('replica');
      expect(replica.master).toBe(lab.address('master'));
      expect(replica.linkStatus).toBe('up');
      expect(replica.runId).toMatch(/^[0-9a-f]{40}$/);
      expect(replica.masterAsReported).toBe(lab.address('master'));
    }
    expect(node(first, lab.address('master')).connectedReplicas).toBe(2);
    // INFO replication verbatim is asked for by address (the details panel), not carried by every tick.
    expect(JSON.stringify(first)).not.toContain('master_link_status');
    const raw = engine.rawReplication(lab.address('replica-1'));
    expect(raw.address).toBe(lab.address('replica-1'));
    expect(raw.fields).toMatchObject({ role: 'slave', master_link_status: 'up', master_port: String(lab.port('master')) });
    expect(raw.readAt).toBeGreaterThanOrEqual(node(first, lab.address('replica-1')).polledAt ?? Infinity);
    expect(engine.rawReplication(lab.address('master')).fields?.['connected_slaves']).toBe('2');
    expect(() => engine.rawReplication('127.0.0.1:1')).toThrow('127.0.0.1:1 is not a node of this topology');
    expect(first.edges).toHaveLength(2);
    // The lab runs without persistence on purpose (restart tests): that risk is the only warning.
    expect(first.warnings.filter((w) => w.code !== 'MASTER_NO_PERSISTENCE')).toEqual([]);

    // PINGs every second move the master's offset between reads: the master is always read
    // before the replica, so none of that may show as lag. The one exception is a PING still in
    // flight to the replica when it is read (on a loaded machine the replica may take tens of ms
    // to apply it): real bytes, gone by its next reading. So: at most one PING's worth (14
    // bytes), never on two ticks in a row; a real lag would persist.
    const ticks = await collectTicks(engine, 3000);
    expect(ticks.length).toBeGreaterThanOrEqual(10);
    const replicas = [lab.address('replica-1'), lab.address('replica-2')];
    const lagsOf = (address: string): (number | null | undefined)[] =>
      ticks.map((t) => t.snapshot.nodes.find((n) => n.address === address)?.lag?.bytesBehindMaster);
    const lags = replicas.flatMap(lagsOf);
    expect(lags.filter((l) => l !== null && l !== undefined).length).toBeGreaterThan(10);
    expect(lags.every((l) => l === null || l === undefined || l <= 14)).toBe(true);
    for (const address of replicas) {
      const series = lagsOf(address);
      const twice = series.some((l, i) => i > 0 && (l ?? 0) > 0 && (series[i - 1] ?? 0) > 0);
      expect(twice, `${address} showed lag on two ticks in a row: ${series.join(' ')}`).toBe(false);
    }
    expect(ticks.at(-1)?.snapshot.edges.every((e) => e.health === 'up')).toBe(true);
  });

  it('walks a three-level cascade and measures lag per hop and from the root in one offset space', async () => {
    const lab = own(await Lab.start({ nodes: cascade(3) }));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('level-1')], pollIntervalMs: POLL_MS });
    const { snapshot } = await waitForTick(
      engine,
      (u) => u.snapshot.nodes.every((n) => n.role === 'master' || n.lag?.bytesBehindRoot !== null),
      5000,
      'lag on every replica',
    );
    const [l0, l1, l2] = ['level-0', 'level-1', 'level-2'].map((n) => node(snapshot, lab.address(n)));
    expect([l0?.depth, l1?.depth, l2?.depth]).toEqual([0, 1, 2]);
    expect(l2?.master).toBe(lab.address('level-1'));
    expect(l1?.replid).toBe(l0?.replid);
    expect(l2?.replid).toBe(l0?.replid);
    expect(l2?.lag?.bytesBehindRoot).toBe(0);
    expect(snapshot.edges.map((e) => [e.master, e.replica])).toEqual([
      [lab.address('level-0'), lab.address('level-1')],
      [lab.address('level-1'), lab.address('level-2')],
    ]);
  });

  it('merges two addresses of one node by run_id and keeps the one the user typed', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const engine = own(new ReplicationEngine());
    const typed = `localhost:${lab.port('master')}`;
    const snapshot = await engine.connect({ seeds: [typed], pollIntervalMs: POLL_MS });
    expect(snapshot.nodes).toHaveLength(2);
    const master = node(snapshot, typed);
    expect(master.address).toBe(typed);
    expect(master.aliases).toContain(lab.address('master'));
    expect(node(snapshot, lab.address('replica-1')).master).toBe(typed);
  });
});

describe('tick cadence', () => {
  it('publishes exactly one tick per poll interval', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    const ticks = await collectTicks(engine, 4000);
    const gaps = ticks.slice(1).map((t, i) => t.snapshot.takenAt - ticks[i]!.snapshot.takenAt);
    // 4 s at 200 ms: 20 ticks, give or take the edges of the window.
    expect(ticks.length).toBeGreaterThanOrEqual(18);
    expect(ticks.length).toBeLessThanOrEqual(21);
    expect(Math.min(...gaps)).toBeGreaterThan(100);
  });
});
