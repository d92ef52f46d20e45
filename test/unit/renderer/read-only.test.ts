// Read-only connections: every action is still listed, disabled with the reason, never hidden.
import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../../electron/shared/types';
import { isReadOnly, nodeActions, READ_ONLY_REASON, type TopologyView } from '../../../renderer/src/lib/node-actions';
import { makeNode, makeReplica, makeSnapshot } from './fixtures';

const M = '127.0.0.1:7000';
const R1 = '127.0.0.1:7001';
const R2 = '127.0.0.1:7002';

function view(nodes: NodeState[]): TopologyView {
  const replicasOf = new Map<string, string[]>();
  for (const n of nodes) if (n.master) replicasOf.set(n.master, [...(replicasOf.get(n.master) ?? []), n.address]);
  return { nodeByAddress: new Map(nodes.map((n) => [n.address, n])), replicasOf, loneMasters: new Set() };
}

describe('read-only connection', () => {
  const nodes = [makeNode(M), makeReplica(R1, M), makeReplica(R2, M)];
  const v = view(nodes);

  it('lists the same actions, each disabled with "read-only connection"', () => {
    for (const node of nodes) {
      const normal = nodeActions(node, v);
      const readOnly = nodeActions(node, v, { readOnly: true });
      expect(readOnly.map((a) => a.id)).toEqual(normal.map((a) => a.id));
      expect(readOnly.length).toBeGreaterThan(0);
      expect(readOnly.every((a) => a.disabledReason === READ_ONLY_REASON)).toBe(true);
    }
    expect(READ_ONLY_REASON).toBe('read-only connection');
  });

  it('reads the mode from the snapshot’s connection summary', () => {
    const summary = { tls: false, insecure: false, ssh: null, sentinel: null, user: null, trustedHosts: [], profileName: null };
    expect(isReadOnly({ ...makeSnapshot({ nodes }), connection: { ...summary, readOnly: true } })).toBe(true);
    expect(isReadOnly({ ...makeSnapshot({ nodes }), connection: { ...summary, readOnly: false } })).toBe(false);
    expect(isReadOnly(makeSnapshot({ nodes }))).toBe(false);
    expect(isReadOnly(null)).toBe(false);
  });
});
