import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../../electron/shared/types';
import { GraphIds, summaryEdges, summaryLayoutKey, summaryNodes } from '../../../renderer/src/lib/graph-elements';
import { FOLD_UNREACHED_OVER, foldUnreached, isNeverReached } from '../../../renderer/src/lib/unreached-fold';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { ConsoleState } from '../../../renderer/src/state/console-state.svelte';
import { HistoryState } from '../../../renderer/src/state/history-state.svelte';
import { makeNode, makeReplica, makeSnapshot } from './fixtures';

/** An address a master listed and the console never reached (what the engine sends for one). */
function neverReached(address: string): NodeState {
  return makeNode(address, {
    reachable: false,
    role: 'unknown',
    runId: null,
    version: null,
    polledAt: null,
    error: { code: 'UNREACHABLE', message: `${address}: connection refused` },
    connectedReplicas: null,
  });
}

function listing(address: string, listed: readonly string[]): NodeState {
  return makeNode(address, {
    replicas: listed.map((a) => ({ address: a, state: 'online', ackOffset: 0, ackAgeSeconds: 0 })),
    connectedReplicas: listed.length,
  });
}

const addresses = (count: number, first = 0): string[] => Array.from({ length: count }, (_, i) => `10.9.${(first + i) >> 8}.${(first + i) & 255}:6379`);

describe('foldUnreached', () => {
  it('folds the never-reached addresses a master lists by the hundred into one group, and keeps every other node', () => {
    const dead = addresses(998);
    const hostile = listing('10.0.0.1:6379', dead);
    const real = makeNode('10.0.0.2:6379');
    const replica = makeReplica('10.0.0.3:6379', real.address);
    const { drawn, groups } = foldUnreached([hostile, ...dead.map(neverReached), real, replica]);
    expect(drawn.map((n) => n.address)).toEqual([hostile.address, real.address, replica.address]);
    expect(groups).toEqual([{ master: hostile.address, addresses: dead }]);
  });

  it(`draws up to ${FOLD_UNREACHED_OVER} never-reached replicas one by one: two replicas behind a firewall stay visible`, () => {
    const dead = addresses(FOLD_UNREACHED_OVER);
    const nodes = [listing('10.0.0.1:6379', dead), ...dead.map(neverReached)];
    const folded = foldUnreached(nodes);
    expect(folded.groups).toEqual([]);
    // The same array: nothing derived from it changes.
    expect(folded.drawn).toBe(nodes);
  });

  it('never folds a node that answered once: a replica that went away keeps its card', () => {
    const gone = addresses(10).map((a) => makeNode(a, { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } }));
    expect(gone.some(isNeverReached)).toBe(false);
    const nodes = [listing('10.0.0.1:6379', gone.map((n) => n.address)), ...gone];
    expect(foldUnreached(nodes).drawn).toHaveLength(11);
  });

  it('groups the past lines of a churning list, listed by no node now, apart from the current ones', () => {
    const current = addresses(20, 100);
    const past = addresses(40);
    const master = listing('10.0.0.1:6379', current);
    const { drawn, groups } = foldUnreached([master, ...past.map(neverReached), ...current.map(neverReached)]);
    expect(drawn).toEqual([master]);
    expect(groups).toEqual([
      { master: master.address, addresses: current },
      { master: null, addresses: past },
    ]);
  });

  it('gives an address two masters list to the first, once', () => {
    const dead = addresses(8);
    const one = listing('10.0.0.1:6379', dead);
    const two = listing('10.0.0.2:6379', dead);
    const { groups } = foldUnreached([one, two, ...dead.map(neverReached)]);
    expect(groups).toEqual([{ master: one.address, addresses: dead }]);
  });
});

describe('the graph of a folded topology', () => {
  it('has one summary card per group, and a line from its master to it', () => {
    const groups = [
      { master: '10.0.0.1:6379', addresses: addresses(10) },
      { master: null, addresses: addresses(10, 50) },
    ];
    const layout = new Map([[summaryLayoutKey('10.0.0.1:6379'), { x: 5, y: 300 }]]);
    const summaryIds = new GraphIds('u');
    const ids = new GraphIds();
    const nodes = summaryNodes(groups, layout, summaryIds);
    expect(nodes.map((n) => [n.id, n.type, n.data.master, n.position])).toEqual([
      ['u1', 'unreachedSummary', '10.0.0.1:6379', { x: 5, y: 300 }],
      ['u2', 'unreachedSummary', null, { x: 0, y: 0 }],
    ]);
    const edges = summaryEdges(groups, new Set(['10.0.0.1:6379']), ids, summaryIds);
    expect(edges.map((e) => [e.source, e.target])).toEqual([['n1', 'u1']]);
    // A summary's layout key is never an address.
    expect(summaryLayoutKey('10.0.0.1:6379')).toContain('\n');
    expect(summaryLayoutKey(null)).not.toBe(summaryLayoutKey(''));
  });
});

describe('ConsoleState with a master listing a thousand dead addresses', () => {
  it('draws the real nodes and one group, and a churning list does not change the structure key', () => {
    const state = new ConsoleState(new Clock(0));
    state.beginConnect({ seeds: ['10.0.0.1:6379'], user: null });
    const snapshotWith = (seq: number, dead: string[]) =>
      makeSnapshot({ seq, nodes: [listing('10.0.0.1:6379', dead), ...dead.map(neverReached), makeNode('10.0.0.2:6379')] });
    state.connected(snapshotWith(1, addresses(20)), 0);
    expect(state.nodes).toHaveLength(22);
    expect(state.drawnNodes.map((n) => n.address)).toEqual(['10.0.0.1:6379', '10.0.0.2:6379']);
    expect(state.unreachedGroups.map((g) => [g.master, g.addresses.length])).toEqual([['10.0.0.1:6379', 20]]);
    // Its replicas are drawn as the summary under it: not a lone master.
    expect([...state.loneMasters]).toEqual(['10.0.0.2:6379']);
    const key = state.structureKey;
    state.applySnapshot(snapshotWith(2, addresses(20, 20)), 1000);
    expect(state.unreachedGroups[0]?.addresses[0]).toBe(addresses(1, 20)[0]);
    expect(state.structureKey).toBe(key);
    // Looked up by address all the same: a warning naming one still finds it.
    expect(state.nodeByAddress.get(addresses(1, 20)[0] ?? '')?.reachable).toBe(false);
  });
});

describe('HistoryState beside a churning list', () => {
  it('keeps no series for never-reached addresses, and forgets a node gone for longer than the retention', () => {
    const history = new HistoryState(10_000);
    const real = makeNode('10.0.0.2:6379', { offset: 5 });
    for (let tick = 0; tick < 30; tick++) {
      const dead = addresses(20, tick * 20).map(neverReached);
      // The real node goes away after the first tick: its series outlives it by the retention only.
      const nodes = tick === 0 ? [real, ...dead] : dead;
      history.appendSnapshot(makeSnapshot({ seq: tick + 1, takenAt: 1_000_000 + tick * 1000, nodes: [listing('10.0.0.1:6379', []), ...nodes] }));
    }
    expect(history.addresses).toEqual(['10.0.0.1:6379']);
    expect(history.series('10.0.0.2:6379').points()).toEqual([]);
  });
});
