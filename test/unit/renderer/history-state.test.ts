import { describe, expect, it, vi } from 'vitest';
import { NodeHistory } from '../../../electron/shared/node-history';
import { historyPointOf } from '../../../electron/shared/history-point';
import type { HistoriesQuery, HistoryColumns, HistoryPoint, TopologySnapshot } from '../../../electron/shared/types';
import { BucketedSeries, bucketWidth } from '../../../renderer/src/lib/bucketed-series';
import { ALWAYS_CHARTED, CLOCK_SET_BACK_MS, FIRST_LOAD_MS, HISTORY_LOAD_MAX_POINTS, HistoryState } from '../../../renderer/src/state/history-state.svelte';
import type { ReplicationConsoleApi } from '../../../electron/shared/api';

type HistoryApi = Pick<ReplicationConsoleApi, 'getHistories'>;

/** Points as the engine sends them: columns, a series with no value left out. */
function columnsOf(points: HistoryPoint[]): HistoryColumns {
  const node = new NodeHistory(10_000);
  for (const p of [...points].sort((a, b) => a.t - b.t)) node.append(p);
  return node.columns();
}
import { labSnapshot } from './fixtures';

const r2 = '127.0.0.1:7002';
const HOUR = 60 * 60_000;

/**
 * The engine's side: each tick's points kept per node (as its tick does), moved back when its
 * clock is set back (as its clockSetBack does), and answered from in one batched call.
 */
class FakeEngine {
  readonly queries: HistoriesQuery[] = [];
  readonly #nodes = new Map<string, NodeHistory>();
  /** The next call's answer is held until release() (an answer still on its way). */
  hold = false;
  #held: (() => void)[] = [];
  readonly api: HistoryApi = {
    getHistories: async (query) => {
      this.queries.push(query);
      // Read when asked, as the engine does: a call answered before the clock went back has the old times.
      const answer = Object.fromEntries((query.nodes ?? [...this.#nodes.keys()]).map((a) => [a, (this.#nodes.get(a) ?? new NodeHistory(1)).columns(query.since, query.maxPoints, query.series)]));
      if (this.hold) await new Promise<void>((resolve) => this.#held.push(resolve));
      return answer;
    },
  };

  tick(seq: number, takenAt: number): TopologySnapshot {
    const snapshot = labSnapshot(seq, takenAt, { [r2]: { offset: 4000 + seq } });
    for (const node of snapshot.nodes) {
      let rows = this.#nodes.get(node.address);
      if (!rows) this.#nodes.set(node.address, (rows = new NodeHistory(10_000)));
      rows.append(historyPointOf(node, takenAt));
    }
    return snapshot;
  }

  setBack(by: number): void {
    for (const rows of this.#nodes.values()) rows.moveTimes(-by);
  }

  release(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }
}

/** Each point's time, checked to rise strictly (no duplicate, none out of order). */
function timesInOrder(history: HistoryState, address: string): number[] {
  const times = history.series(address).points().map((p) => p.t);
  for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
  return times;
}

describe('HistoryState', () => {
  it('appends one point per node and tick, with lag for replicas', () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(1, 1000));
    history.appendSnapshot(
      labSnapshot(2, 2000, {
        [r2]: {
          offset: 4200,
          lag: { bytesBehindMaster: 800, bytesBehindRoot: 800, unappliedBytes: 0, secondsBehind: 1.5, secondsBehindIsLowerBound: false, lastAckSecondsAgo: 0, lastMasterIoSecondsAgo: 0, basis: 'offsets', secondsBehindRoot: 1.5, secondsBehindRootIsLowerBound: false, behindBecauseOf: null, inCycle: false },
        },
      }),
    );
    expect(history.addresses).toHaveLength(4);
    expect(history.version).toBe(2);
    expect(history.series(r2).points()).toMatchObject([
      { t: 1000, offset: 4000, lagBytes: 0, lagSeconds: 0 },
      { t: 2000, offset: 4200, lagBytes: 800, lagSeconds: 1.5 },
    ]);
    expect(history.series('127.0.0.1:7000').points()[0]?.lagBytes).toBeNull();
    expect(history.latest).toBe(2000);
  });

  it('ignores a repeated tick and records an unreachable node as a gap', () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(1, 1000));
    history.appendSnapshot(labSnapshot(1, 1000));
    expect(history.version).toBe(1);
    history.appendSnapshot(labSnapshot(2, 2000, { [r2]: { reachable: false, lag: null } }));
    expect(history.series(r2).points()[1]).toMatchObject({ t: 2000, offset: null, lagBytes: null, lagSeconds: null });
    // A stalled replica: no offset of its own, but lag from the master's view of its ACKs.
    history.appendSnapshot(
      labSnapshot(3, 3000, {
        [r2]: {
          reachable: false,
          lag: { bytesBehindMaster: 5000, bytesBehindRoot: 5000, unappliedBytes: null, secondsBehind: 2, secondsBehindIsLowerBound: false, lastAckSecondsAgo: 2, lastMasterIoSecondsAgo: null, basis: 'ack', secondsBehindRoot: null, secondsBehindRootIsLowerBound: false, behindBecauseOf: null, inCycle: false },
        },
      }),
    );
    expect(history.series(r2).points()[2]).toMatchObject({ t: 3000, offset: null, lagBytes: 5000, lagSeconds: 2 });
  });

  it('drops points older than the retention', () => {
    const history = new HistoryState(10_000);
    for (let i = 1; i <= 200; i += 1) history.appendSnapshot(labSnapshot(i, i * 1000));
    const series = history.series(r2).points();
    expect(series.at(-1)?.t).toBe(200_000);
    expect(series.map((p) => p.t)).toEqual(Array.from({ length: 11 }, (_, i) => 190_000 + i * 1000));
  });

  it('loads every node\'s engine history in one batched call, in front of live points, and bumps the epoch', async () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(10, 10_000));
    const queries: HistoriesQuery[] = [];
    const api: HistoryApi = {
      async getHistories(query) {
        queries.push(query);
        return {
          [r2]: columnsOf([
            { t: 9000, offset: 3900, lagBytes: 100, lagSeconds: 0.2 },
            { t: 8000, offset: 3800, lagBytes: 200, lagSeconds: 0.4 },
            { t: 10_000, offset: 4000, lagBytes: 0, lagSeconds: 0 },
          ]),
          '127.0.0.1:7000': { t: [], values: {} },
        };
      },
    };
    const epoch = history.epoch;
    await history.load(api, [r2, '127.0.0.1:7003', '127.0.0.1:7000'], 10_000);
    // Only the series the charts draw (an hour of every load figure of 100 nodes was 30 MB):
    // the first window, then, once idle, the rest of the retention.
    const nodes = [r2, '127.0.0.1:7003', '127.0.0.1:7000'];
    expect(queries).toEqual([
      { nodes, since: 10_000 - FIRST_LOAD_MS, maxPoints: HISTORY_LOAD_MAX_POINTS, series: [...ALWAYS_CHARTED] },
      { nodes, since: 10_000 - history.retentionMs, maxPoints: HISTORY_LOAD_MAX_POINTS, series: [...ALWAYS_CHARTED] },
    ]);
    expect(history.series(r2).points().map((p) => p.t)).toEqual([8000, 9000, 10_000]);
    expect(history.series(r2).points()[0]).toEqual({ t: 8000, offset: 3800, lagBytes: 200, lagSeconds: 0.4 });
    expect(history.series('127.0.0.1:7003').points()).toHaveLength(1);
    expect(history.epoch).toBe(epoch + 1);
  });

