import { describe, expect, it } from 'vitest';
import type { NodeHistory } from '../../../electron/shared/node-history';
import { ChartSeries } from '../../../renderer/src/lib/chart-series';
import { colorSlots, seriesStyles } from '../../../renderer/src/lib/series-colors';
import { historyRows } from './fixtures';
import { seededRandom } from '../../helpers/seeded-random';

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
    chart.setView(new Set(['b']), false);
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
    chart.setView(null, false);
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
    chart.setView(new Set(['a']), false);
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

describe('ChartSeries: the band\'s nodes without buckets of their own', () => {
  /**
   * What the chart draws from `edge` on, and its figures for [min, max]. Before `edge` (the first
   * bucket wholly in the window) lie the buckets the line enters the plot from: one whose rows
   * the retention has trimmed is not worked out again (the entering stroke starts a bucket, about
   * a pixel, later), while a node that kept buckets still has it.
   */
  const snapshot = (chart: ChartSeries, edge: number, min: number, max: number) => {
    const inside = (points: readonly { x: number }[]) => points.filter((p) => p.x >= edge);
    return {
      lines: chart.individual().map(([address, s]) => [address, inside(s.points)]),
      band: [inside(chart.band.upper), inside(chart.band.lower)],
      stats: chart.stats(min, max),
    };
  };

  it('draws and reports as when every node kept its buckets, over ticks, gaps, trims, selections and rebuilds', () => {
    const addresses = ['a', 'b', 'c', 'd', 'e'];
    for (let seed = 1; seed <= 150; seed += 1) {
      const next = seededRandom(seed);
      const pick = (n: number): number => Math.floor(next() * n);
      const raws = new Map(addresses.map((address) => [address, historyRows([])]));
      const rawOf = (address: string): NodeHistory => raws.get(address) ?? none;
      let t = 0;
      const tick = (): void => {
        t += 500 + pick(1500);
        for (const [address, raw] of raws) {
          // A node now and then without a reading (a gap), or missing from a tick altogether.
          if (next() < 0.1) continue;
          raw.append({ t, offset: t, lagBytes: next() < 0.08 ? null : pick(10_000) * (address === 'c' ? 10 : 1), lagSeconds: null });
        }
      };
      for (let i = 0; i < 40; i += 1) tick();
      const windowMs = 20_000 + pick(60_000);
      let width = 2 ** (8 + pick(6));
      let from = Math.max(0, t - windowMs);
      const lean = new ChartSeries(lag);
      const full = new ChartSeries(lag);
      // Frozen, every node keeps its buckets: what the chart did before the band went without them.
      const view = (shown: ReadonlySet<string> | null): void => {
        lean.setView(shown, false);
        full.setView(shown, true);
      };
      const someShown = (): ReadonlySet<string> | null => (next() < 0.1 ? null : new Set(addresses.filter(() => next() < 0.3)));
      view(someShown());
      lean.rebuild(addresses, rawOf, from, width);
      full.rebuild(addresses, rawOf, from, width);
      for (let step = 0; step < 25; step += 1) {
        const what = next();
        if (what < 0.5) {
          for (let k = pick(4); k >= 0; k -= 1) tick();
          from = Math.max(0, t - windowMs);
          // The retention trims only what lies before the window.
          if (next() < 0.5) for (const raw of raws.values()) raw.dropBefore(from - pick(3) * width);
          if (next() < 0.2) view(someShown());
          lean.sync(rawOf, from);
          full.sync(rawOf, from);
        } else if (what < 0.75) {
          view(someShown());
        } else if (what < 0.85) {
          width = 2 ** (8 + pick(6));
          lean.rebuild(addresses, rawOf, from, width);
          full.rebuild(addresses, rawOf, from, width);
        } else {
          // A history replaced (reloaded) for one node.
          const address = addresses[pick(addresses.length)]!;
          const copy = historyRows(rawOf(address).points());
          raws.set(address, copy);
          lean.sync(rawOf, from);
          full.sync(rawOf, from);
        }
        const min = from + pick(windowMs);
        const max = min + pick(t - min + 1);
        const edge = (Math.floor(from / width) + 1) * width;
        expect(snapshot(lean, edge, min, max), `seed ${seed}, step ${step}`).toEqual(snapshot(full, edge, min, max));
      }
    }
  });

  it('keeps a frozen chart\'s left side when the retention trims its rows and the selection changes', () => {
    const raws = new Map(['a', 'b', 'c'].map((address, k) => [address, series(120, (i) => (i === 5 ? 900 + k : i % 7))]));
    const rawOf = (address: string): NodeHistory => raws.get(address) ?? none;
    const chart = new ChartSeries(lag);
    chart.setView(new Set(['a']), false);
    chart.rebuild(['a', 'b', 'c'], rawOf, 0, 1000);
    const before = [chart.band.upper.slice(), chart.stats(0, 119_000).peak];
    expect(before[1]).toBe(902);
    // Paused: the band's nodes take their buckets, then an hour later the retention trims their rows.
    chart.setView(new Set(['a']), true);
    for (const raw of raws.values()) raw.dropBefore(60_000);
    chart.setView(new Set(['b']), true);
    chart.sync(rawOf, 0);
    expect(chart.band.upper[0]).toEqual({ x: 500, y: 0 });
    expect(chart.stats(0, 119_000).peak).toBe(902);
    expect(chart.individual().map(([address, s]) => [address, s.points.length > 60])).toEqual([['b', true]]);
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
    reused.setView(new Set(['a', 'c']), false);
    // 5 min, then 1 h, then 15 min: each rebuild hands the chunks on.
    for (const [from, width] of [
      [3_300_000, 1024],
      [0, 8192],
      [2_700_000, 2048],
    ] as const) {
      reused.rebuild(addresses, busyOf, from, width);
      const fresh = new ChartSeries(lag);
      fresh.setView(new Set(['a', 'c']), false);
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

