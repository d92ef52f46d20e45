// Freshness on real servers: ten plans back to back in one engine session, and after each one
// every node keeps being read every interval (no node stale, the snapshot not frozen). Before
// the poll scheduler, a slot that came due during a plan's refresh ended that node's polling.
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../electron/engine/clock';
import { ReplicationEngine } from '../../electron/engine/engine';
import type { SlotTiming } from '../../electron/engine/poll-scheduler';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { ActionRequest } from '../../electron/shared/actions';
import type { TickUpdate, TopologySnapshot } from '../../electron/shared/types';
import { caughtUp, direct, harness, planAndRun, type Harness } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { describe as describeSnapshot, waitForTick } from '../helpers/engine';
import { FakeClock } from '../helpers/fake-clock';

const own = disposeAfterEach();

/** The harness polls every 200 ms. */
const INTERVAL = 200;
/** Intervals watched after each plan. */
const WATCH = 6;
/**
 * Plans previewed (and thrown away) before each one that runs: one is enough to start a refresh
 * just before a slot ten times over (three cost ~7 s more and caught nothing one does not; the
 * refreshes-back-to-back case below overlaps slots far more often).
 */
const PREVIEWS = 1;

/** The next `count` ticks the engine publishes on its own (refresh() publishes extra ones; none are asked for here). */
function nextTicks(engine: ReplicationEngine, count: number): Promise<TickUpdate[]> {
  return new Promise((resolve, reject) => {
    const ticks: TickUpdate[] = [];
    // Generous: a frozen schedule still ticks, so this only fires if the ticks themselves stop.
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`only ${ticks.length} of ${count} ticks in ${count * 4} intervals: the tick schedule stopped`));
    }, count * INTERVAL * 4);
    const dispose = engine.onTick((update) => {
      ticks.push(update);
      if (ticks.length < count) return;
      clearTimeout(timer);
      dispose();
      resolve(ticks);
    });
  });
}

/** Resolve a millisecond before the next poll slot: ticks fall half an interval after the slots. */
async function justBeforeNextSlot(engine: ReplicationEngine): Promise<void> {
  const [tick] = await nextTicks(engine, 1);
  const slot = (tick?.snapshot.takenAt ?? Date.now()) + INTERVAL / 2;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, slot - 1 - Date.now())));
}

/**
 * Over the next WATCH ticks, every node is read between each tick and the next, none is
 * stale, and each tick is a new one. One missed step per node is forgiven: on two shared
 * cores a timer can be late by more than the half interval between a poll and its tick.
 */
async function expectPolledOnSchedule(engine: ReplicationEngine, label: string): Promise<void> {
  const ticks = await nextTicks(engine, WATCH + 1);
  const snapshots = ticks.map((t) => t.snapshot);
  const last = snapshots.at(-1) as TopologySnapshot;
  const problems: string[] = [];
  for (const [i, snapshot] of snapshots.entries()) {
    const previous = snapshots[i - 1];
    if (previous && !(snapshot.seq > previous.seq && snapshot.takenAt > previous.takenAt)) problems.push(`tick ${i} is not newer than tick ${i - 1}`);
    for (const node of snapshot.nodes) {
      if (!node.reachable) problems.push(`tick ${i}: ${node.address} unreachable (${node.error?.code ?? '?'})`);
      if (node.stale) problems.push(`tick ${i}: ${node.address} stale, last read ${snapshot.takenAt - (node.polledAt ?? 0)} ms before the tick`);
    }
  }
  for (const node of last.nodes) {
    const readings = snapshots.map((s) => s.nodes.find((n) => n.address === node.address)?.polledAt ?? null);
    const advanced = readings.slice(1).filter((at, i) => at !== null && at > (readings[i] ?? Infinity)).length;
    if (advanced < WATCH - 1) problems.push(`${node.address} read in ${advanced} of ${WATCH} intervals (polledAt ${readings.map((r) => (r === null ? '-' : r - (readings[0] ?? 0))).join(', ')})`);
  }
  const span = last.takenAt - (snapshots[0]?.takenAt ?? 0);
  if (span > WATCH * INTERVAL * 2) problems.push(`${WATCH} intervals took ${span} ms`);
  expect(problems, `${label}\n${describeSnapshot(last)}`).toEqual([]);
}

