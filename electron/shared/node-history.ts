// A node's history as numbers in typed arrays, one column per series: the engine keeps an hour
// of it per node, and the renderer keeps what it charts the same way. As objects, a 100-node
// page held 190,000 points and twice as many boxed numbers, which every full collection of the
// page's heap had to walk and move.
import { HISTORY_SERIES, decimateColumns, historyColumns, pointsOfColumns } from './history-decimate';
import type { HistoryColumns, HistoryPoint, HistorySeries } from './types';

/** Rows a chunk of a ring holds unless its maker says otherwise, and at most (offsets stay small integers). */
const CHUNK_ROWS = 128;
const MAX_CHUNK_ROWS = 2 ** 16;
/** Rows RingSeries.firstPast tries out from each end before halving (1, 2, 4, 8 rows in). */
const END_PROBES = 4;

/**
 * Chunks that rings gave back (`RingSeries.clear`), by length, for the next rings to take
 * instead of new memory. A chart that rebuilds its series for another window hands the old
 * series' chunks to the new ones: on a two-core VM, memory the page has not touched before cost
 * 5–6 ms per MB, and a 100-node chart's buckets are megabytes.
 */
export class ChunkPool {
  readonly #free = new Map<number, Float64Array[]>();

  take(length: number): Float64Array | undefined {
    return this.#free.get(length)?.pop();
  }

  give(chunk: Float64Array): void {
    const list = this.#free.get(chunk.length);
    if (list) list.push(chunk);
    else this.#free.set(chunk.length, [chunk]);
  }

  /** How many chunks wait to be taken. */
  get size(): number {
    let n = 0;
    for (const list of this.#free.values()) n += list.length;
    return n;
  }

  /** Lets the chunks nobody took go. */
  clear(): void {
    this.#free.clear();
  }
}

/**
 * Per time bucket (index floor(t / width)) over a span of indexes from `from`, the lowest and
 * highest of the values folded in, and whether any bucket there was seen at all: what a chart's
 * band of many series is made of. Filled in place, by index, with no object or call per value.
 */
export class BucketExtremes {
  readonly from: number;
  readonly low: Float64Array;
  readonly high: Float64Array;
  /** Per index: 0 no bucket there; 1 buckets without a value only; 2 values (low and high hold them). */
  readonly state: Uint8Array;

  constructor(from: number, span: number) {
    this.from = from;
    this.low = new Float64Array(span);
    this.high = new Float64Array(span);
    this.state = new Uint8Array(span);
  }

  /** Takes in one bucket at `index` (outside the span: ignored); `values` false for a bucket without one. */
  add(index: number, values: boolean, low: number, high: number): void {
    const k = index - this.from;
    if (k < 0 || k >= this.state.length) return;
    if (!values) {
      if (this.state[k] === 0) this.state[k] = 1;
    } else if (this.state[k] !== 2) {
      this.low[k] = low;
      this.high[k] = high;
      this.state[k] = 2;
    } else {
      if (low < (this.low[k] as number)) this.low[k] = low;
      if (high > (this.high[k] as number)) this.high[k] = high;
    }
  }
}

/**
 * A bounded ring of numeric rows stored in Float64Arrays, in chunks of a fixed number of rows:
 * a ring takes a chunk as it needs one, and the chunk its oldest rows leave is kept for the next
 * (a ring that drops at the front as fast as it adds at the back allocates nothing). Memory
 * never exceeds capacity plus two chunks × columns × 8 bytes. NaN stands for "no value" (null).
 *
 * Chunks, not one array that doubles: a doubling copies the whole ring into memory the page has
 * not touched, and the 100 histories of a page loaded together doubled together, in one tick
 * (60–139 ms in Chromium on a two-core VM, for 100 rings of 2,048 rows).
 */
export class RingSeries {
  readonly capacity: number;
  private readonly columnCount: number;
  /** A chunk holds 2^shift rows; mask picks a row's slot in its chunk. */
  private readonly shift: number;
  private readonly mask: number;
  /** The chunks in use, oldest first: each one array, column after column (value at column << shift | slot). */
  private chunks: Float64Array[] = [];
  /** The chunk the oldest rows last left, for the next one needed at the back. */
  private spare: Float64Array | null = null;
  /** Slot of the oldest row in chunks[0]. */
  private head = 0;
  private count = 0;
  /** Where new chunks come from first, and released ones go. */
  private readonly pool: ChunkPool | null;

  /**
   * `chunkRows`: rows per chunk (rounded up to a power of two, at most the capacity). A caller
   * that knows how many rows it is about to hold can have them in one chunk.
   */
  constructor(capacity: number, columnCount: number, chunkRows = CHUNK_ROWS, pool: ChunkPool | null = null) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
    this.capacity = capacity;
    this.columnCount = columnCount;
    this.pool = pool;
    this.shift = Math.ceil(Math.log2(Math.max(1, Math.min(capacity, chunkRows, MAX_CHUNK_ROWS))));
    this.mask = 2 ** this.shift - 1;
  }

