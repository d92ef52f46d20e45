// Addresses a master lists that the console has never reached, folded into one summary per
// master. A server listing 10,000 replicas leaves up to a thousand such nodes in the snapshot:
// drawn as cards, laid out and rendered on every tick, they froze the window for seconds and
// buried the real nodes in a row a thousand cards wide. A few are still drawn one by one: an
// operator with two replicas behind a firewall wants to see both.
import type { Address, NodeState } from '../../../electron/shared/types';

/** A master's never-reached listed replicas are folded when it lists more than this many (the engine groups its warning at the same count). */
export const FOLD_UNREACHED_OVER = 5;

/** Never-reached addresses folded into one summary. */
export interface UnreachedGroup {
  /** The reachable node whose replica list names them; null for addresses no node lists now (a churning list's past lines). */
  master: Address | null;
  /** In the order the master lists them (or the snapshot holds them). */
  addresses: readonly Address[];
}

export interface FoldedNodes {
  /** The nodes drawn one by one, in snapshot order. */
  drawn: NodeState[];
  groups: UnreachedGroup[];
}

/** Never read: no reply, no run id. A node that answered once and then went away is not this: it keeps its card. */
export function isNeverReached(node: Pick<NodeState, 'reachable' | 'polledAt' | 'runId'>): boolean {
  return !node.reachable && node.polledAt === null && node.runId === null;
}

/**
 * Splits the nodes into those drawn one by one and groups of never-reached addresses: one per
 * master listing more than FOLD_UNREACHED_OVER of them, and one for more than that many that
 * no node lists (any more). Linear in nodes plus listed lines: it runs on every tick.
 */
export function foldUnreached(nodes: readonly NodeState[]): FoldedNodes {
  const candidates = new Map<Address, NodeState>();
  for (const node of nodes) if (isNeverReached(node)) candidates.set(node.address, node);
  if (candidates.size <= FOLD_UNREACHED_OVER) return { drawn: nodes as NodeState[], groups: [] };

  // Each candidate goes to the first reachable node that lists it.
  const byMaster = new Map<Address | null, Address[]>();
  const claimed = new Set<Address>();
  for (const node of nodes) {
    if (!node.reachable) continue;
    for (const replica of node.replicas) {
      const address = replica.address;
      if (!candidates.has(address) || claimed.has(address)) continue;
      claimed.add(address);
      const list = byMaster.get(node.address);
      if (list) list.push(address);
      else byMaster.set(node.address, [address]);
    }
  }
  const unlisted: Address[] = [];
  for (const address of candidates.keys()) if (!claimed.has(address)) unlisted.push(address);
  if (unlisted.length > 0) byMaster.set(null, unlisted);

  const groups: UnreachedGroup[] = [];
  const folded = new Set<Address>();
  for (const [master, addresses] of byMaster) {
    if (addresses.length <= FOLD_UNREACHED_OVER) continue;
    groups.push({ master, addresses });
    for (const address of addresses) folded.add(address);
  }
  if (groups.length === 0) return { drawn: nodes as NodeState[], groups };
  return { drawn: nodes.filter((n) => !folded.has(n.address)), groups };
}
