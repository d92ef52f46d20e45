// Promote and detach on real servers: sibling re-pointing with partial resyncs, a lagging
// replica (bytes that would be lost), replica-priority 0, and a Sentinel-managed group.
import { describe, expect, it } from 'vitest';
import { Lab, docsLayout, masterWithReplicas } from '../../electron/lab/lab';
import { caughtUp, check, codes, direct, harness, lagReplica1, planAndRun, replication, WriteLoad } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { until } from '../helpers/until';

const PASSWORD = 'promote-secret-7';

const own = disposeAfterEach();


describe('promote', () => {
  it('promotes a replica and re-points its siblings with partial resyncs; the old master stays a master', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
    const writer = direct(lab, 'master');
    for (let i = 0; i < 100; i++) await writer.set(`k:${i}`, String(i));
    writer.disconnect();
    await caughtUp(lab, 'master', ['replica-1', 'replica-2', 'replica-3']);
    const h = own(await harness(lab, 'master'));
    const [master, r1, r2, r3] = ['master', 'replica-1', 'replica-2', 'replica-3'].map((n) => lab.address(n)) as [string, string, string, string];

    const { plan, outcome } = await planAndRun(h, { kind: 'promote', node: r1, repointSiblings: true });
    expect(plan.steps[0]).toMatchObject({ node: r1, command: 'REPLICAOF NO ONE', destructive: true });
    expect(plan.steps.slice(1).map((s) => [s.node, s.command, s.destructive]).sort()).toEqual([
      [r2, `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`, false],
      [r3, `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`, false],
    ].sort());
    expect(plan.confirmAddress).toBe(r1);
    expect(plan.predictions.map((p) => [p.node, p.expected]).sort()).toEqual([
      [r2, 'partial'],
      [r3, 'partial'],
    ].sort());
    expect(check(plan, 'OLD_MASTER_STAYS').verdict).toBe('warning');
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'ok' });
    expect(plan.needsOverride).toEqual([]);

    expect(outcome.ok).toBe(true);
    expect(outcome.steps.slice(1).map((s) => s.message)).toEqual([expect.stringMatching(/partial resync/), expect.stringMatching(/partial resync/)]);
    const byAddress = new Map(outcome.nodes.map((n) => [n.address, n]));
    expect(byAddress.get(r1)).toMatchObject({ role: 'master' });
    expect(byAddress.get(r2)).toMatchObject({ role: 'replica', master: r1, linkStatus: 'up' });
    expect(byAddress.get(r3)).toMatchObject({ role: 'replica', master: r1, linkStatus: 'up' });
    expect(byAddress.get(master)).toMatchObject({ role: 'master' });
    expect(outcome.nextSteps.join('\n')).toMatch(/2 masters now/);
    expect(Number((await replication(lab, 'replica-1')).connected_slaves)).toBe(2);
  });

  it('warns that a lagging replica lacks bytes, needs an override, and predicts a full sync for a sibling that is ahead', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3), password: PASSWORD }));
    await lagReplica1(lab, PASSWORD);
    const h = own(await harness(lab, 'master', PASSWORD));
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];

    const plan = await h.actions.plan({ kind: 'promote', node: r1, repointSiblings: true });
    const behind = check(plan, 'REPLICA_BEHIND');
    expect(behind).toMatchObject({ verdict: 'warning', overridable: true });
    expect(behind.message).toMatch(new RegExp(`${r1} is .*\\([\\d,]+ bytes\\) behind its master ${master}`));
    expect(plan.needsOverride).toEqual(['REPLICA_BEHIND']);
    expect(plan.canRun).toBe(true);
    expect(plan.lostBytes).toEqual([{ node: r1, bytes: expect.any(Number), note: `behind its master ${master}` }]);
    expect(plan.lostBytes[0]!.bytes).toBeGreaterThan(50_000);
    // Siblings have bytes the promoted node lacks: Redis must full-sync them.
    expect(plan.predictions.find((p) => p.node === r2)).toMatchObject({ expected: 'full', flushesData: true, why: expect.stringMatching(/AHEAD/) });
    expect(plan.steps.find((s) => s.node === r2)?.destructive).toBe(true);

    await expect(h.actions.execute(plan.id, { confirmAddress: r1 })).rejects.toMatchObject({ code: 'NEEDS_OVERRIDE', message: expect.stringMatching(/override for REPLICA_BEHIND/), details: { nothingSent: true, overrides: expect.arrayContaining(['REPLICA_BEHIND']) } });
    const outcome = await h.actions.execute(plan.id, { confirmAddress: r1, overrides: ['REPLICA_BEHIND'] });
    expect(outcome.ok).toBe(true);
    expect(outcome.steps.find((s) => s.node === r2)?.message).toMatch(/full sync/);
    const audit = await h.actions.audit(1);
    expect(audit[0]?.overrides).toEqual(['REPLICA_BEHIND']);
  });

  it('a replica keeping up with a master under steady writes is not judged behind: no override to detach or promote it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const load = new WriteLoad(lab, ['master']).start();
    try {
      await until('writes under way', async () => (load.acked.length > 50 ? true : undefined), 10_000);
      const h = own(await harness(lab, 'master'));
      const r1 = lab.address('replica-1');
      // The replica is read before its master, so every write between the two reads used to count as lost.
      const detach = { kind: 'detach', node: r1 } as const;
      const promote = { kind: 'promote', node: r1, repointSiblings: false } as const;
      for (const request of [detach, promote, detach, promote, detach]) {
        const kind = request.kind;
        const plan = await h.actions.plan(request);
        expect(check(plan, 'REPLICA_BEHIND'), kind).toMatchObject({ verdict: 'ok', message: `${r1} has every byte its master had when read` });
        expect(plan.needsOverride, kind).toEqual([]);
        expect(plan.lostBytes, kind).toEqual([]);
      }
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
  });

  it('asks for an override to promote a replica with replica-priority 0', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const r1client = direct(lab, 'replica-1');
    await r1client.config('SET', 'replica-priority', '0');
    r1client.disconnect();
    const h = own(await harness(lab, 'master'));
    const r1 = lab.address('replica-1');

    const plan = await h.actions.plan({ kind: 'promote', node: r1, repointSiblings: false });
    expect(check(plan, 'PRIORITY_ZERO')).toMatchObject({ verdict: 'warning', overridable: true, nodes: [r1] });
    expect(plan.needsOverride).toEqual(['PRIORITY_ZERO']);
    await expect(h.actions.execute(plan.id, { confirmAddress: r1 })).rejects.toMatchObject({ code: 'NEEDS_OVERRIDE', message: expect.stringMatching(/PRIORITY_ZERO/), details: { nothingSent: true, overrides: expect.arrayContaining(['PRIORITY_ZERO']) } });
    expect((await replication(lab, 'replica-1')).role).toBe('slave');
  });

  it('detaches a replica: it becomes a lone master and keeps its own replica', async () => {
    const lab = own(await Lab.start({ nodes: docsLayout() }));
    const h = own(await harness(lab, 'master'));
    const [r1, r11] = [lab.address('replica-1'), lab.address('replica-1-1')];

    const { plan, outcome } = await planAndRun(h, { kind: 'detach', node: r1 });
    expect(plan.steps.map((s) => s.command)).toEqual(['REPLICAOF NO ONE']);
    expect(check(plan, 'SUBTREE_MOVES').message).toContain('1 replica stays attached');
    expect(outcome.ok).toBe(true);
    expect(outcome.nodes.find((n) => n.address === r1)).toMatchObject({ role: 'master' });
    const after = await h.engine.refresh();
    expect(after.nodes.find((n) => n.address === r11)).toMatchObject({ role: 'replica', master: r1, linkStatus: 'up' });
  });

  it('refuses to promote a replica loading its full sync\'s snapshot: LOADING (Redis refuses REPLICAOF NO ONE until loaded) and none of the data', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const writer = direct(lab, 'master');
    const batch = writer.pipeline();
    for (let i = 0; i < 3000; i++) batch.set(`k:${i}`, String(i));
    await batch.exec();
    writer.disconnect();
    await caughtUp(lab, 'master', ['replica-1', 'replica-2']);
    const h = own(await harness(lab, 'master'));
    // Loading 3000 keys takes ~15 s (5 ms each), answering between every KiB read: the plan is made
    // well inside it on a loaded machine (at 2 ms a key it once came after). A write of its own
    // while detached makes its way back a full sync.
    const r1Client = direct(lab, 'replica-1');
    await r1Client.config('SET', 'key-load-delay', '5000');
    await r1Client.config('SET', 'loading-process-events-interval-bytes', '1024');
    await r1Client.call('REPLICAOF', 'NO', 'ONE');
    await r1Client.set('own-write', '1');
    await r1Client.call('REPLICAOF', '127.0.0.1', String(lab.port('master')));
    const persistence = async (): Promise<string> => String(await r1Client.call('INFO', 'persistence'));
    await until('replica-1 loading', async () => ((await persistence()).includes('loading:1') ? true : undefined), 5000);
    const r1 = lab.address('replica-1');
    const plan = await h.actions.plan({ kind: 'promote', node: r1, repointSiblings: true });
    const stillLoading = (await persistence()).includes('loading:1');
    r1Client.disconnect();
    expect(stillLoading, 'replica-1 loaded before the plan was made: the test proves nothing').toBe(true);
    expect(check(plan, 'LOADING')).toMatchObject({ verdict: 'refused', overridable: false, nodes: [r1], message: expect.stringMatching(/is loading the snapshot of a full sync \(.*% loaded.*\): Redis answers REPLICAOF with LOADING until it has loaded/) });
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringContaining(`is in the middle of a full sync (loading its snapshot): it has none of ${lab.address('master')}'s data (3,000 keys there)`) });
    expect(plan.canRun).toBe(false);
  });

  it('on a Sentinel-managed group, refuses unless overridden and offers SENTINEL FAILOVER with the group name', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const sentinel = await lab.startSentinel({ masterName: 'orders', master: 'master' });
    const h = own(await harness(lab, 'master'));
    const r1 = lab.address('replica-1');

    const plan = await h.actions.plan({ kind: 'promote', node: r1, repointSiblings: true });
    const managed = check(plan, 'SENTINEL_MANAGED');
    expect(managed).toMatchObject({ verdict: 'refused', overridable: true });
    expect(managed.message).toContain('SENTINEL FAILOVER orders');
    expect(managed.message).toContain('1 Sentinel, quorum 1, master name "orders"');
    expect(managed.message).toContain(sentinel);
    expect(managed.nodes).toContain(lab.address('master'));
    expect(plan.needsOverride).toContain('SENTINEL_MANAGED');
    expect(codes(plan, 'refused')).toEqual(['SENTINEL_MANAGED']);
    expect(plan.canRun).toBe(true);
    await expect(h.actions.execute(plan.id, { confirmAddress: r1 })).rejects.toMatchObject({ code: 'NEEDS_OVERRIDE', message: expect.stringMatching(/SENTINEL_MANAGED/), details: { nothingSent: true, overrides: expect.arrayContaining(['SENTINEL_MANAGED']) } });
  });
});
