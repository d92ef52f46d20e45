// Which topology changes a node's menu offers, from the live snapshot alone. Offering is not
// approving: every choice becomes a plan that the engine checks fresh before anything runs.
// An action that does not fit the node's situation is still listed, disabled, with the reason.
import type { ActionRequest } from '../../../electron/shared/actions';
import type { Address, NodeState } from '../../../electron/shared/types';

export type NodeActionId = 'promote-repoint' | 'promote' | 'detach' | 'switchover' | 'failover' | 'reattach' | 'move' | 'sentinel-failover';

export interface NodeAction {
  id: NodeActionId | `switchover:${Address}`;
  label: string;
  /** What it does, in one line under the label. */
  detail: string;
  /** The request to plan; null for 'reattach' and 'move', which need a master chosen first. */
  request: ActionRequest | null;
  /** Why it is not offered right now, or null. */
  disabledReason: string | null;
}

/** Why every action is disabled on a monitoring-only connection. */
export const READ_ONLY_REASON = 'read-only connection';

/** The lookups of ConsoleState the menu needs (plain data in tests). */
export interface TopologyView {
  nodeByAddress: ReadonlyMap<Address, NodeState>;
  replicasOf: ReadonlyMap<Address, Address[]>;
  loneMasters: ReadonlySet<Address>;
}

export interface MenuContext {
  /** A monitoring-only connection. */
  readOnly?: boolean;
  /** Sentinel-managed masters: address → the name Sentinel knows the group by (see sentinelGroups). */
  sentinelGroups?: ReadonlyMap<Address, string>;
}

/**
 * The menu for one node; empty when nothing can be sent to it. On a Sentinel-managed group,
 * SENTINEL FAILOVER comes first: a manual change there is undone by Sentinel. On a read-only
 * connection every item is still listed, disabled with the reason: visibly refused, not hidden.
 */
export function nodeActions(node: NodeState, view: TopologyView, context: MenuContext = {}): NodeAction[] {
  if (!node.reachable || (node.role !== 'replica' && node.role !== 'master')) return [];
  const items = node.role === 'master' ? masterActions(node, view) : replicaActions(node, view);
  const sentinel = sentinelAction(node, context.sentinelGroups);
  if (sentinel) items.unshift(sentinel);
  return context.readOnly ? items.map((item) => ({ ...item, disabledReason: READ_ONLY_REASON })) : items;
}

/** Masters the drawn Sentinels monitor, by canonical address, with their group name. */
export function sentinelGroups(nodes: readonly NodeState[], resolve: (address: Address) => Address | null): Map<Address, string> {
  const groups = new Map<Address, string>();
  for (const node of nodes) {
    if (node.role !== 'sentinel' || !node.reachable) continue;
    const masters = node.sentinel?.masters ?? node.sentinelMasters;
    for (const m of masters) {
      const address = m.address === null ? null : resolve(m.address);
      if (address !== null && !groups.has(address)) groups.set(address, m.name);
    }
  }
  return groups;
}

function sentinelAction(node: NodeState, groups: ReadonlyMap<Address, string> | undefined): NodeAction | null {
  if (!groups || groups.size === 0) return null;
  if (node.role === 'master') {
    const name = groups.get(node.address);
    if (name === undefined) return null;
    return {
      id: 'sentinel-failover',
      label: 'Sentinel failover',
      detail: `SENTINEL FAILOVER ${name}: Sentinel picks the new master (it cannot be told which)`,
      request: { kind: 'sentinel-failover', masterName: name },
      disabledReason: null,
    };
  }
  const name = node.master === null ? undefined : groups.get(node.master);
  if (name === undefined) return null;
  return {
    id: 'sentinel-failover',
    label: 'Sentinel failover to this replica',
    detail: `SENTINEL FAILOVER ${name}, steered here by lowering its replica-priority first`,
    request: { kind: 'sentinel-failover', masterName: name, prefer: node.address },
    disabledReason: null,
  };
}

/** Whether the snapshot's connection is monitoring only. */
export function isReadOnly(snapshot: { connection?: { readOnly: boolean } } | null): boolean {
  return snapshot?.connection?.readOnly === true;
}

