// Siblings packed in a grid. Fifty replicas of one master in one row drew fifty specks at fit
// view; in a grid about the shape of the panel the same fifty stay cards. Pure: the caller
// (graph-layout.ts) gives the keys, their order and the card size, and places the block.
import type { NodeBox, Point } from './graph-layout';

/** A master's leaf replicas go in a grid from this many on: up to 3 still read best in one row. */
export const GRID_FROM = 4;

/** Room between cards in a grid: a gutter for the lines, a row gap for their lag labels. */
export const GRID_GAP = { x: 48, y: 60 } as const;

/**
 * Columns for `count` cards so the block is about `aspect` times as wide as tall (1: square;
 * the graph panel's width / height fills the panel best).
 */
export function gridColumns(count: number, box: NodeBox, aspect = 1, gap: { x: number; y: number } = GRID_GAP): number {
  if (count <= 1) return 1;
  const wanted = Math.sqrt((count * Math.max(0.2, aspect) * (box.height + gap.y)) / (box.width + gap.x));
  return Math.min(count, Math.max(1, Math.round(wanted)));
}

/**
 * Problems first, then by key: the order of a sibling grid. `rank` is 0 for a problem, 1 for
 * the rest, 2 for what goes last (a collapsed subtree's summary). Lag is not part of it: a tick
 * that changes only figures never moves a card.
 */
export function gridOrder(keys: readonly string[], rank: (key: string) => number): string[] {
  return [...keys].sort((a, b) => rank(a) - rank(b) || naturalCompare(a, b));
}

const DIGITS = /(\d+)/;

/**
 * Addresses in the order a person reads them: 10.0.0.9 before 10.0.0.10, :6379 before :16379.
 * Runs of digits compare as numbers, the rest as plain strings (no locale: the same everywhere).
 */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(DIGITS);
  const pb = b.split(DIGITS);
  for (let i = 0; i < Math.min(pa.length, pb.length); i += 1) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    // Odd parts are the digit runs (split with a capture group).
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface GridCell {
  /** Top-left of the card inside the block. */
  at: Point;
  row: number;
  column: number;
}

export interface GridBlock {
  cells: Map<string, GridCell>;
  width: number;
  height: number;
  columns: number;
}

/** Row by row, left to right, in the order given. */
export function packGrid(keys: readonly string[], columns: number, box: NodeBox, gap: { x: number; y: number } = GRID_GAP): GridBlock {
  const cols = Math.max(1, Math.min(columns, keys.length || 1));
  const rows = Math.max(1, Math.ceil(keys.length / cols));
  const cells = new Map<string, GridCell>();
  keys.forEach((key, i) => {
    const row = Math.floor(i / cols);
    const column = i % cols;
    cells.set(key, { at: { x: column * (box.width + gap.x), y: row * (box.height + gap.y) }, row, column });
  });
  return { cells, columns: cols, width: cols * box.width + (cols - 1) * gap.x, height: rows * box.height + (rows - 1) * gap.y };
}
