import { describe, expect, it } from 'vitest';
import { BucketExtremes, ChunkPool, NodeHistory, RingSeries } from '../../electron/shared/node-history';
import { decimateHistory } from '../../electron/shared/history-decimate';
import { historyPointOf } from '../../electron/shared/history-point';
import { nodeState } from '../helpers/node-state';
import { seededRandom } from '../helpers/seeded-random';
import type { HistoryPoint } from '../../electron/shared/types';

describe('RingSeries', () => {
  it('overwrites the oldest rows once full and keeps order', () => {
    const ring = new RingSeries(4, 1);
    for (let i = 1; i <= 6; i++) ring.push([i]);
    expect(ring.length).toBe(4);
    expect([0, 1, 2, 3].map((i) => ring.get(i, 0))).toEqual([3, 4, 5, 6]);
  });

  it('stores null as a gap', () => {
    const ring = new RingSeries(2, 2);
    ring.push([1, null]);
    expect(ring.get(0, 1)).toBeNull();
  });

  it('slices a column from a logical row to the newest, across the wrap-around', () => {
    const ring = new RingSeries(4, 2);
    for (let i = 1; i <= 6; i++) ring.push([i, i % 2 === 0 ? i * 10 : null]);
    expect([...ring.slice(0, 0)]).toEqual([3, 4, 5, 6]);
    expect([...ring.slice(0, 2)]).toEqual([5, 6]);
    expect([...ring.slice(1, 1)]).toEqual([40, Number.NaN, 60]);
    expect(ring.slice(0, 4)).toHaveLength(0);
  });

  it('forgets its oldest rows, across the wrap-around, and fills again in order', () => {
    const ring = new RingSeries(4, 1);
    for (let i = 1; i <= 6; i++) ring.push([i]);
    ring.dropOldest(3);
    expect(ring.length).toBe(1);
    expect(ring.get(0, 0)).toBe(6);
    ring.push([7]);
    ring.push([8]);
    expect([...ring.slice(0, 0)]).toEqual([6, 7, 8]);
    ring.dropOldest(10);
    expect(ring.length).toBe(0);
  });

  it('takes rows column by column as it takes them one by one, past its capacity and across the wrap-around', () => {
    const columns = [[1, 2, 3, 4, 5, 6, 7], [10, null, 30, 40, 50, 60, 70]];
    for (const [before, from, to] of [[0, 0, 7], [2, 0, 3], [3, 1, 6], [6, 2, 4], [1, 0, 0]] as const) {
      const one = new RingSeries(4, 2);
      const bulk = new RingSeries(4, 2);
      for (let i = 0; i < before; i++) {
        one.push([-i, -i]);
        bulk.push([-i, -i]);
      }
      for (let r = from; r < to; r++) one.push([columns[0]![r]!, columns[1]![r]!]);
      bulk.pushColumns(columns, from, to);
      expect([...bulk.slice(0, 0)]).toEqual([...one.slice(0, 0)]);
      expect([...bulk.slice(1, 0)]).toEqual([...one.slice(1, 0)]);
    }
  });

  it('overwrites a row in place, across the wrap-around, and refuses a row it does not have', () => {
    const ring = new RingSeries(4, 2);
    for (let i = 1; i <= 6; i++) ring.push([i, i]);
    ring.setRow(3, [60, 99]);
    ring.setRow(0, [Number.NaN, 3]);
    expect([...ring.slice(0, 0)]).toEqual([Number.NaN, 4, 5, 60]);
    expect([...ring.slice(1, 0)]).toEqual([3, 4, 5, 99]);
    expect(() => ring.setRow(4, [1, 1])).toThrow(RangeError);
    expect(() => ring.setRow(-1, [1, 1])).toThrow(RangeError);
  });

  it('grows without bound when its capacity is infinite', () => {
    const ring = new RingSeries(Number.POSITIVE_INFINITY, 1, 16);
    for (let i = 0; i < 1000; i++) ring.push([i]);
    expect(ring.length).toBe(1000);
    expect(ring.get(0, 0)).toBe(0);
    expect(ring.get(999, 0)).toBe(999);
  });

  it('keeps its rows in chunks as one array would, through pushes, bulk loads, drops and rows overwritten across chunk boundaries', () => {
    // A deterministic mix of operations on rings of 4-row chunks, checked against a plain array.
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const capacity of [10, 16, Number.POSITIVE_INFINITY]) {
      const ring = new RingSeries(capacity, 2, 4);
      let model: [number, number][] = [];
      let next = 0;
      for (let step = 0; step < 400; step++) {
        const op = rand(10);
        if (op < 5) {
          ring.push([next, -next]);
          model.push([next, -next]);
          next++;
        } else if (op < 7) {
          const rows = rand(12);
          const column = Array.from({ length: rows }, (_, r) => next + r);
          ring.pushColumns([column, column.map((v) => -v)], 0, rows);
          model.push(...column.map((v): [number, number] => [v, -v]));
          next += rows;
        } else if (op < 9) {
          const n = rand(7);
          ring.dropOldest(n);
          model = model.slice(n);
        } else if (model.length > 0) {
          const i = rand(model.length);
          ring.setRow(i, [2000 + step, -2000 - step]);
          model[i] = [2000 + step, -2000 - step];
        }
        model = model.slice(Math.max(0, model.length - capacity));
        expect(ring.length).toBe(model.length);
        expect([...ring.slice(0, 0)]).toEqual(model.map(([t]) => t));
        expect([...ring.slice(1, 0)]).toEqual(model.map(([, v]) => v));
        const i = rand(Math.max(1, model.length));
        expect(ring.get(i, 1)).toBe(model[i]?.[1] ?? null);
      }
    }
  });

  it('gives its chunks to its pool when cleared, and a ring that takes them shows none of their old rows', () => {
    const pool = new ChunkPool();
    const old = new RingSeries(Number.POSITIVE_INFINITY, 2, 4, pool);
    for (let i = 0; i < 10; i++) old.push([i, -i]);
    // Three chunks of four rows; the first left for the spare by a drop.
    old.dropOldest(5);
    old.clear();
    expect(old.length).toBe(0);
    expect(old.at(0, 0)).toBeNaN();
    expect(pool.size).toBe(3);
    // Another shape takes nothing.
    new RingSeries(Number.POSITIVE_INFINITY, 3, 4, pool).push([1, 2, 3]);
    expect(pool.size).toBe(3);
    const taker = new RingSeries(Number.POSITIVE_INFINITY, 2, 4, pool);
    taker.pushColumns([[100, 101, 102, 103, 104, 105], [null, 1, null, 3, null, 5]], 0, 6);
    taker.push([106, null]);
    expect(pool.size).toBe(1);
    expect([...taker.slice(0, 0)]).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => taker.get(i, 1))).toEqual([null, 1, null, 3, null, 5, null]);
    // Rows past the newest read as nothing, whatever the chunk held before.
    expect(taker.at(7, 0)).toBeNaN();
    pool.clear();
    expect(pool.size).toBe(0);
  });

  it('finds the last row at or before a value', () => {
    const ring = new RingSeries(8, 1);
    [10, 20, 30, 40].forEach((v) => ring.push([v]));
    expect(ring.lastAtOrBefore(0, 25)).toBe(1);
    expect(ring.lastAtOrBefore(0, 5)).toBe(-1);
    expect(ring.lastAtOrBefore(0, 40)).toBe(3);
  });
});

