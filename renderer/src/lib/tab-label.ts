// What a topology tab shows: a name a person recognises and one word for how it is doing.
import type { TopologySnapshot } from '../../../electron/shared/types';
import type { FreshnessState } from './freshness';
import { childrenOf, descendantsOf } from './graph-collapse';

export type TabStatus = 'live' | 'stale' | 'disconnected' | 'connecting';

/**
 * The saved profile's name, else the Sentinel master name, else the root master's address (the
 * master with the most nodes below it, through its cascades), else the first seed being dialled.
 */
export function tabName(snapshot: TopologySnapshot | null, seeds: readonly string[] = []): string {
  const connection = snapshot?.connection;
  if (connection?.profileName) return connection.profileName;
  if (connection?.sentinel) return connection.sentinel.masterName;
  const root = snapshot ? rootMaster(snapshot) : null;
  return root ?? seeds[0] ?? 'New topology';
}

/**
 * Counted through the cascades, not direct replicas: in a split brain a replica promoted by hand
 * takes its own few replicas along, and by direct replicas alone (10 against the real master's 8
 * in a master → 9 → 90 tree) it renamed the tab in the middle of the incident.
 */
function rootMaster(snapshot: TopologySnapshot): string | null {
  const children = childrenOf(snapshot.edges);
  let best: string | null = null;
  let most = -1;
  for (const node of snapshot.nodes) {
    if (node.role !== 'master') continue;
    const count = descendantsOf(node.address, children).length;
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
