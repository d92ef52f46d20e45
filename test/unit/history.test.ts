import { describe, expect, it } from 'vitest';
import { NodeHistory, RingSeries, decimate } from '../../electron/engine/history';
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

  it('finds the last row at or before a value', () => {
    const ring = new RingSeries(8, 1);
    [10, 20, 30, 40].forEach((v) => ring.push([v]));
    expect(ring.lastAtOrBefore(0, 25)).toBe(1);
    expect(ring.lastAtOrBefore(0, 5)).toBe(-1);
    expect(ring.lastAtOrBefore(0, 40)).toBe(3);
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

  it('decimates without losing a lag spike', () => {
    const h = new NodeHistory(3600);
    for (let t = 0; t < 3600; t++) h.append({ t, offset: t, lagBytes: t === 1234 ? 999_999 : 0, lagSeconds: 0 });
    const points = h.query(0, 100);
    expect(points.length).toBeLessThanOrEqual(100);
    expect(points.some((p) => p.lagBytes === 999_999)).toBe(true);
    expect(points.at(-1)?.t).toBe(3599);
  });
});

describe('decimate', () => {
  it('returns short series untouched', () => {
    const points: HistoryPoint[] = [{ t: 1, offset: 1, lagBytes: 1, lagSeconds: 1 }];
    expect(decimate(points, 10)).toEqual(points);
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
