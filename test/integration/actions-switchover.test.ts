// Planned switchover on real servers under a steady write load: the default paused FAILOVER
// (CLIENT PAUSE WRITE, then FAILOVER TO … FORCE TIMEOUT 1), a bare FAILOVER TO, the manual
// CLIENT PAUSE sequence and the pre-6.2 fenced sequence all lose no acknowledged write;
// a target killed or stalled mid-way and an abort leave the old master writable and say so.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, docsLayout, masterWithReplicas } from '../../electron/lab/lab';
import type { StepProgress, SwitchoverMethod } from '../../electron/shared/actions';
import { caughtUp, check, direct, harness, planAndRun, replication, WriteLoad, type Harness } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { until } from '../helpers/until';

let load: WriteLoad | undefined;

const own = disposeAfterEach();

/** A master with two replicas, the action harness on it, and writes flowing to the master. */
async function twoReplicasUnderLoad(): Promise<{ lab: Lab; h: Harness; master: string; r1: string; writes: WriteLoad }> {
  const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
  const h = own(await harness(lab, 'master'));
  const writes = new WriteLoad(lab, ['master']).start();
  load = writes;
  await waitFor('50 writes', () => writes.acked.length >= 50, 5000);
  return { lab, h, master: lab.address('master'), r1: lab.address('replica-1'), writes };
}
afterEach(async () => {
  await load?.stop();
  load = undefined;
});

const NAMES = ['master', 'replica-1', 'replica-2', 'replica-3'];

async function switchoverUnderLoad(method: SwitchoverMethod): Promise<Lab> {
  const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
  const h = own(await harness(lab, 'master'));
  const [master, r1, r2, r3] = NAMES.map((n) => lab.address(n)) as [string, string, string, string];
  const writes = new WriteLoad(lab, NAMES).start();
  load = writes;
  // Writes flowing before and after: counted, not timed (a loaded machine made 30 in 400 ms).
  await waitFor('over 100 writes before the switchover', () => writes.acked.length > 100, 10_000);
  const before = writes.acked.length;

  const { plan, outcome } = await planAndRun(h, { kind: 'switchover', to: r1, options: { switchoverMethod: method, stepTimeoutMs: 8000 } });
  await waitFor('over 10 writes on the new master', () => (writes.countsByNode()['replica-1'] ?? 0) > 10, 10_000);
  await writes.stop();

  expect(outcome.steps.map((s) => [s.command, s.status])).toEqual(plan.steps.map((s) => [s.command, 'ok']));
  expect(outcome.ok).toBe(true);
  const byAddress = new Map(outcome.nodes.map((n) => [n.address, n]));
  expect(byAddress.get(r1)).toMatchObject({ role: 'master' });
  for (const replica of [master, r2, r3]) expect(byAddress.get(replica)).toMatchObject({ role: 'replica', master: r1, linkStatus: 'up' });

  // Writes went on before and after, and every acknowledged one is on the new master.
  const counts = writes.countsByNode();
  expect(before).toBeGreaterThan(100);
  expect(counts['master']).toBeGreaterThan(100);
  expect(counts['replica-1']).toBeGreaterThan(10);
  expect(await writes.missingOn('replica-1')).toEqual([]);
  await caughtUp(lab, 'replica-1', ['master', 'replica-2', 'replica-3']);
  for (const name of ['master', 'replica-2', 'replica-3']) expect(await writes.missingOn(name)).toEqual([]);
  for (const prediction of plan.predictions) expect(prediction, prediction.why).toMatchObject({ expected: 'partial' });
  return lab;
}

