// Which nodes a request touches, from the snapshot alone: the planner reads exactly these
// fresh before deciding anything.
import type { ActionRequest } from '../../shared/actions';
import type { NodeState, TopologySnapshot } from '../../shared/types';
import { EngineError } from '../errors';
import { cycleThrough, descendantsOf, findNode, replicasOf, rootOf, tryNormalize } from './graph';

/**
 * The master whose group an emergency failover is about: `to`'s master, else the one master that
 * is down. Never a replica that is down (a middle node of a chain): its master is the group's,
 * and promoting a node below it would make a second master beside one that answers; the nodes
 * below it are re-pointed (replicaof), not failed over.
 */
export function failoverMaster(snapshot: TopologySnapshot, to: string | undefined): string {
  if (to !== undefined) {
    const target = findNode(snapshot, to);
    if (!target) throw new EngineError('BAD_ARGUMENT', `${to} is not a node of this topology`);
    if (!target.master) throw new EngineError('BAD_ARGUMENT', `${target.address} is not a replica: there is nothing to fail over from`);
    const master = findNode(snapshot, target.master);
    const above = master ? liveMasterAbove(snapshot, master) : null;
    if (master && above) throw middleNode(master.address, above, [target.address]);
    return master?.address ?? tryNormalize(target.master);
  }
  const withReplicas = snapshot.nodes.filter((n) => n.role !== 'sentinel' && replicasOf(snapshot, n.address).length > 0);
  const down = withReplicas.filter((n) => !n.reachable);
  const masterOfDown = new Map(down.map((n) => [n, liveMasterAbove(snapshot, n)]));
  // A down node whose master links lead to another down one is a middle node of that one's group
  // (stalled with it): that group has one master down, its top, not several.
  const downMasters = down.filter((n) => masterOfDown.get(n) === null && !hangsBelow(snapshot, n, down));
  if (downMasters.length === 1 && downMasters[0]) return downMasters[0].address;
  if (downMasters.length > 1) {
    throw new EngineError('BAD_ARGUMENT', `several masters are down (${downMasters.map((n) => n.address).join(', ')}): say which replica to promote`);
  }
  for (const [middle, master] of masterOfDown) {
    if (master) throw middleNode(middle.address, master, replicasOf(snapshot, middle.address).map((n) => n.address));
  }
  const roots = withReplicas.filter((n) => n.role === 'master' && !n.master);
  if (roots.length === 1 && roots[0]) return roots[0].address;
  throw new EngineError('BAD_ARGUMENT', 'no master of this topology is down: say which replica to promote, or use switchover');
}

/**
 * The master that answers above `node`, when `node` is a middle node of its chain: up its
 * `master` links (read, or remembered) to the first node that answers as a master, past dead or
 * replica ones. Never read and nothing remembered, its replicas still carry the replication ID of
 * the master whose stream it relayed. Null when nothing alive is above it: a dead root, a chain
 * whose top is dead too, or links that loop back (memory from before a promotion nobody saw).
 */
function liveMasterAbove(snapshot: TopologySnapshot, node: NodeState): string | null {
  const seen = new Set<NodeState>([node]);
  let up = node.master ? findNode(snapshot, node.master) : undefined;
  while (up && !seen.has(up)) {
    seen.add(up);
    if (up.reachable && up.role === 'master' && !up.master) return up.address;
    up = up.master ? findNode(snapshot, up.master) : undefined;
  }
  if (node.master || node.reachable) return null;
  for (const replica of replicasOf(snapshot, node.address)) {
    if (!replica.replid) continue;
    const master = snapshot.nodes.find((n) => n !== node && n.reachable && n.role === 'master' && n.replid === replica.replid);
    if (master) return master.address;
  }
  return null;
}

/** Whether `node`'s master links (read, or remembered) lead to one of `others`. */
function hangsBelow(snapshot: TopologySnapshot, node: NodeState, others: readonly NodeState[]): boolean {
  const seen = new Set<NodeState>([node]);
  for (let up = node.master ? findNode(snapshot, node.master) : undefined; up && !seen.has(up); up = up.master ? findNode(snapshot, up.master) : undefined) {
    if (others.includes(up)) return true;
    seen.add(up);
  }
  return false;
}

