// Layered, top-down placement of the topology with dagre: masters on top, replicas below
// their master, sub-replicas below them. A master's many leaf replicas go in one grid block
// (graph-grid.ts) that dagre places like a big card. Pure, and only called when nodes, edges,
// collapsed subtrees or the set of problem nodes change.
import { Graph, layout } from '@dagrejs/dagre';
import type { Address } from '../../../electron/shared/types';
import { GRID_FROM, GRID_GAP, gridColumns, gridOrder, packGrid } from './graph-grid';
import { addToGroup } from '../../../electron/shared/group';

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

/** How a line reaches a card in a grid: along the gutter left of its column, then the gap above its row. */
export interface GridLane {
  /** x of the gutter to run down (null in the first row: straight across the gap above it). */
  gutterX: number | null;
  /** y of the horizontal run into the card: the middle of the gap above its row. */
  gapY: number;
  /** y of the run along the top of the grid, where every line of the block leaves the master's. */
  busY: number;
}

export interface TreeLayout {
  positions: Map<string, Point>;
  /** Cards placed in a grid, by key. */
  lanes: Map<string, GridLane>;
}

export interface TreeOptions {
  spacing?: { nodesep: number; ranksep: number };
  /** Width / height the grids aim for (the panel's, so the fitted view fills it). */
  aspect?: number;
  /** 0: a problem (first in its grid), 1: the rest, 2: last (a summary card). Default 1. */
  rank?: (key: string) => number;
  /** Leaf replicas of one master that make a grid (default GRID_FROM). */
  gridFrom?: number;
  /** A card's height where it is taller than the box (a problem card: its state, link and warning chips). */
  height?: (key: string) => number;
}

/** Top-left position of every node (what @xyflow/svelte expects with the default origin). */
export function layoutTopology(
  nodes: readonly Address[],
  edges: readonly LayoutEdge[],
  box: NodeBox,
  spacing: { nodesep: number; ranksep: number } = { nodesep: 36, ranksep: 56 },
): Map<Address, Point> {
  return layoutTree(nodes, edges, box, { spacing }).positions;
}

/**
 * Row `row` of `master`'s grid in dagre's graph (never an address: it holds a line break). Each
 * row is a node of its own, chained under the one above, so a sibling subtree beside the grid
 * hangs beside its upper rows instead of below the whole block (one tall node made its rank as
 * tall as the grid).
 */
function rowKey(master: string, row: number): string {
  return `${master}\ngrid\n${row}`;
}

/**
 * Columns for `beside` grids of `count` cards side by side in one rank, under the replicas of one
 * master: the most a fitted view can enlarge that row of grids with the two ranks above it, in a
 * panel `aspect` times as wide as tall.
 */
function sideBySideColumns(count: number, beside: number, box: NodeBox, aspect: number, spacing: { nodesep: number; ranksep: number }): number {
  let best = 1;
  let bestScale = 0;
  for (let columns = 1; columns <= count; columns += 1) {
    const rows = Math.ceil(count / columns);
    const width = beside * (columns * box.width + (columns - 1) * GRID_GAP.x) + (beside - 1) * spacing.nodesep;
    const height = 2 * (box.height + spacing.ranksep) + rows * box.height + (rows - 1) * GRID_GAP.y;
    const scale = Math.min(aspect / width, 1 / height);
    if (scale > bestScale) {
      bestScale = scale;
      best = columns;
    }
  }
  return best;
}

