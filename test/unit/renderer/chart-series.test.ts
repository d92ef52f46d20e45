import { describe, expect, it } from 'vitest';
import type { NodeHistory } from '../../../electron/shared/node-history';
import { ChartSeries } from '../../../renderer/src/lib/chart-series';
import { colorSlots, seriesStyles } from '../../../renderer/src/lib/series-colors';
import { historyRows } from './fixtures';

const lag = 'lagBytes';
const none = historyRows([]);

function series(count: number, lagAt: (i: number) => number | null, start = 0): NodeHistory {
  return historyRows(Array.from({ length: count }, (_, i) => ({ t: start + i * 1000, offset: i, lagBytes: lagAt(i), lagSeconds: null })));
}

describe('ChartSeries', () => {
  const raws = new Map<string, NodeHistory>([
    ['a', series(300, (i) => (i === 100 ? 7000 : 0))],
    ['b', series(300, (i) => (i === 299 ? 50 : 0))],
    ['c', series(300, (i) => (i % 50 === 0 ? null : 1))],
  ]);
  const rawOf = (address: string): NodeHistory => raws.get(address) ?? none;

  it('reports over every node, drawn or folded into the band', () => {
    const chart = new ChartSeries(lag);
    chart.rebuild(['a', 'b', 'c'], rawOf, 0, 4096);
    chart.setShown(new Set(['b']));
    expect(chart.individual().map(([address]) => address)).toEqual(['b']);
    expect(chart.band.members).toHaveLength(2);
    const stats = chart.stats(0, 299_000);
    expect(stats.peak).toBe(7000);
    expect(stats.latestMax).toBe(50);
    expect(stats.count).toBe(300 + 300 + 294);
    expect(stats.latest.get('c')).toBe(1);
  });

  it('draws everything, and no band, when every node is shown', () => {
    const chart = new ChartSeries(lag);
    chart.rebuild(['a', 'b', 'c'], rawOf, 0, 4096);
    chart.setShown(null);
    expect(chart.individual()).toHaveLength(3);
    expect(chart.band.members).toHaveLength(0);
    expect(chart.band.upper).toEqual([]);
  });

  it('extends with new ticks, and starts a node over when its history is replaced', () => {
    const live = new Map<string, NodeHistory>([
      ['a', series(100, () => 0)],
      ['b', series(100, () => 0)],
    ]);
    const chart = new ChartSeries(lag);
    chart.rebuild(['a', 'b'], (a) => live.get(a) ?? none, 0, 1);
    chart.setShown(new Set(['a']));
    live.get('a')!.append({ t: 100_000, offset: 0, lagBytes: 3, lagSeconds: null });
    live.get('b')!.append({ t: 100_000, offset: 0, lagBytes: 4, lagSeconds: null });
    chart.sync((a) => live.get(a) ?? none, 0);
    expect(chart.individual()[0]![1].points.at(-1)).toEqual({ x: 100_000, y: 3 });
    expect(chart.band.upper.at(-1)?.y).toBe(4);

    live.set('b', series(101, () => 9));
    chart.sync((a) => live.get(a) ?? none, 0);
    expect(chart.band.upper.at(-1)?.y).toBe(9);
    expect(chart.stats(0, 100_000).peak).toBe(9);
  });
});

describe('series colours', () => {
  it('rebuilt for another window on the memory of the series it replaces, draws and reports as if built afresh', () => {
    const busy = new Map<string, NodeHistory>(
      ['a', 'b', 'c', 'd'].map((address, k) => [address, series(3600, (i) => (i % (7 + k) === 0 ? null : ((i * (k + 3)) % 97) * 100))]),
    );
    const busyOf = (address: string): NodeHistory => busy.get(address) ?? none;
    const addresses = [...busy.keys()];
    const reused = new ChartSeries(lag);
    reused.setShown(new Set(['a', 'c']));
    // 5 min, then 1 h, then 15 min: each rebuild hands the chunks on.
    for (const [from, width] of [
      [3_300_000, 1024],
      [0, 8192],
      [2_700_000, 2048],
    ] as const) {
      reused.rebuild(addresses, busyOf, from, width);
      const fresh = new ChartSeries(lag);
      fresh.setShown(new Set(['a', 'c']));
      fresh.rebuild(addresses, busyOf, from, width);
      expect(reused.individual().map(([a, s]) => [a, s.points])).toEqual(fresh.individual().map(([a, s]) => [a, s.points]));
      expect([reused.band.upper, reused.band.lower]).toEqual([fresh.band.upper, fresh.band.lower]);
      expect(reused.band.upper.length).toBeGreaterThan(0);
      expect(reused.stats(from, 3_599_000)).toEqual(fresh.stats(from, 3_599_000));
    }
  });

  it('colours a first set in address order, then keeps colours and fills free ones', () => {
    const first = colorSlots(['c', 'a', 'b']);
    expect([...first]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    const next = colorSlots(['a', 'c', 'd', 'aa'], first);
    expect(next.get('a')).toBe(0);
    expect(next.get('c')).toBe(2);
    expect(next.get('aa')).toBe(1);
    expect(next.get('d')).toBe(3);
    const light = seriesStyles(next, 'light');
    const dark = seriesStyles(next, 'dark');
    expect(light.get('a')?.color).not.toBe(dark.get('a')?.color);
    expect(new Set([...light.values()].map((s) => s.color)).size).toBe(4);
  });

  it('gives a node drawn again its old colour when it is free', () => {
    const first = colorSlots(['a', 'b', 'c', 'd']);
    const without = colorSlots(['a', 'd'], first, first);
    const back = colorSlots(['a', 'c', 'd', 'e'], without, first);
    expect(back.get('c')).toBe(first.get('c'));
    expect(back.get('e')).toBe(1);
  });
});

