// The header says LIVE only while ticks arrive and every node is fresh; a stale node is
// shown with the age of its last reading, by the renderer's clock, and its old offset is
// never charted as if it were current.
import { describe, expect, it } from 'vitest';
import { formatAge, loadAgeMs, nodeAgeMs, staleLabel } from '../../../renderer/src/lib/freshness';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { ConsoleState } from '../../../renderer/src/state/console-state.svelte';
import { pointFromNode } from '../../../renderer/src/state/history-state.svelte';
import { labSnapshot, makeReplica } from './fixtures';

const NOW = 1_000_000;
const R1 = '127.0.0.1:7001';
const R2 = '127.0.0.1:7002';

function connected(): { state: ConsoleState; clock: Clock } {
  const clock = new Clock(NOW);
  const state = new ConsoleState(clock);
  state.beginConnect({ seeds: [R1], user: null });
  state.connected(labSnapshot(1, NOW), NOW);
  return { state, clock };
}

describe('ages', () => {
  it('counts from the last successful poll, never below zero, and reads "stale · 7 s"', () => {
    expect(nodeAgeMs({ polledAt: NOW - 7_400 }, NOW)).toBe(7_400);
    expect(nodeAgeMs({ polledAt: NOW + 50 }, NOW)).toBe(0);
    expect(nodeAgeMs({ polledAt: null }, NOW)).toBeNull();
    expect(staleLabel(7_400)).toBe('stale · 7 s');
    expect(formatAge(125_000)).toBe('2 min 5 s');
    // A short poll interval is stale within a second: never "0 s".
    expect(formatAge(300)).toBe('300 ms');
    expect(formatAge(null)).toBe('never read');
  });
});

describe('freshness of the view', () => {
  it('is live while ticks arrive and every node is fresh', () => {
    const { state } = connected();
    expect(state.freshness).toBe('live');
    expect(state.staleNodes).toEqual([]);
    expect(state.oldestStaleAgeMs).toBeNull();
  });

  it('names the stale nodes and the oldest age, which grows with the clock until a fresh reading', () => {
    const { state, clock } = connected();
    const tick = labSnapshot(2, NOW + 1000, {
      [R1]: { stale: true, polledAt: NOW - 3_000 },
      [R2]: { stale: true, polledAt: NOW - 6_000 },
    });
    state.applySnapshot(tick, NOW + 1000);
    clock.now = NOW + 1000;
    expect(state.freshness).toBe('nodes-stale');
    expect(state.staleNodes.map((n) => n.address)).toEqual([R1, R2]);
    expect(state.oldestStaleAgeMs).toBe(7_000);
    expect(state.oldestStale?.address).toBe(R2);
    clock.now = NOW + 2000;
    expect(state.oldestStaleAgeMs).toBe(8_000);
    expect(state.ageOf(state.staleNodes[0]!)).toBe(5_000);

    state.applySnapshot(labSnapshot(3, NOW + 2000), NOW + 2000);
    expect(state.freshness).toBe('live');
    expect(state.oldestStaleAgeMs).toBeNull();
  });

  it('ages a node from no earlier than the tick that brought it, when the clock last ticked before', () => {
    const { state, clock } = connected();
    // The clock ticked at NOW; the tick marking R1 stale (3 s unread) arrives 900 ms later.
    state.applySnapshot(labSnapshot(2, NOW + 900, { [R1]: { stale: true, polledAt: NOW + 900 - 3_000 } }), NOW + 900);
    expect(clock.now).toBe(NOW);
    expect(state.ageOf(state.staleNodes[0]!)).toBe(3_000);
    expect(state.oldestStaleAgeMs).toBe(3_000);
    clock.now = NOW + 1000;
    expect(state.oldestStaleAgeMs).toBe(3_100);
  });

  it('does not count an unreachable node as stale: it is shown as unreachable', () => {
    const { state } = connected();
    state.applySnapshot(labSnapshot(2, NOW + 1000, { [R1]: { stale: true, reachable: false } }), NOW + 1000);
    expect(state.staleNodes).toEqual([]);
    expect(state.freshness).toBe('live');
  });

  it('says ticks stopped before anything else', () => {
    const { state, clock } = connected();
    state.applySnapshot(labSnapshot(2, NOW + 1000, { [R1]: { stale: true, polledAt: NOW - 3_000 } }), NOW + 1000);
    clock.now = NOW + 1000 + 3 * 1000 + 1;
    expect(state.stale).toBe(true);
    expect(state.freshness).toBe('no-ticks');
    // Nothing shown is being read any more: every reachable node is out of date, with its age.
    expect(state.staleNodes).toHaveLength(4);
    expect(state.oldestStaleAgeMs).toBe(1000 + 3 * 1000 + 1 + 3_000);
  });

  it('says the console server does not answer when ticks stop and the link\'s probes wait too, not when only ticks stop', () => {
    const { state, clock } = connected();
    state.applySnapshot(labSnapshot(2, NOW + 1000), NOW + 1000);
    state.followLink({ reachable: true, since: NOW, host: '127.0.0.1:1', roundTripMs: 2 });
    clock.now = NOW + 1000 + 3 * 1000 + 1;
    // The server answers its probes: the ticks stopped behind it (the engine), not the server.
    expect(state.freshness).toBe('no-ticks');
    expect(state.serverSilent).toBe(false);
    // The oldest probe has waited 4 s: the server itself is silent (stopped, hung).
    state.followLink({ reachable: true, since: NOW, host: '127.0.0.1:1', roundTripMs: 4000 });
    expect(state.serverSilent).toBe(true);
    // Lost outright is said by the bar above the tabs, not here.
    state.followLink({ reachable: false, since: NOW, host: '127.0.0.1:1', roundTripMs: null });
    expect(state.serverSilent).toBe(false);
  });

  it('says ticks stopped when they stop just as the clock is set back: time going by is counted on a clock no one sets', () => {
    const clock = new Clock(NOW, 50_000);
    const state = new ConsoleState(clock);
    state.beginConnect({ seeds: [R1], user: null });
    state.connected(labSnapshot(1, NOW), NOW, 50_000);
    state.applySnapshot(labSnapshot(2, NOW + 1000), NOW + 1000, 51_000);
    // 4 s go by and the clock is set back an hour on the way (NTP, a VM resumed): no tick came.
    clock.now = NOW + 5000 - 3_600_000;
    clock.monotonic = 55_000;
    // Before, by the wall clock alone, no time had gone by: LIVE for the hour the clock went back.
    expect(state.sinceTickMs).toBe(4000);
    expect(state.freshness).toBe('no-ticks');
    state.applySnapshot(labSnapshot(3, NOW + 5000 - 3_600_000), NOW + 5000 - 3_600_000, 55_000);
    expect(state.freshness).toBe('live');
  });
});

