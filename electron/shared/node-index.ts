import { RISK_WARNINGS, type NodeState, type TopologyWarning, type WarningCode } from './types';

/** A snapshot's nodes by address (the tick's warnings, Sentinel checks, alerts and event diff look nodes up by address). */
export function nodesByAddress(nodes: readonly NodeState[]): ReadonlyMap<string, NodeState> {
  const index = new Map<string, NodeState>();
  for (const node of nodes) index.set(node.address, node);
  return index;
}

/** The addresses replicas of the snapshot name as their master. */
/** The line `master` lists `replica` on (by the address it lists, or one of the replica's aliases). */
export function listedLineOf(master: NodeState, replica: NodeState): NodeState['replicas'][number] | undefined {
  return master.replicas.find((r) => r.address === replica.address || replica.aliases.includes(r.address));
}

export function mastersWithReplicas(nodes: readonly NodeState[]): Set<string> {
  const masters = new Set<string>();
  for (const node of nodes) if (node.role === 'replica' && node.master) masters.add(node.master);
  return masters;
}

/**
 * Warnings about their first node that name the others as its peers (the master a replica
 * fails to sync from, or is too far behind; the replicas a master restarted empty wiped, healthy
 * again; the replicas of a master that refuses only the console, still linked to it): they make
 * only that first node a problem.
 */
const PEER_NAMED: ReadonlySet<WarningCode> = new Set<WarningCode>(['SYNC_FAILING', 'BACKLOG_EXCEEDED', 'MASTER_RESTARTED_EMPTY', 'MASTER_REFUSES']);

/**
 * Whether `warning` makes the node at `address` a problem: it names the node, is not a mere
 * risk, and is about that node rather than naming it as a peer. `watch --problems` listed a
 * healthy master as SYNC_FAILING because its replica kept failing.
 */
export function troubles(warning: TopologyWarning, address: string): boolean {
  if (RISK_WARNINGS.has(warning.code)) return false;
  return PEER_NAMED.has(warning.code) ? warning.nodes[0] === address : warning.nodes.includes(address);
}
