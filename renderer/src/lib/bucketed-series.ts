// A chart never needs more points than it has pixels. A series is cut into time buckets about
// a pixel wide (aligned on absolute time, so the buckets stay put as the window slides) and
// each bucket is drawn as its lowest and highest value in time order: a lag spike survives
// any reduction, and a growing offset keeps its shape. The newest bucket also keeps its last
// value, so a line ends where the data ends. Gaps (null values) still break the line. The
// buckets and their min/max are the engine's decimator's (electron/shared/history-decimate.ts),
// kept incrementally here so a tick adds to the newest bucket instead of reducing again.
import { addToMinMax, bucketWidth, type MinMax } from '../../../electron/shared/history-decimate';
import type { NodeHistory } from '../../../electron/shared/node-history';
import type { HistorySeries } from '../../../electron/shared/types';

/** A point as Chart.js takes it with `parsing: false`; null breaks the line. */
export type XY = { x: number; y: number | null };


/** One series' extremes in one time bucket (the shared decimator's MinMax), placed on the axis. */
export interface Bucket extends MinMax {
  /** floor(t / width): the bucket's place on the time axis. */
  readonly index: number;
  /** How many points this bucket contributes to `points`. */
  drawn: number;
}

/** What a range of a series holds: a count of raw values, their extremes and the newest one. */
export interface RangeStats {
  count: number;
  low: number | null;
  high: number | null;
  latest: number | null;
  latestT: number;
}

export { bucketWidth };

/**
 * An empty bucket at `index` starting at t: emptyMinMax's fields and the bucket's own, made in one
 * literal (a chart makes thousands; adding the two fields afterwards cost a shape change each).
 */
function newBucket(t: number, index: number): Bucket {
  return { first: t, last: t, count: 0, minT: t, minY: 0, maxT: t, maxY: 0, lastT: t, lastY: 0, gapT: null, index, drawn: 0 };
}

/**
 * One node's series for one chart, reduced to at most two points per bucket. It reads the
 * history's (append-only, front-trimmed) array of raw points and takes in what is new on
 * each `sync()`.
 */
export class BucketedSeries {
  readonly buckets: Bucket[] = [];
  readonly raw: NodeHistory;
  readonly width: number;
  readonly #series: HistorySeries;
  #lastT = Number.NEGATIVE_INFINITY;
  /**
   * The closed buckets after the first (which the window's left edge may cut): their count, and
   * deques of rising minima and falling maxima. A live chart asks for the stats of its window on
   * every tick; these answer for all but the edge buckets without walking every bucket.
   */
  #closedCount = 0;
  readonly #lows: Bucket[] = [];
  readonly #highs: Bucket[] = [];
  /**
   * The reduced points once asked for, kept up to date from then on. A series in a chart's grey
   * band is never drawn on its own: at 100 nodes most are, and making their points was most of
   * what a chart's rebuild made (and left for the collector).
   */
  #points: XY[] | null = null;