describe('BucketExtremes', () => {
  it('folds a ring\'s rows into per-bucket lows and highs, across the wrap-around, gaps and the edges of its span', () => {
    // Time, value: buckets of 10 ms; the ring keeps the last 8 rows (t 21…55), in chunks of 4.
    const ring = new RingSeries(8, 2, 4);
    const rows: [number, number | null][] = [[0, 9], [5, 9], [20, 4], [21, 7], [25, 1], [30, null], [35, null], [40, 3], [41, null], [50, 8], [55, 2]];
    for (const row of rows) ring.push(row);
    const into = new BucketExtremes(2, 4); // buckets 2…5
    ring.foldBuckets(0, 1, 0, ring.length, 10, into);
    expect([...into.state]).toEqual([2, 1, 2, 2]);
    expect([into.low[0], into.high[0], into.low[2], into.high[2], into.low[3], into.high[3]]).toEqual([1, 7, 3, 3, 2, 8]);
    // A second fold of other rows (as another node's) widens them; buckets outside the span are left out.
    into.add(3, true, -1, 0);
    into.add(9, true, -5, 50);
    into.add(4, false, 0, 0);
    expect([...into.state]).toEqual([2, 2, 2, 2]);
    expect([into.low[1], into.high[1], into.low[2], into.high[2]]).toEqual([-1, 0, 3, 3]);
    // Only the rows asked for: row 3 alone (t 35, no value) marks bucket 3 seen, without a value.
    const part = new BucketExtremes(2, 4);
    ring.foldBuckets(0, 1, 3, 4, 10, part);
    expect([...part.state]).toEqual([0, 1, 0, 0]);
  });
});

