// The nodes and edges handed to Svelte Flow. Their ids are opaque ("n3", "e-n1-n3"), never
// addresses: a server can report any string as an address (quotes, spaces, '>'), and Svelte
// Flow puts ids in CSS selectors and SVG marker references. Each node and edge appears once
// whatever the snapshot holds: a repeated id breaks the graph.
import type { Address, TopologyEdge } from '../../../electron/shared/types';
import type { CardNode, ReplicationEdgeType } from '../components/topology/types';
import type { Point } from './graph-layout';

/** One opaque id per address, stable for as long as this object lives. */
export class GraphIds {
  readonly #ids = new Map<Address, string>();

  of(address: Address): string {
    let id = this.#ids.get(address);
    if (id === undefined) {
      id = `n${this.#ids.size + 1}`;
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
