import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../../electron/shared/types';
import { cardFactsOf } from '../../../renderer/src/state/card-facts.svelte';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { ConsoleState } from '../../../renderer/src/state/console-state.svelte';
import { graphViewOf } from '../../../renderer/src/state/graph-view.svelte';
import { makeNode, makeReplica, makeSnapshot } from './fixtures';

const M = '10.0.0.1:6379';
const R1 = '10.0.0.2:6379';
const R2 = '10.0.0.3:6379';

/** A master and two replicas, read at `seq` seconds; `patch` changes some of them. */
function snapshot(seq: number, patch: Record<string, Partial<NodeState>> = {}) {
  const polledAt = 1_000_000 + seq * 1000;
  return makeSnapshot({
    seq,
    takenAt: polledAt,
    nodes: [makeNode(M, { polledAt, ...patch[M] }), makeReplica(R1, M, { polledAt, ...patch[R1] }), makeReplica(R2, M, { polledAt, ...patch[R2] })],
    edges: [
      { master: M, replica: R1, health: 'up' },
      { master: M, replica: R2, health: patch[R2]?.reachable === false ? 'down' : 'up' },
    ],
  });
}

function connected(clock = new Clock(1_000_000)): ConsoleState {
  const cs = new ConsoleState(clock);
  cs.beginConnect({ seeds: [M], user: null });
  cs.connected(snapshot(1), 1_000_000);
  return cs;
}

// The graph runs sync() in an effect, so each tick brings the facts up to date; the renderer's
// unit tests compile runes for the server (no effects), so these call it themselves.

