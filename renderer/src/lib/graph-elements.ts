// The nodes and edges handed to Svelte Flow. Their ids are opaque ("n3", "e-n1-n3"), never
// addresses: a server can report any string as an address (quotes, spaces, '>'), and Svelte
// Flow puts ids in CSS selectors and SVG marker references. Each node and edge appears once
// whatever the snapshot holds: a repeated id breaks the graph.
import type { Address, TopologyEdge } from '../../../electron/shared/types';
import type { Edge, Node } from '@xyflow/svelte';
import type { CardNode, ReplicationEdgeType, SubtreeNode, UnreachedNode } from '../components/topology/types';
import type { UnreachedGroup } from './unreached-fold';
import type { GridLane, Point } from './graph-layout';

/** One opaque id per address, stable for as long as this object lives. */
export class GraphIds {
  readonly #ids = new Map<Address, string>();
  readonly #prefix: string;

  /** `prefix` keeps two kinds of node apart: cards are "n1", "n2"…, summaries "u1"… */
  constructor(prefix = 'n') {
    this.#prefix = prefix;
  }

  of(address: Address): string {
    let id = this.#ids.get(address);
    if (id === undefined) {
      id = `${this.#prefix}${this.#ids.size + 1}`;
      this.#ids.set(address, id);
    }
    return id;
  }
}

/**
 * A node drawn where the layout put `key` (the origin until it has run). The graph is read-only:
 * nothing connects to a node or deletes it; only `draggable` varies.
 */
export function placedNode<D extends Record<string, unknown>, T extends string>(
  type: T,
  key: string,
  data: D,
  layout: ReadonlyMap<string, Point>,
  ids: GraphIds,
  { draggable, ariaLabel }: { draggable: boolean; ariaLabel: string },
): Node<D, T> {
  return { id: ids.of(key), type, position: layout.get(key) ?? { x: 0, y: 0 }, data, draggable, connectable: false, deletable: false, ariaLabel };
}

/** The first edge of each id (a repeated id breaks the graph), none selectable, deletable or focusable. */
export function readOnlyEdges<E extends Edge>(edges: Iterable<E>): E[] {
  const byId = new Map<string, E>();
  for (const e of edges) if (!byId.has(e.id)) byId.set(e.id, { ...e, selectable: false, deletable: false, focusable: false });
  return [...byId.values()];
}

/** One card per distinct address, placed where the layout put it. */
export function graphNodes(addresses: readonly Address[], layout: ReadonlyMap<Address, Point>, ids: GraphIds): CardNode[] {
  // Which cards may move is decided by NodeCard (a .nodrag card cannot be picked up).
  return [...new Set(addresses)].map((address) => placedNode('replicationNode', address, { address }, layout, ids, { draggable: true, ariaLabel: `Node ${address}` }));
}

/**
 * One edge per distinct (master, replica) between two drawn nodes. A node that replicates
 * from itself gets no edge (the CYCLE warning says so); it would be drawn through its own card.
 */
export function graphEdges(
  edges: readonly TopologyEdge[],
  drawn: ReadonlySet<Address>,
  ids: GraphIds,
  lanes: ReadonlyMap<string, GridLane> = new Map(),
): ReplicationEdgeType[] {
  return readOnlyEdges(
    edges
      .filter((e) => e.master !== e.replica && drawn.has(e.master) && drawn.has(e.replica))
      .map((e): ReplicationEdgeType => {
        const source = ids.of(e.master);
        const target = ids.of(e.replica);
        const lane = lanes.get(e.replica);
        return { id: `e-${source}-${target}`, source, target, type: 'replication', data: lane ? { master: e.master, replica: e.replica, lane } : { master: e.master, replica: e.replica } };
      }),
  );
}

/** Where the layout keeps a collapsed subtree's summary: in its master's grid, last (never an address: it holds a line break). */
export function subtreeLayoutKey(master: Address): string {
  return `${master}\ncollapsed`;
}

/** One summary card per collapsed master. */
export function subtreeNodes(masters: readonly Address[], layout: ReadonlyMap<string, Point>, ids: GraphIds): SubtreeNode[] {
  return masters.map((master) =>
    placedNode('subtreeSummary', subtreeLayoutKey(master), { master }, layout, ids, { draggable: false, ariaLabel: `Collapsed replicas of ${master}` }),
  );
}

/** A dashed line from each collapsed master to its summary, routed like the grid's other lines. */
export function subtreeEdges(masters: readonly Address[], ids: GraphIds, summaryIds: GraphIds, lanes: ReadonlyMap<string, GridLane>): Edge[] {
  return readOnlyEdges(
    masters.map((master): Edge => {
      const source = ids.of(master);
      const target = summaryIds.of(subtreeLayoutKey(master));
      const lane = lanes.get(subtreeLayoutKey(master));
      return { id: `e-${source}-${target}`, source, target, type: 'fold', class: 'collapsed-link', data: lane ? { lane } : {} };
    }),
  );
}

/**
 * Where the layout keeps the summary of a master's never-reached addresses: next to that
 * master in sorted order, and never equal to an address (no address holds a line break: INFO
 * is read line by line, and the connect form refuses white space).
 */
export function summaryLayoutKey(master: Address | null): string {
  return master === null ? '\nunlisted' : `${master}\nunreached`;
}

/** One summary card per group of never-reached addresses. */
export function summaryNodes(groups: readonly UnreachedGroup[], layout: ReadonlyMap<string, Point>, ids: GraphIds): UnreachedNode[] {
  return groups.map(({ master }) =>
    placedNode('unreachedSummary', summaryLayoutKey(master), { master }, layout, ids, {
      draggable: false,
      ariaLabel: master === null ? 'Addresses no longer listed, never reached' : `Addresses listed by ${master}, never reached`,
    }),
  );
}

/** A dashed line from each drawn master to the summary of the addresses it lists but nobody reached. */
export function summaryEdges(groups: readonly UnreachedGroup[], drawn: ReadonlySet<Address>, ids: GraphIds, summaryIds: GraphIds): Edge[] {
  return readOnlyEdges(
    groups.flatMap(({ master }): Edge[] => {
      if (master === null || !drawn.has(master)) return [];
      const source = ids.of(master);
      const target = summaryIds.of(summaryLayoutKey(master));
      return [{ id: `e-${source}-${target}`, source, target, class: 'unreached-link' }];
    }),
  );
}