describe('switchover', () => {
  it('by default (paused FAILOVER … FORCE) under a write load: zero lost writes, every replica re-pointed, the old master released', async () => {
    const lab = await switchoverUnderLoad('auto');
    // Writes held by the pause were answered READONLY once the old master was a replica; none stayed paused.
    const old = direct(lab, 'master');
    expect(await old.call('ROLE').then((r) => (r as unknown[])[0])).toBe('slave');
    expect(await old.set('after', '1').catch((e: Error) => e.message)).toMatch(/^READONLY/);
    old.disconnect();
  });

  it('with a bare FAILOVER TO under a write load: zero lost writes', async () => {
    await switchoverUnderLoad('failover');
  });

  it('with the manual CLIENT PAUSE WRITE sequence under a write load: zero lost writes', async () => {
    await switchoverUnderLoad('pause');
  });

  it('with the pre-6.2 fenced sequence (min-replicas-to-write) under a write load: zero lost writes, setting restored', async () => {
    const lab = await switchoverUnderLoad('fence');
    const old = direct(lab, 'master');
    expect(await old.config('GET', 'min-replicas-to-write')).toEqual(['min-replicas-to-write', '0']);
    old.disconnect();
  });

  it('shows FAILOVER TO and the live master_failover_state in order', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const h = own(await harness(lab, 'master'));
    const r2 = lab.address('replica-2');
    const { plan, outcome, progress } = await planAndRun(h, { kind: 'switchover', to: r2, options: { stepTimeoutMs: 5000, switchoverMethod: 'failover' } });
    expect(plan.steps[0]).toMatchObject({ node: lab.address('master'), command: `FAILOVER TO 127.0.0.1 ${lab.port('replica-2')} TIMEOUT 5000`, destructive: true });
    expect(plan.confirmAddress).toBe(r2);
    const states = progress.filter((p) => p.stepId === 's1').map((p) => p.detail?.master_failover_state).filter(Boolean);
    expect(states[0]).toBe('waiting-for-sync');
    expect(states.at(-1)).toBe('no-failover');
    expect(outcome.ok).toBe(true);
  });

  it('stops with an accurate state when the target is killed mid-switchover; the old master takes writes again', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const h = own(await harness(lab, 'master'));
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    const writes = new WriteLoad(lab, ['master', 'replica-2']).start();
    load = writes;
    await waitFor('over 20 writes', () => writes.acked.length > 20, 10_000);

    let killed: Promise<void> | null = null;
    const seen: StepProgress[] = [];
    const { outcome } = await planAndRun(
      h,
      { kind: 'switchover', to: r1, options: { stepTimeoutMs: 2000, switchoverMethod: 'failover' } },
      {
        onProgress: (p) => {
          seen.push(p);
          // Stall the target as FAILOVER starts (so it cannot catch up), then kill it while the master waits.
          if (p.stepId === 's1' && p.status === 'running' && p.message.startsWith('sending')) lab.pause('replica-1');
          if (p.detail?.master_failover_state === 'waiting-for-sync' && !killed) killed = lab.kill('replica-1');
        },
      },
    );
    await killed;
    expect(seen.some((p) => p.detail?.master_failover_state === 'waiting-for-sync')).toBe(true);
    expect(outcome.ok).toBe(false);
    expect(outcome.status).toBe('failed');
    expect(outcome.steps[0]).toMatchObject({ status: 'failed', message: expect.stringMatching(/still the master and takes writes again/) });
    expect(outcome.steps[1]).toMatchObject({ status: 'skipped' });
    const byAddress = new Map(outcome.nodes.map((n) => [n.address, n]));
    expect(byAddress.get(master)).toMatchObject({ reachable: true, role: 'master' });
    expect(byAddress.get(r1)).toMatchObject({ reachable: false });
    expect(byAddress.get(r2)).toMatchObject({ role: 'replica', master });
    expect(outcome.nextSteps[0]).toMatch(/stopped before its main change took effect/);
    expect(outcome.nextSteps[0]).toContain(`${master} is a master`);
    expect(outcome.nextSteps[0]).toContain(`${r1} cannot be reached`);

    // The old master takes writes again.
    const writesBefore = writes.countsByNode()['master'] ?? 0;
    await waitFor('a write on the old master', () => (writes.countsByNode()['master'] ?? 0) > writesBefore, 10_000);
    await writes.stop();
    expect(await writes.missingOn('master')).toEqual([]);
    const audit = await h.actions.audit(1);
    expect(audit[0]).toMatchObject({ outcome: 'failed', steps: [expect.objectContaining({ status: 'failed' }), expect.objectContaining({ status: 'skipped' })] });
  });

  it('aborts safely while FAILOVER waits for sync: the old master stays master', async () => {
    const { lab, h, master, r1, writes } = await twoReplicasUnderLoad();

    let abort: Promise<{ accepted: boolean; message: string }> | null = null;
    const plan = await h.actions.plan({ kind: 'switchover', to: r1, options: { stepTimeoutMs: 8000, switchoverMethod: 'failover' } });
    try {
      const outcome = await h.actions.execute(plan.id, {
        confirmAddress: r1,
        onProgress: (p) => {
          if (p.stepId === 's1' && p.status === 'running' && p.message.startsWith('sending')) lab.pause('replica-1');
          if (p.detail?.master_failover_state === 'waiting-for-sync' && !abort) abort = h.actions.abort(plan.id);
        },
      });
      expect(await abort).toMatchObject({ accepted: true, message: expect.stringMatching(/FAILOVER ABORT sent/) });
      expect(outcome.status).toBe('aborted');
      expect(outcome.steps[0]).toMatchObject({ status: 'aborted' });
      expect(outcome.nodes.find((n) => n.address === master)).toMatchObject({ role: 'master' });
      expect(outcome.finishedAt - outcome.startedAt).toBeLessThan(4000);
    } finally {
      lab.resume('replica-1');
    }
    expect((await replication(lab, 'master')).master_failover_state).toBe('no-failover');
    // Writes go on.
    const acked = writes.acked.length;
    await waitFor('another write', () => writes.acked.length > acked, 10_000);
    expect(await h.actions.abort(plan.id)).toMatchObject({ accepted: false });
  });

  it('paused FAILOVER: a target that stalls while writes are paused times out before the pause ends; released, nothing handed over', async () => {
    const { lab, h, master, r1, writes } = await twoReplicasUnderLoad();
    try {
      const started = Date.now();
      const { outcome } = await planAndRun(
        h,
        { kind: 'switchover', to: r1, options: { stepTimeoutMs: 2500 } },
        {
          onProgress: (p) => {
            if (p.stepId === 's2' && p.status === 'running' && p.message.startsWith('sending')) lab.pause('replica-1');
          },
        },
      );
      expect(outcome.status).toBe('failed');
      expect(outcome.steps.map((s) => s.status)).toEqual(['ok', 'failed', 'skipped', 'skipped', 'skipped']);
      expect(outcome.steps[1]?.message).toMatch(/did not catch up in time/);
      expect(outcome.nextSteps[0]).toBe(`Done for you: CLIENT UNPAUSE on ${master}: it takes writes again`);
      // Released before the 2.5 s pause would have ended by itself.
      expect(outcome.finishedAt - started).toBeLessThan(2500 + 2000);
      expect((await replication(lab, 'master')).role).toBe('master');
      const acked = writes.acked.length;
      await waitFor('50 more writes', () => writes.acked.length > acked + 50, 2000);
    } finally {
      lab.resume('replica-1');
    }
    await writes.stop();
    expect(await writes.missingOn('master')).toEqual([]);
  });

  it('paused FAILOVER: an abort while waiting for the target releases the pause at once and sends no FAILOVER', async () => {
    const { lab, h, master, r1, writes } = await twoReplicasUnderLoad();
    let abort: Promise<{ accepted: boolean; message: string }> | null = null;
    const plan = await h.actions.plan({ kind: 'switchover', to: r1, options: { stepTimeoutMs: 8000 } });
    expect(plan.steps.map((s) => s.command)).toEqual([
      'CLIENT PAUSE 8000 WRITE',
      'INFO replication',
      `FAILOVER TO 127.0.0.1 ${lab.port('replica-1')} FORCE TIMEOUT 1`,
      'CLIENT UNPAUSE',
      `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`,
    ]);
    try {
      const outcome = await h.actions.execute(plan.id, {
        confirmAddress: r1,
        onProgress: (p) => {
          // The target stalls as the wait starts: it cannot catch up, and the operator aborts.
          if (p.stepId === 's2' && p.status === 'running' && p.message.startsWith('sending') && !abort) {
            lab.pause('replica-1');
            abort = h.actions.abort(plan.id);
          }
        },
      });
      expect(await abort).toMatchObject({ accepted: true });
      expect(outcome.status).toBe('aborted');
      expect(outcome.steps.map((s) => s.status)).toEqual(['ok', 'aborted', 'skipped', 'skipped', 'skipped']);
      expect(outcome.nextSteps).toContain(`Done for you: CLIENT UNPAUSE on ${master}: it takes writes again`);
      expect(outcome.finishedAt - outcome.startedAt).toBeLessThan(4000);
    } finally {
      lab.resume('replica-1');
    }
    expect(await replication(lab, 'master')).toMatchObject({ role: 'master', master_failover_state: 'no-failover' });
    const acked = writes.acked.length;
    await waitFor('50 more writes', () => writes.acked.length > acked + 50, 2000);
  });

  it('refuses when the master is down (use failover) or the target is a cascaded replica', async () => {
    const lab = own(await Lab.start({ nodes: docsLayout() }));
    const h = own(await harness(lab, 'master'));
    const cascaded = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1-1') });
    expect(check(cascaded, 'NOT_DIRECT_REPLICA')).toMatchObject({ verdict: 'refused' });
    await lab.kill('master');
    const down = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-2') });
    expect(check(down, 'MASTER_UNREACHABLE')).toMatchObject({ verdict: 'refused', message: expect.stringMatching(/Use failover/) });
    expect(down.canRun).toBe(false);
  });

  it('refuses a target restarted empty and waiting for its full sync: it holds none of the data, and the old master and siblings would be emptied too', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const writer = direct(lab, 'master');
    for (let i = 0; i < 300; i++) await writer.set(`k:${i}`, String(i));
    await caughtUp(lab, 'master', ['replica-1', 'replica-2']);
    // replica-1 restarts without its dump.rdb; its full sync waits 8 s on the master before the transfer.
    await lab.kill('replica-1');
    rmSync(path.join(lab.dir, 'replica-1', 'dump.rdb'), { force: true });
    await writer.config('SET', 'repl-diskless-sync-delay', '8');
    writer.disconnect();
    await lab.restart('replica-1');
    await until('replica-1 waiting for its full sync', async () => ((await replication(lab, 'replica-1')).master_link_status === 'down' ? true : undefined), 5000);
    const h = own(await harness(lab, 'master'));
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    const plan = await h.actions.plan({ kind: 'switchover', to: r1 });
    expect((await replication(lab, 'replica-1')).master_link_status, 'replica-1 synced before the plan was made').toBe('down');
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: expect.stringMatching(new RegExp(`^${r1} (is in the middle of a full sync|holds no keys at offset [01]): it has none of ${master}'s data \\(300 keys there\\), and promoting it loses all of it\\. ${master}, ${r2}, re-pointed to it, are emptied too`)),
    });
    expect(check(plan, 'LINK_DOWN')).toMatchObject({ verdict: 'refused' });
    expect(plan.canRun).toBe(false);
  });
});

/** Waits for `condition` to hold (the shared polling loop, until). */
async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  await until(what, async () => (condition() ? true : undefined), timeoutMs, 10);
}
