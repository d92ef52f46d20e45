// Whatever a server reports, no list the renderer keys may repeat a key: Svelte throws on a
// repeated key in a keyed {#each} and the screen stops rendering (the connect screen stays,
// the details panel never appears). These snapshots are what real misconfigurations produce.
import { describe, expect, it } from 'vitest';
import type { ListedReplica, TopologySnapshot, TopologyWarning } from '../../../electron/shared/types';
import { GraphIds, graphEdges, graphNodes } from '../../../renderer/src/lib/graph-elements';
import { layoutTopology } from '../../../renderer/src/lib/graph-layout';
import { fromListKey, listKey, tupleKey, uniqueBy, withUniqueKeys } from '../../../renderer/src/lib/keys';
import { listedReplicaRows } from '../../../renderer/src/lib/listed-replicas';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { ConsoleState, edgeKey, warningKey } from '../../../renderer/src/state/console-state.svelte';
import { EventsState } from '../../../renderer/src/state/events-state.svelte';
import { makeEvent, makeNode, makeReplica, makeSnapshot } from './fixtures';

const M = '127.0.0.1:7000';
const R1 = '127.0.0.1:7001';
const R2 = '127.0.0.1:7002';

function listed(address: string, ackOffset = 100): ListedReplica {
  return { address, state: 'online', ackOffset, ackAgeSeconds: 0 };
}

function stateWith(snapshot: TopologySnapshot): ConsoleState {
  const state = new ConsoleState(new Clock(snapshot.takenAt));
  state.beginConnect({ seeds: [M], user: null });
  state.connected(snapshot, snapshot.takenAt);
  return state;
}

function expectDistinct(keys: readonly string[]): void {
  expect(new Set(keys).size).toBe(keys.length);
}

/** What the engine reports for a master that lists its own address (a replica announcing it). */
function selfListingMaster(): TopologySnapshot {
  return makeSnapshot({
    nodes: [makeNode(M, { replicas: [listed(M), listed(R1)] }), makeReplica(R1, M)],
    edges: [{ master: M, replica: R1, health: 'up' }],
    warnings: [
      { code: 'NOT_POINTING_BACK', message: `${M} lists ${M} as its replica, but that node replicates from no master`, nodes: [M, M] },
      { code: 'DUPLICATE_ADDRESS', message: `${M} lists its own address as a replica`, nodes: [M, M] },
    ],
  });
}

/** Two replicas announcing one address: the master lists it twice, the same warning comes twice. */
function sharedAnnounceAddress(): TopologySnapshot {
  const warning: TopologyWarning = { code: 'DUPLICATE_ADDRESS', message: `${M} lists ${R1} on 2 lines`, nodes: [M, R1] };
  return makeSnapshot({
    nodes: [makeNode(M, { replicas: [listed(R1, 100), listed(R1, 90)] }), makeReplica(R1, M), makeReplica(R2, M)],
    edges: [
      { master: M, replica: R1, health: 'up' },
      { master: M, replica: R2, health: 'up' },
    ],
    warnings: [warning, { ...warning, nodes: [...warning.nodes] }],
  });
}

describe('keys', () => {
  it('gives repeats keys of their own, counting them, and never collides with a key that looks like one', () => {
    const rows = withUniqueKeys(['a', 'b', 'a', '["a","2"]'], (x) => x);
    expectDistinct(rows.map((r) => r.key));
    expect(rows.map((r) => [r.occurrence, r.count])).toEqual([
      [1, 2],
      [1, 1],
      [2, 2],
      [1, 1],
    ]);
  });

  it('keeps the first of each key, and the same array when nothing repeats', () => {
    const list = ['x', 'y'];
    expect(uniqueBy(list, (v) => v)).toBe(list);
    expect(uniqueBy(['x', 'y', 'x'], (v) => v)).toEqual(['x', 'y']);
  });

  it('joins lists and tuples without a separator a server could forge', () => {
    expect(tupleKey('a>b:1', 'c:2')).not.toBe(tupleKey('a', 'b:1>c:2'));
    expect(edgeKey('a>b:1', 'c:2')).not.toBe(edgeKey('a', 'b:1>c:2'));
    const withSpace = ['host with space:1', 'h:2'];
    expect(fromListKey(listKey(withSpace))).toEqual(withSpace);
    expect(fromListKey(listKey([]))).toEqual([]);
  });
});