  get length(): number {
    return this.count;
  }

  /** Rows the ring has memory for, in chunks in use and the spare. */
  get allocatedRows(): number {
    return (this.chunks.length + (this.spare === null ? 0 : 1)) << this.shift;
  }

  push(values: ReadonlyArray<number | null>): void {
    if (this.count >= this.capacity) this.dropOldest(1);
    this.reserve(this.count + 1);
    const row = this.head + this.count;
    const chunk = this.chunks[row >> this.shift] as Float64Array;
    const slot = row & this.mask;
    for (let c = 0; c < this.columnCount; c++) {
      const v = values[c];
      chunk[(c << this.shift) | slot] = v === null || v === undefined ? Number.NaN : v;
    }
    this.count++;
  }

  /** Value of `column` at logical index `i` (0 = oldest), or null. */
  get(i: number, column: number): number | null {
    const v = this.at(i, column);
    return Number.isNaN(v) ? null : v;
  }

  /** The same as get, NaN for no value (or a row or column it does not have): the charts' inner loops read this way. */
  at(i: number, column: number): number {
    if (i < 0 || i >= this.count || column < 0 || column >= this.columnCount) return Number.NaN;
    const row = this.head + i;
    return (this.chunks[row >> this.shift] as Float64Array)[(column << this.shift) | (row & this.mask)] as number;
  }

