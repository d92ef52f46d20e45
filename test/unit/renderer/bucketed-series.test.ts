import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../../electron/shared/types';
import { BucketedSeries, SeriesBand, bucketWidth, type XY } from '../../../renderer/src/lib/bucketed-series';
import { historyRows as rows } from './fixtures';

const lag = 'lagBytes';

function point(t: number, lagBytes: number | null): HistoryPoint {
  return { t, offset: lagBytes === null ? null : 1000 + t, lagBytes, lagSeconds: null };
}

/** A deterministic series: mostly zero, with spikes and the odd gap. */
function noisy(count: number, seed: number, stepMs = 1000, start = 1_000_000): HistoryPoint[] {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return Array.from({ length: count }, (_, i) => {
    const r = rand();
    return point(start + i * stepMs, r < 0.03 ? null : r > 0.9 ? Math.round(rand() * 100_000) : 0);
  });
}

/** What the stats must say, straight from the raw points. */
function bruteStats(points: readonly HistoryPoint[], min: number, max: number) {
  const inside = points.filter((p) => p.t >= min && p.t <= max && p.lagBytes !== null);
  const values = inside.map((p) => p.lagBytes as number);
  return {
    count: values.length,
    low: values.length ? Math.min(...values) : null,
    high: values.length ? Math.max(...values) : null,
    latest: values.length ? (values.at(-1) as number) : null,
  };
}

describe('bucketWidth', () => {
  it('is a power of two in ms, at least a pixel wide', () => {
    expect(bucketWidth(3_600_000, 440)).toBe(8192);
    expect(bucketWidth(300_000, 440)).toBe(1024);
    expect(bucketWidth(900_000, 440)).toBe(2048);
    expect(bucketWidth(1000, 440)).toBe(4);
    expect(bucketWidth(100, 440)).toBe(1);
    // A window growing by a tick keeps its width until it has doubled.
    expect(bucketWidth(3_000_000, 440)).toBe(bucketWidth(3_001_000, 440));
  });
});

