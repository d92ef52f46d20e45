// REPLICAOF targets: the address the servers use for a node, not the console's way in (NAT).
import { describe, expect, it } from 'vitest';
import { serverAddressOf } from '../../electron/engine/actions/graph';
import type { TopologySnapshot } from '../../electron/shared/types';
import { nodeState } from '../helpers/node-state';

function snapshot(nodes: TopologySnapshot['nodes']): TopologySnapshot {
  return { seq: 1, takenAt: 1, pollIntervalMs: 1000, nodes, edges: [], warnings: [] };
}

describe('serverAddressOf', () => {
  it('a master that nobody lists: the address its replicas dial it by, not the one the console was given', () => {
    // The console reaches the master through a NAT mapping (public:7000); its replicas use 10.0.0.1:6379.
    const s = snapshot([
      nodeState('public:7000'),
      nodeState('public:7001', { role: 'replica', master: 'public:7000', masterAsReported: '10.0.0.1:6379' }),
    ]);
    expect(serverAddressOf(s, 'public:7000')).toBe('10.0.0.1:6379');
  });

  it('a listed node: how its master lists it comes first; a node nothing tells about: its own address', () => {
    const s = snapshot([
      nodeState('m:1', { replicas: [{ address: '10.0.0.2:6379', state: 'online', ackOffset: 1, ackAgeSeconds: 0 }] }),
      nodeState('r:1', { role: 'replica', master: 'm:1', aliases: ['10.0.0.2:6379'], masterAsReported: '10.0.0.1:6379' }),
      nodeState('lone:1'),
    ]);
    expect(serverAddressOf(s, 'r:1')).toBe('10.0.0.2:6379');
    expect(serverAddressOf(s, 'm:1')).toBe('10.0.0.1:6379');
    expect(serverAddressOf(s, 'lone:1')).toBe('lone:1');
  });
});