/** Why a node has no menu, when nodeActions() is empty. */
export function noActionsReason(node: NodeState): string {
  if (!node.reachable) return `${node.address} is unreachable: no command can be sent to it`;
  if (node.role === 'sentinel') return 'a Sentinel is not a data node: its master’s menu offers SENTINEL FAILOVER';
  return `the role of ${node.address} is not known yet`;
}

function replicaActions(node: NodeState, view: TopologyView): NodeAction[] {
  const address = node.address;
  const master = node.master === null ? undefined : view.nodeByAddress.get(node.master);
  const masterAddress = master?.address ?? node.master ?? 'its master';
  const masterDown = !master || !master.reachable;
  const siblings = master ? (view.replicasOf.get(master.address) ?? []).filter((a) => a !== address) : [];
  const items: NodeAction[] = [];
  if (siblings.length > 0) {
    const count = siblings.length === 1 ? 'its sibling replicates' : `its ${siblings.length} siblings replicate`;
    items.push({
      id: 'promote-repoint',
      label: 'Promote, re-point siblings',
      detail: `REPLICAOF NO ONE here, then ${count} from it`,
      request: { kind: 'promote', node: address, repointSiblings: true },
      disabledReason: null,
    });
  }
  items.push({
    id: 'promote',
    label: siblings.length > 0 ? 'Promote alone' : 'Promote to master',
    detail: `REPLICAOF NO ONE here; ${masterDown ? 'the old master is down' : `${masterAddress} stays a master too`}`,
    request: { kind: 'promote', node: address, repointSiblings: false },
    disabledReason: null,
  });
  items.push({
    id: 'detach',
    label: 'Detach',
    detail: 'Stand-alone master with its own replicas; siblings stay where they are',
    request: { kind: 'detach', node: address },
    disabledReason: null,
  });
  let switchoverBlocked: string | null = null;
  if (masterDown) switchoverBlocked = `${masterAddress} is unreachable: use emergency failover`;
  else if (master.role !== 'master') switchoverBlocked = `${master.address} is itself a replica: a switchover hands over from a master`;
  // The same as dragging the card: for the keyboard, and for anyone who would rather pick from a list.
  items.push({
    id: 'move',
    label: 'Replicate from another node…',
    detail: 'Re-point it under a node you pick (same as dragging the card)',
    request: null,
    disabledReason: null,
  });
  items.push({
    id: 'switchover',
    label: 'Switch over to this replica',
    detail: `Planned hand-over from ${masterAddress}, no lost writes`,
    request: { kind: 'switchover', to: address },
    disabledReason: switchoverBlocked,
  });
  items.push({
    id: 'failover',
    label: 'Emergency failover',
    detail: `${masterAddress} is down: promote this replica in its place`,
    request: { kind: 'failover', to: address },
    disabledReason: masterDown ? null : `${masterAddress} answers: use a switchover, which loses no writes`,
  });
  return items;
}

function masterActions(node: NodeState, view: TopologyView): NodeAction[] {
  const items: NodeAction[] = [];
  if (view.loneMasters.has(node.address)) {
    items.push({
      id: 'reattach',
      label: 'Re-attach under…',
      detail: 'Make this lone master a replica again (its data is replaced)',
      request: null,
      disabledReason: null,
    });
  }
  else {
    items.push({
      id: 'move',
      label: 'Make it a replica of…',
      detail: 'It stops taking writes; its own replicas move with it',
      request: null,
      disabledReason: null,
    });
  }
  for (const replica of view.replicasOf.get(node.address) ?? []) {
    const state = view.nodeByAddress.get(replica);
    let blocked: string | null = null;
    if (!state?.reachable) blocked = `${replica} is unreachable`;
    else if (state.linkStatus !== 'up') blocked = `${replica}'s link is ${state.linkStatus ?? 'not up'}`;
    items.push({
      id: `switchover:${replica}`,
      label: `Switch over to ${replica}`,
      detail: 'Planned hand-over to this replica, no lost writes',
      request: { kind: 'switchover', to: replica },
      disabledReason: blocked,
    });
  }
  return items;
}
