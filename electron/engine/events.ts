import type { EventKind, NodeState, ReplicationEvent, TopologySnapshot } from '../shared/types';

type Draft = Omit<ReplicationEvent, 'id' | 'at'>;

/** What changed between two consecutive snapshots, as events an operator cares about. */
export function diffSnapshots(previous: TopologySnapshot | null, next: TopologySnapshot): Draft[] {
  const before = new Map((previous?.nodes ?? []).map((n) => [n.address, n]));
  const after = new Map(next.nodes.map((n) => [n.address, n]));
  const out: Draft[] = [];
  const add = (node: string, kind: EventKind, message: string): void => {
    out.push({ node, kind, message });
  };

  for (const node of next.nodes) {
    const old = before.get(node.address);
    if (!old) {
      if (previous) add(node.address, 'node-appeared', `${node.address} joined the topology (${describe(node)})`);
      continue;
    }
    nodeChanges(old, node, add);
  }
  for (const old of before.values()) {
    if (!after.has(old.address)) add(old.address, 'node-vanished', `${old.address} left the topology`);
  }
  return out;
}

function nodeChanges(old: NodeState, node: NodeState, add: (node: string, kind: EventKind, message: string) => void): void {
  const a = node.address;
  if (old.reachable && !node.reachable) {
    add(a, 'unreachable', `${a} became unreachable: ${node.error?.message ?? 'no answer'}`);
  } else if (!old.reachable && node.reachable) {
    add(a, 'reachable', `${a} is reachable again`);
  }
  if (old.runId && node.runId && old.runId !== node.runId) {
    add(a, 'restart', `${a} restarted (new run_id ${node.runId.slice(0, 8)}…, uptime ${node.uptimeSeconds ?? '?'} s)`);
  }
  const roleKnown = old.role !== 'unknown' && node.role !== 'unknown';
  if (roleKnown && old.role !== node.role) {
    const to = node.role === 'replica' ? `replica of ${node.master ?? '?'}` : node.role;
    add(a, 'role-change', `${a} changed role: ${old.role} → ${to}`);
  } else if (node.role === 'replica' && old.role === 'replica' && old.master !== node.master) {
    add(a, 'role-change', `${a} now replicates from ${node.master ?? '?'} (was ${old.master ?? '?'})`);
  }
  if (node.reachable && old.reachable && node.role === 'replica') {
    if (old.linkStatus === 'up' && node.linkStatus === 'down') {
      add(a, 'link-down', `${a}: link to ${node.master ?? 'its master'} is down`);
    } else if (old.linkStatus !== 'up' && node.linkStatus === 'up') {
      add(a, 'link-up', `${a}: link to ${node.master ?? 'its master'} is up`);
    }
  }
  // sync_full / sync_partial_ok count syncs a node served as a master; they reset on restart.
  if (old.stats && node.stats && old.runId === node.runId) {
    const full = node.stats.syncFull - old.stats.syncFull;
    const partial = node.stats.syncPartialOk - old.stats.syncPartialOk;
    if (full > 0) add(a, 'full-resync', `${a} served ${count(full, 'full resync')} (sync_full ${node.stats.syncFull}): the replica's data was replaced`);
    if (partial > 0) add(a, 'partial-resync', `${a} served ${count(partial, 'partial resync')} (sync_partial_ok ${node.stats.syncPartialOk})`);
  }
}

function describe(node: NodeState): string {
  if (!node.reachable) return 'unreachable';
  return node.role === 'replica' ? `replica of ${node.master ?? '?'}` : node.role;
}

function count(n: number, noun: string): string {
  return n === 1 ? `a ${noun}` : `${n} ${noun}s`;
}
