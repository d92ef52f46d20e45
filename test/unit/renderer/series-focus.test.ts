import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../../electron/shared/types';
import { FOCUS_LIMIT, LagWindow, TOP_LAGGING, chooseShown, lagInRange, type FocusCandidate } from '../../../renderer/src/lib/series-focus';
import { ChartFocus } from '../../../renderer/src/state/chart-focus.svelte';
import { ChartView } from '../../../renderer/src/state/chart-view.svelte';
import { HistoryState } from '../../../renderer/src/state/history-state.svelte';
import { historyRows, makeNode, makeReplica, makeSnapshot } from './fixtures';

function replica(address: string, peakBytes: number, latestBytes = 0, peakSeconds = 0, latestSeconds = 0): FocusCandidate {
  return { address, master: false, peakBytes, peakSeconds, latestBytes, latestSeconds };
}

const master: FocusCandidate = { address: 'm:1', master: true, peakBytes: null, peakSeconds: null, latestBytes: null, latestSeconds: null };
const name = (i: number): string => `r:${String(i).padStart(3, '0')}`;

describe('chooseShown', () => {
  it('draws every node of a small topology', () => {
    const few = [master, replica('r:2', 0), replica('r:1', 50)];
    expect(chooseShown(few, null)).toEqual(['m:1', 'r:1', 'r:2']);
  });

  it('draws the masters and the replicas with the highest peak lag, no more', () => {
    const many = [master, ...Array.from({ length: 99 }, (_, i) => replica(name(i), i % 20 === 0 ? 0 : i))];
    const shown = chooseShown(many, null);
    expect(shown).toHaveLength(1 + TOP_LAGGING);
    expect(shown).toContain('m:1');
    expect(shown).toEqual(['m:1', ...[98, 97, 96, 95, 94, 93, 92, 91].map(name)].sort());
  });

  it('always draws the replica lagging most right now, and the selected node', () => {
    // r:050 peaked low but lags most at this instant (bytes), r:060 in seconds.
    const many = [
      master,
      ...Array.from({ length: 99 }, (_, i) =>
        i === 50 ? replica(name(i), 10, 10) : i === 60 ? replica(name(i), 1, 0, 9, 9) : replica(name(i), 1000 + i, 0),
      ),
    ];
    const shown = chooseShown(many, name(3));
    expect(shown).toContain(name(50));
    expect(shown).toContain(name(60));
    expect(shown).toContain(name(3));
    expect(shown).toContain('m:1');
    expect(shown.length).toBeLessThanOrEqual(FOCUS_LIMIT);
  });

  it('leaves replicas that never lagged in the band', () => {
    const calm = [master, ...Array.from({ length: 40 }, (_, i) => replica(name(i), 0)), replica('r:lag', 5)];
    expect(chooseShown(calm, null)).toEqual(['m:1', 'r:lag']);
  });

  it('draws stale nodes as lines, so their legend entry can say how old they are; unknown ones are ignored', () => {
    const calm = [master, ...Array.from({ length: 40 }, (_, i) => replica(name(i), 0)), replica('r:lag', 5)];
    expect(chooseShown(calm, null, FOCUS_LIMIT, TOP_LAGGING, [name(7), 'gone:1'])).toEqual(['m:1', name(7), 'r:lag']);
    // Many stale nodes never push the masters out, and the limit holds.
    const many = Array.from({ length: 40 }, (_, i) => name(i));
    const shown = chooseShown(calm, null, FOCUS_LIMIT, TOP_LAGGING, many);
    expect(shown).toContain('m:1');
    expect(shown).toHaveLength(FOCUS_LIMIT);
  });

  it('never draws more than the limit, even with many masters', () => {
    const masters = Array.from({ length: 15 }, (_, i) => ({ ...master, address: `m:${String(i).padStart(2, '0')}` }));
    const shown = chooseShown([...masters, replica('r:worst', 100, 100)], null);
    expect(shown).toHaveLength(FOCUS_LIMIT);
    expect(shown).toContain('r:worst');
  });
});

function lagPoint(t: number, lagBytes: number | null, lagSeconds: number | null = null): HistoryPoint {
  return { t, offset: 0, lagBytes, lagSeconds };
}