describe('NodeHistory', () => {
  it('answers a time window and stays bounded', () => {
    const h = new NodeHistory(3600);
    for (let t = 0; t < 5000; t++) h.append({ t, offset: t, lagBytes: 0, lagSeconds: 0 });
    expect(h.length).toBe(3600);
    const recent = h.query(4990);
    expect(recent.map((p) => p.t)).toEqual([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999]);
  });

  it('decimates without losing a lag spike, in bytes or in seconds, and keeps the load fields', () => {
    const h = new NodeHistory(3600);
    for (let t = 0; t < 3600; t++) {
      h.append({ t: t * 1000, offset: t, lagBytes: t === 1234 ? 999_999 : 0, lagSeconds: t === 2345 ? 61 : 0, opsPerSecond: t === 99 ? 5000 : 1, usedMemoryBytes: 1000 });
    }
    const points = h.query(0, 100);
    expect(points.length).toBeLessThanOrEqual(100);
    expect(points.some((p) => p.lagBytes === 999_999)).toBe(true);
    expect(points.some((p) => p.lagSeconds === 61)).toBe(true);
    expect(points.some((p) => p.opsPerSecond === 5000)).toBe(true);
    expect(points.every((p) => p.usedMemoryBytes === 1000)).toBe(true);
    expect(points.at(-1)?.t).toBe(3_599_000);
  });
});

describe('NodeHistory as the renderer keeps it', () => {
  const at = (t: number, extra: Partial<HistoryPoint> = {}): HistoryPoint => ({ t, offset: t, lagBytes: t % 3 === 0 ? null : 1, lagSeconds: 0, ...extra });

  it('reads rows by index, as points with the load figures it has, and finds a time', () => {
    const h = new NodeHistory(100);
    [1000, 2000, 3000].forEach((t) => h.append(at(t, t === 2000 ? { opsPerSecond: 5 } : {})));
    expect([h.t(0), h.value('offset', 1), h.value('lagBytes', 2), h.value('opsPerSecond', 0)]).toEqual([1000, 2000, null, null]);
    expect(h.points()).toEqual([at(1000), at(2000, { opsPerSecond: 5 }), at(3000)]);
    expect([0, 1000, 1500, 3000, 3001].map((t) => h.firstAtOrAfter(t))).toEqual([0, 0, 1, 2, 3]);
    expect([0, 1000, 1500, 3000, 3001].map((t) => h.firstAfter(t))).toEqual([0, 1, 1, 3, 3]);
  });

  it('finds a time like a scan from the front, wherever the row is and with repeated times', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 200; round++) {
      const h = new NodeHistory(64);
      const rows = Math.floor(random() * 90);
      let t = 1000;
      for (let i = 0; i < rows; i++) {
        // Some times repeat; past 64 rows the oldest give way, as in a full history.
        t += random() < 0.2 ? 0 : Math.ceil(random() * 3) * 1000;
        h.append(at(t));
      }
      const times = Array.from({ length: h.length }, (_, i) => h.t(i));
      const probes = [0, ...times, ...times.map((v) => v - 500), ...times.map((v) => v + 500), t + 10_000];
      for (const probe of probes) {
        const atOrAfter = times.findIndex((v) => v >= probe);
        const after = times.findIndex((v) => v > probe);
        expect(h.firstAtOrAfter(probe), `round ${round}, t ≥ ${probe}`).toBe(atOrAfter < 0 ? times.length : atOrAfter);
        expect(h.firstAfter(probe), `round ${round}, t > ${probe}`).toBe(after < 0 ? times.length : after);
      }
    }
  });

  it('is cut at the front by time', () => {
    const h = new NodeHistory(100);
    for (let t = 1000; t <= 10_000; t += 1000) h.append(at(t));
    h.dropBefore(7500);
    expect(h.points().map((p) => p.t)).toEqual([8000, 9000, 10_000]);
    h.dropBefore(0);
    expect(h.length).toBe(3);
  });

  it('is made from loaded columns older than a time, then takes the rows ticks brought', () => {
    const engine = new NodeHistory(100);
    for (let t = 1000; t <= 5000; t += 1000) engine.append(at(t, { opsPerSecond: t / 1000 }));
    const live = new NodeHistory(100);
    [4000, 5000, 6000].forEach((t) => live.append(at(t)));
    const loaded = NodeHistory.fromColumns(engine.columns(0, Infinity, ['offset', 'lagBytes', 'lagSeconds', 'opsPerSecond']), 100, live.t(0));
    expect(loaded.points().map((p) => p.t)).toEqual([1000, 2000, 3000]);
    loaded.appendFrom(live, 0);
    expect(loaded.points()).toEqual([1, 2, 3].map((k) => at(k * 1000, { opsPerSecond: k })).concat([at(4000), at(5000), at(6000)]));
  });
});

