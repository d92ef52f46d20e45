// Emergency failover on real servers: the master is killed; the reachable replica with the
// highest offset is proposed, what the others lack is shown, the rest are re-pointed.
import { describe, expect, it } from 'vitest';
import { docsLayout, Lab, masterWithReplicas } from '../../electron/lab/lab';
import { check, direct, harness, lagReplica1, planAndRun, replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { until } from '../helpers/until';

const PASSWORD = 'failover-secret-9';

const own = disposeAfterEach();


describe('emergency failover', () => {
  it('promotes the most up-to-date reachable replica, shows what the others lack, and re-points them', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3), password: PASSWORD }));
    await lagReplica1(lab, PASSWORD);
    const h = own(await harness(lab, 'master', PASSWORD, [lab.address('replica-1')]));
    const [master, r1, r2, r3] = ['master', 'replica-1', 'replica-2', 'replica-3'].map((n) => lab.address(n)) as [string, string, string, string];
    await lab.kill('master');

    const plan = await h.actions.plan({ kind: 'failover', options: { setMasterauth: true } });
    const chosen = plan.steps[0]?.node;
    expect([r2, r3]).toContain(chosen);
    expect(plan.steps[0]).toMatchObject({ command: 'REPLICAOF NO ONE', destructive: true });
    expect(plan.confirmAddress).toBe(chosen);
    expect(check(plan, 'MASTER_REACHABLE')).toMatchObject({ verdict: 'ok' });
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'ok', message: expect.stringMatching(/highest offset/) });
    expect(check(plan, 'OLD_MASTER_STAYS').message).toContain(`When ${master} comes back it is still a master`);
    // replica-1 lacks ~50 KB: that is what promoting it instead would have lost.
    const lack = plan.lostBytes.find((l) => l.node === r1);
    expect(lack?.bytes).toBeGreaterThan(50_000);
    expect(lack?.note).toMatch(/promoting .* instead would lose/);
    // Its wrong masterauth is replaced from the console's credentials before it is re-pointed.
    expect(plan.steps.filter((s) => s.node === r1).map((s) => s.command)).toEqual(['CONFIG SET masterauth ***', `REPLICAOF 127.0.0.1 ${lab.port(chosen === r2 ? 'replica-2' : 'replica-3')}`]);
    expect(plan.predictions.every((p) => p.expected === 'partial')).toBe(true);
    expect(plan.needsOverride).toEqual([]);

    const outcome = await h.actions.execute(plan.id, { confirmAddress: chosen });
    expect(outcome.ok).toBe(true);
    const byAddress = new Map(outcome.nodes.map((n) => [n.address, n]));
    expect(byAddress.get(chosen!)).toMatchObject({ role: 'master' });
    for (const other of [r1, r2, r3].filter((a) => a !== chosen)) expect(byAddress.get(other)).toMatchObject({ role: 'replica', master: chosen, linkStatus: 'up' });
    expect(byAddress.get(master)).toMatchObject({ reachable: false });
    expect(outcome.nextSteps.join('\n')).toContain(`When ${master} comes back it is still a master`);
    const promoted = direct(lab, chosen === r2 ? 'replica-2' : 'replica-3', PASSWORD);
    expect(await promoted.get('lag:49')).toBe('x'.repeat(1000));
    promoted.disconnect();
  });

  it('a replica stalled through the failover, back on the dead master: a second failover is refused (it made a second master), and re-pointing is said', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
    await lab.waitForLinks();
    const h = own(await harness(lab, 'master'));
    const [master, r3] = [lab.address('master'), lab.address('replica-3')];
    lab.pause('replica-3');
    own({ close: async () => lab.resume('replica-3') });
    await lab.kill('master');
    await until('the master read as down', async () => (h.engine.snapshot()?.nodes.find((n) => n.address === master)?.reachable === false ? true : undefined));
    const first = await h.actions.plan({ kind: 'failover' });
    const chosen = first.steps[0]?.node;
    const outcome = await h.actions.execute(first.id, { confirmAddress: chosen, overrides: first.needsOverride });
    expect(outcome.ok).toBe(true);
    lab.resume('replica-3');
    await until('replica-3 read again, still on the dead master', async () => {
      const node = h.engine.snapshot()?.nodes.find((n) => n.address === r3);
      return node?.reachable && node.master === master ? true : undefined;
    });
    // The web page's node menu offered "Emergency failover" for it, and the plan was ready to run: promote replica-3 beside the new master.
    const again = await h.actions.plan({ kind: 'failover' });
    expect(check(again, 'ALREADY_FAILED_OVER')).toMatchObject({
      verdict: 'refused',
      message: expect.stringContaining(`${master} was already failed over: ${chosen} was promoted off it (its replid2 is ${master}'s history) and is the master now. A failover now would make a second master beside it`),
    });
    expect(check(again, 'ALREADY_FAILED_OVER').message).toContain(`Re-point ${r3} to ${chosen} instead`);
    expect(again.needsOverride).not.toContain('ALREADY_FAILED_OVER');
    expect(again.summary).toBe(`Emergency failover: ${master} was already failed over to ${chosen}; nothing to promote`);
    await expect(h.actions.execute(again.id, { confirmAddress: again.confirmAddress ?? r3, overrides: ['ALREADY_FAILED_OVER'] })).rejects.toThrow();
    expect((await replication(lab, 'replica-3')).role).toBe('slave');
  });

  it('a dead middle replica is not a master to fail over from: no plan that would promote the node below it beside the live master', async () => {
    const lab = own(await Lab.start({ nodes: docsLayout() }));
    const h = own(await harness(lab, 'master'));
    const [master, r1, r11] = ['master', 'replica-1', 'replica-1-1'].map((n) => lab.address(n)) as [string, string, string];
    await lab.kill('replica-1');
    await until('replica-1 read as down', async () => (h.engine.snapshot()?.nodes.find((n) => n.address === r1)?.reachable === false ? true : undefined));
    const refusal = { code: 'BAD_ARGUMENT', message: expect.stringMatching(new RegExp(`^${r1.replace(/\./g, '\\.')} is a replica \\(of ${master.replace(/\./g, '\\.')}\\), not a master: .*Re-point ${r11.replace(/\./g, '\\.')} to ${master.replace(/\./g, '\\.')} instead`)) };
    await expect(h.actions.plan({ kind: 'failover' })).rejects.toMatchObject(refusal);
    await expect(h.actions.plan({ kind: 'failover', to: r11 })).rejects.toMatchObject(refusal);
    expect((await replication(lab, 'replica-1-1')).role).toBe('slave');
  });

  it('refuses while the master answers (MASTER_REACHABLE, overridable) and suggests switchover', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const h = own(await harness(lab, 'master'));
    const plan = await h.actions.plan({ kind: 'failover' });
    expect(check(plan, 'MASTER_REACHABLE')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringMatching(/Use switchover/) });
    expect(plan.needsOverride).toContain('MASTER_REACHABLE');
    await expect(h.actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined })).rejects.toMatchObject({ code: 'NEEDS_OVERRIDE', message: expect.stringMatching(/override for MASTER_REACHABLE/), details: { nothingSent: true, overrides: expect.arrayContaining(['MASTER_REACHABLE']) } });
    expect((await replication(lab, 'master')).role).toBe('master');
  });

  it('refuses while a master that stopped answering is still alive for its replicas, and warns that a paused one may resume', async () => {
    // A short repl-timeout (pinged every second so an idle link stays up) lets the replicas notice within the test.
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), extraArgs: ['--repl-timeout', '5', '--repl-ping-replica-period', '1'] }));
    const h = own(await harness(lab, 'master'));
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    lab.pause('master');
    try {
      const early = await h.actions.plan({ kind: 'failover' });
      expect(check(early, 'MASTER_REACHABLE')).toMatchObject({ verdict: 'refused', overridable: true, nodes: expect.arrayContaining([master, r1, r2]) });
      expect(check(early, 'MASTER_REACHABLE').message).toMatch(/does not answer the console .*still have their link to it up.*repl-timeout, 5 s/);
      expect(early.needsOverride).toContain('MASTER_REACHABLE');

      await until('both replicas see their link down', async () => ((await Promise.all(['replica-1', 'replica-2'].map((n) => replication(lab, n)))).every((r) => r.master_link_status === 'down') ? true : undefined), 15_000, 200);
      const later = await h.actions.plan({ kind: 'failover' });
      expect(check(later, 'MASTER_REACHABLE')).toMatchObject({ verdict: 'warning', message: expect.stringMatching(/does not answer .*rather than refusing connections.*may be paused/) });
      expect(later.needsOverride).not.toContain('MASTER_REACHABLE');
    } finally {
      lab.resume('master');
    }
  });

  it('flags a chosen replica behind another one (here with none of the data: refused, overridable), which would then need a full sync', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3), password: PASSWORD }));
    await lagReplica1(lab, PASSWORD);
    const h = own(await harness(lab, 'master', PASSWORD, [lab.address('replica-1')]));
    const [r1, r2] = [lab.address('replica-1'), lab.address('replica-2')];
    await lab.kill('master');

    const plan = await h.actions.plan({ kind: 'failover', to: r1, options: { setMasterauth: true } });
    // Cut off before the master's only writes, replica-1 holds no keys at offset 0: none of the data.
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringMatching(/holds no keys at offset 0: it has none of/) });
    expect(plan.lostBytes.find((l) => l.node === r1)?.bytes).toBeGreaterThan(50_000);
    expect(plan.predictions.find((p) => p.node === r2)).toMatchObject({ expected: 'full', flushesData: true });
    const { outcome } = await planAndRun(h, { kind: 'failover', to: r1, options: { setMasterauth: true } }, { overrides: ['REPLICA_BEHIND'] });
    expect(outcome.ok).toBe(true);
    expect(outcome.steps.find((s) => s.node === r2 && s.command.startsWith('REPLICAOF'))?.message).toMatch(/full sync/);
  });
});
