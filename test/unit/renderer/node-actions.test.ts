import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../../electron/shared/types';
import { nodeActions, noActionsReason, type TopologyView } from '../../../renderer/src/lib/node-actions';
import { makeNode, makeReplica } from './fixtures';

const M = '127.0.0.1:7000';
const R1 = '127.0.0.1:7001';
const R2 = '127.0.0.1:7002';
const R3 = '127.0.0.1:7003';

function view(nodes: NodeState[], lone: string[] = []): TopologyView {
  const replicasOf = new Map<string, string[]>();
  for (const n of nodes) if (n.master) replicasOf.set(n.master, [...(replicasOf.get(n.master) ?? []), n.address]);
  return { nodeByAddress: new Map(nodes.map((n) => [n.address, n])), replicasOf, loneMasters: new Set(lone) };
}

const lab = (patch: Partial<Record<string, Partial<NodeState>>> = {}): NodeState[] => [
  makeNode(M, patch[M]),
  makeReplica(R1, M, patch[R1]),
  makeReplica(R2, M, patch[R2]),
  makeReplica(R3, R1, patch[R3]),
];

function byId(nodes: NodeState[], address: string, lone: string[] = []) {
  const v = view(nodes, lone);
  const node = v.nodeByAddress.get(address);
  if (!node) throw new Error('no node');
  return new Map(nodeActions(node, v).map((a) => [a.id, a]));
}

describe('nodeActions', () => {
  it('offers promote (with and without siblings), detach and switchover for a replica of a healthy master', () => {
    const actions = byId(lab(), R1);
    expect([...actions.keys()]).toEqual(['promote-repoint', 'promote', 'detach', 'move', 'switchover', 'failover']);
    expect(actions.get('move')?.request).toBeNull();
    expect(actions.get('promote-repoint')?.request).toEqual({ kind: 'promote', node: R1, repointSiblings: true });
    expect(actions.get('promote')?.request).toEqual({ kind: 'promote', node: R1, repointSiblings: false });
    expect(actions.get('detach')?.request).toEqual({ kind: 'detach', node: R1 });
    expect(actions.get('switchover')).toMatchObject({ request: { kind: 'switchover', to: R1 }, disabledReason: null });
    expect(actions.get('failover')?.disabledReason).toMatch(/answers: use a switchover/);
  });

  it('offers emergency failover instead of switchover when the master is unreachable', () => {
    const actions = byId(lab({ [M]: { reachable: false } }), R2);
    expect(actions.get('failover')).toMatchObject({ request: { kind: 'failover', to: R2 }, disabledReason: null });
    expect(actions.get('switchover')?.disabledReason).toMatch(/unreachable: use emergency failover/);
  });

  it('refuses a switchover from a chained replica, and has no sibling choice for an only child', () => {
    const actions = byId(lab(), R3);
    expect(actions.has('promote-repoint')).toBe(false);
    expect(actions.get('promote')?.label).toBe('Promote to master');
    expect(actions.get('switchover')?.disabledReason).toMatch(/itself a replica/);
  });

  it('offers re-attach for a lone master, and a move and switchovers for a master with replicas', () => {
    const nodes = [...lab(), makeNode('127.0.0.1:7009')];
    expect([...byId(nodes, '127.0.0.1:7009', ['127.0.0.1:7009']).keys()]).toEqual(['reattach']);
    const master = byId(lab({ [R2]: { linkStatus: 'down' } }), M);
    expect([...master.keys()]).toEqual(['move', `switchover:${R1}`, `switchover:${R2}`]);
    expect(master.get(`switchover:${R1}`)?.disabledReason).toBeNull();
    expect(master.get(`switchover:${R2}`)?.disabledReason).toMatch(/link is down/);
  });

  it('offers nothing for an unreachable node or a Sentinel, and says why', () => {
    const down = makeReplica(R1, M, { reachable: false });
    expect(nodeActions(down, view([makeNode(M), down]))).toEqual([]);
    expect(noActionsReason(down)).toMatch(/unreachable/);
    const sentinel = makeNode('127.0.0.1:26379', { role: 'sentinel' });
    expect(nodeActions(sentinel, view([sentinel]))).toEqual([]);
    expect(noActionsReason(sentinel)).toMatch(/SENTINEL FAILOVER/);
  });
});
