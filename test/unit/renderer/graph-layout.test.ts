import { describe, expect, it } from 'vitest';
import { layoutTopology } from '../../../renderer/src/lib/graph-layout';

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
