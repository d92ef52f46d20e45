// Re-pointing on real servers: REPLICAOF with its preflight (cycle, auth, reachability,
// Sentinel, cluster mode, running failover), verification, persistence and the audit log.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, docsLayout, masterWithReplicas } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';
import { caughtUp, check, codes, direct, harness, planAndRun, replication, sleep } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';

const PASSWORD = 'repoint-secret-42';
const cleanups: (() => Promise<void>)[] = [];

const own = disposeAfterEach();
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('replicaof', () => {
  it('moves a replica under a sibling: plan, verified run, drag candidates and one audit line', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const h = own(await harness(lab, 'master'));
    const [master, r1, r2] = [lab.address('master'), lab.address('replica-1'), lab.address('replica-2')];
    const writer = direct(lab, 'master');
    await writer.set('before', '1');
    writer.disconnect();
    // Both replicas must have the write: a sibling ahead of its new master needs a full sync.
    await caughtUp(lab, 'master', ['replica-1', 'replica-2']);

    // Drag r2: r1 is a valid new master, its current master is not, nor is r2 itself.
    await h.engine.refresh();
    const candidates = h.actions.candidates(r2);
    expect(candidates.find((c) => c.address === r1)).toMatchObject({ valid: true, reason: null });
    expect(candidates.find((c) => c.address === master)).toMatchObject({ valid: false, reason: 'already its master' });
    expect(candidates.map((c) => c.address)).not.toContain(r2);
    // Drag the master: its replicas would make a cycle.
    expect(h.actions.candidates(master).every((c) => !c.valid && /cycle/.test(c.reason ?? ''))).toBe(true);

    const { plan, outcome } = await planAndRun(h, { kind: 'replicaof', node: r2, master: r1 });
    // Siblings take one stream: the move is held inside a write pause on the master (RESYNC_RACE).
    expect(plan.steps.map((s) => [s.node, s.command])).toEqual([
      [master, 'CLIENT PAUSE 2000 WRITE'],
      [r1, 'INFO replication'],
      [r2, `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`],
      [master, 'CLIENT UNPAUSE'],
    ]);
    expect(check(plan, 'RESYNC_RACE').verdict).toBe('ok');
    expect(plan.predictions).toEqual([expect.objectContaining({ node: r2, master: r1, expected: 'partial', flushesData: false })]);
    expect(plan.confirmAddress).toBeNull();
    expect(codes(plan, 'refused')).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(outcome.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(outcome.steps[2]).toMatchObject({ message: expect.stringMatching(/link up \(partial resync\)/) });
    expect(outcome.nodes.find((n) => n.address === r2)).toMatchObject({ role: 'replica', master: r1, linkStatus: 'up' });
    expect((await replication(lab, 'replica-2')).master_port).toBe(String(lab.port('replica-1')));

    const audit = await h.actions.audit(10);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      v: 1,
      planId: plan.id,
      outcome: 'ok',
      who: { interface: 'cli', user: expect.any(String), host: expect.any(String) },
      steps: plan.steps.map((s) => expect.objectContaining({ node: s.node, command: s.command, status: 'ok', durationMs: expect.any(Number) })),
    });
    expect(outcome.auditFile).toBe(path.join(h.auditDir, 'audit.jsonl'));
  });

  it('a REPLICAOF the stalled replica gets but does not answer: told it may still take effect, kept in the journal, and it does', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const h = own(await harness(lab, 'master'));
    const [master, r1, r2] = [lab.address('master'), lab.address('replica-1'), lab.address('replica-2')];
    await caughtUp(lab, 'master', ['replica-1', 'replica-2']);
    let stalled = false;
    try {
      // SIGSTOP as the REPLICAOF goes out: it lands in replica-2's socket, and no answer comes.
      const { plan, outcome } = await planAndRun(
        h,
        { kind: 'replicaof', node: r2, master: r1 },
        {
          onProgress: (p) => {
            if (!stalled && p.status === 'running' && p.message.startsWith('sending REPLICAOF')) {
              lab.pause('replica-2');
              stalled = true;
            }
          },
        },
      );
      expect(plan.steps.map((s) => s.command)).toEqual(['CLIENT PAUSE 2000 WRITE', 'INFO replication', `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`, 'CLIENT UNPAUSE']);
      expect(stalled).toBe(true);
      expect(outcome.status).toBe('failed');
      expect(outcome.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'failed', 'skipped']);
      expect(outcome.steps[2]?.message).toMatch(new RegExp(`on ${r2} got no answer \\(.*did not answer within.*\\): it may have taken effect, or may still when ${r2} runs again`));
      const said = outcome.nextSteps.join('\n');
      expect(said).not.toMatch(/before its main change took effect/);
      expect(outcome.nextSteps[0]).toBe(`Done for you: CLIENT UNPAUSE on ${master}: it takes writes again`);
      expect(said).toContain(`${r2} cannot be reached`);
      expect(said).toContain(`when it is back, check its role then. A replica of ${r1} means the change took effect without the write pause`);
      expect(said).toContain(`to go back instead: REPLICAOF 127.0.0.1 ${lab.port('master')} on ${r2}`);
      expect(said).toContain(`still a replica of ${master} means nothing changed`);

      // Not a cleanly ended plan: the journal keeps it until replica-2 is read again.
      const kept = await h.actions.interrupted.check(h.engine.commands(), null);
      expect(kept.reports.map((r) => [r.planId, r.settled])).toEqual([[plan.id, false]]);
      expect(kept.reports[0]?.cause).toMatch(/REPLICAOF .* on .* got no answer/);
    } finally {
      lab.resume('replica-2');
    }
    // Resumed, replica-2 carries out the REPLICAOF it was sent.
    const deadline = Date.now() + 10_000;
    while ((await replication(lab, 'replica-2')).master_port !== String(lab.port('replica-1'))) {
      if (Date.now() > deadline) throw new Error('replica-2 never followed replica-1');
      await sleep(100);
    }
    // Once the console reads it again (its connection backs off while the node is stalled) and the
    // plan's 2 s pause is over, the plan is seen settled in its end state: reported once more, then closed.
    let last = await h.actions.interrupted.check(h.engine.commands(), null);
    while (!last.reports.every((r) => r.settled)) {
      if (Date.now() > deadline + 10_000) throw new Error(`never settled: ${JSON.stringify(last.reports)}`);
      await sleep(200);
      last = await h.actions.interrupted.check(h.engine.commands(), null);
    }
    expect(last.reports.map((r) => [r.planId, r.settled])).toEqual([[expect.any(String), true]]);
    expect((await h.actions.interrupted.check(h.engine.commands(), null)).reports).toEqual([]);
  });

  it('refuses a cycle: a node under its own descendant, or under itself', async () => {
    const lab = own(await Lab.start({ nodes: docsLayout() }));
    const h = own(await harness(lab, 'master'));
    const [master, r1, r11] = [lab.address('master'), lab.address('replica-1'), lab.address('replica-1-1')];

    const underDescendant = await h.actions.plan({ kind: 'replicaof', node: master, master: r11 });
    expect(underDescendant.canRun).toBe(false);
    expect(check(underDescendant, 'CYCLE')).toMatchObject({ verdict: 'refused', overridable: false });
    expect(check(underDescendant, 'CYCLE').message).toContain(`${master} → ${r1} → ${r11}`);
    await expect(h.actions.execute(underDescendant.id, { confirmAddress: master, overrides: ['CYCLE'] })).rejects.toMatchObject({
      code: 'PLAN_REFUSED',
      details: { nothingSent: true, checks: ['CYCLE'] },
    });

    const underItself = await h.actions.plan({ kind: 'replicaof', node: r1, master: `localhost:${lab.port('replica-1')}` });
    expect(check(underItself, 'CYCLE')).toMatchObject({ verdict: 'refused' });
    expect((await replication(lab, 'master')).role).toBe('master');
    expect((await replication(lab, 'replica-1')).master_port).toBe(String(lab.port('master')));
  });

  it('refuses a replica without masterauth for a password-protected master, and sets it when asked', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: PASSWORD }));
    const client = direct(lab, 'replica-2', PASSWORD);
    await client.config('SET', 'masterauth', '');
    client.disconnect();
    const h = own(await harness(lab, 'master', PASSWORD));
    const [r1, r2] = [lab.address('replica-1'), lab.address('replica-2')];

    const refused = await h.actions.plan({ kind: 'replicaof', node: r2, master: r1 });
    expect(refused.canRun).toBe(false);
    expect(check(refused, 'MASTERAUTH_MISSING')).toMatchObject({ verdict: 'refused', overridable: false });
    expect(check(refused, 'MASTERAUTH_MISSING').message).toMatch(/link would stay down.*set masterauth/);

    const { plan, outcome } = await planAndRun(h, { kind: 'replicaof', node: r2, master: r1, options: { setMasterauth: true } });
    expect(plan.steps.map((s) => s.command)).toEqual(['CONFIG SET masterauth ***', 'CLIENT PAUSE 2000 WRITE', 'INFO replication', `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`, 'CLIENT UNPAUSE']);
    expect(outcome.ok).toBe(true);
    expect((await replication(lab, 'replica-2', PASSWORD)).master_link_status).toBe('up');
    const everything = JSON.stringify({ refused, plan, outcome }) + (await readFile(outcome.auditFile, 'utf8'));
    expect(everything).not.toContain(PASSWORD);
  });

  it('re-attaches a lone master: full sync predicted, typed confirmation required, data replaced', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const writer = direct(lab, 'master');
    await writer.set('shared', 'from-master');
    await lab.stop('replica-2');
    await lab.restart('replica-2', { asLoneMaster: true });
    const lone = direct(lab, 'replica-2');
    await lone.set('stray', 'written-while-alone');
    lone.disconnect();
    const h = own(await harness(lab, 'master', undefined, [lab.address('replica-2')]));
    const [master, r2] = [lab.address('master'), lab.address('replica-2')];

    const plan = await h.actions.plan({ kind: 'replicaof', node: r2, master });
    expect(plan.canRun).toBe(true);
    expect(plan.predictions[0]).toMatchObject({ node: r2, expected: 'full', flushesData: true });
    expect(check(plan, 'FULL_SYNC').message).toMatch(/Its 1 key will be flushed/);
    expect(check(plan, 'MASTER_DEMOTED').verdict).toBe('warning');
    expect(plan.steps[0]?.destructive).toBe(true);
    expect(plan.confirmAddress).toBe(r2);
    await expect(h.actions.execute(plan.id, {})).rejects.toMatchObject({ code: 'NEEDS_CONFIRMATION', message: expect.stringContaining(`type ${r2} to confirm`), details: { nothingSent: true, confirm: r2 } });
    await expect(h.actions.execute(plan.id, { confirmAddress: master })).rejects.toMatchObject({ code: 'NEEDS_CONFIRMATION', details: { confirm: r2 } });

    const outcome = await h.actions.execute(plan.id, { confirmAddress: r2 });
    expect(outcome.ok).toBe(true);
    expect(outcome.steps[0]?.message).toMatch(/full sync/);
    const reattached = direct(lab, 'replica-2');
    expect(await reattached.get('shared')).toBe('from-master');
    expect(await reattached.get('stray')).toBeNull();
    reattached.disconnect();
    writer.disconnect();
  });

  it('refuses an unreachable target, a Sentinel as a data node, a cluster-mode node and a running FAILOVER', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
    const sentinel = await lab.startSentinel({ masterName: 'grp', master: 'master' });
    const cluster = await Lab.start({ nodes: [{ name: 'c' }], extraArgs: ['--cluster-enabled', 'yes'] });
    cleanups.push(() => cluster.close());
    const h = own(await harness(lab, 'master'));
    const [r1, r3] = [lab.address('replica-1'), lab.address('replica-3')];

    // A FAILOVER stuck waiting for a stalled replica: nothing else may move meanwhile.
    const admin = direct(lab, 'master');
    await admin.set('k', 'v');
    lab.pause('replica-2');
    try {
      await admin.call('FAILOVER', 'TO', '127.0.0.1', String(lab.port('replica-2')), 'TIMEOUT', '20000');
      const busy = await h.actions.plan({ kind: 'replicaof', node: r1, master: r3 });
      expect(check(busy, 'FAILOVER_RUNNING')).toMatchObject({ verdict: 'refused' });
      expect(check(busy, 'FAILOVER_RUNNING').message).toMatch(/waiting-for-sync/);
      expect(busy.canRun).toBe(false);
    } finally {
      await admin.call('FAILOVER', 'ABORT').catch(() => undefined);
      lab.resume('replica-2');
      admin.disconnect();
    }

    await lab.stop('replica-3');
    const unreachable = await h.actions.plan({ kind: 'replicaof', node: r1, master: r3 });
    expect(check(unreachable, 'UNREACHABLE_TARGET')).toMatchObject({ verdict: 'refused', nodes: [r3] });
    // The reason as the console met it: a new connection refused, or its open one closed by the stopping server.
    expect(check(unreachable, 'UNREACHABLE_TARGET').message).toMatch(/connection refused|connection was closed by the other side/);

    const toSentinel = await h.actions.plan({ kind: 'replicaof', node: r1, master: sentinel });
    expect(check(toSentinel, 'SENTINEL_NODE')).toMatchObject({ verdict: 'refused' });
    expect(check(toSentinel, 'SENTINEL_NODE').message).toMatch(/Sentinel.*"grp"/);

    const toCluster = await h.actions.plan({ kind: 'replicaof', node: r1, master: cluster.address('c') });
    expect(check(toCluster, 'CLUSTER_MODE')).toMatchObject({ verdict: 'refused' });
    for (const plan of [unreachable, toSentinel, toCluster]) expect(plan.canRun).toBe(false);
  });

  it('persists with CONFIG REWRITE: shows the real error without a config file, rewrites one that exists', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    // A server started from a config file, as in production.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-conf-'));
    const port = await freePort('127.0.0.1');
    const conf = path.join(dir, 'redis.conf');
    await writeFile(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nappendonly no\nprotected-mode no\nrepl-diskless-sync-delay 0\n`);
    const server: ChildProcess = spawn('redis-server', [conf], { stdio: 'ignore' });
    cleanups.push(async () => {
      server.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    });
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    for (let i = 0; i < 100; i++) {
      if (await probe.connect().then(() => true, () => false)) break;
      await sleep(50);
    }
    probe.disconnect();
    const h = own(await harness(lab, 'master', undefined, [`127.0.0.1:${port}`]));
    const [master, r1] = [lab.address('master'), lab.address('replica-1')];

    const withoutFile = await planAndRun(h, { kind: 'replicaof', node: r1, master: `127.0.0.1:${port}`, options: { persist: true } });
    expect(check(withoutFile.plan, 'NO_CONFIG_FILE')).toMatchObject({ verdict: 'warning', nodes: [r1] });
    expect(withoutFile.outcome.ok).toBe(false);
    const rewrite = withoutFile.outcome.steps.find((s) => s.command === 'CONFIG REWRITE');
    expect(rewrite).toMatchObject({ status: 'failed', message: expect.stringContaining('ERR The server is running without a config file') });
    expect(withoutFile.outcome.steps[0]?.status).toBe('ok');
    expect(withoutFile.outcome.nextSteps.join('\n')).toMatch(/live on .* but not persisted/);

    const withFile = await planAndRun(h, { kind: 'replicaof', node: `127.0.0.1:${port}`, master, options: { persist: true } });
    expect(withFile.outcome.ok).toBe(true);
    expect(await readFile(conf, 'utf8')).toMatch(new RegExp(`^replicaof 127\\.0\\.0\\.1 ${lab.port('master')}$`, 'm'));
  });
});
