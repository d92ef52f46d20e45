// A node's history as numbers in typed arrays, one column per series: the engine keeps an hour
// of it per node, and the renderer keeps what it charts the same way. As objects, a 100-node
// page held 190,000 points and twice as many boxed numbers, which every full collection of the
// page's heap had to walk and move.
import { HISTORY_SERIES, decimateColumns, historyColumns, pointsOfColumns } from './history-decimate';
import type { HistoryColumns, HistoryPoint, HistorySeries } from './types';

/** Rows a ring starts with; it doubles up to its capacity as rows arrive. */
const INITIAL_ROWS = 64;

/**
 * A bounded ring of numeric rows stored in Float64Arrays: memory never exceeds
 * capacity × columns × 8 bytes, and a young node's ring starts small and doubles as it
 * fills (a 100-node topology does not reserve an hour of history for each node up front).
 * NaN stands for "no value" (null).
 */
export class RingSeries {
  readonly capacity: number;
  private columns: Float64Array[];
  /** Rows the storage holds (every column's length). */
  private allocated: number;
  private start = 0;
  private count = 0;

  /**
   * `rows`: what to make room for at first, when the caller knows (on this machine, memory the
   * page has not touched before costs more than filling it: growing 64 → 128 → 256 touches
   * twice what 256 does).
   */
  constructor(capacity: number, columnCount: number, rows = INITIAL_ROWS) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
    this.capacity = capacity;
    this.allocated = Math.max(1, Math.min(capacity, rows));
    this.columns = RingSeries.storage(columnCount, this.allocated);
  }

  /**
   * `columnCount` columns of `rows` rows, views into one buffer: one allocation per ring and
   * growth rather than one per column (each typed-array buffer is a native allocation).
   */
  private static storage(columnCount: number, rows: number): Float64Array[] {
    const buffer = new Float64Array(columnCount * rows);
    return Array.from({ length: columnCount }, (_, i) => buffer.subarray(i * rows, (i + 1) * rows));
  }

  get length(): number {
    return this.count;
  }

  push(values: ReadonlyArray<number | null>): void {
    if (this.count === this.allocated && this.allocated < this.capacity) this.grow();
    const size = this.allocated;
    const slot = (this.start + this.count) % size;
    for (let i = 0; i < this.columns.length; i++) {
      const v = values[i];
      this.columns[i]![slot] = v === null || v === undefined ? NaN : v;
    }
    if (this.count < size) this.count++;
    else this.start = (this.start + 1) % size;
  }

  /** Value of `column` at logical index `i` (0 = oldest), or null. */
  get(i: number, column: number): number | null {
    const v = this.at(i, column);
    return Number.isNaN(v) ? null : v;
  }

  /** The same as get, NaN for no value (or a row or column it does not have): the charts' inner loops read this way. */
  at(i: number, column: number): number {
    // start + i stays below twice the storage for a row it has: one subtraction, not a division.
    let slot = this.start + i;
    const size = this.allocated;
    if (slot >= size) slot -= size;
    return this.columns[column]?.[slot] ?? Number.NaN;
  }

  /** Overwrites `column` of the row at logical index `i` (0 = oldest; NaN: no value). */
  set(i: number, column: number, value: number): void {
    const data = this.columns[column];
    if (!data || !(i >= 0 && i < this.count)) throw new RangeError(`no row ${i} in column ${column}`);
    data[(this.start + i) % this.allocated] = value;
  }

  /**
   * Appends rows `from` to `to` (exclusive) of `source`, given column by column (an absent
   * column or value is no value): one pass per column, for a load of thousands of rows.
   */
  pushColumns(source: readonly (ArrayLike<number | null> | undefined)[], from: number, to: number): void {
    const rows = Math.max(0, to - from);
    if (this.count + rows > this.allocated && this.allocated < this.capacity) this.grow(this.count + rows);
    const size = this.allocated;
    // Past the capacity the oldest rows give way, as push would do one at a time.
    const kept = Math.min(rows, size);
    const skip = rows - kept;
    const overflow = Math.max(0, this.count + kept - size);
    this.start = (this.start + overflow) % size;
    this.count -= overflow;
    for (let c = 0; c < this.columns.length; c++) {
      const data = this.columns[c] as Float64Array;
      const values = source[c];
      let slot = (this.start + this.count) % size;
      for (let r = from + skip; r < to; r++) {
        const v = values?.[r];
        data[slot] = v === null || v === undefined ? Number.NaN : v;
        slot = slot + 1 === size ? 0 : slot + 1;
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

  /** The rows from logical index `from` (0 = oldest) to the newest, of one column, in order (NaN: no value). */
  slice(column: number, from: number): Float64Array {
    const data = this.columns[column];
    if (!data) throw new RangeError(`no column ${column}`);
    const size = this.allocated;
    const begin = Math.max(0, from);
    const out = new Float64Array(Math.max(0, this.count - begin));
    const head = (this.start + begin) % size;
    // Two stretches at most: to the end of the storage, then from its start.
    const first = Math.min(out.length, size - head);
    out.set(data.subarray(head, head + first), 0);
    if (first < out.length) out.set(data.subarray(0, out.length - first), first);
    return out;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  /** Forgets the `n` oldest rows. */
  dropOldest(n: number): void {
    const drop = Math.min(Math.max(0, n), this.count);
    if (drop === 0) return;
    this.start = (this.start + drop) % this.allocated;
    this.count -= drop;
  }

  /** Double the storage (or more, to hold `rows`; up to capacity), unrolling the ring so the oldest row is first. */
  private grow(rows = 0): void {
    let size = this.allocated * 2;
    while (size < rows) size *= 2;
    size = Math.min(this.capacity, size);
    const columns = RingSeries.storage(this.columns.length, size);
    this.columns.forEach((column, i) => {
      const next = columns[i]!;
      // Two block copies: the oldest rows (from start to the end), then the wrapped ones.
      const head = column.subarray(this.start, Math.min(column.length, this.start + this.count));
      next.set(head);
      next.set(column.subarray(0, this.count - head.length), head.length);
    });
    this.columns = columns;
    this.allocated = size;
    this.start = 0;
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
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t(mid) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