describe('poll schedule', () => {
  it('keeps every node polled on schedule through ten plans back to back in one session', { timeout: 180_000 }, async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
    const h: Harness = own(await harness(lab, 'master'));
    const [master, r1, r2, r3] = ['master', 'replica-1', 'replica-2', 'replica-3'].map((n) => lab.address(n)) as [string, string, string, string];
    const plans: { label: string; request: ActionRequest; newMaster: string }[] = [
      { label: 'switchover to replica-1 with FAILOVER', request: { kind: 'switchover', to: r1, options: { switchoverMethod: 'failover' } }, newMaster: 'replica-1' },
      { label: 'switchover back with CLIENT PAUSE', request: { kind: 'switchover', to: master, options: { switchoverMethod: 'pause' } }, newMaster: 'master' },
      { label: 'switchover to replica-1 with the fence', request: { kind: 'switchover', to: r1, options: { switchoverMethod: 'fence' } }, newMaster: 'replica-1' },
      { label: 'switchover back with FAILOVER', request: { kind: 'switchover', to: master, options: { switchoverMethod: 'failover' } }, newMaster: 'master' },
      { label: 'replica-3 under replica-2', request: { kind: 'replicaof', node: r3, master: r2 }, newMaster: 'master' },
      { label: 'replica-3 back under the master', request: { kind: 'replicaof', node: r3, master }, newMaster: 'master' },
      { label: 'switchover to replica-2 with CLIENT PAUSE', request: { kind: 'switchover', to: r2, options: { switchoverMethod: 'pause' } }, newMaster: 'replica-2' },
      { label: 'switchover back with the fence', request: { kind: 'switchover', to: master, options: { switchoverMethod: 'fence' } }, newMaster: 'master' },
      { label: 'promote replica-3 alone', request: { kind: 'promote', node: r3, repointSiblings: false }, newMaster: 'master' },
      { label: 'replica-3 back under the master', request: { kind: 'replicaof', node: r3, master }, newMaster: 'master' },
    ];
    await expectPolledOnSchedule(h.engine, 'before any plan');
    for (const [i, { label, request, newMaster }] of plans.entries()) {
      const full: ActionRequest = { ...request, options: { stepTimeoutMs: 8000, ...request.options } };
      // As the plan dialog does while the operator looks at the options: each preview reads every
      // node. They start just before a slot, the moment at which the old engine lost a node's schedule.
      for (let preview = 0; preview < PREVIEWS; preview++) {
        await justBeforeNextSlot(h.engine);
        await h.actions.plan(full);
      }
      const { outcome } = await planAndRun(h, full);
      expect(outcome.ok, `plan ${i + 1} (${label}): ${outcome.steps.map((s) => `${s.command} ${s.status} ${s.message}`).join('; ')}`).toBe(true);
      await expectPolledOnSchedule(h.engine, `after plan ${i + 1}: ${label}`);
      // A switchover needs its target to have every byte: let the replication settle before the next plan.
      const others = ['master', 'replica-1', 'replica-2', 'replica-3'].filter((n) => n !== newMaster && !(i === 8 && n === 'replica-3'));
      await caughtUp(lab, newMaster, others);
    }
  });

  it('keeps every node polled through refreshes back to back, which overlap its slots', async () => {
    // What a plan does three times (plan, re-check, outcome), done for two seconds without a pause:
    // the nodes are being read most of the time, so nearly every slot comes due during a refresh.
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
    const h: Harness = own(await harness(lab, 'master'));
    const until = Date.now() + 10 * INTERVAL;
    let refreshes = 0;
    while (Date.now() < until) {
      await h.engine.refresh();
      refreshes++;
    }
    expect(refreshes).toBeGreaterThan(20);
    await expectPolledOnSchedule(h.engine, `after ${refreshes} refreshes`);
  });

  it('reads masters first, their replicas 10 ms later, and nodes it cannot reach a quarter interval after the slot', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const slots = new Map<string, SlotTiming[]>();
    const engine = own(
      new ReplicationEngine({
        connectTimeoutMs: 800,
        commandTimeoutMs: 800,
        onPollSlot: (address, slot) => slots.set(address, [...(slots.get(address) ?? []), slot]),
      }),
    );
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: INTERVAL });
    await lab.kill('replica-2');
    await waitForTick(engine, (u) => u.snapshot.nodes.some((n) => n.address === lab.address('replica-2') && !n.reachable), 5000, 'replica-2 unreachable');
    // Each slot is set one interval ahead: the phase a node has now applies from the slot after next.
    await nextTicks(engine, 1);
    slots.clear();
    await nextTicks(engine, 3);
    const offsets = (name: string): number[] => [...new Set((slots.get(lab.address(name)) ?? []).map((s) => (s.scheduledAt - (slots.get(lab.address('master'))?.[0]?.scheduledAt ?? 0)) % INTERVAL))];
    expect(offsets('master')).toEqual([0]);
    expect(offsets('replica-1')).toEqual([10]);
    expect(offsets('replica-2')).toEqual([INTERVAL / 4]);
  });

  it('goes on reading and ticking when the wall clock is set back an hour (NTP, an administrator), every node read after it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    // The system clock with a setting of its own; timers stay Node's, on monotonic time, as on a machine whose clock is set.
    let offset = 0;
    const clock: Clock = { now: () => Date.now() + offset, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) };
    const engine = own(new ReplicationEngine({ clock, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: INTERVAL });
    await nextTicks(engine, 2);
    offset = -3_600_000;
    const setAt = clock.now();
    // Before, the console stopped reading and ticking for the hour the clock went back.
    const ticks = await nextTicks(engine, 5);
    const last = ticks.at(-1)!.snapshot;
    expect(last.nodes).toHaveLength(3);
    expect(last.nodes.every((n) => n.reachable && !n.stale && n.polledAt !== null && n.polledAt >= setAt), describeSnapshot(last)).toBe(true);
  });

  it('under writes, lag in seconds, the write rate and the history stay true when the wall clock is set back an hour', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    let offset = 0;
    const clock: Clock = { now: () => Date.now() + offset, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) };
    const engine = own(new ReplicationEngine({ clock, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const writer = new Redis({ port: lab.port('master'), lazyConnect: true, maxRetriesPerRequest: 0 });
    own({ close: async () => writer.disconnect() });
    let writing = true;
    const writes = (async () => {
      for (let i = 0; writing; i++) await writer.set(`clock:${i % 100}`, 'x'.repeat(200)).catch(() => undefined);
    })();
    own({ close: async () => ((writing = false), await writes) });
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: INTERVAL });
    // Ten seconds of readings: the write rate is measured over ten (a window that spans the step).
    await waitForTick(engine, (u) => u.snapshot.nodes.every((n) => n.role !== 'replica' || (n.lag?.secondsBehind ?? null) !== null), 15_000, 'lag in seconds');
    await nextTicks(engine, 50);
    offset = -3_600_000;
    const ticks = await nextTicks(engine, 30);
    for (const { snapshot } of ticks) {
      for (const node of snapshot.nodes.filter((n) => n.role === 'replica')) {
        // Caught up within a fraction of a second, on loopback: an hour off either way is the step misread.
        expect(Math.abs(node.lag?.secondsBehind ?? 0), `${node.address} at ${snapshot.seq}`).toBeLessThan(5);
      }
      const master = snapshot.nodes.find((n) => n.role === 'master');
      const rate = master?.backlogWindow?.writeBytesPerSecond ?? null;
      expect(rate !== null && rate > 0, `write rate at ${snapshot.seq}: ${rate}`).toBe(true);
    }
    // The chart history is in time order, the last point the last tick's.
    const times = engine.history({ node: lab.address('master') }).map((p) => p.t);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!), 'history in time order').toBe(true);
    expect(times.at(-1)).toBe(ticks.at(-1)!.snapshot.takenAt);
  });

  it('a node stalled when the wall clock is set back an hour stays stale, and its STALE alert firing', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    let offset = 0;
    const clock: Clock = { now: () => Date.now() + offset, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) };
    // A command timeout far longer than the test: the stalled replica stays reachable and unread.
    const engine = own(new ReplicationEngine({ clock, connectTimeoutMs: 800, commandTimeoutMs: 60_000 }));
    engine.setAlertThresholds({ staleSeconds: 1 });
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: INTERVAL });
    const replica = lab.address('replica-1');
    lab.pause('replica-1');
    try {
      const firing = (update: TickUpdate): boolean => update.alerts?.alerts.some((a) => a.rule === 'STALE' && a.node === replica && a.state === 'firing') ?? false;
      await waitForTick(engine, firing, 10_000, 'STALE firing for replica-1');
      offset = -3_600_000;
      // Before, its last reading was an hour "ahead" of the clock: not stale, and STALE resolved, for that hour.
      const ticks = await nextTicks(engine, 5);
      for (const tick of ticks) {
        const node = tick.snapshot.nodes.find((n) => n.address === replica);
        expect({ stale: node?.stale, reachable: node?.reachable, firing: firing(tick) }).toEqual({ stale: true, reachable: true, firing: true });
      }
    } finally {
      lab.resume('replica-1');
    }
  });

  it('folds a second address of a node into it while running: one schedule left, polled every interval', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const slots = new Map<string, number>();
    const engine = own(new ReplicationEngine({ onPollSlot: (address) => slots.set(address, (slots.get(address) ?? 0) + 1) }));
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: INTERVAL });
    // The replica now names its master by another address: the engine adds it, reads it, finds the same run_id.
    const other = `localhost:${lab.port('master')}`;
    const replica = direct(lab, 'replica-1');
    try {
      await replica.call('REPLICAOF', 'localhost', String(lab.port('master')));
    } finally {
      replica.disconnect();
    }
    const merged = await waitForTick(
      engine,
      (u) => u.snapshot.nodes.some((n) => n.address === lab.address('master') && n.aliases.includes(other)),
      5000,
      `${other} folded into the master`,
    );
    expect(merged.snapshot.nodes).toHaveLength(2);
    slots.clear();
    await expectPolledOnSchedule(engine, 'after the merge');
    expect(slots.get(other)).toBeUndefined();
    expect(slots.get(lab.address('master'))).toBeGreaterThanOrEqual(WATCH);
    expect(slots.get(lab.address('replica-1'))).toBeGreaterThanOrEqual(WATCH);
  });

  it('marks nodes stale by the engine clock when reads fall behind, and a refresh waits for the reads under way', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const clock = new FakeClock(Date.now());
    const engine = own(new ReplicationEngine({ clock, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const first = await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 1000 });
    expect(first.nodes.map((n) => [n.reachable, n.stale])).toEqual([
      [true, false],
      [true, false],
      [true, false],
    ]);
    expect(first.nodes.every((n) => n.polledAt === clock.now())).toBe(true);

    // Four intervals go by while every server is stopped: the overdue slots send their reads,
    // which hang, and the overdue tick sees reachable nodes last read 4 s ago by the engine's clock.
    const names = ['master', 'replica-1', 'replica-2'];
    const ticks: TopologySnapshot[] = [];
    const dispose = engine.onTick((u) => ticks.push(u.snapshot));
    let refreshed: TopologySnapshot;
    try {
      for (const name of names) lab.pause(name);
      clock.jump(4000);
      await clock.advance(0);
      dispose();
      expect(ticks).toHaveLength(1);
      expect(ticks[0]?.nodes.map((n) => [n.reachable, n.stale, (ticks[0]?.takenAt ?? 0) - (n.polledAt ?? 0)])).toEqual([
        [true, true, 4000],
        [true, true, 4000],
        [true, true, 4000],
      ]);
      // refresh() waits for the reads under way (it used to skip them and return the stale view at once).
      const refreshing = engine.refresh();
      await clock.advance(0);
      for (const name of names) lab.resume(name);
      refreshed = await refreshing;
    } finally {
      for (const name of names) lab.resume(name);
    }
    expect(refreshed.nodes.map((n) => [n.reachable, n.stale, n.polledAt])).toEqual([
      [true, false, clock.now()],
      [true, false, clock.now()],
      [true, false, clock.now()],
    ]);
  });
});
