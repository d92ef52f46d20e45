import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../../electron/shared/types';
import { COLLAPSE_OVER } from '../../../renderer/src/lib/graph-collapse';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { ConsoleState } from '../../../renderer/src/state/console-state.svelte';
import { graphViewOf } from '../../../renderer/src/state/graph-view.svelte';
import { makeNode, makeReplica, makeSnapshot } from './fixtures';

const M = '10.0.0.1:6379';
const replicas = Array.from({ length: COLLAPSE_OVER + 8 }, (_, i) => `10.0.1.${i + 1}:6379`);

/** A master with 20 replicas; `patch` changes some of them. */
function snapshot(seq: number, patch: Record<string, Partial<NodeState>> = {}) {
  return makeSnapshot({
    seq,
    takenAt: 1_000_000 + seq * 1000,
    nodes: [makeNode(M, { polledAt: 1_000_000 + seq * 1000 }), ...replicas.map((r) => makeReplica(r, M, { polledAt: 1_000_000 + seq * 1000, ...patch[r] }))],
    edges: replicas.map((r) => ({ master: M, replica: r, health: patch[r]?.reachable === false ? ('down' as const) : ('up' as const) })),
  });
}

function connected(): ConsoleState {
  const cs = new ConsoleState(new Clock(1_000_000));
  cs.beginConnect({ seeds: [M], user: null });
  cs.connected(snapshot(1), 1_000_000);
  return cs;
}

describe('GraphView of one topology', () => {
  it('starts a big fan-out collapsed, hides its healthy replicas and keeps the user choice across ticks', () => {
    const cs = connected();
    const view = graphViewOf(cs);
    expect(graphViewOf(cs)).toBe(view);
    expect(view.isCollapsed(M)).toBe(true);
    expect(view.folded.hidden.size).toBe(replicas.length);
    view.toggle(M);
    expect(view.isCollapsed(M)).toBe(false);
    cs.applySnapshot(snapshot(2), 1_001_000);
    expect(view.isCollapsed(M)).toBe(false);
    expect(view.folded.hidden.size).toBe(0);
  });

  it('does not lay the graph out again when only lag changes, and does when a node turns into a problem', () => {
    const cs = connected();
    const view = graphViewOf(cs);
    const key = view.layoutKey;
    const lagging = { lag: { ...makeReplica(replicas[3]!, M).lag!, bytesBehindMaster: 123_456, secondsBehind: 9 } };
    cs.applySnapshot(snapshot(2, { [replicas[3]!]: lagging }), 1_001_000);
    expect(view.rowByAddress.get(replicas[3]!)?.lagBytes).toBe(123_456);
    expect(view.layoutKey).toBe(key);
    cs.applySnapshot(snapshot(3, { [replicas[5]!]: { reachable: false } }), 1_002_000);
    expect(view.layoutKey).not.toBe(key);
    expect([...view.problems]).toEqual([replicas[5]]);
    // Beside the summary, not folded away.
    expect(view.folded.hidden.has(replicas[5]!)).toBe(false);
    expect(view.folded.hidden.size).toBe(replicas.length - 1);
  });

  it("the page losing its server (every node's figures stale) is no node's problem: nothing unfolds, the layout stays", () => {
    const clock = new Clock(1_000_000);
    const cs = new ConsoleState(clock);
    cs.beginConnect({ seeds: [M], user: null });
    cs.connected(snapshot(1, { [replicas[2]!]: { reachable: false } }), 1_000_000);
    const view = graphViewOf(cs);
    const key = view.layoutKey;
    expect([...view.problems]).toEqual([replicas[2]]);
    // No tick for 3 intervals: every reachable node reads stale, in the table too.
    clock.now = 1_010_000;
    expect(cs.stale).toBe(true);
    expect(view.rowByAddress.get(replicas[0]!)?.status).toBe('stale');
    expect([...view.problems]).toEqual([replicas[2]]);
    expect(view.layoutKey).toBe(key);
    expect(view.isCollapsed(M)).toBe(true);
    expect(view.folded.hidden.size).toBe(replicas.length - 1);
    // A node the engine itself found stale still is one.
    cs.applySnapshot(snapshot(11, { [replicas[2]!]: { reachable: false }, [replicas[4]!]: { stale: true } }), 1_011_000);
    clock.now = 1_011_000;
    expect(cs.stale).toBe(false);
    expect([...view.problems].sort()).toEqual([replicas[2], replicas[4]].sort());
  });

  it('a focus on a folded node expands its subtree, selects it and asks the graph to centre it', () => {
    const cs = connected();
    const view = graphViewOf(cs);
    view.focus(replicas[7]!);
    expect(view.isCollapsed(M)).toBe(false);
    expect(cs.selected).toBe(replicas[7]);
    expect(view.focusRequest).toEqual({ address: replicas[7], seq: 1 });
    view.focus(replicas[7]!);
    expect(view.focusRequest?.seq).toBe(2);
  });

  it('lists rows in topology order with depth, the state in one word', () => {
    const cs = connected();
    cs.applySnapshot(snapshot(2, { [replicas[0]!]: { reachable: false } }), 1_001_000);
    const view = graphViewOf(cs);
    expect(view.rows[0]).toMatchObject({ address: M, depth: 0, role: 'master', status: 'live' });
    expect(view.rows[1]).toMatchObject({ address: replicas[0], depth: 1, status: 'unreachable' });
    expect(view.rows).toHaveLength(replicas.length + 1);
  });

  it('keeps a row the same object across ticks while its figures are unchanged (structural sharing), and renews a changed one', () => {
    const cs = connected();
    const view = graphViewOf(cs);
    const before = view.rows;
    cs.applySnapshot(snapshot(2), 1_001_000);
    const after = view.rows;
    expect(after).not.toBe(before);
    expect(after.every((row, i) => row === before[i])).toBe(true);
    const lagging = replicas[3]!;
    cs.applySnapshot(snapshot(3, { [lagging]: { offset: 1 } }), 1_002_000);
    const third = view.rows;
    const changed = third.find((r) => r.address === lagging);
    expect(changed).not.toBe(after.find((r) => r.address === lagging));
    expect(changed?.offset).toBe(1);
    expect(third.filter((r) => r.address !== lagging).every((row) => after.includes(row))).toBe(true);
  });
});
