// Sentinels on the graph: their own compact cards in a row above the tree, dashed lines to the
// masters they monitor (through aliases), and none of it seen by the replication layout.
import { describe, expect, it } from 'vitest';
import type { NodeState, SentinelMasterView } from '../../../electron/shared/types';
import { incidentOutcome, timelineRows } from '../../../renderer/src/lib/event-groups';
import { GraphIds, graphEdges } from '../../../renderer/src/lib/graph-elements';
import { layoutTopology } from '../../../renderer/src/lib/graph-layout';
import { monitoredAddresses, placeSentinels, sentinelEdges, sentinelNodes } from '../../../renderer/src/lib/graph-sentinels';
import { nodeActions, READ_ONLY_REASON, sentinelGroups } from '../../../renderer/src/lib/node-actions';
import { sentinelEventTone, sentinelMasterState } from '../../../renderer/src/lib/sentinel-view';
import { makeEvent, makeNode, makeReplica } from './fixtures';

const M = '10.0.0.1:6379';
const R = '10.0.0.2:6379';
const S1 = '10.0.0.7:26379';
const S2 = '10.0.0.8:26379';

function view(patch: Partial<SentinelMasterView> = {}): SentinelMasterView {
  return { name: 'mymaster', address: M, flags: ['master'], quorum: 2, ckquorum: { ok: true, message: 'OK 2 usable Sentinels' }, replicas: 1, otherSentinels: 1, configEpoch: 3, failoverState: null, leader: null, ...patch };
}

function sentinel(address: string, masters: SentinelMasterView[]): NodeState {
  return makeNode(address, { role: 'sentinel', sentinel: { masters }, sentinelMasters: masters.map((m) => ({ name: m.name, status: 'ok', address: m.address })) });
}

describe('Sentinels on the graph', () => {
  const nodes = [makeNode(M, { aliases: ['db-1:6379'] }), makeReplica(R, M), sentinel(S1, [view()]), sentinel(S2, [view({ address: 'db-1:6379' })])];
  const byAddress = new Map<string, NodeState>();
  for (const n of nodes) for (const a of [n.address, ...n.aliases]) byAddress.set(a, n);
  const resolve = (a: string): string | null => byAddress.get(a)?.address ?? null;

  it('draws a compact sentinel card per Sentinel and a dashed edge to each master it monitors', () => {
    const ids = new GraphIds();
    const tree = layoutTopology([M, R], [{ master: M, replica: R }], { width: 240, height: 128 });
    const row = placeSentinels([S2, S1], tree, { width: 210, height: 76 }, { width: 240, height: 128 });
    const cards = sentinelNodes([S1, S2], row, ids);
    expect(cards.map((c) => [c.type, c.data.address, c.draggable])).toEqual([
      ['sentinelNode', S1, false],
      ['sentinelNode', S2, false],
    ]);
    // Above the tree, side by side, in address order.
    const top = Math.min(...[...tree.values()].map((p) => p.y));
    expect(row.get(S1)?.y).toBe(top - 56 - 76);
    expect(row.get(S2)?.x).toBe((row.get(S1)?.x ?? 0) + 210 + 24);
    const edges = sentinelEdges(nodes.filter((n) => n.role === 'sentinel'), resolve, new Set([M, R]), ids);
    expect(edges.map((e) => [e.class, e.data])).toEqual([
      ['sentinel-link', { sentinel: S1, monitors: M }],
      ['sentinel-link', { sentinel: S2, monitors: M }],
    ]);
    expect(edges.every((e) => e.type === undefined)).toBe(true);
  });

  it('keeps Sentinels out of the replication layout and the replication edges', () => {
    const ids = new GraphIds();
    const replication = graphEdges([{ master: M, replica: R, health: 'up' }], new Set([M, R]), ids);
    expect(replication).toHaveLength(1);
    // The tree laid out alone puts the master on top: a Sentinel above it changes nothing in it.
    const tree = layoutTopology([M, R], [{ master: M, replica: R }], { width: 240, height: 128 });
    expect(tree.get(M)?.y).toBeLessThan(tree.get(R)?.y ?? 0);
    expect([...tree.keys()]).not.toContain(S1);
  });

  it('falls back to the INFO list of masters before the full view is read', () => {
    const early = makeNode(S1, { role: 'sentinel', sentinelMasters: [{ name: 'mymaster', status: 'ok', address: M }] });
    expect(monitoredAddresses(early)).toEqual([M]);
  });

  it('says first what matters about a master: down, failing over, no quorum, else ok with the quorum', () => {
    expect(sentinelMasterState(view({ flags: ['master', 's_down', 'o_down'] }))).toEqual({ tone: 'bad', text: 'O_DOWN' });
    expect(sentinelMasterState(view({ flags: ['master', 's_down'] }))).toEqual({ tone: 'bad', text: 'S_DOWN' });
    expect(sentinelMasterState(view({ flags: ['master', 'failover_in_progress'] })).text).toBe('failing over');
    expect(sentinelMasterState(view({ ckquorum: { ok: false, message: 'NOQUORUM 1 usable Sentinels' } }))).toEqual({ tone: 'warn', text: 'no quorum' });
    expect(sentinelMasterState(view())).toEqual({ tone: 'ok', text: 'ok · quorum 2' });
    expect(sentinelEventTone('+sdown')).toBe('bad');
    expect(sentinelEventTone('-sdown')).toBe('ok');
    expect(sentinelEventTone('+switch-master')).toBe('accent');
  });
});