describe('card facts', () => {
  it('hold what a card shows, and follow the ticks', () => {
    const cs = connected();
    const cards = cardFactsOf(cs);
    const r1 = cards.node(R1);
    expect(cardFactsOf(cs)).toBe(cards);
    expect(cards.node(R1)).toBe(r1);
    // When it was read is kept only while the card is stale (only then shown): fresh, it changes every tick.
    expect([r1.known, r1.reachable, r1.role, r1.edgeHealth, r1.nodeStale, r1.polledAt]).toEqual([true, true, 'replica', 'up', false, null]);
    expect(cards.node(M).replicasBelow).toBe(2);
    expect(cards.edge(M, R2).health).toBe('up');

    const lag = { ...makeReplica(R1, M).lag!, bytesBehindMaster: 2048, secondsBehind: 1.5 };
    cs.applySnapshot(snapshot(2, { [R1]: { offset: 999_999, lag }, [R2]: { reachable: false, error: { code: 'TIMEOUT', message: 'no answer' }, lag: { ...makeReplica(R2, M).lag!, basis: 'ack', lastAckSecondsAgo: 3 } } }), 1_001_000);
    cards.sync();
    expect([r1.offset, r1.lagText, r1.polledAt]).toEqual([999_999, '2.0 KiB · 1.5 s', null]);
    const r2 = cards.node(R2);
    expect([r2.reachable, r2.errorCode, r2.errorMessage]).toEqual([false, 'TIMEOUT', 'no answer']);
    expect(cards.edge(M, R2).health).toBe('down');
    expect(cards.node(M).online).toBe(cs.nodeByAddress.get(M)!.replicas.filter((r) => r.state === 'online').length);
    // Its last ACK, as its master lists it, is kept while it is unreachable (its edge says "no ACK 3 s").
    expect([r2.lastAck, r1.lastAck]).toEqual([3, null]);

    // Stale by the engine's rule: when it was read is kept, as the card shows it.
    cs.applySnapshot(snapshot(3, { [R1]: { stale: true, polledAt: 1_001_500 } }), 1_002_000);
    cards.sync();
    expect([r1.nodeStale, r1.stale, r1.polledAt]).toEqual([true, true, 1_001_500]);

    // When it was last seen is kept while the card says it (remembered, not reachable).
    expect(r1.lastSeenAt).toBeNull();
    cs.applySnapshot(snapshot(4, { [R1]: { reachable: false, remembered: true, lastSeenAt: 990_000 } }), 1_003_000);
    cards.sync();
    expect([r1.remembered, r1.lastSeenAt]).toEqual([true, 990_000]);
  });

  it('say a replica never read is known from the list of the master it is drawn under, and one remembered is not', () => {
    const cs = connected();
    const cards = cardFactsOf(cs);
    const r2 = cards.node(R2);
    expect(r2.listedBy).toBeNull();
    // Refusing the console from the start: never read, drawn under the master that lists it.
    const refusing = { reachable: false, polledAt: null, runId: null, error: { code: 'PROTECTED_MODE' as const, message: 'protected mode' } };
    cs.applySnapshot(snapshot(2, { [R2]: refusing }), 1_001_000);
    cards.sync();
    expect([r2.listedBy, r2.remembered, r2.lastSeenAt]).toEqual([M, false, null]);
    // Known from an earlier session's memory: remembered, with when it was last seen, not "listed by".
    cs.applySnapshot(snapshot(3, { [R2]: { ...refusing, remembered: true, lastSeenAt: 990_000 } }), 1_002_000);
    cards.sync();
    expect([r2.listedBy, r2.remembered, r2.lastSeenAt]).toEqual([null, true, 990_000]);
    // Read once in this session (a run_id): a node that went away, not one only listed.
    cs.applySnapshot(snapshot(4, { [R2]: { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } } }), 1_003_000);
    cards.sync();
    expect(r2.listedBy).toBeNull();
  });

  it('say "at least" for a lag in seconds that is only a lower bound, on the card, its edge label source and the table row', () => {
    // Cut off 75 s before the console started 10 ms ago: 10 ms is only the age of the master's history.
    const cs = connected();
    const cards = cardFactsOf(cs);
    const bound = { ...makeReplica(R1, M).lag!, bytesBehindMaster: 143, secondsBehind: 0.01, secondsBehindIsLowerBound: true };
    cs.applySnapshot(snapshot(2, { [R1]: { lag: bound } }), 1_001_000);
    cards.sync();
    expect(cards.node(R1).lagText).toBe('143 B · at least 10 ms');
    expect(cards.node(R1).lagSecondsLowerBound).toBe(true);
    expect(graphViewOf(cs).rowByAddress.get(R1)).toMatchObject({ lagSeconds: 0.01, lagSecondsLowerBound: true });
    // An exact figure is not dressed up as a bound.
    cs.applySnapshot(snapshot(3, { [R1]: { lag: { ...bound, secondsBehindIsLowerBound: false } } }), 1_002_000);
    cards.sync();
    expect(cards.node(R1).lagText).toBe('143 B · 10 ms');
  });

  it('keep the objects a card shows while they are equal (a warning list, a sync), and forget a node that is gone', () => {
    const cs = connected();
    const cards = cardFactsOf(cs);
    const warning = { code: 'WRITABLE_REPLICA' as const, message: 'writable', nodes: [R1] };
    const sync = { totalBytes: 100, readBytes: 50, percent: 50, lastIoSecondsAgo: 0 };
    cs.applySnapshot({ ...snapshot(2, { [R1]: { sync } }), warnings: [warning] }, 1_001_000);
    cards.sync();
    const r1 = cards.node(R1);
    const [warnings, shownSync] = [r1.warnings, r1.sync];
    expect(warnings).toHaveLength(1);
    cs.applySnapshot({ ...snapshot(3, { [R1]: { sync: { ...sync } } }), warnings: [{ ...warning, nodes: [R1] }] }, 1_002_000);
    cards.sync();
    expect(r1.warnings).toBe(warnings);
    expect(r1.sync).toBe(shownSync);
    cs.applySnapshot(makeSnapshot({ seq: 4, takenAt: 1_004_000, nodes: [makeNode(M)], edges: [] }), 1_003_000);
    cards.sync();
    expect([r1.known, r1.reachable, r1.sync, r1.warnings.length]).toEqual([false, false, null, 0]);
  });

  it('say late once no tick came for 3 poll intervals, by the clock', () => {
    const clock = new Clock(1_000_000);
    const cs = connected(clock);
    const cards = cardFactsOf(cs);
    cards.sync();
    expect(cards.late).toBe(false);
    expect([cards.node(R1).stale, cards.node(R1).polledAt]).toEqual([false, null]);
    clock.now = 1_000_000 + 3 * (cs.pollIntervalMs ?? 1000) + 1;
    cards.sync();
    expect(cards.late).toBe(true);
    // Every reachable card is stale now: each keeps when it was last read.
    expect([cards.node(R1).stale, cards.node(R1).polledAt]).toEqual([true, 1_001_000]);
  });
});
