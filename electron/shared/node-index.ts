import type { NodeState } from './types';

/** A snapshot's nodes by address (the tick's warnings, Sentinel checks, alerts and event diff look nodes up by address). */
export function nodesByAddress(nodes: readonly NodeState[]): ReadonlyMap<string, NodeState> {
  const index = new Map<string, NodeState>();
  for (const node of nodes) index.set(node.address, node);
  return index;
}

/** The addresses replicas of the snapshot name as their master. */
export function mastersWithReplicas(nodes: readonly NodeState[]): Set<string> {
  const masters = new Set<string>();
  for (const node of nodes) if (node.role === 'replica' && node.master) masters.add(node.master);
  return masters;
}
