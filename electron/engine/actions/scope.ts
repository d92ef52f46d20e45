// Which nodes a request touches, from the snapshot alone: the planner reads exactly these
// fresh before deciding anything.
import type { ActionRequest } from '../../shared/actions';
import type { TopologySnapshot } from '../../shared/types';
import { EngineError } from '../errors';
import { findNode, replicasOf, rootOf, tryNormalize } from './graph';

/** The master whose group an emergency failover is about: `to`'s master, else the one master that is down. */
export function failoverMaster(snapshot: TopologySnapshot, to: string | undefined): string {
  if (to !== undefined) {
    const target = findNode(snapshot, to);
    if (!target) throw new EngineError('BAD_ARGUMENT', `${to} is not a node of this topology`);
    if (!target.master) throw new EngineError('BAD_ARGUMENT', `${target.address} is not a replica: there is nothing to fail over from`);
    return findNode(snapshot, target.master)?.address ?? tryNormalize(target.master);
  }
  const withReplicas = snapshot.nodes.filter((n) => n.role !== 'sentinel' && replicasOf(snapshot, n.address).length > 0);
  const down = withReplicas.filter((n) => !n.reachable);
  if (down.length === 1 && down[0]) return down[0].address;
  if (down.length > 1) {
    throw new EngineError('BAD_ARGUMENT', `several masters are down (${down.map((n) => n.address).join(', ')}): say which replica to promote`);
  }
  const roots = withReplicas.filter((n) => n.role === 'master' && !n.master);
  if (roots.length === 1 && roots[0]) return roots[0].address;
  throw new EngineError('BAD_ARGUMENT', 'no master of this topology is down: say which replica to promote, or use switchover');
}

/**
 * The master of the group a sentinel-failover is about: the one given, the preferred replica's,
 * the one a Sentinel in the topology (or the Sentinel entry point) names, or the only group there is.
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
  const roots = snapshot.nodes.filter((n) => n.role === 'master' && !n.master && replicasOf(snapshot, n.address).length > 0);
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
      break;
    case 'switchover':
      add(request.to);
      addGroup(masterOf(request.to));
      break;
    case 'failover':
      add(request.to);
      addGroup(failoverMaster(snapshot, request.to));
      break;
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