describe('BucketedSeries', () => {
  it('draws each bucket as its low and high in time order, and the newest value at the end', () => {
    const raw = rows([point(0, 5), point(10, 90), point(20, 1), point(30, 7), point(100, 3), point(110, 4), point(120, 2), point(130, 3)]);
    const s = new BucketedSeries(raw, lag, 100, 0);
    expect(s.points).toEqual([
      { x: 10, y: 90 },
      { x: 20, y: 1 },
      { x: 110, y: 4 },
      { x: 120, y: 2 },
      // The newest bucket also ends on its last value…
      { x: 130, y: 3 },
    ]);
    // …which it no longer needs once closed.
    raw.append(point(200, 1));
    s.sync();
    expect(s.points.slice(2)).toEqual([
      { x: 110, y: 4 },
      { x: 120, y: 2 },
      { x: 200, y: 1 },
    ]);
    expect(s.buckets().map((b) => b.count)).toEqual([4, 4, 1]);
  });

  it('keeps a lag spike however coarse the buckets', () => {
    const raw = Array.from({ length: 3600 }, (_, i) => point(i * 1000, i === 1234 ? 123_456 : 0));
    const s = new BucketedSeries(rows(raw), lag, bucketWidth(3_600_000, 440), 0);
    expect(s.points.length).toBeLessThanOrEqual(2 * s.bucketCount + 1);
    expect(s.points.length).toBeLessThan(1000);
    expect(Math.max(...s.points.map((p) => p.y ?? 0))).toBe(123_456);
    expect(s.points.find((p) => p.y === 123_456)?.x).toBe(1_234_000);
  });

  it('breaks the line where a value is missing', () => {
    const raw = [point(0, 1), point(1000, null), point(2000, 2), point(3000, 3)];
    const s = new BucketedSeries(rows(raw), lag, 1, 0);
    expect(s.points).toEqual([
      { x: 0, y: 1 },
      { x: 1000, y: null },
      { x: 2000, y: 2 },
      { x: 3000, y: 3 },
    ]);
    // A coarse bucket with a gap still carries it, between its values.
    const coarse = new BucketedSeries(rows([point(0, 1), point(10, null), point(20, 5), point(100, 1)]), lag, 100, 0);
    expect(coarse.points.slice(0, 3)).toEqual([
      { x: 0, y: 1 },
      { x: 10, y: null },
      { x: 20, y: 5 },
    ]);
  });

  it('extended tick by tick, equals the same series reduced in one go', () => {
    const all = noisy(2000, 7);
    for (const width of [1, 1000, 4096, 16_384]) {
      const raw = rows(all.slice(0, 500));
      const s = new BucketedSeries(raw, lag, width, 0);
      for (const p of all.slice(500)) {
        raw.append(p);
        s.sync();
      }
      expect(s.points).toEqual(new BucketedSeries(rows(all), lag, width, 0).points);
    }
  });

  it('keeps the points it was asked for up to date as ticks come and the window slides, as if made at the end', () => {
    const all = noisy(2000, 5);
    for (const width of [1, 1000, 4096]) {
      const raw = rows(all.slice(0, 500));
      const drawn = new BucketedSeries(raw, lag, width, 0);
      const banded = new BucketedSeries(raw, lag, width, 0);
      expect(drawn.points.length).toBeGreaterThan(0);
      for (const [i, p] of all.slice(500).entries()) {
        raw.append(p);
        drawn.sync();
        banded.sync();
        if (i % 97 === 0) {
          drawn.dropBefore(p.t - 600_000);
          banded.dropBefore(p.t - 600_000);
        }
      }
      // `banded` never made its points until now (a series in the grey band never does).
      expect(drawn.points).toEqual(banded.points);
      expect(drawn.buckets()).toEqual(banded.buckets());
    }
  });

  it('starts with the whole bucket before the window and drops what slid out, one bucket excepted', () => {
    const raw = rows(noisy(600, 3));
    const width = 4096;
    const from = raw.t(300);
    const s = new BucketedSeries(raw, lag, width, from);
    const first = s.bucket(0);
    expect(first.first).toBeLessThan(from);
    expect(s.bucket(1).first).toBeGreaterThanOrEqual(from - width);
    // Its first bucket is complete: the same as in a series reduced from the start.
    expect(new BucketedSeries(raw, lag, width, 0).bucketAt(first.index)).toEqual(first);

    // Slid to every point of a few buckets: to a bucket's first point, and into one, so that the
    // bucket the edge cuts is kept whole as the first (the one the stats take apart), as a series
    // made at that point starts; every later bucket lies inside the window.
    for (let k = 440; k <= 460; k += 1) {
      const slid = new BucketedSeries(raw, lag, width, from);
      const later = raw.t(k);
      slid.dropBefore(later);
      expect(slid.bucket(0).first).toBeLessThan(later);
      expect(slid.bucket(1).first).toBeGreaterThanOrEqual(later);
      const made = new BucketedSeries(raw, lag, width, later);
      expect(slid.points).toEqual(made.points);
      expect(slid.buckets()).toEqual(made.buckets());
    }
  });

  it('counts, finds the extremes and the newest value of any range exactly, edges included', () => {
    const points = noisy(1500, 11);
    const s = new BucketedSeries(rows(points), lag, 8192, 0);
    const t0 = points[0]!.t;
    for (const [a, b] of [
      [0, 1499],
      [17, 1003],
      [250, 251],
      [600, 600],
      [1400, 1499],
    ] as const) {
      const min = t0 + a * 1000 + 1;
      const max = t0 + b * 1000;
      const stats = s.stats(min, max);
      expect({ count: stats.count, low: stats.low, high: stats.high, latest: stats.latest }).toEqual(bruteStats(points, min, max));
    }
    expect(s.stats(t0 - 10_000, t0 - 1).count).toBe(0);
  });

  it('answers a sliding live window exactly, tick after tick (the closed buckets\' running summary)', () => {
    // Raw points arrive a second apart; the window is the last 10 minutes; buckets of 8 s. The
    // values rise with noise, spikes and gaps, so the window's low moves as it slides.
    const all = noisy(3000, 5).map((p, i) => point(p.t, p.lagBytes === null ? null : i * 10 + ((i * 37) % 101) + p.lagBytes));
    const raw = rows(all.slice(0, 600));
    const windowMs = 600_000;
    let end = all[599]!.t;
    const s = new BucketedSeries(raw, lag, 8192, end - windowMs);
    for (let k = 600; k < all.length; k += 1) {
      raw.append(all[k]!);
      end = all[k]!.t;
      s.sync();
      s.dropBefore(end - windowMs);
      // The history is cut at the front as the window slides, as HistoryState cuts it.
      raw.dropBefore(end - 2 * windowMs);
      const stats = s.stats(end - windowMs, end);
      expect({ count: stats.count, low: stats.low, high: stats.high, latest: stats.latest }).toEqual(bruteStats(all.slice(0, k + 1), end - windowMs, end));
    }
    // And ranges that are not the live window (zoomed, paused), bucket by bucket.
    for (const [from, to] of [[end - 300_000, end - 100_000], [end - 599_000, end - 1], [end - 1000, end + 5000]] as const) {
      const stats = s.stats(from, to);
      expect({ count: stats.count, low: stats.low, high: stats.high, latest: stats.latest }).toEqual(bruteStats(all, from, to));
    }
  });

  it('takes memory for the buckets it starts with, not for every bucket index its span covers', () => {
    // The 5 min window: 1 s ticks into 512 ms buckets leave every other index without a bucket.
    const raw = rows(noisy(600, 7));
    const from = 1_000_000 + 300_000;
    const s = new BucketedSeries(raw, lag, 512, from);
    expect(s.bucketCount).toBe(301);
    // About a quarter of them per chunk, rounded up to a power of two: three chunks of 128.
    expect(s.allocatedBuckets).toBe(384);
    // Wider buckets than ticks: one per index.
    const hour = new BucketedSeries(rows(noisy(3600, 7)), lag, 8192, 1_000_000);
    expect(hour.allocatedBuckets).toBeLessThan(hour.bucketCount * 1.5);
    expect(hour.allocatedBuckets).toBeGreaterThanOrEqual(hour.bucketCount);
  });

  it('takes in nothing when no point is newer', () => {
    const s = new BucketedSeries(rows(noisy(10, 1)), lag, 1000, 0);
    const before = [...s.points];
    expect(s.sync()).toBe(false);
    expect(s.points).toEqual(before);
  });
});