  /** Overwrites the row at logical index `i` with `values`, column by column (NaN: no value). */
  setRow(i: number, values: ArrayLike<number>): void {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`no row ${i}`);
    const row = this.head + i;
    const chunk = this.chunks[row >> this.shift] as Float64Array;
    const slot = row & this.mask;
    for (let c = 0; c < this.columnCount; c++) chunk[(c << this.shift) | slot] = values[c] ?? Number.NaN;
  }

  /**
   * Appends rows `from` to `to` (exclusive) of `source`, given column by column (an absent
   * column or value is no value): one pass per column, for a load of thousands of rows.
   */
  pushColumns(source: readonly (ArrayLike<number | null> | undefined)[], from: number, to: number): void {
    const rows = Math.max(0, to - from);
    // Past the capacity the oldest rows give way, as push would do one at a time.
    const kept = Math.min(rows, this.capacity);
    const skip = rows - kept;
    this.dropOldest(this.count + kept - this.capacity);
    this.reserve(this.count + kept);
    const first = this.head + this.count;
    for (let c = 0; c < this.columnCount; c++) {
      const values = source[c];
      // Chunk by chunk: a run of slots in one array.
      let row = first;
      for (let r = from + skip; r < to; ) {
        const chunk = this.chunks[row >> this.shift] as Float64Array;
        const slot = row & this.mask;
        const n = Math.min(to - r, this.mask + 1 - slot);
        const base = (c << this.shift) | slot;
        for (let k = 0; k < n; k++, r++) {
          const v = values?.[r];
          chunk[base + k] = v === null || v === undefined ? Number.NaN : v;
        }
        row += n;
      }
    }
    this.count += kept;
  }

  /** Logical index of the newest row whose `column` is ≤ value (column must be non-decreasing), or -1. */
  lastAtOrBefore(column: number, value: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.get(mid, column);
      if (v !== null && v <= value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Logical index of the first row whose `column` (non-decreasing) is past `at` (> at when
   * `strict`, else ≥ at); the length when none. The charts ask several times a tick per node
   * and series, nearly always for a row near one end (the newest rows, or a window's start among
   * the oldest): a few probes out from each end first, then halving what is left, instead of a
   * dozen halvings through an hour of rows. The values are read here, not through at(): a
   * number returned from a call the page's compiler did not inline was a heap object each,
   * 7.6 MB of garbage in 20 s of ticks at 100 nodes (a quarter of the page's).
   */
  firstPast(column: number, at: number, strict: boolean): number {
    const chunks = this.chunks;
    const shift = this.shift;
    const mask = this.mask;
    const head = this.head;
    const base = column << shift;
    // Rows before `lo` are not past `at`; rows from `hi` on are.
    let lo = 0;
    let hi = this.count;
    for (let step = 1, probes = 0; probes < END_PROBES && lo < hi; step *= 2, probes++) {
      const i = Math.max(lo, hi - step);
      const row = head + i;
      const v = (chunks[row >> shift] as Float64Array)[base | (row & mask)] as number;
      if (v > at || (!strict && v === at)) hi = i;
      else {
        lo = i + 1;
        break;
      }
    }
    for (let step = 1, probes = 0; probes < END_PROBES && lo < hi; step *= 2, probes++) {
      const i = Math.min(hi - 1, lo + step - 1);
      const row = head + i;
      const v = (chunks[row >> shift] as Float64Array)[base | (row & mask)] as number;
      if (v > at || (!strict && v === at)) {
        hi = i;
        break;
      }
      lo = i + 1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const row = head + mid;
      const v = (chunks[row >> shift] as Float64Array)[base | (row & mask)] as number;
      if (v > at || (!strict && v === at)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Folds rows `from` to `to` (exclusive) into `into`, each in the bucket of its `timeColumn`
   * (floor(t / width)), by its `valueColumn` (NaN: a bucket without a value). The rows are read
   * here, not through at(): a chart's band folds every node's newest rows on every tick, and a
   * number returned from a call the page's compiler did not inline is a heap object each.
   */
  foldBuckets(timeColumn: number, valueColumn: number, from: number, to: number, width: number, into: BucketExtremes): void {
    const chunks = this.chunks;
    const shift = this.shift;
    const mask = this.mask;
    const tBase = timeColumn << shift;
    const vBase = valueColumn << shift;
    for (let i = Math.max(0, from), end = Math.min(to, this.count); i < end; i++) {
      const row = this.head + i;
      const chunk = chunks[row >> shift] as Float64Array;
      const slot = row & mask;
      const v = chunk[vBase | slot] as number;
      into.add(Math.floor((chunk[tBase | slot] as number) / width), Number.isFinite(v), v, v);
    }
  }

  /** The rows from logical index `from` (0 = oldest) to the newest, of one column, in order (NaN: no value). */
  slice(column: number, from: number): Float64Array {
    if (!(column >= 0 && column < this.columnCount)) throw new RangeError(`no column ${column}`);
    const begin = Math.max(0, from);
    const out = new Float64Array(Math.max(0, this.count - begin));
    // A block copy per chunk.
    let row = this.head + begin;
    for (let done = 0; done < out.length; ) {
      const chunk = this.chunks[row >> this.shift] as Float64Array;
      const slot = row & this.mask;
      const n = Math.min(out.length - done, this.mask + 1 - slot);
      const base = (column << this.shift) | slot;
      out.set(chunk.subarray(base, base + n), done);
      done += n;
      row += n;
    }
    return out;
  }

  /** Empties the ring; its chunks go to its pool, if it has one (the rows they held are the taker's to overwrite). */
  clear(): void {
    if (this.pool) {
      for (const chunk of this.chunks) this.pool.give(chunk);
      if (this.spare) this.pool.give(this.spare);
    }
    this.chunks = [];
    this.spare = null;
    this.head = 0;
    this.count = 0;
  }

  /** Adds `by` to every value of `column` (no value stays none): times moved with a clock set back. */
  shiftColumn(column: number, by: number): void {
    for (let i = 0; i < this.count; i++) {
      const row = this.head + i;
      const chunk = this.chunks[row >> this.shift] as Float64Array;
      const at = (column << this.shift) | (row & this.mask);
      chunk[at] = (chunk[at] as number) + by;
    }
  }

  /** Forgets the `n` oldest rows. */
  dropOldest(n: number): void {
    const drop = Math.min(Math.max(0, n), this.count);
    if (drop === 0) return;
    this.head += drop;
    this.count -= drop;
    // The chunks the oldest row has left: the last of them is kept for reuse.
    const passed = this.head >> this.shift;
    if (passed > 0) {
      this.spare = this.chunks.splice(0, passed).pop() ?? this.spare;
      this.head &= this.mask;
    }
  }

  /** Chunks for `rows` rows from the oldest: the spare first, then new ones. */
  private reserve(rows: number): void {
    const last = (this.head + rows - 1) >> this.shift;
    while (this.chunks.length <= last) {
      this.chunks.push(this.spare ?? this.newChunk());
      this.spare = null;
    }
  }

  /** One chunk: one array for all its columns (each typed array's buffer is a native allocation, and a view per column cost one more object each). */
  private newChunk(): Float64Array {
    const length = this.columnCount << this.shift;
    return this.pool?.take(length) ?? new Float64Array(length);
  }
}

const T = 0;
/** Column of each series in the ring: after the time, in HISTORY_SERIES order. */
const COLUMN_OF: Readonly<Record<HistorySeries, number>> = Object.fromEntries(HISTORY_SERIES.map((key, i) => [key, i + 1])) as Record<HistorySeries, number>;
const COLUMNS = HISTORY_SERIES.length + 1;
/** The series a point carries only when it has a value (see pointsOfColumns). */
const LOAD_SERIES = HISTORY_SERIES.filter((key) => key !== 'offset' && key !== 'lagBytes' && key !== 'lagSeconds');

/** One node's chartable history: one row per tick, in time order. */
export class NodeHistory {
  private readonly rows: RingSeries;
  /** The row append() fills and hands to the ring (which copies it): one array for every tick. */
  private readonly row: (number | null)[] = new Array<number | null>(COLUMNS).fill(null);

  /** At most `capacity` rows: appending to a full history drops its oldest row. */
  constructor(capacity: number) {
    this.rows = new RingSeries(capacity, COLUMNS);
  }

  /** The rows of decimated columns ('history:all''s answer) older than `until`, in a history of their own. */
  static fromColumns(columns: HistoryColumns, capacity: number, until = Number.POSITIVE_INFINITY): NodeHistory {
    const history = new NodeHistory(capacity);
    const { t, values } = columns;
    // Times ascend: the rows kept are those before the first that is not older (nor a number).
    let end = 0;
    while (end < t.length && (t[end] as number) < until) end++;
    history.rows.pushColumns([t, ...HISTORY_SERIES.map((key) => values[key])], 0, end);
    return history;
  }

  get length(): number {
    return this.rows.length;
  }

  append(point: HistoryPoint): void {
    // Written out in COLUMN_OF's order (time, then HISTORY_SERIES): this runs per node and tick.
    const row = this.row;
    row[0] = point.t;
    row[1] = point.offset;
    row[2] = point.lagBytes;
    row[3] = point.lagSeconds;
    row[4] = point.opsPerSecond ?? null;
    row[5] = point.netInputBytesPerSecond ?? null;
    row[6] = point.netOutputBytesPerSecond ?? null;
    row[7] = point.usedMemoryBytes ?? null;
    this.rows.push(row);
  }

  /** Appends `other`'s rows from index `from` on (both histories hold the same columns). */
  appendFrom(other: NodeHistory, from: number): void {
    const row = this.row;
    for (let i = Math.max(0, from); i < other.length; i++) {
      for (let c = 0; c < COLUMNS; c++) row[c] = other.rows.get(i, c);
      this.rows.push(row);
    }
  }

  /** Every row's time moves `by` ms (negative: back), as the clock it was read by was set. */
  moveTimes(by: number): void {
    this.rows.shiftColumn(T, by);
  }

  /** Time of row `i` (0 = oldest). */
  t(i: number): number {
    return this.rows.at(i, T);
  }

  /** Value of `series` at row `i`, or null. */
  value(series: HistorySeries, i: number): number | null {
    return this.rows.get(i, COLUMN_OF[series]);
  }

  /** The same as value, NaN for none (the charts' inner loops). */
  valueOrNaN(series: HistorySeries, i: number): number {
    return this.rows.at(i, COLUMN_OF[series]);
  }

  /** Folds `series` of rows `from` to `to` (exclusive) into `into`, by the bucket of each row's time (RingSeries.foldBuckets). */
  foldBuckets(series: HistorySeries, from: number, to: number, width: number, into: BucketExtremes): void {
    this.rows.foldBuckets(T, COLUMN_OF[series], from, to, width, into);
  }

  /** Row `i` as a point (a load figure only when it has one, as pointsOfColumns gives it). */
  point(i: number): HistoryPoint {
    const point: HistoryPoint = { t: this.t(i), offset: this.value('offset', i), lagBytes: this.value('lagBytes', i), lagSeconds: this.value('lagSeconds', i) };
    for (const key of LOAD_SERIES) {
      const v = this.value(key, i);
      if (v !== null) point[key] = v;
    }
    return point;
  }

  /** Every row as a point, oldest first (for tests and exports: charts read the columns). */
  points(): HistoryPoint[] {
    return Array.from({ length: this.length }, (_, i) => this.point(i));
  }

  /** Index of the first row with t ≥ `at` (the length when none). */
  firstAtOrAfter(at: number): number {
    return this.rows.firstPast(T, at, false);
  }

  /** Index of the first row with t > `at` (the length when none). */
  firstAfter(at: number): number {
    return this.rows.firstPast(T, at, true);
  }

  /** Forgets the rows older than `t`. */
  dropBefore(t: number): void {
    this.rows.dropOldest(this.firstAtOrAfter(t));
  }

  /**
   * The asked series of the rows at or after `since`, decimated to at most `maxPoints` rows with
   * every series' min/max kept per bucket, straight from the stored columns.
   */
  columns(since = 0, maxPoints = Infinity, series: readonly HistorySeries[] = HISTORY_SERIES): HistoryColumns {
    const first = this.firstAtOrAfter(since);
    const times = this.rows.slice(T, first);
    const values = series.map((key) => this.rows.slice(COLUMN_OF[key], first));
    return historyColumns(decimateColumns(times, values, maxPoints), series);
  }

  /** The same as points (one object each), for 'history:get'. */
  query(since = 0, maxPoints = Infinity): HistoryPoint[] {
    return pointsOfColumns(this.columns(since, maxPoints));
  }
}
