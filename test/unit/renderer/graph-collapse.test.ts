import { describe, expect, it } from 'vitest';
import { childrenOf, collapsedAbove, collapsedMasters, COLLAPSE_OVER, defaultCollapsed, DRAWN_OVER, foldSubtrees } from '../../../renderer/src/lib/graph-collapse';

const fan = (master: string, n: number, prefix = 'r'): { master: string; replica: string }[] =>
  Array.from({ length: n }, (_, i) => ({ master, replica: `${prefix}${i}` }));

describe('collapsed subtrees', () => {
  it('starts a fan-out over the threshold collapsed, a small one expanded, and the user overrides both', () => {
    const links = [...fan('big', COLLAPSE_OVER + 1), ...fan('small', 3, 's')];
    const defaults = defaultCollapsed(childrenOf(links));
    expect([...defaults]).toEqual(['big']);
    expect([...collapsedMasters(defaults, new Map([['big', false], ['small', true]]))]).toEqual(['small']);
  });

  it('folds a big tree from the bottom up until it draws few enough cards: 100 nodes as 9 masters of 10 draw 19', () => {
    const middles = Array.from({ length: 9 }, (_, i) => `m${i}`);
    const tree = (root: string, prefix: string) => [
      ...middles.map((m) => ({ master: root, replica: `${prefix}${m}` })),
      ...middles.flatMap((m) => fan(`${prefix}${m}`, 10, `${prefix}${m}-`)),
    ];
    const hundred = tree('top', '');
    const defaults = defaultCollapsed(childrenOf(hundred));
    expect([...defaults].sort()).toEqual(middles);
    const folded = foldSubtrees(hundred, defaults, new Set());
    expect(100 - folded.hidden.size + folded.summaries.size).toBe(19);
    // 200: a second such tree under the first's root. Its 9 masters of 10 fold, and then (38 cards
    // still) its own master, which is not a root; the top root never folds.
    const twoHundred = [...hundred, { master: 'top', replica: 'low' }, ...tree('low', 'low-')];
    const more = defaultCollapsed(childrenOf(twoHundred));
    expect(more.has('low')).toBe(true);
    expect(more.has('top')).toBe(false);
    const foldedMore = foldSubtrees(twoHundred, more, new Set());
    expect(200 - foldedMore.hidden.size + foldedMore.summaries.size).toBe(21);
  });

  it('folds nothing more while the graph draws few enough cards, nor subtrees too small for a collapse button, nor a root', () => {
    // 1 + 3 + 3 × 8 = 28 cards: within the limit.
    const small = [...fan('top', 3, 'm'), ...['m0', 'm1', 'm2'].flatMap((m) => fan(m, 8, `${m}-`))];
    expect(28).toBeLessThanOrEqual(DRAWN_OVER);
    expect(defaultCollapsed(childrenOf(small)).size).toBe(0);
    // 1 + 12 + 12 × 3 = 49 cards, but a master of 3 has no collapse button and the top is a root.
    const wide = [...fan('top', 12, 'm'), ...Array.from({ length: 12 }, (_, i) => fan(`m${i}`, 3, `m${i}-`)).flat()];
    expect(defaultCollapsed(childrenOf(wide)).size).toBe(0);
    // A cycle neither loops nor folds.
    expect(defaultCollapsed(childrenOf([{ master: 'a', replica: 'b' }, { master: 'b', replica: 'a' }]), COLLAPSE_OVER, 0).size).toBe(0);
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