describe('LagWindow', () => {
  it('reading only new points, agrees with a full scan as the window slides', () => {
    const all = Array.from({ length: 600 }, (_, i) =>
      lagPoint(i * 1000, i % 97 === 0 ? 5000 + i : i % 13 === 0 ? null : i % 7, i % 89 === 0 ? i / 10 : 0),
    );
    const points = historyRows(all.slice(0, 120));
    const window = new LagWindow();
    const span = 100_000;
    for (let i = 120; i < 600; i += 1) {
      points.append(all[i]!);
      if (i % 50 === 0) points.dropBefore(points.t(20)); // the history trims its front in place
      const max = all[i]!.t;
      expect(window.read('a', points, max - span, max)).toEqual(lagInRange(points, max - span, max));
    }
  });

  it('reads a calm window once, then only the new points', () => {
    const points = historyRows(Array.from({ length: 300 }, (_, i) => lagPoint(i * 1000, 0, 0)));
    const window = new LagWindow();
    for (let i = 300; i < 400; i += 1) {
      points.append(lagPoint(i * 1000, 0, 0));
      expect(window.read('a', points, (i - 200) * 1000, i * 1000).peakBytes).toBe(0);
    }
    expect(window.fullScans).toBe(1);
  });

  it('rescans a replaced history and a window moved back', () => {
    const window = new LagWindow();
    const a = historyRows([lagPoint(0, 1), lagPoint(1000, 9), lagPoint(2000, 3)]);
    expect(window.read('a', a, 0, 2000).peakBytes).toBe(9);
    const b = historyRows([lagPoint(0, 1), lagPoint(1000, 2), lagPoint(2000, 3)]);
    expect(window.read('a', b, 0, 2000).peakBytes).toBe(3);
    expect(window.read('a', b, 0, 1000)).toEqual({ peakBytes: 2, latestBytes: 2, peakSeconds: null, latestSeconds: null });
  });
});

describe('ChartFocus', () => {
  function hundredNodes(lagOf: (i: number) => number, takenAt: number) {
    return makeSnapshot({
      takenAt,
      nodes: [
        makeNode('10.0.0.1:6379'),
        ...Array.from({ length: 99 }, (_, i) =>
          makeReplica(`10.0.1.${i}:6379`, '10.0.0.1:6379', {
            lag: { bytesBehindMaster: lagOf(i), bytesBehindRoot: lagOf(i), unappliedBytes: 0, secondsBehind: 0, secondsBehindIsLowerBound: false, lastAckSecondsAgo: 0, lastMasterIoSecondsAgo: 0, basis: 'offsets', secondsBehindRoot: 0, secondsBehindRootIsLowerBound: false, behindBecauseOf: null, inCycle: false },
          }),
        ),
      ],
    });
  }

  it('follows the lag tick by tick, keeping colours while nodes stay drawn', () => {
    const history = new HistoryState();
    const view = new ChartView();
    let selected: string | null = null;
    const snapshot = hundredNodes(() => 0, 1_000_000);
    const addresses = snapshot.nodes.map((n) => n.address);
    const focus = new ChartFocus(history, view, () => ({ addresses, masters: new Set(['10.0.0.1:6379']), selected, stale: [], theme: 'light' }));

    history.appendSnapshot(snapshot);
    expect(focus.shown).toEqual(['10.0.0.1:6379']);
    const masterColor = focus.styles.get('10.0.0.1:6379')?.color;

    history.appendSnapshot(hundredNodes((i) => (i < 12 ? 1000 * (i + 1) : 0), 1_001_000));
    expect(focus.shown).toHaveLength(1 + TOP_LAGGING);
    expect(focus.shown).toContain('10.0.1.11:6379');
    expect(focus.shown).not.toContain('10.0.1.0:6379');
    const kept = focus.styles.get('10.0.1.11:6379')?.color;
    expect(new Set([...focus.styles.values()].map((s) => s.color)).size).toBe(focus.shown.length);

    // A node lagging only now joins, the selected one too; the others keep their colours.
    history.appendSnapshot(hundredNodes((i) => (i === 50 ? 99 : 0), 1_002_000));
    selected = '10.0.1.70:6379';
    expect(focus.shown).toContain('10.0.1.50:6379');
    expect(focus.shown).toContain('10.0.1.70:6379');
    expect(focus.shown.length).toBeLessThanOrEqual(FOCUS_LIMIT);
    expect(focus.styles.get('10.0.0.1:6379')?.color).toBe(masterColor);
    if (focus.shown.includes('10.0.1.11:6379')) expect(focus.styles.get('10.0.1.11:6379')?.color).toBe(kept);
  });
});
