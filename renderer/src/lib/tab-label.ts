// What a topology tab shows: a name a person recognises and one word for how it is doing.
import type { TopologySnapshot } from '../../../electron/shared/types';
import type { FreshnessState } from './freshness';

export type TabStatus = 'live' | 'stale' | 'disconnected' | 'connecting';

/**
 * The saved profile's name, else the Sentinel master name, else the root master's address (the
 * master with the most replicas), else the first seed being dialled.
 */
export function tabName(snapshot: TopologySnapshot | null, seeds: readonly string[] = []): string {
  const connection = snapshot?.connection;
  if (connection?.profileName) return connection.profileName;
  if (connection?.sentinel) return connection.sentinel.masterName;
  const root = snapshot ? rootMaster(snapshot) : null;
  return root ?? seeds[0] ?? 'New topology';
}

function rootMaster(snapshot: TopologySnapshot): string | null {
  const replicas = new Map<string, number>();
  for (const edge of snapshot.edges) replicas.set(edge.master, (replicas.get(edge.master) ?? 0) + 1);
  let best: string | null = null;
  let most = -1;
  for (const node of snapshot.nodes) {
    if (node.role !== 'master') continue;
    const count = replicas.get(node.address) ?? 0;
    if (count > most) {
      best = node.address;
      most = count;
    }
  }
  return best ?? snapshot.nodes[0]?.address ?? null;
}

/** Live only while ticks arrive and no node is stale, as the header's LIVE says. */
export function tabStatus(status: 'disconnected' | 'connecting' | 'connected', freshness: FreshnessState, busy: boolean): TabStatus {
  if (status === 'connecting' || busy) return 'connecting';
  if (status === 'disconnected') return 'disconnected';
  return freshness === 'live' ? 'live' : 'stale';
}
