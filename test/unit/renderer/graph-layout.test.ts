import { describe, expect, it } from 'vitest';
import { layoutTopology, layoutTree, type LayoutEdge } from '../../../renderer/src/lib/graph-layout';

const box = { width: 200, height: 100 };

describe('layoutTopology', () => {
  it('puts masters above replicas and sub-replicas below them', () => {
    const pos = layoutTopology(
      ['m', 'r1', 'r2', 's1'],
      [
        { master: 'm', replica: 'r1' },
        { master: 'm', replica: 'r2' },
        { master: 'r1', replica: 's1' },
      ],
      box,
    );
    const y = (a: string): number => pos.get(a)?.y ?? Number.NaN;
    expect(y('m')).toBeLessThan(y('r1'));
    expect(y('r1')).toBe(y('r2'));
    expect(y('r1')).toBeLessThan(y('s1'));
    expect(Math.abs((pos.get('r1')?.x ?? 0) - (pos.get('r2')?.x ?? 0))).toBeGreaterThanOrEqual(box.width);
  });
  it('is deterministic whatever the input order', () => {
    const edges = [
      { master: 'a', replica: 'b' },
      { master: 'a', replica: 'c' },
    ];
    const one = layoutTopology(['a', 'b', 'c'], edges, box);
    const two = layoutTopology(['c', 'b', 'a'], [...edges].reverse(), box);
    expect([...two.entries()].sort()).toEqual([...one.entries()].sort());
  });
  it('puts siblings left to right in address order, subtrees too', () => {
    const edges: LayoutEdge[] = [];
    for (const r of ['r1', 'r2', 'r3']) {
      edges.push({ master: 'm', replica: r });
      edges.push({ master: r, replica: `${r}-a` });
    }
    const pos = layoutTopology(['m', 'r1', 'r2', 'r3', 'r1-a', 'r2-a', 'r3-a'], edges, box);
    const x = (key: string): number => pos.get(key)?.x ?? Number.NaN;
    expect(x('r1')).toBeLessThan(x('r2'));
    expect(x('r2')).toBeLessThan(x('r3'));
    expect(x('r1-a')).toBeLessThan(x('r2-a'));
    // Nine subtrees, each a grid of ten: still in order (dagre's own order ran right to left).
    const keys = ['m'];
    const links: LayoutEdge[] = [];
    for (let i = 1; i <= 9; i++) {
      keys.push(`r${i}`);
      links.push({ master: 'm', replica: `r${i}` });
      for (let j = 10; j < 20; j++) {
        keys.push(`r${i}-${j}`);
        links.push({ master: `r${i}`, replica: `r${i}-${j}` });
      }
    }
    const tree = layoutTree(keys, links, box, { aspect: 2 });
    const order = [...tree.positions].filter(([key]) => /^r\d$/.test(key)).sort((a, b) => a[1].x - b[1].x).map(([key]) => key);
    expect(order).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
  });

  it('survives cycles, self edges and edges to unknown nodes', () => {
    const pos = layoutTopology(
      ['a', 'b'],
      [
        { master: 'a', replica: 'b' },
        { master: 'b', replica: 'a' },
        { master: 'a', replica: 'a' },
        { master: 'ghost', replica: 'a' },
      ],
      box,
    );
    expect(pos.size).toBe(2);
    for (const p of pos.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });
});

describe('layoutTree with taller cards', () => {
  // m -> r1 -> s1 and m -> r2, plus a grid of 8 leaves under r2; the stalled r1 and one grid leaf are tall.
  const leaves = Array.from({ length: 8 }, (_, i) => `leaf-${i}`);
  const nodes = ['m', 'r1', 'r2', 's1', ...leaves];
  const edges: LayoutEdge[] = [
    { master: 'm', replica: 'r1' },
    { master: 'm', replica: 'r2' },
    { master: 'r1', replica: 's1' },
    ...leaves.map((leaf) => ({ master: 'r2', replica: leaf })),
  ];
  const tall = new Set(['r1', 'leaf-0']);
  const height = (key: string): number => (tall.has(key) ? 180 : box.height);
  const { positions } = layoutTree(nodes, edges, box, { aspect: 1, gridFrom: 4, height, rank: (key) => (tall.has(key) ? 0 : 1) });
  const at = (key: string) => positions.get(key) ?? { x: Number.NaN, y: Number.NaN };

  it("leaves the rank's gap below a tall card, not below the box (a stalled replica's card reached its replica's)", () => {
    expect(at('s1').y - (at('r1').y + 180)).toBeGreaterThanOrEqual(56);
  });

  it('lines the cards of a rank up at the top', () => {
    expect(at('r1').y).toBe(at('r2').y);
  });

  it('gives a grid row the height of its tallest card', () => {
    const rows = [...new Set(leaves.map((leaf) => at(leaf).y))].sort((a, b) => a - b);
    expect(rows.length).toBeGreaterThan(1);
    expect(at('leaf-0').y).toBe(rows[0]);
    expect((rows[1] ?? 0) - ((rows[0] ?? 0) + 180)).toBeGreaterThan(0);
  });
});