describe('a master that lists itself', () => {
  it('names each node once per warning, and shows each warning once', () => {
    const state = stateWith(selfListingMaster());
    for (const warning of state.warnings) expectDistinct(warning.nodes);
    expectDistinct(state.warnings.map(warningKey));
    expect(state.warnings.map((w) => w.nodes)).toEqual([[M], [M]]);
    // The card of M lists each of its warnings once.
    expect(state.warningsByNode.get(M)).toHaveLength(2);
  });

  it('lists the self line in the details, marked, with a key of its own', () => {
    const state = stateWith(selfListingMaster());
    const master = state.nodeByAddress.get(M);
    expect(master).toBeDefined();
    const rows = listedReplicaRows(master!);
    expectDistinct(rows.map((r) => r.key));
    expect(rows.map((r) => [r.replica.address, r.self])).toEqual([
      [M, true],
      [R1, false],
    ]);
  });

  it('counts an alias of the node as itself', () => {
    const rows = listedReplicaRows(makeNode(M, { aliases: ['localhost:7000'], replicas: [listed('localhost:7000')] }));
    expect(rows[0]?.self).toBe(true);
  });
});

describe('two replicas announcing one address', () => {
  it('keeps both listed lines, each keyed and marked as shared', () => {
    const state = stateWith(sharedAnnounceAddress());
    const rows = listedReplicaRows(state.nodeByAddress.get(M)!);
    expect(rows).toHaveLength(2);
    expectDistinct(rows.map((r) => r.key));
    expect(rows.map((r) => [r.replica.ackOffset, r.sharedBy])).toEqual([
      [100, 2],
      [90, 2],
    ]);
  });

  it('shows the warning the engine repeats once', () => {
    const state = stateWith(sharedAnnounceAddress());
    expect(state.warnings).toHaveLength(1);
    expect(state.warningsByNode.get(R1)).toHaveLength(1);
  });
});

describe('a snapshot that repeats nodes and edges (a Valkey replica listed twice, a merge gone wrong)', () => {
  const twice = makeSnapshot({
    nodes: [makeNode(M), makeReplica(R1, M, { offset: 1 }), makeReplica(R1, M, { offset: 2 }), makeNode(M)],
    edges: [
      { master: M, replica: R1, health: 'up' },
      { master: M, replica: R1, health: 'down' },
      { master: M, replica: M, health: 'up' },
    ],
    warnings: [],
  });

  it('keeps the first of each node and edge: every list, lookup and count sees each once', () => {
    const state = stateWith(twice);
    expect(state.nodes.map((n) => n.address)).toEqual([M, R1]);
    expect(state.nodeByAddress.get(R1)?.offset).toBe(1);
    expect(state.edges.map((e) => [e.master, e.replica, e.health])).toEqual([
      [M, R1, 'up'],
      [M, M, 'up'],
    ]);
    expect(state.replicasOf.get(M)).toEqual([R1, M]);
    expect(state.counts.nodes).toBe(2);
  });

  it('builds the graph with one card per node, no self edge, and ids that are unique and safe in selectors', () => {
    const state = stateWith(twice);
    const ids = new GraphIds();
    const addresses = [...state.nodes.map((n) => n.address), 'h"x> y:1', R1];
    const layout = layoutTopology(addresses, state.edges, { width: 240, height: 128 });
    const nodes = graphNodes(addresses, layout, ids);
    const edges = graphEdges([...state.edges, { master: R1, replica: 'h"x> y:1', health: 'up' }, { master: 'gone:1', replica: R1, health: 'up' }], new Set(addresses), ids);
    expect(nodes.map((n) => n.data.address)).toEqual([M, R1, 'h"x> y:1']);
    expectDistinct(nodes.map((n) => n.id));
    expect(edges.map((e) => [e.data?.master, e.data?.replica])).toEqual([
      [M, R1],
      [R1, 'h"x> y:1'],
    ]);
    expectDistinct(edges.map((e) => e.id));
    for (const id of [...nodes.map((n) => n.id), ...edges.map((e) => e.id)]) expect(id).toMatch(/^[a-z0-9-]+$/);
    // The same address keeps its id across layouts: Svelte Flow keeps the card.
    expect(graphNodes([R1], layout, ids)[0]?.id).toBe(nodes[1]?.id);
  });
});

describe('Sentinel masters and events', () => {
  it('keys two monitored masters with one name apart', () => {
    const masters = [
      { name: 'mymaster', status: 'ok', address: M },
      { name: 'mymaster', status: 'sdown', address: R1 },
    ];
    expectDistinct(withUniqueKeys(masters, (m) => m.name).map((r) => r.key));
  });

  it('takes an event id once, even when one batch repeats it', () => {
    const events = new EventsState();
    events.add([makeEvent(1, 10, M), makeEvent(1, 10, M), makeEvent(2, 11, R1)]);
    events.add([makeEvent(2, 11, R1)]);
    expect(events.items.map((e) => e.id)).toEqual([2, 1]);
  });
});
