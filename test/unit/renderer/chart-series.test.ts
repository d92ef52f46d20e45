import { describe, expect, it } from 'vitest';
import type { NodeHistory } from '../../../electron/shared/node-history';
import { BucketedSeries, SeriesBand } from '../../../renderer/src/lib/bucketed-series';
import { ChartSeries, type ChartStats } from '../../../renderer/src/lib/chart-series';
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

  it('answers the stats again only when a tick, a rebuild, another view or another range changed them', () => {
    const live = new Map<string, NodeHistory>([
      ['a', series(100, () => 0)],
      ['b', series(100, () => 0)],
    ]);
    const rawOf = (a: string): NodeHistory => live.get(a) ?? none;
    const chart = new ChartSeries(lag);
    chart.rebuild(['a', 'b'], rawOf, 0, 1000);
    chart.setView(new Set(['a']), false);
    const first = chart.stats(0, 100_000);
    expect(first.peak).toBe(0);
    // A redraw's second look, nothing new in between: the same answer.
    chart.sync(rawOf, 0);
    expect(chart.stats(0, 100_000)).toBe(first);
    // A tick's point inside the same range: a new answer that has it.
    live.get('b')!.append({ t: 99_500, offset: 0, lagBytes: 5, lagSeconds: null });
    chart.sync(rawOf, 0);
    const ticked = chart.stats(0, 100_000);
    expect([ticked.peak, ticked.latest.get('b')]).toEqual([5, 5]);
    // Another range, then another view, each answered afresh.
    expect(chart.stats(0, 99_000).peak).toBe(0);
    const again = chart.stats(0, 100_000);
    chart.setView(new Set(['b']), false);
    expect(chart.stats(0, 100_000)).not.toBe(again);
    expect(chart.stats(0, 100_000).peak).toBe(5);
  });
});

/**
 * The reference for the band's nodes without buckets: ChartSeries as it was before, every node a
 * BucketedSeries (paused or not), the band made of the hidden nodes' buckets, the figures read
 * from each node's buckets.
 */
class EveryNodeBucketed {
  readonly band = new SeriesBand();
  #series = new Map<string, BucketedSeries>();
  #shown: ReadonlySet<string> | null = null;
  #width = 0;

  setView(shown: ReadonlySet<string> | null): void {
    this.#shown = shown;
    const members = this.#hidden();
    const current = this.band.members;
    if (members.length === current.length && members.every((s, i) => s === current[i])) return;
    this.band.reset(members);
  }

