// Sentinels on the graph: compact cards in a row of their own above the replication tree, with
// a dashed line to each master they monitor. The layout never sees those lines: watching a
// master is not replicating from it, and dagre would rank the tree under the Sentinels.
import type { Edge } from '@xyflow/svelte';
import type { Address, NodeState } from '../../../electron/shared/types';
import type { SentinelNode } from '../components/topology/types';
import { placedNode, readOnlyEdges, type GraphIds } from './graph-elements';
import type { NodeBox, Point } from './graph-layout';

/** The masters a Sentinel watches, by the address it gives: its full view when read, else its INFO list. */
export function monitoredAddresses(node: NodeState): Address[] {
  const fromView = node.sentinel?.masters.map((m) => m.address) ?? [];
  const listed = fromView.length > 0 ? fromView : node.sentinelMasters.map((m) => m.address);
  return [...new Set(listed.filter((a): a is Address => a !== null))];
}

/**
 * Positions for the Sentinel cards: one row, centred over the tree, a gap above its top. The
 * tree's own positions are left as they are.
 */
export function placeSentinels(sentinels: readonly Address[], tree: ReadonlyMap<string, Point>, card: NodeBox, box: NodeBox, gap = 56): Map<Address, Point> {
  const out = new Map<Address, Point>();
  if (sentinels.length === 0) return out;
  let minX = 0;
  let maxX = box.width;
  let minY = 0;
  if (tree.size > 0) {
    const points = [...tree.values()];
    minX = Math.min(...points.map((p) => p.x));
    maxX = Math.max(...points.map((p) => p.x + box.width));
    minY = Math.min(...points.map((p) => p.y));
  }
  const spacing = 24;
  const rowWidth = sentinels.length * card.width + (sentinels.length - 1) * spacing;
  const left = Math.round((minX + maxX) / 2 - rowWidth / 2);
  const top = minY - gap - card.height;
  [...sentinels].sort().forEach((address, i) => out.set(address, { x: left + i * (card.width + spacing), y: top }));
  return out;
}

export function sentinelNodes(sentinels: readonly Address[], layout: ReadonlyMap<string, Point>, ids: GraphIds): SentinelNode[] {
  // A Sentinel is not a data node: nothing can be dragged onto it or it onto anything.
  return [...new Set(sentinels)].map((address) => placedNode('sentinelNode', address, { address }, layout, ids, { draggable: false, ariaLabel: `Sentinel ${address}` }));
}

/**
 * A dashed line from each Sentinel to each drawn master it monitors (resolved through the
 * nodes' aliases), once per pair. Not a replication edge: no lag, no health, never laid out.
 */
export function sentinelEdges(
  sentinels: readonly NodeState[],
  resolve: (address: Address) => Address | null,
  drawn: ReadonlySet<Address>,
  ids: GraphIds,
): Edge[] {
  return readOnlyEdges(
    sentinels.flatMap((sentinel) =>
      monitoredAddresses(sentinel).flatMap((listed): Edge[] => {
        const master = resolve(listed);
        if (master === null || master === sentinel.address || !drawn.has(master)) return [];
        const source = ids.of(sentinel.address);
        const target = ids.of(master);
        return [{ id: `s-${source}-${target}`, source, target, class: 'sentinel-link', data: { sentinel: sentinel.address, monitors: master } }];
      }),
    ),
  );
}
