import { describe, expect, it } from 'vitest';
import { GRID_FROM, gridColumns, gridOrder, naturalCompare, packGrid } from '../../../renderer/src/lib/graph-grid';
import { lanePath, layoutTree, type LayoutEdge } from '../../../renderer/src/lib/graph-layout';

const box = { width: 240, height: 128 };

/** A master with `n` direct replicas: m, r001…rNNN. */
function fan(n: number): { nodes: string[]; edges: LayoutEdge[] } {
  const replicas = Array.from({ length: n }, (_, i) => `10.0.0.${i + 2}:6379`);
  return { nodes: ['10.0.0.1:6379', ...replicas], edges: replicas.map((r) => ({ master: '10.0.0.1:6379', replica: r })) };
}

function overlaps(a: { x: number; y: number }, b: { x: number; y: number }): boolean {
  return a.x < b.x + box.width && b.x < a.x + box.width && a.y < b.y + box.height && b.y < a.y + box.height;
}

function expectNoOverlap(positions: Map<string, { x: number; y: number }>): void {
  const all = [...positions.entries()];
  for (let i = 0; i < all.length; i += 1) {
    for (let j = i + 1; j < all.length; j += 1) {
      const [ka, a] = all[i]!;
      const [kb, b] = all[j]!;
      if (overlaps(a, b)) throw new Error(`${ka} overlaps ${kb}`);
    }
  }
}

function extent(positions: Map<string, { x: number; y: number }>): { width: number; height: number } {
  const xs = [...positions.values()].map((p) => p.x);
  const ys = [...positions.values()].map((p) => p.y);
  return { width: Math.max(...xs) - Math.min(...xs) + box.width, height: Math.max(...ys) - Math.min(...ys) + box.height };
}

describe('sibling grid', () => {
  it('chooses columns so the block is about as wide as tall, or as the aspect asked', () => {
    expect(gridColumns(1, box)).toBe(1);
    const square = packGrid(Array.from({ length: 50 }, (_, i) => `k${i}`), gridColumns(50, box), box);
    expect(square.width / square.height).toBeGreaterThan(0.7);
    expect(square.width / square.height).toBeLessThan(1.4);
    const wide = packGrid(Array.from({ length: 50 }, (_, i) => `k${i}`), gridColumns(50, box, 2.5), box);
    expect(wide.width / wide.height).toBeGreaterThan(1.8);
  });

  it('puts problems first, then by address, summaries last', () => {
    const rank = (k: string): number => (k === 'c' ? 0 : k === 'zz-summary' ? 2 : 1);
    expect(gridOrder(['d', 'zz-summary', 'a', 'c', 'b'], rank)).toEqual(['c', 'a', 'b', 'd', 'zz-summary']);
    // As a person reads addresses: .9 before .10, :6379 before :16379.
    expect(['10.0.0.10:6379', '10.0.0.9:6379', '10.0.0.9:16379', 'host-b:1', 'host-a:2'].sort(naturalCompare)).toEqual([
      '10.0.0.9:6379',
      '10.0.0.9:16379',
      '10.0.0.10:6379',
      'host-a:2',
      'host-b:1',
    ]);
  });
});

