// The nodes and edges handed to Svelte Flow. Their ids are opaque ("n3", "e-n1-n3"), never
// addresses: a server can report any string as an address (quotes, spaces, '>'), and Svelte
// Flow puts ids in CSS selectors and SVG marker references. Each node and edge appears once
// whatever the snapshot holds: a repeated id breaks the graph.
import type { Address, TopologyEdge } from '../../../electron/shared/types';
import type { Edge } from '@xyflow/svelte';
import type { CardNode, ReplicationEdgeType, UnreachedNode } from '../components/topology/types';
import type { UnreachedGroup } from './unreached-fold';
import type { Point } from './graph-layout';

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

/** One card per distinct address, placed where the layout put it. */
export function graphNodes(addresses: readonly Address[], layout: ReadonlyMap<Address, Point>, ids: GraphIds): CardNode[] {
  const out: CardNode[] = [];
  const seen = new Set<Address>();
  for (const address of addresses) {
    if (seen.has(address)) continue;
    seen.add(address);
    out.push({
      id: ids.of(address),
      type: 'replicationNode',
      position: layout.get(address) ?? { x: 0, y: 0 },
      data: { address },
      // Which cards may move is decided by NodeCard (a .nodrag card cannot be picked up).
      draggable: true,
      connectable: false,
      deletable: false,
      ariaLabel: `Node ${address}`,
    });
  }
  return out;
}

/**
 * One edge per distinct (master, replica) between two drawn nodes. A node that replicates
 * from itself gets no edge (the CYCLE warning says so); it would be drawn through its own card.
 */
export function graphEdges(edges: readonly TopologyEdge[], drawn: ReadonlySet<Address>, ids: GraphIds): ReplicationEdgeType[] {
  const out: ReplicationEdgeType[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    if (e.master === e.replica || !drawn.has(e.master) || !drawn.has(e.replica)) continue;
    const source = ids.of(e.master);
    const target = ids.of(e.replica);
    const id = `e-${source}-${target}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      id,
      source,
      target,
      type: 'replication',
      data: { master: e.master, replica: e.replica },
      selectable: false,
      deletable: false,
      focusable: false,
    });
  }
  return out;
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
  return groups.map(({ master }) => {
    const key = summaryLayoutKey(master);
    return {
      id: ids.of(key),
      type: 'unreachedSummary',
      position: layout.get(key) ?? { x: 0, y: 0 },
      data: { master },
      draggable: false,
      connectable: false,
      deletable: false,
      ariaLabel: master === null ? 'Addresses no longer listed, never reached' : `Addresses listed by ${master}, never reached`,
    };
  });
}

/** A dashed line from each drawn master to the summary of the addresses it lists but nobody reached. */
export function summaryEdges(groups: readonly UnreachedGroup[], drawn: ReadonlySet<Address>, ids: GraphIds, summaryIds: GraphIds): Edge[] {
  const out: Edge[] = [];
  for (const { master } of groups) {
    if (master === null || !drawn.has(master)) continue;
    const source = ids.of(master);
    const target = summaryIds.of(summaryLayoutKey(master));
    out.push({
      id: `e-${source}-${target}`,
      source,
      target,
      class: 'unreached-link',
      selectable: false,
      deletable: false,
      focusable: false,
    });
  }
  return out;
}
