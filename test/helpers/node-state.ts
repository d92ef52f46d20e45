// One NodeState with every field set, for unit tests of code that reads snapshots (engine
// events, action planner, renderer state): plain data shaped like what the engine sends.
import type { NodeState, ReplicaLag } from '../../electron/shared/types';

export const REPLID = 'a'.repeat(40);

/** A reachable master with defaults for every field; `overrides` sets the rest. */
export function nodeState(address: string, overrides: Partial<NodeState> = {}): NodeState {
  return {
    address,
    aliases: [],
    reachable: true,
    error: null,
    role: 'master',
    runId: `run-${address}`,
    version: 'redis 7.0.15',
    uptimeSeconds: 100,
    master: null,
    masterAsReported: null,
    linkStatus: null,
    linkDownSinceSeconds: null,
    sync: null,
    offset: 1000,
    replid: REPLID,
    replid2: null,
    secondReplOffset: null,
    backlog: { active: true, size: 1 << 20, firstByteOffset: 1, histlen: 1000 },
    replicas: [],
    syncClients: [],
    connectedReplicas: 0,
    priority: 100,
    readOnly: null,
    failoverState: 'no-failover',
    stats: null,
    lag: null,
    polledAt: 1,
    answeringSince: null,
    stale: false,
    latencyMs: 1,
    depth: 0,
    sentinelMasters: [],
    settings: null,
    backlogWindow: null,
    syncAttempts: 0,
    remembered: false,
    lastSeenAt: 1,
    load: null,
    ...overrides,
  };
}

/** The lag of a replica in sync with its master (both read, nothing behind). */
export function inSyncLag(overrides: Partial<ReplicaLag> = {}): ReplicaLag {
  return {
    bytesBehindMaster: 0,
    bytesBehindRoot: 0,
    unappliedBytes: 0,
    secondsBehind: 0,
    secondsBehindIsLowerBound: false,
    lastAckSecondsAgo: 0,
    lastMasterIoSecondsAgo: 0,
    basis: 'offsets',
    secondsBehindRoot: 0,
    secondsBehindRootIsLowerBound: false,
    behindBecauseOf: null,
    inCycle: false,
    ...overrides,
  };
}