  rebuild(addresses: readonly string[], rawOf: (address: string) => NodeHistory, from: number, width: number): void {
    this.#width = width;
    this.#series = new Map(addresses.map((a) => [a, new BucketedSeries(rawOf(a), lag, width, from)]));
    this.band.reset(this.#hidden());
  }

  sync(rawOf: (address: string) => NodeHistory, from: number): void {
    let bandFrom = Number.POSITIVE_INFINITY;
    for (const s of this.band.members) bandFrom = Math.min(bandFrom, s.newestIndex);
    let replaced = false;
    for (const [address, s] of this.#series) {
      const raw = rawOf(address);
      if (raw === s.raw) {
        s.sync();
        s.dropBefore(from);
      } else {
        this.#series.set(address, new BucketedSeries(raw, lag, this.#width, from));
        replaced = true;
      }
    }
    if (replaced) {
      this.band.reset(this.#hidden());
    } else {
      this.band.update(bandFrom);
      this.band.dropBefore();
    }
  }

  individual(): [string, BucketedSeries][] {
    return [...this.#series].filter(([address]) => this.#shown === null || this.#shown.has(address));
  }

  stats(min: number, max: number): ChartStats {
    const out: ChartStats = { count: 0, low: null, peak: null, latestMax: null, latest: new Map() };
    for (const [address, s] of this.#series) {
      const r = s.stats(min, max);
      out.count += r.count;
      if (r.low !== null && (out.low === null || r.low < out.low)) out.low = r.low;
      if (r.high !== null && (out.peak === null || r.high > out.peak)) out.peak = r.high;
      if (r.latest !== null && (out.latestMax === null || r.latest > out.latestMax)) out.latestMax = r.latest;
      out.latest.set(address, r.latest);
    }
    return out;
  }

  #hidden(): BucketedSeries[] {
    return [...this.#series].filter(([address]) => this.#shown !== null && !this.#shown.has(address)).map(([, s]) => s);
  }
}

describe('ChartSeries: the band\'s nodes without buckets of their own', () => {
  /**
   * What the chart draws from `edge` on, and its figures for [min, max]. Before `edge` (the first
   * bucket wholly in the window) lie the buckets the line enters the plot from: one whose rows
   * the retention has trimmed is not worked out again (the entering stroke starts a bucket, about
   * a pixel, later), while a node that kept buckets still has it.
   */
  const snapshot = (chart: ChartSeries | EveryNodeBucketed, edge: number, min: number, max: number) => {
    const inside = (points: readonly { x: number }[]) => points.filter((p) => p.x >= edge);
    return {
      lines: chart.individual().map(([address, s]) => [address, inside(s.points)]),
      band: [inside(chart.band.upper), inside(chart.band.lower)],
      stats: chart.stats(min, max),
    };
  };

  it('draws and reports as when every node kept its buckets, over ticks, gaps, trims, selections, pauses and rebuilds', () => {
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
      const full = new EveryNodeBucketed();
      let paused = false;
      let shown: ReadonlySet<string> | null = null;
      const view = (which: ReadonlySet<string> | null): void => {
        shown = which;
        lean.setView(shown, paused);
        full.setView(shown);
      };
      const sync = (): void => {
        lean.sync(rawOf, from);
        full.sync(rawOf, from);
      };
      const someShown = (): ReadonlySet<string> | null => (next() < 0.1 ? null : new Set(addresses.filter(() => next() < 0.3)));
      view(someShown());
      lean.rebuild(addresses, rawOf, from, width);
      full.rebuild(addresses, rawOf, from, width);
      for (let step = 0; step < 30; step += 1) {
        const what = next();
        if (what < 0.45) {
          for (let k = pick(paused ? 12 : 4); k >= 0; k -= 1) tick();
          // Live, the window follows the ticks and the retention trims only what lies before it.
          // Paused, the window stays put while the retention (here as long as the window) trims
          // into it: the rows of its left side go.
          if (!paused) from = Math.max(0, t - windowMs);
          if (next() < 0.5) for (const raw of raws.values()) raw.dropBefore(paused ? t - windowMs : from - pick(3) * width);
          if (next() < 0.2) view(someShown());
          sync();
        } else if (what < 0.55) {
          // Paused (the chart draws at once) or back to live (drawn at the window now).
          paused = !paused;
          view(shown);
          if (!paused) {
            from = Math.max(0, t - windowMs);
            sync();
          }
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
          sync();
        }
        const edge = (Math.floor(from / width) + 1) * width;
        // Paused, a bucket a range's left edge cuts is counted from its rows, which the retention
        // may have trimmed since; whether the window's first bucket is cut depends on the rows it
        // began with (a node that kept its buckets since before the pause counts fewer). The
        // figures are compared from the first whole bucket on then.
        const min = Math.max(paused ? edge : from, from + pick(windowMs));
        const max = min + pick(t - min + 1);
        expect(snapshot(lean, edge, min, max), `seed ${seed}, step ${step}`).toEqual(snapshot(full, edge, min, max));
        // Before `edge`, the band holds nothing the reference has dropped as the window moved on.
        expect(lean.band.upper[0]?.x ?? Infinity, `seed ${seed}, step ${step}`).toBeGreaterThanOrEqual(full.band.upper[0]?.x ?? Infinity);
      }
    }
  }, 30_000); // 150 random histories: 3 s alone, past the 5 s default on a machine busy with integration labs

  it('enters the window from the bucket just before it, as before, while the history holds that bucket\'s rows', () => {
    const raws = new Map(['a', 'b', 'c'].map((address, k) => [address, series(100, (i) => ((i * (k + 3)) % 11) * 100 + k)]));
    const rawOf = (address: string): NodeHistory => raws.get(address) ?? none;
    const lean = new ChartSeries(lag);
    const full = new EveryNodeBucketed();
    const whole = (chart: ChartSeries | EveryNodeBucketed) => [chart.band.upper, chart.band.lower, chart.individual().map(([address, s]) => [address, s.points])];
    lean.setView(new Set(['a']), false);
    full.setView(new Set(['a']));
    lean.rebuild(['a', 'b', 'c'], rawOf, 30_500, 4000);
    full.rebuild(['a', 'b', 'c'], rawOf, 30_500, 4000);
    expect(lean.band.upper[0]?.x).toBe(30_000);
    expect(whole(lean)).toEqual(whole(full));
    for (let i = 100; i < 130; i += 1) {
      for (const raw of raws.values()) raw.append({ t: i * 1000, offset: i, lagBytes: (i * 7) % 13, lagSeconds: null });
      const from = 30_500 + (i - 99) * 1000;
      if (i === 115) {
        lean.setView(new Set(['b']), false);
        full.setView(new Set(['b']));
      }
      lean.sync(rawOf, from);
      full.sync(rawOf, from);
      expect(whole(lean), `tick ${i}`).toEqual(whole(full));
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