describe('NodeHistory.columns (what history:all sends)', () => {
  it('sends only the asked series, and leaves out one that never had a value', () => {
    const h = new NodeHistory(10);
    for (let t = 1; t <= 3; t++) h.append({ t, offset: t * 10, lagBytes: t === 2 ? null : 0, lagSeconds: 0, opsPerSecond: null });
    expect(h.columns(0, Infinity, ['offset', 'lagBytes', 'opsPerSecond'])).toEqual({ t: [1, 2, 3], values: { offset: [10, 20, 30], lagBytes: [0, null, 0] } });
    expect(h.columns(2, Infinity, ['offset'])).toEqual({ t: [2, 3], values: { offset: [20, 30] } });
  });

  it('keeps every series in its own column', () => {
    const h = new NodeHistory(10);
    const point = { t: 1, offset: 2, lagBytes: 3, lagSeconds: 4, opsPerSecond: 5, netInputBytesPerSecond: 6, netOutputBytesPerSecond: 7, usedMemoryBytes: 8 };
    h.append(point);
    expect(h.query()).toEqual([point]);
  });

  it('decimates the columns as decimateHistory does the points, and far smaller on the wire', () => {
    const h = new NodeHistory(3600);
    const points: HistoryPoint[] = [];
    for (let k = 0; k < 3600; k++) {
      const p = { t: 1_700_000_000_000 + k * 1000, offset: 10_000 + k * 7, lagBytes: k === 999 ? 12_345 : 0, lagSeconds: k % 600 === 0 ? 2 : 0, opsPerSecond: 50 + (k % 9), netInputBytesPerSecond: 1000, netOutputBytesPerSecond: 2000, usedMemoryBytes: 3e6 };
      points.push(p);
      h.append(p);
    }
    const columns = h.columns(0, 1800, ['offset', 'lagBytes', 'lagSeconds']);
    const reference = decimateHistory(points, 1800);
    expect(columns.t).toEqual(reference.map((p) => p.t));
    expect(columns.values.lagBytes).toEqual(reference.map((p) => p.lagBytes));
    expect(columns.values.lagSeconds).toEqual(reference.map((p) => p.lagSeconds));
    expect(Math.max(...(columns.values.lagBytes as number[]))).toBe(12_345);
    expect(JSON.stringify(columns).length).toBeLessThan(JSON.stringify(reference).length / 3);
  });
});

