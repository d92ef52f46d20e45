// One min/max decimator for history, used by the engine (answering a history query with at
// most maxPoints) and by the renderer (reducing a series to about one bucket per pixel).
// Buckets are aligned on absolute time (floor(t / width)), so the engine's buckets and the
// renderer's line up, and a bucket keeps the lowest and highest value of every charted series:
// a spike of lag bytes, lag seconds or load survives any reduction.
import type { HistoryColumns, HistoryPoint, HistorySeries } from './types';

export type { HistorySeries };

/** The numeric series of a history point that charts draw, in the order columns are kept. */
export const HISTORY_SERIES = [
  'offset',
  'lagBytes',
  'lagSeconds',
  'opsPerSecond',
  'netInputBytesPerSecond',
  'netOutputBytesPerSecond',
  'usedMemoryBytes',
] as const satisfies readonly HistorySeries[];

/** The series every HistoryPoint carries (null when unknown); the load fields may be absent. */
const REQUIRED: ReadonlySet<HistorySeries> = new Set(['offset', 'lagBytes', 'lagSeconds']);

/**
 * Bucket width for a span drawn across `pixels` (or kept in `pixels` buckets): a power of two
 * in ms, at least the span / pixels, so a window that grows by a tick keeps its buckets until
 * it has doubled.
 */
export function bucketWidth(spanMs: number, pixels: number): number {
  const perPixel = spanMs / Math.max(1, pixels);
  if (!(perPixel > 1)) return 1;
  return 2 ** Math.ceil(Math.log2(perPixel));
}

/** One series' extremes in one time bucket. */
export interface MinMax {
  /** Time of the first and last raw point in the bucket (values and gaps). */
  first: number;
  last: number;
  /** Raw points with a value. */
  count: number;
  minT: number;
  minY: number;
  maxT: number;
  maxY: number;
  /** The last point with a value. */
  lastT: number;
  lastY: number;
  /** Time of the first gap (null value) in the bucket, if any. */
  gapT: number | null;
}

export function emptyMinMax(t: number): MinMax {
  return { first: t, last: t, count: 0, minT: t, minY: 0, maxT: t, maxY: 0, lastT: t, lastY: 0, gapT: null };
}

/** Takes one raw value (null or non-finite: a gap) at time t into a bucket. */
export function addToMinMax(b: MinMax, t: number, y: number | null | undefined): void {
  b.last = t;
  if (y === null || y === undefined || !Number.isFinite(y)) {
    if (b.gapT === null) b.gapT = t;
    return;
  }
  if (b.count === 0 || y < b.minY) {
    b.minY = y;
    b.minT = t;
  }
  if (b.count === 0 || y > b.maxY) {
    b.maxY = y;
    b.maxT = t;
  }
  b.lastY = y;
  b.lastT = t;
  b.count += 1;
}

/** Resets a bucket's extremes to none, starting at t (no allocation: the decimators reuse them). */
export function resetMinMax(b: MinMax, t: number): void {
  b.first = t;
  b.last = t;
  b.count = 0;
  b.minT = t;
  b.minY = 0;
  b.maxT = t;
  b.maxY = 0;
  b.lastT = t;
  b.lastY = 0;
  b.gapT = null;
}