describe('SeriesBand', () => {
  const width = 4096;
  const series = (seed: number): BucketedSeries => new BucketedSeries(rows(noisy(800, seed)), lag, width, 0);

  it('spans the lowest and highest value of its members per bucket', () => {
    const members = [series(1), series(2), series(3)];
    const band = new SeriesBand();
    band.reset(members);
    expect(band.upper.length).toBe(band.lower.length);
    const index = members[0]!.bucket(40).index;
    const at = band.upper.findIndex((p) => p.x === (index + 0.5) * width);
    const buckets = members.map((m) => m.bucketAt(index)!).filter((b) => b.count > 0);
    expect(band.upper[at]!.y).toBe(Math.max(...buckets.map((b) => b.maxY)));
    expect(band.lower[at]!.y).toBe(Math.min(...buckets.map((b) => b.minY)));
  });

  it('updated tick by tick, equals the band computed in one go', () => {
    const all = [noisy(900, 4), noisy(900, 5), noisy(900, 6)];
    const raws = all.map((points) => rows(points.slice(0, 300)));
    const members = raws.map((raw) => new BucketedSeries(raw, lag, width, 0));
    const band = new SeriesBand();
    band.reset(members);
    for (let i = 300; i < 900; i += 1) {
      const from = Math.min(...members.map((m) => m.newestIndex));
      raws.forEach((raw, k) => raw.append(all[k]![i]!));
      members.forEach((m) => m.sync());
      band.update(from);
    }
    const fresh = new SeriesBand();
    fresh.reset(all.map((points) => new BucketedSeries(rows(points), lag, width, 0)));
    expect(band.upper).toEqual(fresh.upper);
    expect(band.lower).toEqual(fresh.lower);
  });

  it('breaks where none of its members has a value', () => {
    const a = new BucketedSeries(rows([point(0, 1), point(5000, null), point(10_000, 2)]), lag, width, 0);
    const b = new BucketedSeries(rows([point(0, 3), point(5000, null), point(10_000, 1)]), lag, width, 0);
    const band = new SeriesBand();
    band.reset([a, b]);
    expect(band.upper.map((p: XY) => p.y)).toEqual([3, null, 2]);
    expect(band.lower.map((p: XY) => p.y)).toEqual([1, null, 1]);
  });
});