describe('Sentinel incidents in the events timeline', () => {
  function sentinelEvent(id: number, event: string, incident: number | null) {
    return { ...makeEvent(id, 1000 + id, S1, 'sentinel'), message: `${event} master mymaster`, sentinel: { event, masterName: 'mymaster', incident } };
  }

  it('shows one failover as one group where its newest step is, other events as they are', () => {
    const newestFirst = [
      sentinelEvent(6, '+switch-master', 9),
      makeEvent(5, 1005, R, 'role-change'),
      sentinelEvent(4, '+elected-leader', 9),
      sentinelEvent(3, '+odown', 9),
      sentinelEvent(2, '+sdown', null),
      makeEvent(1, 1001, R, 'link-down'),
    ];
    const rows = timelineRows(newestFirst);
    expect(rows.map((r) => (r.kind === 'incident' ? `incident ${r.incident}: ${r.events.map((e) => e.id).join(',')}` : `event ${r.event.id}`))).toEqual([
      'incident 9: 6,4,3',
      'event 5',
      'event 2',
      'event 1',
    ]);
    const group = rows[0];
    expect(group?.kind === 'incident' && group.masterName).toBe('mymaster');
    expect(group?.kind === 'incident' && incidentOutcome(group.events)).toBe('switched');
    expect(incidentOutcome([sentinelEvent(1, '+odown', 1)])).toBe('running');
    expect(incidentOutcome([sentinelEvent(2, '-failover-abort-no-good-slave', 1)])).toBe('aborted');
  });
});

describe('Sentinel failover in the node menu', () => {
  const nodes = [makeNode(M, { aliases: ['db-1:6379'] }), makeReplica(R, M), sentinel(S1, [view({ address: 'db-1:6379' })])];
  const byAddress = new Map<string, NodeState>();
  for (const n of nodes) for (const a of [n.address, ...n.aliases]) byAddress.set(a, n);
  const v = { nodeByAddress: byAddress, replicasOf: new Map([[M, [R]]]), loneMasters: new Set<string>() };
  const groups = sentinelGroups(nodes, (a) => byAddress.get(a)?.address ?? null);

  it('offers SENTINEL FAILOVER first on a managed group: plain on the master, steered on a replica', () => {
    expect([...groups]).toEqual([[M, 'mymaster']]);
    const [onMaster] = nodeActions(nodes[0] as NodeState, v, { sentinelGroups: groups });
    expect(onMaster).toMatchObject({ id: 'sentinel-failover', request: { kind: 'sentinel-failover', masterName: 'mymaster' }, disabledReason: null });
    expect(onMaster?.detail).toMatch(/cannot be told which/);
    const [onReplica] = nodeActions(nodes[1] as NodeState, v, { sentinelGroups: groups });
    expect(onReplica?.request).toEqual({ kind: 'sentinel-failover', masterName: 'mymaster', prefer: R });
    expect(nodeActions(nodes[1] as NodeState, v).some((a) => a.id === 'sentinel-failover')).toBe(false);
    expect(nodeActions(nodes[1] as NodeState, v, { sentinelGroups: groups, readOnly: true })[0]?.disabledReason).toBe(READ_ONLY_REASON);
  });
});
