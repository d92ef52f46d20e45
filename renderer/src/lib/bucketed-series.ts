// A chart never needs more points than it has pixels. A series is cut into time buckets about
// a pixel wide (aligned on absolute time, so the buckets stay put as the window slides) and
// each bucket is drawn as its lowest and highest value in time order: a lag spike survives
// any reduction, and a growing offset keeps its shape. The newest bucket also keeps its last
// value, so a line ends where the data ends. Gaps (null values) still break the line. The
// buckets and their min/max are the engine's decimator's (electron/shared/history-decimate.ts),
// kept incrementally here so a tick adds to the newest bucket instead of reducing again.
import { addToMinMax, bucketWidth, emptyMinMax, resetMinMax, type MinMax } from '../../../electron/shared/history-decimate';
import { BucketExtremes, RingSeries, type ChunkPool, type NodeHistory } from '../../../electron/shared/node-history';
import type { HistorySeries } from '../../../electron/shared/types';

/** A point as Chart.js takes it with `parsing: false`; null breaks the line. */
export type XY = { x: number; y: number | null };

/** A series the band stands for: a BucketedSeries, or a RawSeries that keeps no buckets of its own. */
export interface BandMember {
  readonly raw: NodeHistory;
  readonly width: number;
  /** Index of its oldest and newest bucket (+Infinity when it has none). */
  readonly firstIndex: number;
  readonly newestIndex: number;
  /** Folds its buckets from index `into.from` on into `into`. */
  addBucketsTo(into: BucketExtremes): void;
}

/** One series' extremes in one time bucket (the shared decimator's MinMax), placed on the axis. */
export interface Bucket extends MinMax {
  /** floor(t / width): the bucket's place on the time axis. */
  readonly index: number;
  /** How many points this bucket contributes to `points`. */
  drawn: number;
}

/** A bucket's stored fields: the shared decimator's. */
export type BucketField = keyof MinMax;

/** What a range of a series holds: a count of raw values, their extremes and the newest one. */
export interface RangeStats {
  count: number;
  low: number | null;
  high: number | null;
  latest: number | null;
  latestT: number;
}

export { bucketWidth };

/** A bucket's fields as the columns of its row (gapT NaN for none); its index is floor(first / width). */
const FIELDS = ['first', 'last', 'count', 'minT', 'minY', 'maxT', 'maxY', 'lastT', 'lastY', 'gapT'] as const satisfies readonly BucketField[];
const COLUMN_OF = Object.fromEntries(FIELDS.map((field, column) => [field, column])) as Record<BucketField, number>;
const { first: FIRST, last: LAST, count: COUNT, minT: MIN_T, minY: MIN_Y, maxT: MAX_T, maxY: MAX_Y, lastT: LAST_T, lastY: LAST_Y, gapT: GAP_T } = COLUMN_OF;
/**
 * Rows per chunk of a series' buckets: about a quarter of those it starts with (at most a quarter
 * of the memory unused, four allocations), at least this many.
 */
const MIN_CHUNK_BUCKETS = 16;

/** Bucket indexes a band spans at most (a chart's window spans a few thousand at most: a bucket is about a pixel). */
const MAX_DENSE_BAND = 100_000;

/**
 * One node's series for one chart, reduced to at most two points per bucket. It reads the
 * history's (append-only, front-trimmed) rows and takes in what is new on each `sync()`.
 *
 * The buckets are rows of typed-array columns, not an object each: at 100 nodes the charts held
 * 66,000 buckets and eight boxed numbers each, most of what the page's collector walked. The
 * newest bucket is filled in `#open` (by the shared decimator's rule) and written to its row
 * once a batch of points is in.
 */
export class BucketedSeries {
  readonly raw: NodeHistory;
  readonly width: number;
  readonly #series: HistorySeries;
  readonly #rows: RingSeries;
  readonly #open: MinMax = emptyMinMax(0);
  #openIndex = Number.NaN;
  /** The open bucket as a row, for #openRow (one array for every store). */
  readonly #row: number[] = FIELDS.map(() => 0);
  /** Buckets dropped at the front so far: a bucket's sequence number less this is its row. */
  #dropped = 0;
  #lastT = Number.NEGATIVE_INFINITY;
  /**
   * The closed buckets after the first (which the window's left edge may cut): their count, and
   * deques (by sequence number) of rising minima and falling maxima, each ending with the newest
   * of them that has a value. A live chart asks for the stats of its window on every tick; these
   * answer for all but the edge buckets without walking every bucket.
   */
  #closedCount = 0;
  readonly #lows: number[] = [];
  readonly #highs: number[] = [];
  /**
   * The reduced points once asked for, kept up to date from then on. A series in a chart's grey
   * band is never drawn on its own: at 100 nodes most are, and making their points was most of
   * what a chart's rebuild made (and left for the collector).
   */
  #points: XY[] | null = null;
  /** With the points: how many each bucket contributes to them, by row. */
  #drawn: number[] = [];