describe('layoutTree at 1, 4, 60 and 200 nodes', () => {
  for (const total of [1, 4, 60, 200]) {
    it(`places every one of ${total} nodes, none overlapping`, () => {
      const { nodes, edges } = fan(total - 1);
      const { positions } = layoutTree(nodes, edges, box, { aspect: 2 });
      expect(positions.size).toBe(total);
      for (const p of positions.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      expectNoOverlap(positions);
      // Masters above replicas, whatever the count.
      const master = positions.get('10.0.0.1:6379')!;
      for (const [key, p] of positions) if (key !== '10.0.0.1:6379') expect(p.y).toBeGreaterThan(master.y + box.height);
    });
  }

  it('packs 50 direct replicas in a grid about the panel shape, not one row', () => {
    const { nodes, edges } = fan(50);
    const { positions, lanes } = layoutTree(nodes, edges, box, { aspect: 2 });
    const size = extent(positions);
    expect(size.width / size.height).toBeGreaterThan(1.2);
    expect(size.width / size.height).toBeLessThan(3.5);
    expect(new Set([...positions.values()].map((p) => p.y)).size).toBeGreaterThan(3);
    expect(lanes.size).toBe(50);
    // Lines into lower rows run in the gutters, never across a card.
    for (const [key, lane] of lanes) {
      if (lane.gutterX === null) continue;
      // Every card the run down the gutter passes (from the bus to the gap above the row).
      const passed = [...positions.values()].filter((p) => p.y + box.height > lane.busY && p.y < lane.gapY);
      expect(passed.length).toBeGreaterThan(0);
      for (const p of passed) expect(lane.gutterX > p.x && lane.gutterX < p.x + box.width).toBe(false);
      expect(lane.gapY).toBeLessThan(positions.get(key)!.y);
    }
  });

  it('shapes the grids of sibling sub-masters together like the panel: a master → 9 → 90 tree fits a 1020×460 panel whole', () => {
    const master = '10.0.0.1:6379';
    const middle = Array.from({ length: 9 }, (_, i) => `10.0.1.${i + 1}:6379`);
    const nodes = [master, ...middle];
    const edges: LayoutEdge[] = middle.map((m) => ({ master, replica: m }));
    middle.forEach((m, i) => {
      for (let k = 1; k <= 10; k += 1) {
        nodes.push(`10.0.${i + 2}.${k}:6379`);
        edges.push({ master: m, replica: `10.0.${i + 2}.${k}:6379` });
      }
    });
    const panel = { width: 1020, height: 460 };
    const { positions } = layoutTree(nodes, edges, box, { aspect: panel.width / panel.height });
    expect(positions.size).toBe(100);
    expectNoOverlap(positions);
    const size = extent(positions);
    // Nine grids each shaped like the panel made a row 9 × 4 cards wide (zoom 0.14 to fit).
    expect(size.width / size.height).toBeLessThan(4);
    expect(Math.min(panel.width / size.width, panel.height / size.height)).toBeGreaterThanOrEqual(0.2);
  });

  it('keeps 3 siblings in one row (the small topologies look as before)', () => {
    const { nodes, edges } = fan(GRID_FROM - 1);
    const { positions, lanes } = layoutTree(nodes, edges, box);
    expect(lanes.size).toBe(0);
    expect(new Set(nodes.slice(1).map((n) => positions.get(n)!.y)).size).toBe(1);
  });

  it('keeps every card where it was when only lag changes, and moves a node that turns into a problem to the front', () => {
    const { nodes, edges } = fan(30);
    const one = layoutTree(nodes, edges, box, { aspect: 2 }).positions;
    const two = layoutTree([...nodes].reverse(), [...edges].reverse(), box, { aspect: 2 }).positions;
    expect([...two.entries()].sort()).toEqual([...one.entries()].sort());
    const stalled = '10.0.0.20:6379';
    const withProblem = layoutTree(nodes, edges, box, { aspect: 2, rank: (k) => (k === stalled ? 0 : 1) }).positions;
    const firstCell = [...withProblem.entries()]
      .filter(([k]) => k !== '10.0.0.1:6379')
      .sort(([, a], [, b]) => a.y - b.y || a.x - b.x)[0]![0];
    expect(firstCell).toBe(stalled);
    expectNoOverlap(withProblem);
  });

  it('keeps cascades top-down: a sub-master below the master, its grid below it', () => {
    const { nodes, edges } = fan(8);
    const sub = '10.0.0.2:6379';
    const subs = Array.from({ length: 6 }, (_, i) => `10.0.1.${i + 1}:6379`);
    const all = [...nodes, ...subs];
    const links = [...edges, ...subs.map((r) => ({ master: sub, replica: r }))];
    const { positions, lanes } = layoutTree(all, links, box, { aspect: 2 });
    expect(positions.size).toBe(all.length);
    expectNoOverlap(positions);
    // Beside the master's grid, not below the whole of it: the grid's rows are nodes of their own.
    const gridBottom = Math.max(...edges.filter((e) => e.replica !== sub).map((e) => positions.get(e.replica)!.y));
    const { positions: wide } = layoutTree([...fan(40).nodes, ...subs], [...fan(40).edges, ...subs.map((r) => ({ master: sub, replica: r }))], box, { aspect: 2 });
    const wideBottom = Math.max(...fan(40).nodes.slice(2).map((n) => wide.get(n)!.y));
    expect(Math.min(...subs.map((s) => wide.get(s)!.y))).toBeLessThan(wideBottom);
    expect(gridBottom).toBeGreaterThan(0);
    for (const [, lane] of lanes) {
      if (lane.gutterX === null) continue;
      const passed = [...positions.values()].filter((p) => p.y + box.height > lane.busY && p.y < lane.gapY);
      for (const p of passed) expect(lane.gutterX > p.x && lane.gutterX < p.x + box.width).toBe(false);
    }
    for (const s of subs) expect(positions.get(s)!.y).toBeGreaterThan(positions.get(sub)!.y + box.height);
    expect(positions.get(sub)!.y).toBeGreaterThan(positions.get('10.0.0.1:6379')!.y + box.height);
  });
});

describe('lanePath', () => {
  it('runs a first-row line along the bus, a lower one down the gutter, and puts the label above the card', () => {
    const [first, fx, fy] = lanePath(100, 128, 300, 184, { busY: 150, gutterX: null, gapY: 150 });
    expect(first).toBe('M 100 128 V 150 H 300 V 184');
    expect([fx, fy]).toEqual([300, 167]);
    const [lower, lx, ly] = lanePath(100, 128, 300, 400, { busY: 150, gutterX: 156, gapY: 372 });
    expect(lower).toBe('M 100 128 V 150 H 156 V 372 H 300 V 400');
    expect([lx, ly]).toEqual([300, 372]);
    // A master card taller than the box ends below the bus: the line starts under it.
    expect(lanePath(100, 170, 300, 400, { busY: 150, gutterX: 156, gapY: 372 })[0]).toBe('M 100 170 V 178 H 156 V 372 H 300 V 400');
  });
});
