// Plain snapshot objects for the renderer's unit tests: shaped like what the engine sends.
import { NodeHistory } from '../../../electron/shared/node-history';
import type {
  Alert,
  AlertsView,
  AlertThresholds,
  HistoryPoint,
  NodeState,
  ReplicationEvent,
  TopologyEdge,
  TopologySnapshot,
  TopologyWarning,
} from '../../../electron/shared/types';
import { inSyncLag, nodeState } from '../../helpers/node-state';

/** Points as the history keeps them (typed-array columns), to append to or cut as ticks would. */
export function historyRows(points: readonly HistoryPoint[]): NodeHistory {
  const history = new NodeHistory(1 << 16);
  for (const p of points) history.append(p);
  return history;
}

/** The shared NodeState fixture, with the values the renderer tests were written against. */
export function makeNode(address: string, patch: Partial<NodeState> = {}): NodeState {
  return nodeState(address, {
    uptimeSeconds: 3600,
    replid2: '0'.repeat(40),
    secondReplOffset: -1,
    priority: null,
    stats: { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 },
    polledAt: 1_000_000,
    ...patch,
  });
}

export function makeReplica(address: string, master: string, patch: Partial<NodeState> = {}): NodeState {
  return makeNode(address, {
    role: 'replica',
    master,
    depth: 1,
    linkStatus: 'up',
    priority: 100,
    readOnly: true,
    lag: inSyncLag({ lastMasterIoSecondsAgo: 1 }),
    masterAsReported: master,
    ...patch,
  });
}

export interface SnapshotParts {
  seq?: number;
  takenAt?: number;
  pollIntervalMs?: number;
  nodes: NodeState[];
  edges?: TopologyEdge[];
  warnings?: TopologyWarning[];
}

export function makeSnapshot(parts: SnapshotParts): TopologySnapshot {
  return {
    seq: parts.seq ?? 1,
    takenAt: parts.takenAt ?? 1_000_000,
    pollIntervalMs: parts.pollIntervalMs ?? 1000,
    nodes: parts.nodes,
    edges: parts.edges ?? [],
    warnings: parts.warnings ?? [],
  };
}

/** The lab's shape: one master, two replicas, one sub-replica under the first replica. */
export function labSnapshot(seq = 1, takenAt = 1_000_000, patch: Partial<Record<string, Partial<NodeState>>> = {}): TopologySnapshot {
  const m = '127.0.0.1:7000';
  const r1 = '127.0.0.1:7001';
  const r2 = '127.0.0.1:7002';
  const r3 = '127.0.0.1:7003';
  return makeSnapshot({
    seq,
    takenAt,
    nodes: [
      makeNode(m, { offset: 5000, ...patch[m] }),
      makeReplica(r1, m, { offset: 5000, ...patch[r1] }),
      makeReplica(r2, m, { offset: 4000, ...patch[r2] }),
      makeReplica(r3, r1, { offset: 5000, ...patch[r3] }),
    ],
    edges: [
      { master: m, replica: r1, health: 'up' },
      { master: m, replica: r2, health: 'up' },
      { master: r1, replica: r3, health: 'up' },
    ],
  });
}

export function makeEvent(id: number, at: number, node: string, kind: ReplicationEvent['kind'] = 'link-down'): ReplicationEvent {
  return { id, at, node, kind, message: `${kind} on ${node}` };
}

/** An in-memory Storage stand-in that also records every write. */
export class MemoryStorage {
  readonly data = new Map<string, string>();
  readonly writes: string[] = [];
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes.push(value);
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

export const ALERT_THRESHOLDS: AlertThresholds = { lagBytes: 1024, lagSeconds: 1, linkDownSeconds: 1, unreachableSeconds: 1, staleSeconds: 1, backlogShortSeconds: 1, forSeconds: 0 };

/** One LINK_DOWN incident on 127.0.0.1:7001 in the given state; `extra` sets the rest. */
export function makeAlert(id: string, state: Alert['state'], extra: Partial<Alert> = {}): Alert {
  return {
    id,
    rule: 'LINK_DOWN',
    node: '127.0.0.1:7001',
    state,
    message: `link down (${id})`,
    value: 5,
    threshold: 1,
    startedAt: 1000,
    resolvedAt: state === 'resolved' ? 2000 : null,
    acknowledgedAt: state === 'acknowledged' ? 1500 : null,
    muted: false,
    ...extra,
  };
}

export function alertsView(alerts: Alert[], mutes: AlertsView['mutes'] = []): AlertsView {
  return { alerts, mutes, thresholds: { ...ALERT_THRESHOLDS } };
}