describe('decimateHistory', () => {
  it('returns short series untouched', () => {
    const points: HistoryPoint[] = [{ t: 1, offset: 1, lagBytes: 1, lagSeconds: 1 }];
    expect(decimateHistory(points, 10)).toEqual(points);
  });

  it('leaves the load fields out where nothing was read (a batched hour of 100 nodes stays small)', () => {
    const h = new NodeHistory(3600);
    for (let t = 0; t < 3600; t++) h.append({ t: t * 1000, offset: t, lagBytes: 0, lagSeconds: 0, opsPerSecond: null });
    for (const p of [...h.query(0, 100), ...h.query(3_590_000)]) {
      expect(Object.keys(p).sort()).toEqual(['lagBytes', 'lagSeconds', 'offset', 't']);
    }
  });

  const hour = (at: (k: number) => Partial<HistoryPoint>): HistoryPoint[] =>
    Array.from({ length: 3600 }, (_, k) => ({ t: 1_700_000_000_000 + k * 1000, offset: 5000 + k * 10, lagBytes: 0, lagSeconds: 0, opsPerSecond: 100, usedMemoryBytes: 1e6, ...at(k) }));

  it('keeps every series\' spikes and dips, not only lag bytes, within maxPoints', () => {
    const points = hour((k) => ({
      lagSeconds: k === 2001 ? 37 : 0, // a lag-seconds spike with no lag-bytes spike
      lagBytes: k === 100 ? 9999 : 0,
      opsPerSecond: k === 3000 ? 5 : 100, // a dip
      usedMemoryBytes: k === 50 ? 2e6 : 1e6,
    }));
    for (const maxPoints of [10, 100, 1800]) {
      const out = decimateHistory(points, maxPoints);
      expect(out.length).toBeLessThanOrEqual(maxPoints);
      expect(Math.max(...out.map((p) => p.lagSeconds ?? 0))).toBe(37);
      expect(Math.max(...out.map((p) => p.lagBytes ?? 0))).toBe(9999);
      expect(Math.min(...out.map((p) => p.opsPerSecond ?? Infinity))).toBe(5);
      expect(Math.max(...out.map((p) => p.usedMemoryBytes ?? 0))).toBe(2e6);
      expect(out.at(-1)).toEqual(points.at(-1));
      // In time order, and a growing offset still grows.
      for (let i = 1; i < out.length; i++) {
        expect(out[i]!.t).toBeGreaterThanOrEqual(out[i - 1]!.t);
        expect(out[i]!.offset!).toBeGreaterThanOrEqual(out[i - 1]!.offset!);
      }
    }
  });

  it('keeps a gap as null when a whole bucket has no value, and a value when some points have one', () => {
    const points = hour((k) => ({ lagBytes: k < 1800 ? null : k === 1800 ? 7 : 0 }));
    const out = decimateHistory(points, 20);
    expect(out[0]!.lagBytes).toBeNull();
    expect(out.some((p) => p.lagBytes === 7)).toBe(true);
  });
});

describe('historyPointOf', () => {
  it('is the one point a tick makes: lag, load, and no offset for a stale or unreachable node', () => {
    const node = nodeState('127.0.0.1:7001', { offset: 1234, lag: null });
    expect(historyPointOf(node, 5)).toMatchObject({ t: 5, offset: 1234, lagBytes: null, lagSeconds: null });
    expect(historyPointOf({ ...node, stale: true }, 5).offset).toBeNull();
    expect(historyPointOf({ ...node, reachable: false }, 5).offset).toBeNull();
    const load = { readAt: 1, opsPerSecond: 10, netInputBytesPerSecond: 20, netOutputBytesPerSecond: 30, usedMemoryBytes: 40, maxMemoryBytes: null, maxMemoryPolicy: null, memoryNotCountedBytes: null, keysWithTtl: null, connectedClients: 2, persistence: null };
    expect(historyPointOf({ ...node, load }, 5)).toMatchObject({ opsPerSecond: 10, netInputBytesPerSecond: 20, netOutputBytesPerSecond: 30, usedMemoryBytes: 40 });
    // Not read now: its last load figures are not drawn on as if current (a stopped node's ops/s ran on flat).
    const gap = { opsPerSecond: null, netInputBytesPerSecond: null, netOutputBytesPerSecond: null, usedMemoryBytes: null };
    expect(historyPointOf({ ...node, load, stale: true }, 5)).toMatchObject(gap);
    expect(historyPointOf({ ...node, load, reachable: false }, 5)).toMatchObject(gap);
  });
});

describe('RingSeries growth', () => {
  it('grows from a small start to its capacity, keeping order across the wrap', () => {
    const ring = new RingSeries(200, 1);
    for (let i = 0; i < 500; i++) ring.push([i]);
    expect(ring.length).toBe(200);
    expect(ring.get(0, 0)).toBe(300);
    expect(ring.get(199, 0)).toBe(499);
    expect(ring.lastAtOrBefore(0, 350)).toBe(50);
  });
});
