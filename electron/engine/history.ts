import { decimateHistory } from '../shared/history-decimate';
import type { HistoryPoint } from '../shared/types';

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
  private start = 0;
  private count = 0;

  constructor(capacity: number, columnCount: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
    this.capacity = capacity;
    const rows = Math.min(capacity, INITIAL_ROWS);
    this.columns = Array.from({ length: columnCount }, () => new Float64Array(rows));
  }

  get length(): number {
    return this.count;
  }

  private get allocated(): number {
    return this.columns[0]?.length ?? 0;
  }

  push(values: ReadonlyArray<number | null>): void {
    if (this.count === this.allocated && this.allocated < this.capacity) this.grow();
    const size = this.allocated;
    const slot = (this.start + this.count) % size;
    this.columns.forEach((column, i) => {
      const v = values[i];
      column[slot] = v === null || v === undefined ? NaN : v;
    });
    if (this.count < size) this.count++;
    else this.start = (this.start + 1) % size;
  }

  /** Value of `column` at logical index `i` (0 = oldest), or null. */
  get(i: number, column: number): number | null {
    const v = this.columns[column]?.[(this.start + i) % this.allocated];
    return v === undefined || Number.isNaN(v) ? null : v;
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

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  /** Double the storage (up to capacity), unrolling the ring so the oldest row is first. */
  private grow(): void {
    const size = Math.min(this.capacity, this.allocated * 2);
    this.columns = this.columns.map((column) => {
      const next = new Float64Array(size);
      for (let i = 0; i < this.count; i++) next[i] = column[(this.start + i) % column.length] ?? NaN;
      return next;
    });
    this.start = 0;
  }
}

const T = 0;
const OFFSET = 1;
const LAG_BYTES = 2;
const LAG_SECONDS = 3;
const OPS = 4;
const NET_IN = 5;
const NET_OUT = 6;
const MEMORY = 7;
const COLUMNS = 8;

/** One node's chartable history: one row per tick. */
export class NodeHistory {
  private readonly rows: RingSeries;

  constructor(capacity: number) {
    this.rows = new RingSeries(capacity, COLUMNS);
  }

  get length(): number {
    return this.rows.length;
  }

  append(point: HistoryPoint): void {
    this.rows.push([
      point.t,
      point.offset,
      point.lagBytes,
      point.lagSeconds,
      point.opsPerSecond ?? null,
      point.netInputBytesPerSecond ?? null,
      point.netOutputBytesPerSecond ?? null,
      point.usedMemoryBytes ?? null,
    ]);
  }

  /** Points at or after `since`, decimated to at most `maxPoints` with every series' min/max kept per bucket. */
  query(since = 0, maxPoints = Infinity): HistoryPoint[] {
    const first = this.rows.lastAtOrBefore(T, since - 1) + 1;
    const points: HistoryPoint[] = [];
    for (let i = first; i < this.rows.length; i++) points.push(this.point(i));
    return maxPoints >= points.length ? points : decimateHistory(points, maxPoints);
  }

  private point(i: number): HistoryPoint {
    const point: HistoryPoint = {
      t: this.rows.get(i, T) ?? 0,
      offset: this.rows.get(i, OFFSET),
      lagBytes: this.rows.get(i, LAG_BYTES),
      lagSeconds: this.rows.get(i, LAG_SECONDS),
    };
    // The load fields only when read: absent rather than null keeps a batched history small.
    const ops = this.rows.get(i, OPS);
    const netIn = this.rows.get(i, NET_IN);
    const netOut = this.rows.get(i, NET_OUT);
    const memory = this.rows.get(i, MEMORY);
    if (ops !== null) point.opsPerSecond = ops;
    if (netIn !== null) point.netInputBytesPerSecond = netIn;
    if (netOut !== null) point.netOutputBytesPerSecond = netOut;
    if (memory !== null) point.usedMemoryBytes = memory;
    return point;
  }
}