/** Like layoutTopology, plus the lanes of the lines into grid cards. */
export function layoutTree(nodes: readonly string[], edges: readonly LayoutEdge[], box: NodeBox, options: TreeOptions = {}): TreeLayout {
  const spacing = options.spacing ?? { nodesep: 36, ranksep: 56 };
  const rank = options.rank ?? (() => 1);
  const gridFrom = options.gridFrom ?? GRID_FROM;
  const g = new Graph();
  g.setGraph({ rankdir: 'TB', nodesep: spacing.nodesep, ranksep: spacing.ranksep, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  // Sorted input gives the same picture for the same topology, whatever order the engine used.
  const sortedNodes = [...nodes].sort();
  const known = new Set(sortedNodes);
  const sortedEdges = [...edges]
    .filter((e) => known.has(e.master) && known.has(e.replica) && e.master !== e.replica)
    .sort((a, b) => (a.master === b.master ? a.replica.localeCompare(b.replica) : a.master.localeCompare(b.master)));

  // A leaf: fed by one edge of one rank, feeding nothing. A master's leaves go in its grid.
  const outs = new Map<string, number>();
  const ins = new Map<string, LayoutEdge[]>();
  for (const e of sortedEdges) {
    outs.set(e.master, (outs.get(e.master) ?? 0) + 1);
    addToGroup(ins, e.replica, e);
  }
  const leavesOf = new Map<string, string[]>();
  for (const address of sortedNodes) {
    const feeding = ins.get(address) ?? [];
    const only = feeding[0];
    if (feeding.length !== 1 || !only || (only.minlen ?? 1) !== 1 || outs.has(address)) continue;
    addToGroup(leavesOf, only.master, address);
  }
  // Grids under replicas of one master sit side by side in one rank: together, not each, they
  // take the panel's shape. Each shaped like the panel, the nine grids of a master → 9 → 90 tree
  // made a row ten times as wide as tall, which Fit view could not show whole at its least zoom.
  const above = (master: string): string => ins.get(master)?.[0]?.master ?? master;
  const sideBySide = new Map<string, number>();
  for (const [master, leaves] of leavesOf) if (leaves.length >= gridFrom) sideBySide.set(above(master), (sideBySide.get(above(master)) ?? 0) + 1);
  const grids = new Map<string, ReturnType<typeof packGrid>>();
  const inGrid = new Set<string>();
  for (const [master, leaves] of leavesOf) {
    if (leaves.length < gridFrom) continue;
    const ordered = gridOrder(leaves, rank);
    const beside = sideBySide.get(above(master)) ?? 1;
    const columns = beside > 1 ? sideBySideColumns(ordered.length, beside, box, options.aspect ?? 1, spacing) : gridColumns(ordered.length, box, options.aspect ?? 1);
    const block = packGrid(ordered, columns, box, GRID_GAP);
    grids.set(master, block);
    for (const leaf of leaves) inGrid.add(leaf);
  }

  const rowsOf = (block: ReturnType<typeof packGrid>): number => Math.ceil(block.cells.size / block.columns);
  const heightOf = options.height ?? (() => box.height);
  const heights = new Map<string, number>();
  for (const address of sortedNodes) {
    if (inGrid.has(address)) continue;
    heights.set(address, heightOf(address));
    g.setNode(address, { width: box.width, height: heights.get(address) });
  }
  // Every row as wide as the block, so the chain lines up and the gutters run straight down; as
  // tall as its tallest card.
  for (const [master, block] of grids) {
    const rows: number[] = Array.from({ length: rowsOf(block) }, () => box.height);
    for (const [key, cell] of block.cells) rows[cell.row] = Math.max(rows[cell.row] ?? box.height, heightOf(key));
    rows.forEach((height, r) => {
      heights.set(rowKey(master, r), height);
      g.setNode(rowKey(master, r), { width: block.width, height });
    });
  }
  // Added last first: dagre's first ordering of a rank walks the edges as a stack, and added in
  // address order they came out right to left (replicas c b a under their master).
  for (const edge of [...sortedEdges].reverse()) {
    if (inGrid.has(edge.replica)) continue;
    g.setEdge(edge.master, edge.replica, { minlen: edge.minlen ?? 1 });
  }
  for (const [master, block] of grids) {
    g.setEdge(master, rowKey(master, 0), { minlen: 1 });
    // Heavy: dagre keeps a chain of heavy edges straight, so the rows stay one above the other.
    for (let r = 1; r < rowsOf(block); r += 1) g.setEdge(rowKey(master, r - 1), rowKey(master, r), { minlen: 1, weight: 100 });
  }
  layout(g);

  const centre = (key: string): Point => {
    const placed = g.node(key) as { x?: number; y?: number } | undefined;
    return { x: placed?.x ?? 0, y: placed?.y ?? 0 };
  };
  // dagre centres the nodes of a rank on one line; the cards of a rank line up at the top of its tallest.
  const halfOfRank = new Map<number, number>();
  for (const [key, height] of heights) {
    const y = centre(key).y;
    halfOfRank.set(y, Math.max(halfOfRank.get(y) ?? 0, height / 2));
  }
  const top = (c: Point): number => Math.round(c.y - (halfOfRank.get(c.y) ?? box.height / 2));
  const positions = new Map<string, Point>();
  const lanes = new Map<string, GridLane>();
  for (const address of sortedNodes) {
    if (inGrid.has(address)) continue;
    const c = centre(address);
    positions.set(address, { x: Math.round(c.x - box.width / 2), y: top(c) });
  }
  for (const [master, block] of grids) {
    const topLeft = (row: number): Point => {
      const c = centre(rowKey(master, row));
      return { x: Math.round(c.x - block.width / 2), y: top(c) };
    };
    const busY = topLeft(0).y - Math.round(spacing.ranksep * 0.6);
    for (const [key, cell] of block.cells) {
      const row = topLeft(cell.row);
      const at = { x: row.x + cell.at.x, y: row.y };
      positions.set(key, at);
      lanes.set(key, {
        busY,
        gutterX: cell.row === 0 ? null : at.x - GRID_GAP.x / 2,
        gapY: cell.row === 0 ? busY : at.y - Math.round(spacing.ranksep / 2),
      });
    }
  }
  return { positions, lanes };
}

/**
 * The line from a master (sx, sy: the bottom of its card) to a grid card (tx, ty: its top), with
 * right angles: down to the bus above the grid, across to the gutter left of the card's column,
 * down the gutter to the gap above its row, across to the card. Returns the SVG path and where
 * its label goes (in the gap just above the card, clear of the other lines).
 */
export function lanePath(sx: number, sy: number, tx: number, ty: number, lane: GridLane): [string, number, number] {
  // A master card taller than the layout's box (a stack of warning chips) ends below the bus: start there.
  const bus = Math.max(lane.busY, sy + 8);
  if (lane.gutterX === null) return [`M ${sx} ${sy} V ${bus} H ${tx} V ${ty}`, tx, Math.round((bus + ty) / 2)];
  return [`M ${sx} ${sy} V ${bus} H ${lane.gutterX} V ${lane.gapY} H ${tx} V ${ty}`, tx, lane.gapY];
}
