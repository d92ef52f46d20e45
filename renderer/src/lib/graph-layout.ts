// Layered, top-down placement of the topology with dagre: masters on top, replicas below
// their master, sub-replicas below them. Pure, and only called when nodes or edges change.
import { Graph, layout } from '@dagrejs/dagre';
import type { Address } from '../../../electron/shared/types';

export interface LayoutEdge {
  master: Address;
  replica: Address;
  /** Ranks between the two (default 1): 2 leaves a card's height of room under a master taller than the box. */
  minlen?: number;
}

export interface NodeBox {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Top-left position of every node (what @xyflow/svelte expects with the default origin). */
export function layoutTopology(
  nodes: readonly Address[],
  edges: readonly LayoutEdge[],
  box: NodeBox,
  spacing: { nodesep: number; ranksep: number } = { nodesep: 36, ranksep: 56 },
): Map<Address, Point> {
  const g = new Graph();
  g.setGraph({ rankdir: 'TB', nodesep: spacing.nodesep, ranksep: spacing.ranksep, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  // Sorted input gives the same picture for the same topology, whatever order the engine used.
  const sortedNodes = [...nodes].sort();
  const known = new Set(sortedNodes);
  for (const address of sortedNodes) g.setNode(address, { width: box.width, height: box.height });
  const sortedEdges = [...edges].sort((a, b) =>
    a.master === b.master ? a.replica.localeCompare(b.replica) : a.master.localeCompare(b.master),
  );
  for (const edge of sortedEdges) {
    if (known.has(edge.master) && known.has(edge.replica) && edge.master !== edge.replica) {
      g.setEdge(edge.master, edge.replica, { minlen: edge.minlen ?? 1 });
    }
  }
  layout(g);
  const positions = new Map<Address, Point>();
  for (const address of sortedNodes) {
    const placed = g.node(address) as { x?: number; y?: number } | undefined;
    const x = placed?.x ?? 0;
    const y = placed?.y ?? 0;
    positions.set(address, { x: Math.round(x - box.width / 2), y: Math.round(y - box.height / 2) });
  }
  return positions;
}