  it('loads a load figure\'s history when its chart is shown, replacing what was loaded and keeping what ticks brought', async () => {
    const engine = new NodeHistory(100);
    for (let t = 1000; t <= 9000; t += 1000) engine.append({ t, offset: t, lagBytes: 0, lagSeconds: 0, opsPerSecond: t / 100 });
    const queries: HistoriesQuery[] = [];
    const api: HistoryApi = {
      async getHistories(query) {
        queries.push(query);
        return { [r2]: engine.columns(query.since, query.maxPoints, query.series) };
      },
    };
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(10, 10_000));
    await history.load(api, [r2], 10_000);
    expect(history.series(r2).points().filter((p) => p.opsPerSecond !== undefined && p.opsPerSecond !== null)).toEqual([]);
    history.chart('opsPerSecond');
    await vi.waitFor(() => expect(history.series(r2).points()[0]?.opsPerSecond).toBe(10));
    expect(queries.at(-1)?.series).toEqual([...ALWAYS_CHARTED, 'opsPerSecond']);
    // Nine loaded points again (not eighteen), then the tick's own.
    expect(history.series(r2).points().map((p) => p.t)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    // Already loaded: no other call. Hidden again: nothing to load.
    history.chart('opsPerSecond');
    history.chart(null);
    expect(queries).toHaveLength(3);
  });