/** A failover asked of a node that is itself a replica: what to do instead. */
function middleNode(address: string, master: string, below: readonly string[]): EngineError {
  return new EngineError(
    'BAD_ARGUMENT',
    `${address} is a replica (of ${master}), not a master: promoting a node below it would make a second master beside ${master}. ` +
      `Re-point ${below.join(', ')} to ${master} instead (replicaof), or fail over from ${master} if it is the one down`,
  );
}

/**
 * The master of the group a sentinel-failover is about: the one given, the preferred replica's,
 * the one a Sentinel in the topology (or the Sentinel entry point) names, or the only group there is
 * (its master reachable or not).
 */
export function sentinelGroupMaster(snapshot: TopologySnapshot, request: Extract<ActionRequest, { kind: 'sentinel-failover' }>): string | null {
  const canon = (address: string): string => findNode(snapshot, address)?.address ?? tryNormalize(address);
  if (request.master) return canon(request.master);
  const preferred = request.prefer ? findNode(snapshot, request.prefer) : undefined;
  if (preferred?.master) return canon(preferred.master);
  const name = request.masterName ?? snapshot.connection?.sentinel?.masterName;
  if (name) {
    for (const node of snapshot.nodes) {
      if (node.role !== 'sentinel') continue;
      const watched = [...(node.sentinel?.masters ?? []), ...(node.sentinelMasters ?? [])].find((m) => m.name === name && m.address);
      if (watched?.address) return rootOf(snapshot, canon(watched.address))?.address ?? canon(watched.address);
    }
  }
  // A master that is down (role unknown, its replicas still under it) is the group's root all the same:
  // that is when SENTINEL FAILOVER is wanted most.
  const roots = snapshot.nodes.filter((n) => n.role !== 'sentinel' && n.role !== 'replica' && !n.master && replicasOf(snapshot, n.address).length > 0);
  return roots.length === 1 && roots[0] ? roots[0].address : null;
}

/** Addresses to read fresh for this request (normalised, each once). */
export function scopeOf(request: ActionRequest, snapshot: TopologySnapshot): string[] {
  const out = new Set<string>();
  const add = (address: string | null | undefined): void => {
    if (!address) return;
    out.add(findNode(snapshot, address)?.address ?? tryNormalize(address));
  };
  const masterOf = (address: string): string | null => findNode(snapshot, address)?.master ?? null;
  const addGroup = (master: string | null): void => {
    if (!master) return;
    add(master);
    add(rootOf(snapshot, master)?.address);
    for (const r of replicasOf(snapshot, master)) add(r.address);
  };
  switch (request.kind) {
    case 'replicaof':
      add(request.node);
      add(request.master);
      add(masterOf(request.node));
      add(rootOf(snapshot, request.node)?.address);
      add(rootOf(snapshot, request.master)?.address);
      break;
    case 'promote':
    case 'detach':
      add(request.node);
      addGroup(masterOf(request.node));
      // In a cycle every other node of it ends up below this one: what each holds decides the plan.
      for (const n of cycleThrough(snapshot, request.node)) add(n.address);
      break;
    case 'switchover':
      add(request.to);
      addGroup(masterOf(request.to));
      break;
    case 'failover': {
      add(request.to);
      const master = failoverMaster(snapshot, request.to);
      addGroup(master);
      // The nodes below its replicas too: one may hold more than any of them (see planFailover).
      for (const d of descendantsOf(snapshot, master)) add(d.address);
      break;
    }
    case 'sentinel-failover': {
      const master = sentinelGroupMaster(snapshot, request);
      if (!master) {
        throw new EngineError('BAD_ARGUMENT', 'say which group to fail over: its Sentinel master name (--master-name NAME) with a Sentinel in the topology, or its master (--master HOST:PORT)');
      }
      add(request.prefer);
      addGroup(master);
      break;
    }
  }
  return [...out];
}
