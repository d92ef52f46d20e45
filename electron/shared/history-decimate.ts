// One min/max decimator for history, used by the engine (answering a history query with at
// most maxPoints) and by the renderer (reducing a series to about one bucket per pixel).
// Buckets are aligned on absolute time (floor(t / width)), so the engine's buckets and the
// renderer's line up, and a bucket keeps the lowest and highest value of every charted series:
// a spike of lag bytes, lag seconds or load survives any reduction.
import type { HistoryPoint } from './types';

/** The numeric series of a history point that charts draw. */
export const HISTORY_SERIES = [
  'offset',
  'lagBytes',
  'lagSeconds',
  'opsPerSecond',
  'netInputBytesPerSecond',
  'netOutputBytesPerSecond',
  'usedMemoryBytes',
] as const satisfies readonly (keyof HistoryPoint)[];

export type HistorySeries = (typeof HISTORY_SERIES)[number];

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

/**
 * At most `maxPoints` points (maxPoints ≥ 4) with, per time bucket, two points: at the
 * bucket's first and last time, carrying each series' min and max in the order they came
 * (a series that peaked then fell has its max first). A series with no value in a bucket is
 * null there (a gap). The newest raw point is kept as it is, so a line ends where the data ends.
 */
export function decimateHistory(points: readonly HistoryPoint[], maxPoints: number): HistoryPoint[] {
  if (points.length <= maxPoints) return points.slice();
  if (maxPoints < 4) return points.slice(points.length - Math.max(maxPoints, 0));
  const newest = points[points.length - 1] as HistoryPoint;
  const span = newest.t - (points[0] as HistoryPoint).t;
  // (maxPoints - 1) / 2 - 1 buckets' worth of width: alignment may add one bucket, the newest point one more.
  const width = bucketWidth(span, Math.max(1, Math.floor((maxPoints - 1) / 2) - 1));
  const out: HistoryPoint[] = [];
  const stats = HISTORY_SERIES.map(() => emptyMinMax(0));
  let from = 0;
  while (from < points.length - 1) {
    const index = Math.floor((points[from] as HistoryPoint).t / width);
    let to = from;
    const first = (points[from] as HistoryPoint).t;
    for (const s of stats) Object.assign(s, emptyMinMax(first));
    // The newest point goes out on its own below.
    while (to < points.length - 1 && Math.floor((points[to] as HistoryPoint).t / width) === index) {
      const p = points[to] as HistoryPoint;
      HISTORY_SERIES.forEach((key, i) => addToMinMax(stats[i] as MinMax, p.t, p[key]));
      to += 1;
    }
    const last = (points[to - 1] as HistoryPoint).t;
    if (to - from === 1) {
      out.push(points[from] as HistoryPoint);
    } else {
      const early: HistoryPoint = { t: first, offset: null, lagBytes: null, lagSeconds: null };
      const late: HistoryPoint = { t: last, offset: null, lagBytes: null, lagSeconds: null };
      HISTORY_SERIES.forEach((key, i) => {
        const s = stats[i] as MinMax;
        if (s.count === 0) {
          // The load fields are optional: absent rather than null keeps an hour of 100 nodes' JSON small.
          if (!REQUIRED.has(key)) return;
          early[key] = null;
          late[key] = null;
        } else if (s.minT <= s.maxT) {
          early[key] = s.minY;
          late[key] = s.maxY;
        } else {
          early[key] = s.maxY;
          late[key] = s.minY;
        }
      });
      out.push(early, late);
    }
    from = to;
  }
  out.push(newest);
  return out;
}