  /** Starts with the bucket just before `from`, so that the line enters from the left edge. */
  constructor(raw: NodeHistory, series: HistorySeries, width: number, from: number) {
    this.raw = raw;
    this.#series = series;
    this.width = width;
    const before = raw.firstAtOrAfter(from) - 1;
    const start = before < 0 ? 0 : raw.firstAtOrAfter(this.#bucketStart(raw.t(before)));
    for (let i = start; i < raw.length; i += 1) this.#add(i);
    this.#emitNewest();
  }

  /** The reduced points, in time order. Handed to Chart.js as a copy: this one keeps changing. */
  get points(): readonly XY[] {
    if (this.#points === null) {
      // What the buckets emitted one by one: each closed bucket's extremes, then the newest, open.
      this.#points = [];
      const n = this.buckets.length;
      for (let i = 0; i < n; i += 1) this.#emit(this.buckets[i] as Bucket, i === n - 1);
    }
    return this.#points;
  }

  /** Takes in the raw points added since the last call; returns whether there were any. */
  sync(): boolean {
    const raw = this.raw;
    if (raw.length === 0 || raw.t(raw.length - 1) <= this.#lastT) return false;
    // The newest bucket is drawn again once its new points are in.
    const newest = this.buckets[this.buckets.length - 1];
    if (newest) {
      if (this.#points !== null) this.#points.length -= newest.drawn;
      newest.drawn = 0;
    }
    for (let i = raw.firstAtOrAfter(this.#lastT); i < raw.length; i += 1) {
      if (raw.t(i) > this.#lastT) this.#add(i);
    }
    this.#emitNewest();
    return true;
  }

  /** Drops the buckets before `from`, except the last one (the line still enters from the left). */
  dropBefore(from: number): void {
    let keep = 0;
    while (keep + 1 < this.buckets.length && (this.buckets[keep + 1] as Bucket).last < from) keep += 1;
    if (keep === 0) return;
    let drawn = 0;
    for (let i = 0; i < keep; i += 1) drawn += (this.buckets[i] as Bucket).drawn;
    // Buckets 1…keep leave the closed summary: all but the new first one are gone, and it is now the first.
    for (let i = 1; i <= keep; i += 1) this.#closedCount -= (this.buckets[i] as Bucket).count;
    this.buckets.splice(0, keep);
    this.#points?.splice(0, drawn);
    const firstIndex = (this.buckets[0] as Bucket).index;
    while (this.#lows.length > 0 && (this.#lows[0] as Bucket).index <= firstIndex) this.#lows.shift();
    while (this.#highs.length > 0 && (this.#highs[0] as Bucket).index <= firstIndex) this.#highs.shift();
  }

  /** The bucket at `index`, looked up from the newest end (where updates happen). */
  bucketAt(index: number): Bucket | undefined {
    for (let i = this.buckets.length - 1; i >= 0; i -= 1) {
      const b = this.buckets[i] as Bucket;
      if (b.index === index) return b;
      if (b.index < index) return undefined;
    }
    return undefined;
  }

  /** Count, extremes and newest value of the raw points in [min, max]: exact, edges included. */
  stats(min: number, max: number): RangeStats {
    const out: RangeStats = { count: 0, low: null, high: null, latest: null, latestT: Number.NEGATIVE_INFINITY };
    const buckets = this.buckets;
    const n = buckets.length;
    const second = buckets[1];
    const newest = buckets[n - 1];
    if (second === undefined || newest === undefined || second.first < min || newest.last > max) {
      // A zoomed or paused range: bucket by bucket.
      for (const b of buckets) {
        if (b.first > max) break;
        this.#include(out, b, min, max);
      }
      return out;
    }
    // The live window: everything after the first bucket lies inside it.
    this.#include(out, buckets[0] as Bucket, min, max);
    if (this.#closedCount > 0) {
      out.count += this.#closedCount;
      const low = (this.#lows[0] as Bucket).minY;
      const high = (this.#highs[0] as Bucket).maxY;
      if (out.low === null || low < out.low) out.low = low;
      if (out.high === null || high > out.high) out.high = high;
      // The newest closed bucket with a value (the newest below may have none).
      for (let i = n - 2; i >= 1; i -= 1) {
        const b = buckets[i] as Bucket;
        if (b.count === 0) continue;
        out.latest = b.lastY;
        out.latestT = b.lastT;
        break;
      }
    }
    if (n > 1) this.#include(out, newest, min, max);
    return out;
  }

  /** Takes what bucket `b` holds inside [min, max] into `out` (b comes after what `out` holds). */
  #include(out: RangeStats, b: Bucket, min: number, max: number): void {
    if (b.last < min || b.first > max) return;
    if (b.first >= min && b.last <= max) {
      if (b.count === 0) return;
      out.count += b.count;
      if (out.low === null || b.minY < out.low) out.low = b.minY;
      if (out.high === null || b.maxY > out.high) out.high = b.maxY;
      out.latest = b.lastY;
      out.latestT = b.lastT;
      return;
    }
    // A bucket cut by an edge of the range: its raw points say what lies inside.
    const to = Math.min(max, b.last);
    const raw = this.raw;
    for (let i = raw.firstAtOrAfter(Math.max(min, b.first)); i < raw.length; i += 1) {
      const t = raw.t(i);
      if (t > to) break;
      const y = this.#value(i);
      if (y === null) continue;
      out.count += 1;
      if (out.low === null || y < out.low) out.low = y;
      if (out.high === null || y > out.high) out.high = y;
      out.latest = y;
      out.latestT = t;
    }
  }

  /** A bucket no point goes into any more (a newer one began): into the closed summary, unless it is the first. */
  #close(b: Bucket): void {
    if (b === this.buckets[0] || b.count === 0) return;
    this.#closedCount += b.count;
    while (this.#lows.length > 0 && (this.#lows[this.#lows.length - 1] as Bucket).minY >= b.minY) this.#lows.pop();
    this.#lows.push(b);
    while (this.#highs.length > 0 && (this.#highs[this.#highs.length - 1] as Bucket).maxY <= b.maxY) this.#highs.pop();
    this.#highs.push(b);
  }

  #bucketStart(t: number): number {
    return Math.floor(t / this.width) * this.width;
  }

  /** Row `i`'s value of this chart's series, or null (a gap). */
  #value(i: number): number | null {
    const y = this.raw.valueOrNaN(this.#series, i);
    return Number.isFinite(y) ? y : null;
  }

  #add(i: number): void {
    const t = this.raw.t(i);
    this.#lastT = t;
    const index = Math.floor(t / this.width);
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.index !== index) {
      // The newest bucket is closed: from now on only its extremes are drawn.
      if (b) {
        this.#emit(b, false);
        this.#close(b);
      }
      b = newBucket(t, index);
      this.buckets.push(b);
    }
    addToMinMax(b, t, this.#value(i));
  }

  #emitNewest(): void {
    const newest = this.buckets[this.buckets.length - 1];
    if (newest) this.#emit(newest, true);
  }

  /** Appends the bucket's points (once the points are asked for): min and max in time order, the gap, and when open its last value. */
  #emit(b: Bucket, open: boolean): void {
    const points = this.#points;
    if (points === null) return;
    const start = points.length;
    if (b.count > 0) {
      insertInOrder(points, start, b.minT, b.minY);
      if (b.maxT !== b.minT) insertInOrder(points, start, b.maxT, b.maxY);
      if (open && b.lastT !== b.minT && b.lastT !== b.maxT) insertInOrder(points, start, b.lastT, b.lastY);
    }
    if (b.gapT !== null) insertInOrder(points, start, b.gapT, null);
    b.drawn = points.length - start;
  }
}

/** Appends a point to `points`, keeping time order among those from `start` on (a bucket's, at most four). */
function insertInOrder(points: XY[], start: number, x: number, y: number | null): void {
  const point = { x, y };
  let i = points.length;
  points.push(point);
  while (i > start && (points[i - 1] as XY).x > x) {
    points[i] = points[i - 1] as XY;
    i -= 1;
  }
  points[i] = point;
}

/**
 * The range of several series drawn as one band: per bucket, the lowest and the highest value
 * of any of them. Stands for the nodes not drawn on their own.
 */
export class SeriesBand {
  readonly upper: XY[] = [];
  readonly lower: XY[] = [];
  /** Bucket index of each band point. */
  readonly #indices: number[] = [];
  #members: readonly BucketedSeries[] = [];

  get members(): readonly BucketedSeries[] {
    return this.#members;
  }

  /** Recomputes the whole band for these series (all with the same bucket width). */
  reset(members: readonly BucketedSeries[]): void {
    this.#members = members;
    this.upper.length = 0;
    this.lower.length = 0;
    this.#indices.length = 0;
    let from = Number.POSITIVE_INFINITY;
    for (const s of members) {
      const first = s.buckets[0];
      if (first && first.index < from) from = first.index;
    }
    if (Number.isFinite(from)) this.#recompute(from);
  }

  /**
   * Recomputes the band from bucket index `from` (the oldest bucket new points may have gone
   * into) or from its own newest bucket, whichever is older.
   */
  update(from: number = Number.POSITIVE_INFINITY): void {
    from = Math.min(from, this.#indices[this.#indices.length - 1] ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(from)) {
      for (const s of this.#members) {
        const first = s.buckets[0];
        if (first && first.index < from) from = first.index;
      }
      if (!Number.isFinite(from)) return;
    }
    let keep = this.#indices.length;
    while (keep > 0 && (this.#indices[keep - 1] as number) >= from) keep -= 1;
    this.upper.length = keep;
    this.lower.length = keep;
    this.#indices.length = keep;
    this.#recompute(from);
  }

  /** Drops band points before the first bucket any member still has. */
  dropBefore(): void {
    let from = Number.POSITIVE_INFINITY;
    for (const s of this.#members) {
      const first = s.buckets[0];
      if (first && first.index < from) from = first.index;
    }
    let drop = 0;
    while (drop < this.#indices.length && (this.#indices[drop] as number) < from) drop += 1;
    if (drop === 0) return;
    this.upper.splice(0, drop);
    this.lower.splice(0, drop);
    this.#indices.splice(0, drop);
  }

  /** Appends band points for every bucket index >= from that some member has. */
  #recompute(from: number): void {
    // Lowest/highest per bucket index, from each member's newest buckets backwards.
    const merged = new Map<number, { low: number; high: number; values: boolean }>();
    let width = 1;
    for (const s of this.#members) {
      width = s.width;
      for (let i = s.buckets.length - 1; i >= 0; i -= 1) {
        const b = s.buckets[i] as Bucket;
        if (b.index < from) break;
        const m = merged.get(b.index);
        if (b.count === 0) {
          if (!m) merged.set(b.index, { low: 0, high: 0, values: false });
        } else if (!m || !m.values) {
          merged.set(b.index, { low: b.minY, high: b.maxY, values: true });
        } else {
          if (b.minY < m.low) m.low = b.minY;
          if (b.maxY > m.high) m.high = b.maxY;
        }
      }
    }
    const indices = [...merged.keys()].sort((a, b) => a - b);
    for (const index of indices) {
      const m = merged.get(index) as { low: number; high: number; values: boolean };
      const x = (index + 0.5) * width;
      this.upper.push({ x, y: m.values ? m.high : null });
      this.lower.push({ x, y: m.values ? m.low : null });
      this.#indices.push(index);
    }
  }
}
