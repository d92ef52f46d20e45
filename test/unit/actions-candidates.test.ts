// Drag-and-drop targets from a snapshot alone: valid ones, and why the others are not.
import { describe, expect, it } from 'vitest';
import { moveCandidates } from '../../electron/engine/actions/candidates';
import { nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const A1 = '10.0.0.3:6379';
const B = '10.0.0.4:6379';
const S = '10.0.0.5:26379';
const DOWN = '10.0.0.6:6379';
const CL = '10.0.0.7:6379';
const LONE = '10.0.0.8:6379';

const snapshot = snapshotOf(
  [
    nodeState(M),
    replicaState(A, M),
    replicaState(A1, A, { depth: 2 }),
    replicaState(B, M, { version: 'redis 7.2.4' }),
    nodeState(S, { role: 'sentinel', offset: null, replid: null, backlog: null }),
    replicaState(DOWN, M, { reachable: false, error: { code: 'UNREACHABLE', message: 'connection refused' } }),
    nodeState(CL),
    nodeState(LONE, { replid: 'b'.repeat(40), offset: 50 }),
  ],
  [{ code: 'CLUSTER_MODE', message: 'cluster', nodes: [CL] }],
);

describe('moveCandidates', () => {
  it('says for every other node whether it can become the new master, and why not', () => {
    const byAddress = new Map(moveCandidates(snapshot, A).map((c) => [c.address, c]));
    expect(byAddress.has(A)).toBe(false);
    expect(byAddress.get(B)).toMatchObject({ valid: true, reason: null });
    expect(byAddress.get(M)).toMatchObject({ valid: false, reason: 'already its master' });
    expect(byAddress.get(A1)).toMatchObject({ valid: false, reason: expect.stringContaining(`would create a cycle: it replicates from ${A}`) });
    expect(byAddress.get(S)).toMatchObject({ valid: false, reason: 'a Sentinel, not a data node' });
    expect(byAddress.get(DOWN)).toMatchObject({ valid: false, reason: 'unreachable: connection refused' });
    expect(byAddress.get(CL)).toMatchObject({ valid: false, reason: 'runs in cluster mode' });
  });

  it('flags valid targets that cost a full sync or run a newer version', () => {
    const byAddress = new Map(moveCandidates(snapshot, A).map((c) => [c.address, c]));
    expect(byAddress.get(B)?.warning).toContain('older than redis 7.2.4');
    expect(byAddress.get(LONE)).toMatchObject({ valid: true, warning: expect.stringContaining("full sync expected, a different replication history") });
  });

  it('marks every target invalid while the dragged node itself cannot move', () => {
    expect(moveCandidates(snapshot, DOWN).every((c) => !c.valid && c.reason?.includes('is unreachable'))).toBe(true);
    expect(moveCandidates(snapshot, M).filter((c) => c.valid).map((c) => c.address)).toEqual([LONE]);
    expect(() => moveCandidates(snapshot, '10.9.9.9:1')).toThrow(/not a node of this topology/);
  });
});