  it('loads the first window first, and the rest of the hour in front of it once idle', async () => {
    const engine = new NodeHistory(3600);
    for (let k = 0; k < 3600; k++) engine.append({ t: 1_000_000 + k * 1000, offset: k, lagBytes: 0, lagSeconds: 0 });
    const now = 1_000_000 + 3600 * 1000;
    const epochs: number[] = [];
    const history = new HistoryState();
    const api: HistoryApi = {
      async getHistories(query) {
        epochs.push(history.epoch);
        return { [r2]: engine.columns(query.since, query.maxPoints, query.series) };
      },
    };
    await history.load(api, [r2], now);
    // The first answer was in (epoch bumped) before the second was asked.
    expect(epochs).toEqual([0, 1]);
    expect(history.epoch).toBe(2);
    const series = history.series(r2).points();
    expect(series[0]?.t).toBe(1_000_000);
    expect(series.at(-1)?.t).toBe(now - 1000);
    for (let i = 1; i < series.length; i++) expect(series[i]!.t).toBeGreaterThan(series[i - 1]!.t);
  });

  it('drops an answer that comes after a reset', async () => {
    let answer: (value: Record<string, HistoryColumns>) => void = () => undefined;
    const api: HistoryApi = { getHistories: () => new Promise((resolve) => (answer = resolve)) };
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(10, 10_000));
    const loading = history.load(api, [r2], 10_000);
    history.reset();
    answer({ [r2]: columnsOf([{ t: 9000, offset: 1, lagBytes: 0, lagSeconds: 0 }]) });
    await loading;
    expect(history.series(r2).points()).toEqual([]);
  });

  it('says while a load\'s first answer is awaited (the charts hold their first draw), until it comes, fails, or 3 s pass', async () => {
    // Answered: no longer awaited by the time the answer is in (the charts draw it in that task).
    let answer: (value: Record<string, HistoryColumns>) => void = () => undefined;
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(10, 10_000));
    expect(history.awaitingFirst).toBe(false);
    // The first call waits for answer(); the second (the rest of the hour, once idle) gets nothing more.
    let calls = 0;
    const api: HistoryApi = { getHistories: () => (calls++ === 0 ? new Promise((resolve) => (answer = resolve)) : Promise.resolve({})) };
    const loading = history.load(api, [r2], 10_000);
    expect(history.awaitingFirst).toBe(true);
    answer({ [r2]: columnsOf([{ t: 9000, offset: 1, lagBytes: 0, lagSeconds: 0 }]) });
    await loading;
    expect([history.awaitingFirst, history.series(r2).length]).toEqual([false, 2]);

    // Failed.
    const failed = new HistoryState();
    const failing = failed.load({ getHistories: () => Promise.reject(new Error('gone')) }, [r2], 10_000);
    expect(failed.awaitingFirst).toBe(true);
    await failing;
    expect(failed.awaitingFirst).toBe(false);

    // Never answered: the charts stop waiting after 3 s.
    vi.useFakeTimers();
    try {
      const hung = new HistoryState();
      void hung.load({ getHistories: () => new Promise(() => undefined) }, [r2], 10_000);
      vi.advanceTimersByTime(2999);
      expect(hung.awaitingFirst).toBe(true);
      vi.advanceTimersByTime(1);
      expect(hung.awaitingFirst).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps tick data when the batched call fails', async () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(10, 10_000));
    const api: HistoryApi = {
      getHistories: async () => {
        throw new Error('gone');
      },
    };
    const epoch = history.epoch;
    await history.load(api, [r2], 10_000);
    expect(history.series(r2).points()).toHaveLength(1);
    expect(history.epoch).toBe(epoch);
  });

  it('a lag-seconds spike in the engine history survives the decimated load and the chart buckets', async () => {
    // An hour at 1 Hz where lag bytes stay flat and only lag seconds spike once, for one second.
    const hour: HistoryPoint[] = Array.from({ length: 3600 }, (_, k) => ({
      t: 1_000_000 + k * 1000,
      offset: 10_000 + k,
      lagBytes: 0,
      lagSeconds: k === 1777 ? 42 : 0,
    }));
    const node = new NodeHistory(3600);
    for (const p of hour) node.append(p);
    const history = new HistoryState();
    // The engine's own query answers, as the service does for 'history:all'.
    const api: HistoryApi = { getHistories: async (query) => ({ [r2]: node.columns(query.since, query.maxPoints, query.series) }) };
    await history.load(api, [r2], 1_000_000 + 3600 * 1000);
    const rows = history.series(r2);
    const loaded = rows.points();
    // Decimated, but for the first window (every point: it came first, and stays).
    expect(loaded.length).toBeLessThanOrEqual(HISTORY_LOAD_MAX_POINTS + FIRST_LOAD_MS / 1000);
    expect(loaded.length).toBeLessThan(hour.length);
    expect(loaded.slice(-FIRST_LOAD_MS / 1000).map((p) => p.t)).toEqual(hour.slice(-FIRST_LOAD_MS / 1000).map((p) => p.t));
    expect(Math.max(...loaded.map((p) => p.lagSeconds ?? 0))).toBe(42);
    // And again when a chart reduces the loaded series to ~300 px.
    const span = (loaded.at(-1)?.t ?? 0) - (loaded[0]?.t ?? 0);
    const chart = new BucketedSeries(rows, 'lagSeconds', bucketWidth(span, 300), loaded[0]?.t ?? 0);
    expect(chart.points.length).toBeLessThanOrEqual(2 * 302);
    expect(Math.max(...chart.points.map((p) => p.y ?? 0))).toBe(42);
  });

  it('a tick from a clock set back an hour: the history is loaded again from the engine\'s, which moved back with it, in one call, and new ticks are charted at once, in order', async () => {
    const engine = new FakeEngine();
    const history = new HistoryState();
    const start = 1_000_000_000;
    history.appendSnapshot(engine.tick(1, start));
    await history.load(engine.api, history.addresses, start);
    for (let seq = 2; seq <= 10; seq++) history.appendSnapshot(engine.tick(seq, start + (seq - 1) * 1000));
    // A tick a little behind the one before (under the tolerance) is dropped as before, with no call.
    const calls = engine.queries.length;
    history.appendSnapshot(labSnapshot(11, start + 9000 - CLOCK_SET_BACK_MS / 2));
    expect(engine.queries).toHaveLength(calls);
    for (let seq = 12; seq <= 14; seq++) history.appendSnapshot(engine.tick(seq, start + (seq - 2) * 1000));
    const before = timesInOrder(history, r2);
    expect(before).toHaveLength(13);

    const told: number[] = [];
    history.onClockSetBack = (by) => told.push(by);
    engine.setBack(HOUR);
    const stepped = start + 13_000 - HOUR;
    const epoch = history.epoch;
    engine.hold = true;
    history.appendSnapshot(engine.tick(15, stepped));
    // Drawn at once, before the engine has answered: the tick's point, not an hour-old newest.
    expect(history.latest).toBe(stepped);
    expect(timesInOrder(history, r2)).toEqual([stepped]);
    expect(history.epoch).toBeGreaterThan(epoch);
    // By how much (a paused or zoomed chart view moves with it): the engine's grid moved by as much.
    expect(told).toEqual([HOUR]);
    // One batched call for every charted node, over the retention back from the tick.
    expect(engine.queries).toHaveLength(calls + 1);
    expect(engine.queries.at(-1)).toEqual({ nodes: history.addresses, since: stepped - history.retentionMs, maxPoints: HISTORY_LOAD_MAX_POINTS, series: [...ALWAYS_CHARTED] });
    expect(history.addresses).toHaveLength(4);
    // A tick while the answer is on its way is kept too.
    history.appendSnapshot(engine.tick(16, stepped + 1000));
    engine.hold = false;
    const epochBeforeAnswer = history.epoch;
    engine.release();
    await vi.waitFor(() => expect(history.epoch).toBeGreaterThan(epochBeforeAnswer));
    // The engine's points, moved back an hour, then the ticks' own: each once, in time order.
    const moved = before.map((t) => t - HOUR);
    expect(timesInOrder(history, r2)).toEqual([...moved, stepped, stepped + 1000]);
    expect(history.series(r2).points().map((p) => p.offset)).toEqual([4001, 4002, 4003, 4004, 4005, 4006, 4007, 4008, 4009, 4010, 4012, 4013, 4014, 4015, 4016]);
    // And the next ticks go on being charted.
    const version = history.version;
    history.appendSnapshot(engine.tick(17, stepped + 2000));
    expect(history.version).toBe(version + 1);
    expect(history.series(r2).points().at(-1)?.t).toBe(stepped + 2000);
    expect(history.latest).toBe(stepped + 2000);
  });

  it('an answer asked before the clock went back (old times) is dropped for the one asked after it', async () => {
    const engine = new FakeEngine();
    const history = new HistoryState();
    const start = 1_000_000_000;
    for (let seq = 1; seq <= 5; seq++) history.appendSnapshot(engine.tick(seq, start + (seq - 1) * 1000));
    engine.hold = true;
    const loading = history.load(engine.api, history.addresses, start + 4000);
    engine.setBack(HOUR);
    engine.hold = false;
    const stepped = start + 5000 - HOUR;
    history.appendSnapshot(engine.tick(6, stepped));
    await vi.waitFor(() => expect(history.series(r2).points()).toHaveLength(6));
    engine.release();
    await loading;
    expect(timesInOrder(history, r2)).toEqual([0, 1000, 2000, 3000, 4000, 5000].map((d) => start + d - HOUR));
    expect(history.latest).toBe(stepped);
  });

  it('resets everything', () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(1, 1000));
    history.reset();
    expect(history.addresses).toEqual([]);
    expect(history.series(r2).points()).toEqual([]);
    expect(history.latest).toBeNull();
  });
});