  /**
   * Starts with the bucket just before `from`, so that the line enters from the left edge. Its
   * memory comes from `pool` first (what series released before it).
   */
  constructor(raw: NodeHistory, series: HistorySeries, width: number, from: number, pool: ChunkPool | null = null) {
    this.raw = raw;
    this.#series = series;
    this.width = width;
    const before = raw.firstAtOrAfter(from) - 1;
    const start = before < 0 ? 0 : raw.firstAtOrAfter(this.#bucketStart(raw.t(before)));
    // Buckets it starts with: one per index spanned, at most one per point (buckets narrower than
    // the ticks, as on the 5 min window, leave most indexes without one).
    const span = start < raw.length ? this.#indexOf(raw.t(raw.length - 1)) - this.#indexOf(raw.t(start)) + 1 : 0;
    const buckets = Math.min(span, raw.length - start);
    this.#rows = new RingSeries(Number.POSITIVE_INFINITY, FIELDS.length, Math.max(MIN_CHUNK_BUCKETS, Math.ceil(buckets / 4)), pool);
    for (let i = start; i < raw.length; i += 1) this.#add(i);
    this.#storeNewest();
    this.#emitNewest();
  }

  get bucketCount(): number {
    return this.#rows.length;
  }

  /** Buckets the series has memory for. */
  get allocatedBuckets(): number {
    return this.#rows.allocatedRows;
  }

  /** Field of bucket `i` (0 = oldest); gapT is NaN for none. */
  at(i: number, field: BucketField): number {
    return this.#rows.at(i, COLUMN_OF[field]);
  }

  /** Bucket `i`'s place on the time axis. */
  indexAt(i: number): number {
    return this.#indexOf(this.#rows.at(i, FIRST));
  }

  /** The oldest bucket's index (+Infinity when there is none). */
  get firstIndex(): number {
    return this.#rows.length === 0 ? Number.POSITIVE_INFINITY : this.indexAt(0);
  }

  /** The newest bucket's index (+Infinity when there is none). */
  get newestIndex(): number {
    const n = this.#rows.length;
    return n === 0 ? Number.POSITIVE_INFINITY : this.indexAt(n - 1);
  }

  /** Bucket `i` as an object (for tests and inspection: the chart reads the columns). */
  bucket(i: number): Bucket {
    const fields = Object.fromEntries(FIELDS.map((field, column) => [field, this.#rows.at(i, column)])) as unknown as MinMax;
    if (Number.isNaN(fields.gapT)) fields.gapT = null;
    return { ...fields, index: this.indexAt(i), drawn: this.#drawn[i] ?? 0 };
  }

  /** Every bucket as an object, oldest first (for tests and inspection). */
  buckets(): Bucket[] {
    return Array.from({ length: this.bucketCount }, (_, i) => this.bucket(i));
  }

  /** The reduced points, in time order. Handed to Chart.js as a copy: this one keeps changing. */
  get points(): readonly XY[] {
    if (this.#points === null) {
      // What the buckets emitted one by one: each closed bucket's extremes, then the newest, open.
      this.#points = [];
      this.#drawn = [];
      const n = this.#rows.length;
      for (let i = 0; i < n; i += 1) this.#emit(i, i === n - 1);
    }
    return this.#points;
  }

  /** Takes in the raw points added since the last call; returns whether there were any. */
  sync(): boolean {
    const raw = this.raw;
    if (raw.length === 0 || raw.t(raw.length - 1) <= this.#lastT) return false;
    // The newest bucket is drawn again once its new points are in.
    const newest = this.#rows.length - 1;
    if (newest >= 0 && this.#points !== null) {
      this.#points.length -= this.#drawn[newest] as number;
      this.#drawn[newest] = 0;
    }
    for (let i = raw.firstAtOrAfter(this.#lastT); i < raw.length; i += 1) {
      if (raw.t(i) > this.#lastT) this.#add(i);
    }
    this.#storeNewest();
    this.#emitNewest();
    return true;
  }

  /** Gives its buckets' memory to its pool and holds nothing from then on: a series replaced, never used again. */
  release(): void {
    this.#rows.clear();
    this.#points = null;
    this.#drawn = [];
    this.#lows.length = 0;
    this.#highs.length = 0;
    this.#closedCount = 0;
  }

  /**
   * Drops the buckets before `from`, except the last one that starts before it (the line still
   * enters from the left): the first bucket is then the one the window's edge may cut, as when
   * the series is made at `from`, and every later one lies inside, which the stats rely on.
   */
  dropBefore(from: number): void {
    const rows = this.#rows;
    let keep = 0;
    while (keep + 1 < rows.length && rows.at(keep + 1, FIRST) < from) keep += 1;
    if (keep === 0) return;
    let drawn = 0;
    for (let i = 0; i < keep; i += 1) drawn += this.#drawn[i] ?? 0;
    // Buckets 1…keep leave the closed summary: all but the new first one are gone, and it is now the first.
    for (let i = 1; i <= keep; i += 1) this.#closedCount -= rows.at(i, COUNT);
    rows.dropOldest(keep);
    this.#dropped += keep;
    this.#points?.splice(0, drawn);
    this.#drawn.splice(0, keep);
    while (this.#lows.length > 0 && (this.#lows[0] as number) <= this.#dropped) this.#lows.shift();
    while (this.#highs.length > 0 && (this.#highs[0] as number) <= this.#dropped) this.#highs.shift();
  }

  /** The bucket at `index`, looked up from the newest end (where updates happen); for tests and inspection. */
  bucketAt(index: number): Bucket | undefined {
    for (let i = this.#rows.length - 1; i >= 0; i -= 1) {
      const at = this.indexAt(i);
      if (at === index) return this.bucket(i);
      if (at < index) return undefined;
    }
    return undefined;
  }

  /** Count, extremes and newest value of the raw points in [min, max]: exact, edges included. */
  stats(min: number, max: number): RangeStats {
    const out: RangeStats = { count: 0, low: null, high: null, latest: null, latestT: Number.NEGATIVE_INFINITY };
    const rows = this.#rows;
    const n = rows.length;
    if (n < 2 || rows.at(1, FIRST) < min || rows.at(n - 1, LAST) > max) {
      // A zoomed or paused range: bucket by bucket.
      for (let i = 0; i < n; i += 1) {
        if (rows.at(i, FIRST) > max) break;
        this.#include(out, i, min, max);
      }
      return out;
    }
    // The live window: everything after the first bucket lies inside it.
    this.#include(out, 0, min, max);
    if (this.#closedCount > 0) {
      out.count += this.#closedCount;
      const low = rows.at((this.#lows[0] as number) - this.#dropped, MIN_Y);
      const high = rows.at((this.#highs[0] as number) - this.#dropped, MAX_Y);
      if (out.low === null || low < out.low) out.low = low;
      if (out.high === null || high > out.high) out.high = high;
      // The newest closed bucket with a value: the last one the deques took in.
      const latest = (this.#lows[this.#lows.length - 1] as number) - this.#dropped;
      out.latest = rows.at(latest, LAST_Y);
      out.latestT = rows.at(latest, LAST_T);
    }
    this.#include(out, n - 1, min, max);
    return out;
  }

  /** Takes what bucket `i` holds inside [min, max] into `out` (it comes after what `out` holds). */
  #include(out: RangeStats, i: number, min: number, max: number): void {
    const rows = this.#rows;
    const first = rows.at(i, FIRST);
    const last = rows.at(i, LAST);
    if (last < min || first > max) return;
    if (first >= min && last <= max) {
      const count = rows.at(i, COUNT);
      if (count === 0) return;
      out.count += count;
      const low = rows.at(i, MIN_Y);
      const high = rows.at(i, MAX_Y);
      if (out.low === null || low < out.low) out.low = low;
      if (out.high === null || high > out.high) out.high = high;
      out.latest = rows.at(i, LAST_Y);
      out.latestT = rows.at(i, LAST_T);
      return;
    }
    // A bucket cut by an edge of the range: its raw points say what lies inside.
    const to = Math.min(max, last);
    const raw = this.raw;
    for (let r = raw.firstAtOrAfter(Math.max(min, first)); r < raw.length; r += 1) {
      const t = raw.t(r);
      if (t > to) break;
      const y = raw.valueOrNaN(this.#series, r);
      if (!Number.isFinite(y)) continue;
      out.count += 1;
      if (out.low === null || y < out.low) out.low = y;
      if (out.high === null || y > out.high) out.high = y;
      out.latest = y;
      out.latestT = t;
    }
  }

  /** Its buckets from index `into.from` on, newest first: what each puts in the band (see BandMember). */
  addBucketsTo(into: BucketExtremes): void {
    const rows = this.#rows;
    for (let i = rows.length - 1; i >= 0; i -= 1) {
      const index = this.indexAt(i);
      if (index < into.from) break;
      if (rows.at(i, COUNT) === 0) into.add(index, false, 0, 0);
      else into.add(index, true, rows.at(i, MIN_Y), rows.at(i, MAX_Y));
    }
  }

  /** Bucket `i`, which no point goes into any more (a newer one began), into the closed summary unless it is the first. */
  #close(i: number): void {
    const rows = this.#rows;
    const count = rows.at(i, COUNT);
    if (i === 0 || count === 0) return;
    this.#closedCount += count;
    const seq = this.#dropped + i;
    const low = rows.at(i, MIN_Y);
    const high = rows.at(i, MAX_Y);
    const lows = this.#lows;
    const highs = this.#highs;
    while (lows.length > 0 && rows.at((lows[lows.length - 1] as number) - this.#dropped, MIN_Y) >= low) lows.pop();
    lows.push(seq);
    while (highs.length > 0 && rows.at((highs[highs.length - 1] as number) - this.#dropped, MAX_Y) <= high) highs.pop();
    highs.push(seq);
  }

  #bucketStart(t: number): number {
    return this.#indexOf(t) * this.width;
  }

  #indexOf(t: number): number {
    return Math.floor(t / this.width);
  }

  #add(i: number): void {
    const t = this.raw.t(i);
    this.#lastT = t;
    const index = this.#indexOf(t);
    const rows = this.#rows;
    const newest = rows.length - 1;
    const opens = newest < 0 || this.#openIndex !== index;
    if (opens) {
      // The newest bucket is closed: from now on only its extremes are drawn.
      if (newest >= 0) {
        this.#storeNewest();
        this.#emit(newest, false);
        this.#close(newest);
      }
      resetMinMax(this.#open, t);
      this.#openIndex = index;
    }
    addToMinMax(this.#open, t, this.raw.valueOrNaN(this.#series, i));
    // A new bucket's row goes in with its first point.
    if (opens) rows.push(this.#openRow());
  }

  /** Writes the open bucket's extremes to the newest row. */
  #storeNewest(): void {
    const i = this.#rows.length - 1;
    if (i >= 0) this.#rows.setRow(i, this.#openRow());
  }

  /** The open bucket's extremes as a row (the same array every time). */
  #openRow(): readonly number[] {
    const b = this.#open;
    const row = this.#row;
    row[FIRST] = b.first;
    row[LAST] = b.last;
    row[COUNT] = b.count;
    row[MIN_T] = b.minT;
    row[MIN_Y] = b.minY;
    row[MAX_T] = b.maxT;
    row[MAX_Y] = b.maxY;
    row[LAST_T] = b.lastT;
    row[LAST_Y] = b.lastY;
    row[GAP_T] = b.gapT ?? Number.NaN;
    return row;
  }

  #emitNewest(): void {
    const newest = this.#rows.length - 1;
    if (newest >= 0) this.#emit(newest, true);
  }

  /** Appends bucket `i`'s points (once the points are asked for): min and max in time order, the gap, and when open its last value. */
  #emit(i: number, open: boolean): void {
    const points = this.#points;
    if (points === null) return;
    const rows = this.#rows;
    const start = points.length;
    if (rows.at(i, COUNT) > 0) {
      const minT = rows.at(i, MIN_T);
      const maxT = rows.at(i, MAX_T);
      const lastT = rows.at(i, LAST_T);
      insertInOrder(points, start, minT, rows.at(i, MIN_Y));
      if (maxT !== minT) insertInOrder(points, start, maxT, rows.at(i, MAX_Y));
      if (open && lastT !== minT && lastT !== maxT) insertInOrder(points, start, lastT, rows.at(i, LAST_Y));
    }
    const gapT = rows.at(i, GAP_T);
    if (!Number.isNaN(gapT)) insertInOrder(points, start, gapT, null);
    this.#drawn[i] = points.length - start;
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
 * A node's series while it is in a chart's grey band: the same buckets as a BucketedSeries would
 * hold (aligned on absolute time, from the one the window's left edge cuts, up to the points
 * taken in), worked out from the history's rows where they are needed instead of kept. At 100
 * nodes nine series in ten of each chart are in the band: their bucket rows were most of the
 * memory, and of the time, of a chart's first build from the history. What the band and the
 * chart's figures need from it is read from the rows: its buckets from an index on (the band's
 * newest after a tick), the count and newest value in a range (two binary searches and the
 * gaps it keeps), and values in the buckets a range's edges cut.
 */
export class RawSeries implements BandMember {
  readonly raw: NodeHistory;
  readonly width: number;
  readonly #series: HistorySeries;
  /** Points from this time on make up its buckets (the start of its oldest bucket). */
  #startT = Number.NEGATIVE_INFINITY;
  /** Points up to this time are taken in (sync). */
  #lastT = Number.NEGATIVE_INFINITY;
  /** Times of the points taken in without a value (gaps), oldest first. */
  readonly #gaps: number[] = [];

  /** Starts with the bucket just before `from`, as a BucketedSeries does. */
  constructor(raw: NodeHistory, series: HistorySeries, width: number, from: number) {
    this.raw = raw;
    this.#series = series;
    this.width = width;
    const before = raw.firstAtOrAfter(from) - 1;
    if (before >= 0) this.#startT = Math.floor(raw.t(before) / width) * width;
    this.#takeIn(before < 0 ? 0 : raw.firstAtOrAfter(this.#startT));
  }

  get firstIndex(): number {
    const i = this.raw.firstAtOrAfter(this.#startT);
    return i < this.raw.length && this.raw.t(i) <= this.#lastT ? Math.floor(this.raw.t(i) / this.width) : Number.POSITIVE_INFINITY;
  }

  get newestIndex(): number {
    return this.#lastT >= this.#startT && Number.isFinite(this.#lastT) ? Math.floor(this.#lastT / this.width) : Number.POSITIVE_INFINITY;
  }

  /** Takes in the points added since the last call; returns whether there were any. */
  sync(): boolean {
    const raw = this.raw;
    if (raw.length === 0 || raw.t(raw.length - 1) <= this.#lastT) return false;
    this.#takeIn(raw.firstAtOrAfter(this.#lastT));
    return true;
  }

  /** Drops the buckets before `from` except the last one that starts before it, as BucketedSeries.dropBefore does. */
  dropBefore(from: number): void {
    // The newest point taken in before `from`: its bucket is the one kept.
    const j = Math.min(this.raw.firstAtOrAfter(from), this.#afterLast()) - 1;
    if (j < 0) return;
    const t = this.raw.t(j);
    if (t < this.#startT) return;
    const start = Math.floor(t / this.width) * this.width;
    if (start <= this.#startT) return;
    this.#startT = start;
    let drop = 0;
    while (drop < this.#gaps.length && (this.#gaps[drop] as number) < start) drop += 1;
    if (drop > 0) this.#gaps.splice(0, drop);
  }

  /** Nothing to give back: it holds no buckets. */
  release(): void {}

  /** Its rows' buckets from index `into.from` on (the band's newest after a tick: a few rows), read in the history's arrays. */
  addBucketsTo(into: BucketExtremes): void {
    const raw = this.raw;
    const from = raw.firstAtOrAfter(Math.max(this.#startT, into.from * this.width));
    raw.foldBuckets(this.#series, from, this.#afterLast(), this.width, into);
  }

  /** How many points with a value it has in [min, max], and the newest of them. */
  countAndLatest(min: number, max: number): { count: number; latest: number | null } {
    const raw = this.raw;
    const from = raw.firstAtOrAfter(Math.max(min, this.#startT));
    const to = Math.min(this.#afterLast(), raw.firstAfter(max));
    if (to <= from) return { count: 0, latest: null };
    const gaps = this.#gaps;
    const lo = Math.max(min, this.#startT);
    const hi = raw.t(to - 1);
    let count = to - from;
    // The gaps kept are few (a node that stopped answering): counted off one by one.
    for (let g = gaps.length - 1; g >= 0; g -= 1) {
      const t = gaps[g] as number;
      if (t < lo) break;
      if (t <= hi) count -= 1;
    }
    for (let i = to - 1; i >= from; i -= 1) {
      const y = raw.valueOrNaN(this.#series, i);
      if (Number.isFinite(y)) return { count, latest: y };
    }
    return { count, latest: null };
  }

  /** Lowest and highest value of its points in [min, max] (a range a few buckets wide: the edges of a chart's window). */
  extremes(min: number, max: number): { low: number | null; high: number | null } {
    const raw = this.raw;
    const end = Math.min(this.#afterLast(), raw.firstAfter(max));
    let low: number | null = null;
    let high: number | null = null;
    for (let i = raw.firstAtOrAfter(Math.max(min, this.#startT)); i < end; i += 1) {
      const y = raw.valueOrNaN(this.#series, i);
      if (!Number.isFinite(y)) continue;
      if (low === null || y < low) low = y;
      if (high === null || y > high) high = y;
    }
    return { low, high };
  }

  /** Index of the first row after the points taken in. */
  #afterLast(): number {
    return this.raw.firstAfter(this.#lastT);
  }

  /** Takes in rows `from`… (those after #lastT): their gaps noted, #lastT moved on. */
  #takeIn(from: number): void {
    const raw = this.raw;
    for (let i = from; i < raw.length; i += 1) {
      const t = raw.t(i);
      if (t <= this.#lastT) continue;
      if (!Number.isFinite(raw.valueOrNaN(this.#series, i))) this.#gaps.push(t);
      this.#lastT = t;
    }
  }
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
  #members: readonly BandMember[] = [];

  get members(): readonly BandMember[] {
    return this.#members;
  }

  /** Recomputes the whole band for these series (all with the same bucket width). */
  reset(members: readonly BandMember[]): void {
    this.#members = members;
    this.upper.length = 0;
    this.lower.length = 0;
    this.#indices.length = 0;
    const from = this.#firstIndex();
    if (Number.isFinite(from)) this.#recompute(from);
  }

  /**
   * Recomputes the band from bucket index `from` (the oldest bucket new points may have gone
   * into) or from its own newest bucket, whichever is older.
   */
  update(from: number = Number.POSITIVE_INFINITY): void {
    from = Math.min(from, this.#indices[this.#indices.length - 1] ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(from)) {
      from = this.#firstIndex();
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
    const from = this.#firstIndex();
    let drop = 0;
    while (drop < this.#indices.length && (this.#indices[drop] as number) < from) drop += 1;
    if (drop === 0) return;
    this.upper.splice(0, drop);
    this.lower.splice(0, drop);
    this.#indices.splice(0, drop);
  }

  /** Lowest and highest value of the band's buckets with an index in [from, to] (null: none with a value). */
  extremes(from: number, to: number): { low: number | null; high: number | null } {
    let low: number | null = null;
    let high: number | null = null;
    const indices = this.#indices;
    for (let k = 0; k < indices.length; k += 1) {
      const index = indices[k] as number;
      if (index < from) continue;
      if (index > to) break;
      const lo = (this.lower[k] as XY).y;
      const hi = (this.upper[k] as XY).y;
      if (lo !== null && (low === null || lo < low)) low = lo;
      if (hi !== null && (high === null || hi > high)) high = hi;
    }
    return { low, high };
  }

  /** The oldest bucket index any member has (+Infinity when none has a bucket). */
  #firstIndex(): number {
    let from = Number.POSITIVE_INFINITY;
    for (const s of this.#members) from = Math.min(from, s.firstIndex);
    return from;
  }

  /** Appends band points for every bucket index >= from that some member has. */
  #recompute(from: number): void {
    // The members share a width and their buckets lie in a window about as many indexes wide as
    // the chart is pixels: lowest/highest per index in arrays over that span (a Map entry and an object per index
    // cost a 100-node chart's rebuild tens of milliseconds).
    let width = 1;
    let to = Number.NEGATIVE_INFINITY;
    for (const s of this.#members) {
      width = s.width;
      const newest = s.newestIndex;
      if (Number.isFinite(newest)) to = Math.max(to, newest);
    }
    if (!(to >= from)) return;
    // A band wider than any chart's window is in pixels holds nothing it could show before its newest part.
    if (to - from + 1 > MAX_DENSE_BAND) {
      from = to - MAX_DENSE_BAND + 1;
      this.upper.length = 0;
      this.lower.length = 0;
      this.#indices.length = 0;
    }
    const extremes = new BucketExtremes(from, to - from + 1);
    for (const s of this.#members) s.addBucketsTo(extremes);
    const { low, high, state } = extremes;
    for (let k = 0; k < state.length; k += 1) {
      const seen = state[k] as number;
      if (seen === 0) continue;
      const index = from + k;
      const x = (index + 0.5) * width;
      this.upper.push({ x, y: seen === 2 ? (high[k] as number) : null });
      this.lower.push({ x, y: seen === 2 ? (low[k] as number) : null });
      this.#indices.push(index);
    }
  }
}
