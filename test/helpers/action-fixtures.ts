// Hand-written snapshots and facts for the planner and candidate unit tests: versions and
// states no local server can produce (6.0, 6.2, Valkey, ACL-denied reads, Sentinel names).
import type { NodeFacts, PreflightFacts } from '../../electron/engine/actions/facts';
import type { NodeState, TopologySnapshot, TopologyWarning } from '../../electron/shared/types';
import { nodeState } from './node-state';

export { nodeState };

/** A replica of `master` with the same history. */
export function replicaState(address: string, master: string, overrides: Partial<NodeState> = {}): NodeState {
  return nodeState(address, { role: 'replica', master, linkStatus: 'up', depth: 1, readOnly: true, ...overrides });
}

export function snapshotOf(nodes: NodeState[], warnings: TopologyWarning[] = []): TopologySnapshot {
  // Masters list their replicas the way INFO does.
  const listed = nodes.map((n) => ({
    ...n,
    replicas: n.replicas.length > 0 ? n.replicas : nodes.filter((r) => r.master === n.address).map((r) => ({ address: r.address, state: 'online', ackOffset: r.offset ?? 0, ackAgeSeconds: 0 })),
  }));
  const edges = listed.filter((n) => n.master).map((n) => ({ master: n.master ?? '', replica: n.address, health: 'up' as const }));
  return { seq: 1, takenAt: 1, pollIntervalMs: 1000, nodes: listed, edges, warnings };
}

/** Facts as the preflight would read them from a snapshot node, plus overrides. */
export function factsOf(state: NodeState, overrides: Partial<NodeFacts> = {}): NodeFacts {
  return {
    address: state.address,
    reachable: state.reachable,
    error: state.error?.message ?? null,
    errorCode: state.error?.code ?? null,
    runId: state.runId,
    mode: state.role === 'sentinel' ? 'sentinel' : 'standalone',
    clusterEnabled: false,
    version: state.version,
    configFile: '/etc/redis/redis.conf',
    role: state.role === 'sentinel' ? 'unknown' : state.role,
    masterAddress: state.master,
    linkStatus: state.linkStatus,
    syncInProgress: false,
    offset: state.offset,
    replid: state.replid,
    replid2: state.replid2,
    secondReplOffset: state.secondReplOffset,
    backlog: state.backlog,
    replicas: state.replicas,
    priority: state.priority,
    failoverState: state.failoverState,
    keys: 10,
    masterauth: 'same',
    masteruser: null,
    requiresAuth: false,
    authBasis: 'ACL GETUSER default',
    minReplicas: { toWrite: 0, maxLag: 10 },
    minReplicasGood: null,
    loading: null,
    asMaster: [],
    asReplica: [],
    sentinelClients: 0,
    sentinelSubscribers: 0,
    sentinelMasters: [],
    // A plain server: its port is the one in its address, no TLS port, replication in the clear.
    plainPort: portOf(state.address),
    tlsPort: 0,
    tlsReplication: false,
    ...overrides,
  };
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** Facts for every node of the snapshot, with per-address overrides. */
export function factsFor(
  snapshot: TopologySnapshot,
  overrides: Record<string, Partial<NodeFacts>> = {},
  extra: Partial<PreflightFacts> = {},
): PreflightFacts {
  const nodes: Record<string, NodeFacts> = {};
  for (const node of snapshot.nodes) nodes[node.address] = factsOf(node, overrides[node.address]);
  return { snapshot, nodes, sentinel: null, console: { user: null, hasPassword: true }, lastKnownOffsets: {}, readAt: 1, ...extra };
}

export const META = { id: '00000000-0000-4000-8000-000000000000', now: 1_000, ttlMs: 60_000 };