describe('chart points of a stale node', () => {
  it('leave a gap for its old offset but keep the lag estimated from its master', () => {
    const stale = makeReplica(R1, '127.0.0.1:7000', {
      stale: true,
      offset: 4242,
      lag: {
        bytesBehindMaster: 512,
        bytesBehindRoot: null,
        unappliedBytes: null,
        secondsBehind: 2,
        secondsBehindIsLowerBound: false,
        lastAckSecondsAgo: 4,
        lastMasterIoSecondsAgo: null,
        basis: 'ack',
        secondsBehindRoot: null,
        secondsBehindRootIsLowerBound: false,
        behindBecauseOf: null,
        inCycle: false,
      },
    });
    // No load read yet: its figures are null, not zero.
    expect(pointFromNode(stale, NOW)).toEqual({
      t: NOW,
      offset: null,
      lagBytes: 512,
      lagSeconds: 2,
      opsPerSecond: null,
      netInputBytesPerSecond: null,
      netOutputBytesPerSecond: null,
      usedMemoryBytes: null,
    });
    expect(pointFromNode({ ...stale, stale: false }, NOW).offset).toBe(4242);
  });
});

describe('the load figures\' age', () => {
  const read = 10_000;
  it('is said when the load is older than the last poll, and whenever the node is not being read', () => {
    // Read with the last poll, the node answering: current, no age.
    expect(loadAgeMs(read, { polledAt: read, reachable: true }, false, read + 5000)).toBeNull();
    // Read some polls ago.
    expect(loadAgeMs(read, { polledAt: read + 4000, reachable: true }, false, read + 5000)).toBe(5000);
    // The last poll read it, and then the node stopped answering: its figures are 7 s old, not current.
    expect(loadAgeMs(read, { polledAt: read, reachable: false }, false, read + 7000)).toBe(7000);
    expect(loadAgeMs(read, { polledAt: read, reachable: true }, true, read + 7000)).toBe(7000);
    // Under a second: not worth saying.
    expect(loadAgeMs(read, { polledAt: read, reachable: false }, false, read + 500)).toBeNull();
  });
});
