import { describe, expect, it } from 'vitest';
import { childrenOf, collapsedAbove, collapsedMasters, COLLAPSE_OVER, defaultCollapsed, foldSubtrees } from '../../../renderer/src/lib/graph-collapse';

const fan = (master: string, n: number, prefix = 'r'): { master: string; replica: string }[] =>
  Array.from({ length: n }, (_, i) => ({ master, replica: `${prefix}${i}` }));

describe('collapsed subtrees', () => {
  it('starts a fan-out over the threshold collapsed, a small one expanded, and the user overrides both', () => {
    const links = [...fan('big', COLLAPSE_OVER + 1), ...fan('small', 3, 's')];
    const defaults = defaultCollapsed(childrenOf(links));
    expect([...defaults]).toEqual(['big']);
    expect([...collapsedMasters(defaults, new Map([['big', false], ['small', true]]))]).toEqual(['small']);
  });

  it('hides the healthy nodes below a collapsed master, keeps problems and the chain above them', () => {
    const links = [...fan('m', 20), { master: 'r5', replica: 'deep' }, { master: 'deep', replica: 'deeper' }];
    const folded = foldSubtrees(links, new Set(['m']), new Set(['r3', 'deeper']));
    expect(folded.hidden.has('r3')).toBe(false);
    expect(folded.hidden.has('deeper')).toBe(false);
    expect(folded.hidden.has('deep')).toBe(false);
    expect(folded.hidden.has('r5')).toBe(false);
    expect(folded.hidden.has('r0')).toBe(true);
    expect(folded.hidden.size).toBe(18);
    expect(folded.summaries.get('m')).toHaveLength(22);
  });

  it('draws no summary when nothing is hidden, and none for a master folded inside another', () => {
    expect(foldSubtrees(fan('m', 2), new Set(['m']), new Set(['r0', 'r1'])).summaries.size).toBe(0);
    const nested = [...fan('m', 3), ...fan('r0', 3, 'x')];
    const folded = foldSubtrees(nested, new Set(['m', 'r0']), new Set());
    expect([...folded.summaries.keys()]).toEqual(['m']);
    expect(folded.hidden.size).toBe(6);
  });

  it('survives a cycle, and finds the collapsed masters above a node for a search', () => {
    const cycle = [
      { master: 'a', replica: 'b' },
      { master: 'b', replica: 'a' },
    ];
    expect(foldSubtrees(cycle, new Set(['a']), new Set()).hidden).toEqual(new Set(['b']));
    const links = [...fan('m', 3), ...fan('r0', 3, 'x')];
    expect(collapsedAbove('x1', links, new Set(['m', 'r0'])).sort()).toEqual(['m', 'r0']);
    expect(collapsedAbove('m', links, new Set(['m']))).toEqual([]);
  });
});
