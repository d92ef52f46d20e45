import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../electron/engine/events';
import type { NodeState, TopologySnapshot } from '../../electron/shared/types';
import { replicaState } from '../helpers/action-fixtures';

/** A replica of m:1 with sync counters, the shape the diff reads. */
function state(address: string, over: Partial<NodeState> = {}): NodeState {
  return replicaState(address, 'm:1', { runId: 'run-1', stats: { syncFull: 1, syncPartialOk: 0, syncPartialErr: 1 }, ...over });
}

function snap(nodes: NodeState[]): TopologySnapshot {
  return { seq: 1, takenAt: 0, pollIntervalMs: 1000, nodes, edges: [], warnings: [] };
}

describe('diffSnapshots', () => {
  it('says nothing on the first snapshot or when nothing changed', () => {
    expect(diffSnapshots(null, snap([state('a:1')]))).toEqual([]);
    expect(diffSnapshots(snap([state('a:1')]), snap([state('a:1')]))).toEqual([]);
  });

  it('reports link down and up, role changes, re-pointing and restarts', () => {
    const kinds = (before: NodeState, after: NodeState): string[] =>
      diffSnapshots(snap([before]), snap([after])).map((e) => e.kind);
    expect(kinds(state('a:1'), state('a:1', { linkStatus: 'down' }))).toEqual(['link-down']);
    expect(kinds(state('a:1', { linkStatus: 'down' }), state('a:1'))).toEqual(['link-up']);
    expect(kinds(state('a:1'), state('a:1', { role: 'master', master: null, linkStatus: null }))).toEqual(['role-change']);
    expect(kinds(state('a:1'), state('a:1', { master: 'other:2' }))).toEqual(['role-change']);
    // A restarted process counts its syncs from 0 again.
    expect(kinds(state('a:1'), state('a:1', { runId: 'run-2', stats: { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 } }))).toEqual(['restart']);
    expect(kinds(state('a:1'), state('a:1', { reachable: false, error: { code: 'TIMEOUT', message: 'x' } }))).toEqual(['unreachable']);
  });

  it('an address that never answered joins at its first reading and leaves without an event: a churning list cannot flood the timeline', () => {
    const ghost = state('g:1', { reachable: false, runId: null, polledAt: null, role: 'unknown', error: { code: 'UNREACHABLE', message: 'refused' } });
    const base = snap([state('a:1')]);
    expect(diffSnapshots(base, snap([state('a:1'), ghost]))).toEqual([]);
    expect(diffSnapshots(snap([state('a:1'), ghost]), base)).toEqual([]);
    const answered = diffSnapshots(snap([state('a:1'), ghost]), snap([state('a:1'), state('g:1')]));
    expect(answered.map((e) => [e.node, e.kind])).toEqual([['g:1', 'node-appeared']]);
    expect(diffSnapshots(snap([state('a:1'), state('g:1')]), base).map((e) => e.kind)).toEqual(['node-vanished']);
  });

  it('tells full from partial resyncs by the counters a master keeps', () => {
    const before = state('m:1', { role: 'master', master: null });
    const full = diffSnapshots(snap([before]), snap([{ ...before, stats: { syncFull: 2, syncPartialOk: 0, syncPartialErr: 2 } }]));
    expect(full.map((e) => e.kind)).toEqual(['full-resync']);
    const partial = diffSnapshots(snap([before]), snap([{ ...before, stats: { syncFull: 1, syncPartialOk: 3, syncPartialErr: 1 } }]));
    expect(partial.map((e) => e.kind)).toEqual(['partial-resync']);
    expect(partial[0]?.message).toContain('3 partial resyncs');
  });

  it('reports nodes appearing and vanishing', () => {
    const events = diffSnapshots(snap([state('a:1')]), snap([state('b:2')]));
    expect(events.map((e) => [e.kind, e.node])).toEqual([
      ['node-appeared', 'b:2'],
      ['node-vanished', 'a:1'],
    ]);
  });
});
