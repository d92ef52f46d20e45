import { describe, expect, it } from 'vitest';
import type { HistoryPoint, HistoryQuery } from '../../../electron/shared/types';
import { HistoryState, firstIndexAfter } from '../../../renderer/src/state/history-state.svelte';
import { labSnapshot } from './fixtures';

const r2 = '127.0.0.1:7002';

describe('HistoryState', () => {
  it('appends one point per node and tick, with lag for replicas', () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(1, 1000));
    history.appendSnapshot(
      labSnapshot(2, 2000, {
        [r2]: {
          offset: 4200,
          lag: { bytesBehindMaster: 800, bytesBehindRoot: 800, unappliedBytes: 0, secondsBehind: 1.5, lastAckSecondsAgo: 0, lastMasterIoSecondsAgo: 0, basis: 'offsets', secondsBehindRoot: 1.5, behindBecauseOf: null },
        },
      }),
    );
    expect(history.addresses).toHaveLength(4);
    expect(history.version).toBe(2);
    expect(history.series(r2)).toEqual([
      { t: 1000, offset: 4000, lagBytes: 0, lagSeconds: 0 },
      { t: 2000, offset: 4200, lagBytes: 800, lagSeconds: 1.5 },
    ]);
    expect(history.series('127.0.0.1:7000')[0]?.lagBytes).toBeNull();
    expect(history.latest).toBe(2000);
  });

  it('ignores a repeated tick and records an unreachable node as a gap', () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(1, 1000));
    history.appendSnapshot(labSnapshot(1, 1000));
    expect(history.version).toBe(1);
    history.appendSnapshot(labSnapshot(2, 2000, { [r2]: { reachable: false, lag: null } }));
    expect(history.series(r2)[1]).toEqual({ t: 2000, offset: null, lagBytes: null, lagSeconds: null });
    // A stalled replica: no offset of its own, but lag from the master's view of its ACKs.
    history.appendSnapshot(
      labSnapshot(3, 3000, {
        [r2]: {
          reachable: false,
          lag: { bytesBehindMaster: 5000, bytesBehindRoot: 5000, unappliedBytes: null, secondsBehind: 2, lastAckSecondsAgo: 2, lastMasterIoSecondsAgo: null, basis: 'ack', secondsBehindRoot: null, behindBecauseOf: null },
        },
      }),
    );
    expect(history.series(r2)[2]).toEqual({ t: 3000, offset: null, lagBytes: 5000, lagSeconds: 2 });
  });

  it('returns the points after a time', () => {
    const history = new HistoryState();
    for (let i = 1; i <= 5; i += 1) history.appendSnapshot(labSnapshot(i, i * 1000));
    expect(history.pointsAfter(r2, 3000).map((p) => p.t)).toEqual([4000, 5000]);
    expect(history.pointsAfter(r2, 0)).toHaveLength(5);
    expect(history.pointsAfter('nobody:1', 0)).toEqual([]);
  });

  it('drops points older than the retention', () => {
    const history = new HistoryState(10_000);
    for (let i = 1; i <= 200; i += 1) history.appendSnapshot(labSnapshot(i, i * 1000));
    const series = history.series(r2);
    // Trimming happens in batches, so a little more than the retention may remain.
    expect(series.at(-1)?.t).toBe(200_000);
    expect(series.length).toBeLessThanOrEqual(11 + 64);
    expect(series[0]?.t).toBeGreaterThanOrEqual(200_000 - 75_000);
  });

  it('loads engine history in front of live points and bumps the epoch', async () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(10, 10_000));
    const queries: HistoryQuery[] = [];
    const api = {
      async getHistory(query: HistoryQuery): Promise<HistoryPoint[]> {
        queries.push(query);
        if (query.node === r2) {
          return [
            { t: 9000, offset: 3900, lagBytes: 100, lagSeconds: 0.2 },
            { t: 8000, offset: 3800, lagBytes: 200, lagSeconds: 0.4 },
            { t: 10_000, offset: 4000, lagBytes: 0, lagSeconds: 0 },
          ];
        }
        if (query.node === '127.0.0.1:7003') throw new Error('not there');
        return [];
      },
    };
    const epoch = history.epoch;
    await history.load(api, [r2, '127.0.0.1:7003', '127.0.0.1:7000'], 10_000);
    expect(queries[0]).toMatchObject({ node: r2, since: 10_000 - history.retentionMs });
    expect(history.series(r2).map((p) => p.t)).toEqual([8000, 9000, 10_000]);
    expect(history.series('127.0.0.1:7003')).toHaveLength(1);
    expect(history.epoch).toBe(epoch + 1);
  });

  it('resets everything', () => {
    const history = new HistoryState();
    history.appendSnapshot(labSnapshot(1, 1000));
    history.reset();
    expect(history.addresses).toEqual([]);
    expect(history.series(r2)).toEqual([]);
    expect(history.latest).toBeNull();
  });

  it('binary-searches sorted points', () => {
    const pts = [1, 2, 2, 3].map((t) => ({ t, offset: null, lagBytes: null, lagSeconds: null }));
    expect(firstIndexAfter(pts, 0)).toBe(0);
    expect(firstIndexAfter(pts, 2)).toBe(3);
    expect(firstIndexAfter(pts, 3)).toBe(4);
  });
});
