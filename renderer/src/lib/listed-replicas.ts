// The rows of "Replicas listed by this node": every slaveN line the master gives, each with
// a key of its own. Two replicas announcing one address, or a master listing its own address,
// are real misconfigurations: both lines are shown, and marked, never merged or dropped.
import type { ListedReplica, NodeState } from '../../../electron/shared/types';
import { withUniqueKeys } from './keys';

export interface ListedReplicaRow {
  key: string;
  replica: ListedReplica;
  /** The node lists its own address (canonical or an alias). */
  self: boolean;
  /** How many lines of this node give this address (1 when it is listed once). */
  sharedBy: number;
}

export function listedReplicaRows(node: Pick<NodeState, 'address' | 'aliases' | 'replicas'>): ListedReplicaRow[] {
  const own = new Set([node.address, ...node.aliases]);
  return withUniqueKeys(node.replicas, (r) => r.address).map(({ key, item, count }) => ({
    key,
    replica: item,
    self: own.has(item.address),
    sharedBy: count,
  }));
}