/** A column's value at i, null for none (null, undefined, NaN or another non-finite number). */
function valueAt(column: ArrayLike<number | null | undefined>, i: number): number | null {
  const v = column[i];
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

/** Decimated columns: the kept times, and per input column its values at them. */
export interface DecimatedColumns {
  t: number[];
  values: (number | null)[][];
}

/**
 * The decimator itself, on columns (the engine's history is stored as columns, and building an
 * object per stored point first cost more than the reduction). At most `maxPoints` rows
 * (maxPoints ≥ 4) with, per time bucket, two rows: at the bucket's first and last time, carrying
 * each column's min and max in the order they came (a series that peaked then fell has its max
 * first). A column with no value in a bucket is null there (a gap). A bucket of one row, and the
 * newest row, are kept as they are, so a line ends where the data ends.
 */
export function decimateColumns(
  t: ArrayLike<number>,
  values: readonly ArrayLike<number | null | undefined>[],
  maxPoints: number,
): DecimatedColumns {
  const n = t.length;
  const out: DecimatedColumns = { t: [], values: values.map(() => []) };
  const keep = (i: number): void => {
    out.t.push(t[i] as number);
    for (let k = 0; k < values.length; k++) (out.values[k] as (number | null)[]).push(valueAt(values[k] as ArrayLike<number>, i));
  };
  if (n <= maxPoints || maxPoints < 4) {
    for (let i = n <= maxPoints ? 0 : n - Math.max(maxPoints, 0); i < n; i++) keep(i);
    return out;
  }
  // (maxPoints - 1) / 2 - 1 buckets' worth of width: alignment may add one bucket, the newest point one more.
  const width = bucketWidth((t[n - 1] as number) - (t[0] as number), Math.max(1, Math.floor((maxPoints - 1) / 2) - 1));
  const stats = emptyMinMax(0);
  let from = 0;
  while (from < n - 1) {
    const index = Math.floor((t[from] as number) / width);
    let to = from + 1;
    // The newest row goes out on its own below.
    while (to < n - 1 && Math.floor((t[to] as number) / width) === index) to += 1;
    if (to - from === 1) {
      keep(from);
    } else {
      out.t.push(t[from] as number, t[to - 1] as number);
      for (let k = 0; k < values.length; k++) {
        const column = values[k] as ArrayLike<number | null | undefined>;
        const kept = out.values[k] as (number | null)[];
        resetMinMax(stats, t[from] as number);
        for (let i = from; i < to; i++) addToMinMax(stats, t[i] as number, column[i]);
        if (stats.count === 0) kept.push(null, null);
        else if (stats.minT <= stats.maxT) kept.push(stats.minY, stats.maxY);
        else kept.push(stats.maxY, stats.minY);
      }
    }
    from = to;
  }
  keep(n - 1);
  return out;
}

/** Points as one column per series (null where a point has no value), for decimateColumns. */
function columnsOfPoints(points: readonly HistoryPoint[], series: readonly HistorySeries[]): { t: number[]; values: (number | null)[][] } {
  return {
    t: points.map((p) => p.t),
    values: series.map((key) => points.map((p) => p[key] ?? null)),
  };
}

/** Columns back to points: the offset and lag series null when missing, a load series only where it has a value. */
export function pointsOfColumns(columns: HistoryColumns): HistoryPoint[] {
  const { t, values } = columns;
  const present = HISTORY_SERIES.filter((key) => values[key] !== undefined && !REQUIRED.has(key));
  const { offset, lagBytes, lagSeconds } = values;
  const points: HistoryPoint[] = new Array<HistoryPoint>(t.length);
  for (let i = 0; i < t.length; i++) {
    const point: HistoryPoint = { t: t[i] as number, offset: offset?.[i] ?? null, lagBytes: lagBytes?.[i] ?? null, lagSeconds: lagSeconds?.[i] ?? null };
    for (const key of present) {
      const v = values[key]?.[i];
      if (v !== null && v !== undefined) point[key] = v;
    }
    points[i] = point;
  }
  return points;
}

/** Decimated columns as 'history:all' sends them: a series with no value at all is left out. */
export function historyColumns(decimated: DecimatedColumns, series: readonly HistorySeries[]): HistoryColumns {
  const values: HistoryColumns['values'] = {};
  series.forEach((key, k) => {
    const column = decimated.values[k] as (number | null)[];
    if (column.some((v) => v !== null)) values[key] = column;
  });
  return { t: decimated.t, values };
}

/**
 * At most `maxPoints` points (maxPoints ≥ 4), reduced by decimateColumns: per time bucket, each
 * series' min and max in the order they came. A load series with no value is left out of a point.
 */
export function decimateHistory(points: readonly HistoryPoint[], maxPoints: number): HistoryPoint[] {
  if (points.length <= maxPoints) return points.slice();
  const columns = columnsOfPoints(points, HISTORY_SERIES);
  return pointsOfColumns(historyColumns(decimateColumns(columns.t, columns.values, maxPoints), HISTORY_SERIES));
}
