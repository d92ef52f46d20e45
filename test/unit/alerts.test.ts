// The alert book on hand-built snapshots and a clock the test moves: each rule fires and
// resolves, one id per incident, forSeconds, acknowledgements, mutes with expiry, pruning of
// resolved incidents, thresholds, and values that must never fire.
import { describe, expect, it } from 'vitest';
import { AlertBook, BACKLOG_EXCEEDED_HOLD_SECONDS, DEFAULT_ALERT_THRESHOLDS, RESOLVED_KEEP } from '../../electron/engine/alerts';
import { alertTransitions } from '../../electron/shared/alert-transitions';
import type { Alert, AlertsView, NodeState, TopologySnapshot, TopologyWarning } from '../../electron/shared/types';
import { FakeClock } from '../helpers/fake-clock';
import { inSyncLag, nodeState } from '../helpers/node-state';

const M = '127.0.0.1:6379';
const R = '127.0.0.1:6380';
const R2 = '127.0.0.1:6381';
const MB = 1024 * 1024;

function snapshot(nodes: NodeState[], warnings: TopologyWarning[] = []): TopologySnapshot {
  return { seq: 1, takenAt: 0, pollIntervalMs: 1000, nodes, edges: [], warnings };
}

function pair(replica: Partial<NodeState> = {}, master: Partial<NodeState> = {}): NodeState[] {
  return [
    nodeState(M, { replicas: [{ address: R, state: 'online', ackOffset: 1000, ackAgeSeconds: 0 }], ...master }),
    nodeState(R, { role: 'replica', master: M, linkStatus: 'up', depth: 1, lag: inSyncLag(), ...replica }),
  ];
}

/** A book that has watched since `from` (nothing held longer than the console watched). */
function watchingFrom(from: number): AlertBook {
  const book = new AlertBook();
  book.evaluate(snapshot([]), from);
  return book;
}

function firing(view: AlertsView): Alert[] {
  return view.alerts.filter((a) => a.state !== 'resolved');
}

function only(view: AlertsView): Alert {
  const active = firing(view);
  expect(active).toHaveLength(1);
  return active[0] as Alert;
}

describe('alert rules', () => {
  it('LAG_BYTES fires past the threshold with a specific message, and resolves', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    expect(firing(book.evaluate(snapshot(pair()), clock.now()))).toEqual([]);
    const behind = 12.3 * MB;
    const alert = only(book.evaluate(snapshot(pair({ lag: inSyncLag({ bytesBehindMaster: behind }) })), clock.now()));
    expect(alert).toMatchObject({ rule: 'LAG_BYTES', node: R, state: 'firing', value: behind, threshold: 10 * MB, muted: false, resolvedAt: null });
    expect(alert.message).toBe(`${R} is 12.3 MiB behind ${M} (threshold 10.0 MiB)`);
    const view = book.evaluate(snapshot(pair()), clock.now() + 1000);
    expect(firing(view)).toEqual([]);
    expect(view.alerts[0]).toMatchObject({ id: alert.id, state: 'resolved', resolvedAt: clock.now() + 1000 });
  });

  it('LAG_SECONDS, LINK_DOWN (from the node or the book\'s own clock), BACKLOG_SHORT', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    expect(only(book.evaluate(snapshot(pair({ lag: inSyncLag({ secondsBehind: 12.5 }) })), clock.now()))).toMatchObject({ rule: 'LAG_SECONDS', value: 12.5, threshold: 10 });
    // Only a lower bound (older than the master's history held): it fires all the same, the real lag being at least that, and says so.
    const bound = new AlertBook();
    expect(only(bound.evaluate(snapshot(pair({ lag: inSyncLag({ secondsBehind: 12.5, secondsBehindIsLowerBound: true }) })), clock.now()))).toMatchObject({
      rule: 'LAG_SECONDS',
      value: 12.5,
      message: `${R} is at least 13 s behind ${M} (threshold 10 s)`,
    });

    const book2 = new AlertBook();
    expect(only(book2.evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 11 })), clock.now())).message).toBe(`${R}'s link to ${M} has been down for 11 s (threshold 10 s)`);

    // Down for an unknown time (never up: -1, read as null): the book counts from when it saw it.
    const book3 = new AlertBook();
    const down = snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: null }));
    expect(firing(book3.evaluate(down, clock.now()))).toEqual([]);
    expect(firing(book3.evaluate(down, clock.now() + 9_000))).toEqual([]);
    expect(only(book3.evaluate(down, clock.now() + 10_000))).toMatchObject({ rule: 'LINK_DOWN', value: 10 });
    // A link down while a sync runs is a resync, not an outage.
    const book4 = new AlertBook();
    const syncing = snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 60, sync: { totalBytes: null, readBytes: 10, percent: null, lastIoSecondsAgo: 0 } }));
    expect(firing(book4.evaluate(syncing, clock.now()))).toEqual([]);
    // Nor is one that its master lists as syncing before the transfer starts (wait_bgsave: a diskless
    // sync's delay, or another save first), though the replica says neither syncing nor up yet.
    const waiting: TopologySnapshot = { ...snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 11 })), edges: [{ master: M, replica: R, health: 'syncing' }] };
    expect(firing(book4.evaluate(waiting, clock.now() + 1000))).toEqual([]);
    // A link down whose every resync fails is one incident: the attempts do not end it and start a new one.
    const book6 = new AlertBook();
    const outage = only(book6.evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 11 })), clock.now()));
    const retrying = snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 14, sync: { totalBytes: null, readBytes: 0, percent: null, lastIoSecondsAgo: 0 } }));
    expect(only(book6.evaluate(retrying, clock.now() + 3000))).toMatchObject({ id: outage.id, rule: 'LINK_DOWN', value: 14 });
    expect(only(book6.evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 17 })), clock.now() + 6000))).toMatchObject({ id: outage.id, value: 17 });
    const back = book6.evaluate(snapshot(pair()), clock.now() + 9000);
    expect(firing(back)).toEqual([]);
    expect(back.alerts.filter((a) => a.rule === 'LINK_DOWN').map((a) => a.id)).toEqual([outage.id]);

    const book5 = new AlertBook();
    const short = snapshot(pair({}, { backlogWindow: { coversSeconds: 20, writeBytesPerSecond: 50_000, awaySeconds: null } }));
    const alert = only(book5.evaluate(short, clock.now()));
    expect(alert).toMatchObject({ rule: 'BACKLOG_SHORT', node: M, value: 20, threshold: 60 });
    expect(alert.message).toContain('holds 20 s of writes at 48.8 KiB/s (threshold 1 min)');
  });

  it('UNREACHABLE from when the node was last seen; never-reached and untrusted nodes do not fire; nothing else fires on a node down', () => {
    const clock = new FakeClock();
    const book = watchingFrom(clock.now() - 5_000);
    const down = (lastSeenAt: number | null, extra: Partial<NodeState> = {}): TopologySnapshot =>
      snapshot(
        pair({
          reachable: false,
          lastSeenAt,
          error: { code: 'UNREACHABLE', message: `${R} refused the connection` },
          lag: inSyncLag({ bytesBehindMaster: 100 * MB }),
          linkStatus: 'down',
          linkDownSinceSeconds: 500,
          ...extra,
        }),
      );
    expect(firing(book.evaluate(down(clock.now() - 5_000), clock.now()))).toEqual([]);
    const alert = only(book.evaluate(down(clock.now() - 5_000), clock.now() + 5_000));
    expect(alert).toMatchObject({ rule: 'UNREACHABLE', node: R, value: 10, threshold: 10 });
    expect(alert.message).toBe(`${R} has not answered for 10 s (threshold 10 s): ${R} refused the connection`);
    // Up but out of client connections: it refuses the console, it does not fail to answer.
    const refusing = watchingFrom(clock.now() - 5_000);
    const full = { error: { code: 'MAX_CLIENTS' as const, message: `${R} is up but refuses new connections: max number of clients reached (maxclients)` } };
    refusing.evaluate(down(clock.now() - 5_000, full), clock.now());
    expect(only(refusing.evaluate(down(clock.now() - 5_000, full), clock.now() + 5_000)).message).toBe(
      `${R} has refused the console for 10 s (threshold 10 s): ${R} is up but refuses new connections: max number of clients reached (maxclients)`,
    );
    // Remembered from an earlier run, last seen days ago: when it went down since is not known. It
    // fires once this console has watched it down for the threshold, and says when it was last seen.
    const remembered = new AlertBook();
    const longGone = down(clock.now() - 3 * 86_400_000, { remembered: true });
    expect(firing(remembered.evaluate(longGone, clock.now()))).toEqual([]);
    expect(only(remembered.evaluate(longGone, clock.now() + 10_000))).toMatchObject({
      rule: 'UNREACHABLE',
      value: 10,
      message: `${R} has not answered for 10 s (threshold 10 s): ${R} refused the connection; last seen 3 d ago, before this console watched`,
    });
    // Never reached (an address only valid elsewhere): not an outage. Kept from the password: not down.
    const never = new AlertBook();
    expect(firing(never.evaluate(down(null), clock.now()))).toEqual([]);
    expect(firing(never.evaluate(down(null), clock.now() + 3_600_000))).toEqual([]);
    const untrusted = down(clock.now() - 60_000, { error: { code: 'UNTRUSTED_HOST', message: 'not trusted' } });
    expect(firing(watchingFrom(clock.now() - 60_000).evaluate(untrusted, clock.now()))).toEqual([]);
  });

  it('the time the console itself was stopped (asleep, SIGSTOP) is not counted against a node: no STALE for its own sleep, UNREACHABLE timed from when it watched', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const book = watchingFrom(t0);
    // Read at t0, then the console slept 30 s: on waking the node is 31 s unread, 30 of them the console's.
    book.consoleStopped(t0 + 500, t0 + 30_500);
    const stale = pair({}, { stale: true, polledAt: t0 });
    expect(firing(book.evaluate(snapshot(stale), t0 + 31_000))).toEqual([]);
    // Still unread 10 s of watching later: that is the node's.
    expect(only(book.evaluate(snapshot(stale), t0 + 40_600))).toMatchObject({ rule: 'STALE', node: M, value: 10.6 });
    // A node that died while the console slept: down for the time it was watched, not since its last reading.
    const other = watchingFrom(t0);
    other.consoleStopped(t0 + 1000, t0 + 45_000);
    const down = snapshot(pair({ reachable: false, lastSeenAt: t0, error: { code: 'UNREACHABLE', message: `${R} refused the connection` } }));
    expect(firing(other.evaluate(down, t0 + 46_000))).toEqual([]);
    expect(only(other.evaluate(down, t0 + 54_000)).message).toBe(`${R} has not answered for 10 s (threshold 10 s): ${R} refused the connection`);
  });

  it('STALE after staleSeconds without a reading; a replica below a stale or down master gets no LINK_DOWN or LAG', () => {
    const clock = new FakeClock();
    const book = watchingFrom(clock.now() - 12_000);
    const nodes = pair(
      { linkStatus: 'down', linkDownSinceSeconds: 30, lag: inSyncLag({ bytesBehindMaster: 50 * MB, secondsBehind: 40 }) },
      { stale: true, polledAt: clock.now() - 12_000 },
    );
    const alert = only(book.evaluate(snapshot(nodes), clock.now()));
    expect(alert).toMatchObject({ rule: 'STALE', node: M, value: 12, threshold: 10 });
    // STALLED_UPSTREAM: a replica behind because of a node above gets nothing of its own.
    const chain = [
      nodeState(M),
      nodeState(R, { role: 'replica', master: M, linkStatus: 'up', stale: true, polledAt: clock.now() - 3_000 }),
      nodeState(R2, { role: 'replica', master: R, linkStatus: 'up', lag: inSyncLag({ secondsBehind: 30, behindBecauseOf: R }) }),
    ];
    expect(firing(new AlertBook().evaluate(snapshot(chain), clock.now()))).toEqual([]);
  });

  it('a link whose handshake keeps failing (down since -1, then 0 s, then -1) is one LINK_DOWN incident, not resolved and fired anew at each attempt', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const book = watchingFrom(t0 - 60_000);
    book.setThresholds({ linkDownSeconds: 1 }, t0);
    const at = (reported: number | null, t: number): AlertsView => book.evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: reported })), t);
    at(null, t0);
    const first = only(at(null, t0 + 2000));
    expect(first).toMatchObject({ rule: 'LINK_DOWN', node: R });
    let previous = book.view(t0 + 2000);
    for (const [reported, t] of [[0, 3000], [null, 4000], [0, 5000], [1, 6000]] as const) {
      const view = at(reported, t0 + t);
      expect(only(view).id).toBe(first.id);
      expect(alertTransitions(previous, view)).toEqual({ fired: [], resolved: [], mutedFired: [] });
      previous = view;
    }
  });

  it('a stale node that then fails outright (its request timed out) is one incident getting worse: STALE goes on as UNREACHABLE, not resolved and fired anew', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const book = watchingFrom(t0 - 60_000);
    const staleView = book.evaluate(snapshot(pair({}, { stale: true, polledAt: t0 - 12_000 })), t0);
    const stale = only(staleView);
    expect(stale).toMatchObject({ rule: 'STALE', node: M });
    book.acknowledge(stale.id, t0 + 1000);
    const before = book.view(t0 + 1000);
    // SIGSTOPped under --timeout 20000: at the timeout, unreachable. It said "RESOLVED STALE" and fired UNREACHABLE anew.
    const down = { reachable: false, lastSeenAt: t0 - 12_000, error: { code: 'TIMEOUT' as const, message: `${M} did not answer within 20000 ms` } };
    const after = book.evaluate(snapshot(pair({}, down)), t0 + 9_000);
    expect(only(after)).toMatchObject({ id: stale.id, rule: 'UNREACHABLE', node: M, state: 'acknowledged', startedAt: stale.startedAt });
    expect(after.alerts.filter((a) => a.state === 'resolved')).toEqual([]);
    expect(alertTransitions(before, after)).toEqual({ fired: [], resolved: [], mutedFired: [] });
    // Back: the one incident resolves, once.
    const back = book.evaluate(snapshot(pair()), t0 + 12_000);
    expect(alertTransitions(after, back).resolved.map((a) => [a.id, a.rule])).toEqual([[stale.id, 'UNREACHABLE']]);
  });

  it('a stale node that fails outright before unreachableSeconds: still one incident, UNREACHABLE at once (no time with no alert)', () => {
    const t0 = new FakeClock().now();
    const book = watchingFrom(t0 - 60_000);
    book.setThresholds({ unreachableSeconds: 30 }, t0 - 60_000);
    const stale = only(book.evaluate(snapshot(pair({}, { stale: true, polledAt: t0 - 12_000 })), t0));
    expect(stale).toMatchObject({ rule: 'STALE', node: M });
    // --timeout 20000: unreachable 20 s after its last answer, 10 s short of unreachableSeconds.
    const down = { reachable: false, lastSeenAt: t0 - 12_000, error: { code: 'TIMEOUT' as const, message: `${M} did not answer within 20000 ms` } };
    for (const at of [t0 + 8_000, t0 + 12_000, t0 + 20_000]) {
      const view = book.evaluate(snapshot(pair({}, down)), at);
      expect(only(view), `${at - t0} ms`).toMatchObject({ id: stale.id, rule: 'UNREACHABLE', node: M, startedAt: stale.startedAt });
      expect(view.alerts.filter((a) => a.state === 'resolved'), `${at - t0} ms`).toEqual([]);
    }
  });

  it('a replica whose master is down (seen before) gets no LINK_DOWN, the master is UNREACHABLE; one pointed at an address never reached does', () => {
    const clock = new FakeClock();
    const downMaster = { reachable: false, lastSeenAt: clock.now() - 60_000, error: { code: 'UNREACHABLE' as const, message: 'refused' } };
    const view = watchingFrom(clock.now() - 60_000).evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 60 }, downMaster)), clock.now());
    expect(only(view)).toMatchObject({ rule: 'UNREACHABLE', node: M });
    expect(only(view).message).toContain('; 1 replica below it');
    const wrong = new AlertBook().evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 60, lag: inSyncLag({ behindBecauseOf: M }) }, { ...downMaster, lastSeenAt: null })), clock.now());
    expect(only(wrong)).toMatchObject({ rule: 'LINK_DOWN', node: R, value: 60 });
  });

  it('a master back after an outage: its replicas\' links count from when it answered, not from when it went down', () => {
    const clock = new FakeClock();
    const book = watchingFrom(clock.now() - 60_000);
    // Read down for a minute (UNREACHABLE, no LINK_DOWN below it), then answering again 3 s ago: the replica is reconnecting.
    const back = book.evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 52 }, { answeringSince: clock.now() - 3000 })), clock.now());
    expect(firing(back)).toEqual([]);
    // Restarted 4 s ago (its uptime), the console never having read it down: the same.
    expect(firing(new AlertBook().evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 52 }, { uptimeSeconds: 4 })), clock.now()))).toEqual([]);
    // Answering for 12 s and the link still down: LINK_DOWN, counted from when the master answered.
    expect(only(book.evaluate(snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: 61 }, { answeringSince: clock.now() - 3000 })), clock.now() + 9000))).toMatchObject({ rule: 'LINK_DOWN', node: R, value: 12 });
  });

  it('Sentinels: UNREACHABLE and STALE only', () => {
    const clock = new FakeClock();
    const s = '127.0.0.1:26379';
    const sentinel = (extra: Partial<NodeState>): TopologySnapshot =>
      snapshot([nodeState(s, { role: 'sentinel', linkStatus: 'down', linkDownSinceSeconds: 100, backlogWindow: { coversSeconds: 1, writeBytesPerSecond: 1, awaySeconds: null }, replicas: [{ address: R, state: 'online', ackOffset: 0, ackAgeSeconds: 0 }], ...extra })]);
    expect(firing(new AlertBook().evaluate(sentinel({}), clock.now()))).toEqual([]);
    expect(only(watchingFrom(clock.now() - 20_000).evaluate(sentinel({ reachable: false, lastSeenAt: clock.now() - 20_000 }), clock.now())).rule).toBe('UNREACHABLE');
    expect(only(watchingFrom(clock.now() - 20_000).evaluate(sentinel({ stale: true, polledAt: clock.now() - 20_000 }), clock.now())).rule).toBe('STALE');
  });

  it('BACKLOG_EXCEEDED, SYNC_FAILING, MULTIPLE_MASTERS, INTERRUPTED_PLAN, MASTER_RESTARTED_EMPTY and WRITES_REFUSED while the snapshot carries the warning (folded ones too)', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    const nodes = pair({ lag: inSyncLag({ bytesBehindMaster: 5000 }), syncAttempts: 3 }, { backlog: { active: true, size: 4096, firstByteOffset: 1, histlen: 4000 } });
    const warnings: TopologyWarning[] = [
      { code: 'BACKLOG_EXCEEDED', message: 'long text', nodes: [R, M] },
      { code: 'MASTER_DOWN', message: 'headline', nodes: [M], folded: [{ code: 'SYNC_FAILING', message: `${R} started 3 full syncs from ${M} in 2 minutes and none finished: the master refuses it`, nodes: [R, M] }] },
      { code: 'MULTIPLE_MASTERS', message: `2 masters in one topology: ${M} (1 replica), ${R2} (lone master, no replicas). If more than one takes writes`, nodes: [M, R2] },
      { code: 'INTERRUPTED_PLAN', message: 'INTERRUPTED_PLAN p1: "switchover", started x, did not finish: killed.\nWhat ran:', nodes: [] },
      { code: 'MASTER_RESTARTED_EMPTY', message: `Data loss: ${M} restarted at 08:12:03 UTC without persistence (no RDB saves, no AOF) and came back empty. ${R} then replaced`, nodes: [M, R] },
      { code: 'WRITES_REFUSED', message: `${M} refuses every write (MISCONF): its last RDB save failed (rdb_last_bgsave_status:err) and stop-writes-on-bgsave-error is yes. To fix: look`, nodes: [M] },
    ];
    // BACKLOG_EXCEEDED once it has held for a while: a write burst that a connected replica catches up on is not one.
    const first = book.evaluate(snapshot(nodes, warnings), clock.now());
    expect(firing(first).map((a) => a.rule).sort()).toEqual(['INTERRUPTED_PLAN', 'MASTER_RESTARTED_EMPTY', 'MULTIPLE_MASTERS', 'SYNC_FAILING', 'WRITES_REFUSED']);
    expect(firing(book.evaluate(snapshot(nodes, warnings), clock.now() + (BACKLOG_EXCEEDED_HOLD_SECONDS - 1) * 1000)).map((a) => a.rule)).not.toContain('BACKLOG_EXCEEDED');
    clock.jump(BACKLOG_EXCEEDED_HOLD_SECONDS * 1000);
    const view = book.evaluate(snapshot(nodes, warnings), clock.now());
    const byRule = new Map(firing(view).map((a) => [a.rule, a]));
    expect([...byRule.keys()].sort()).toEqual(['BACKLOG_EXCEEDED', 'INTERRUPTED_PLAN', 'MASTER_RESTARTED_EMPTY', 'MULTIPLE_MASTERS', 'SYNC_FAILING', 'WRITES_REFUSED']);
    expect(byRule.get('WRITES_REFUSED')).toMatchObject({ node: M, message: `${M} refuses every write (MISCONF): its last RDB save failed (rdb_last_bgsave_status:err) and stop-writes-on-bgsave-error is yes` });
    expect(byRule.get('MASTER_RESTARTED_EMPTY')).toMatchObject({ node: M, message: `Data loss: ${M} restarted at 08:12:03 UTC without persistence (no RDB saves, no AOF) and came back empty` });
    expect(byRule.get('BACKLOG_EXCEEDED')).toMatchObject({ node: R, value: 5000, threshold: 4000, message: `${R} is 4.9 KiB behind ${M}, past the 3.9 KiB its backlog holds: its next resync will be a full one` });
    expect(byRule.get('SYNC_FAILING')?.message).toBe(`${R} started 3 full syncs from ${M} in 2 minutes and none finished`);
    expect(byRule.get('MULTIPLE_MASTERS')).toMatchObject({ node: null, value: 2, message: `2 masters in one topology: ${M} (1 replica), ${R2} (lone master, no replicas)` });
    expect(byRule.get('INTERRUPTED_PLAN')).toMatchObject({ node: null, message: 'INTERRUPTED_PLAN p1: "switchover", started x, did not finish: killed' });
    const after = book.evaluate(snapshot(nodes, []), clock.now() + 1000);
    expect(firing(after)).toEqual([]);
    expect(alertTransitions(view, after).resolved).toHaveLength(6);
  });

  it("SYNC_FAILING stays one incident while the replica is not read and the warning holds on its master's word; it resolves with the warning", () => {
    // A replica that cannot write the RDB: its reads time out (or come late: stale) at each attempt, read again between them.
    const clock = new FakeClock();
    const book = watchingFrom(clock.now());
    const failing: TopologyWarning = { code: 'SYNC_FAILING', message: `${R} started 3 full syncs from ${M} in 2 minutes and none finished: it cannot write it`, nodes: [R, M] };
    const read = snapshot(pair({ linkStatus: 'down', syncAttempts: 3 }), [failing]);
    const timedOut = snapshot(pair({ reachable: false, linkStatus: null, syncAttempts: 3, error: { code: 'TIMEOUT', message: `${R} did not answer in time` } }), [failing]);
    const late = snapshot(pair({ stale: true, linkStatus: 'down', syncAttempts: 3 }), [failing]);
    let previous = book.evaluate(read, clock.now());
    const id = only(previous).id;
    const transitions: string[] = [];
    for (const [i, tick] of [timedOut, timedOut, late, read, timedOut, read].entries()) {
      const next = book.evaluate(tick, clock.now() + (i + 1) * 1000);
      expect(firing(next).map((a) => [a.rule, a.id]), `tick ${i + 1}`).toEqual([['SYNC_FAILING', id]]);
      const { fired, resolved } = alertTransitions(previous, next);
      transitions.push(...fired.map((a) => `fired ${a.rule}`), ...resolved.map((a) => `resolved ${a.rule}`));
      previous = next;
    }
    expect(transitions).toEqual([]);
    // Not read and no longer warned of (its master has it synced, or it is gone): resolved.
    const resolvedView = book.evaluate(snapshot(pair({ reachable: false, linkStatus: null, error: { code: 'TIMEOUT', message: `${R} did not answer in time` } })), clock.now() + 8000);
    expect(firing(resolvedView)).toEqual([]);
    expect(alertTransitions(previous, resolvedView).resolved.map((a) => a.rule)).toEqual(['SYNC_FAILING']);
  });

  it('hostile values never fire: NaN, null, negative and infinite lag, unknown lag', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    for (const v of [Number.NaN, null, -5 * MB, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const nodes = pair({ lag: inSyncLag({ bytesBehindMaster: v, secondsBehind: v }), linkDownSinceSeconds: v });
      expect(firing(book.evaluate(snapshot(nodes), clock.now()))).toEqual([]);
    }
    expect(firing(book.evaluate(snapshot(pair({ lag: null })), clock.now()))).toEqual([]);
    const shortNaN = pair({}, { backlogWindow: { coversSeconds: Number.NaN, writeBytesPerSecond: 1, awaySeconds: null } });
    expect(firing(book.evaluate(snapshot(shortNaN), clock.now()))).toEqual([]);
  });
});

describe('incidents', () => {
  const lagging = snapshot(pair({ lag: inSyncLag({ bytesBehindMaster: 20 * MB }) }));
  const healthy = snapshot(pair());

  it('a link Redis once said was down 1 s, then says -1: still down from then, not 0.999 s from the console\'s first read, one incident', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const book = watchingFrom(t0 - 60_000);
    book.setThresholds({ linkDownSeconds: 1 }, t0);
    const down = (reported: number | null): TopologySnapshot => snapshot(pair({ linkStatus: 'down', linkDownSinceSeconds: reported }));
    expect(firing(book.evaluate(down(1), t0)).map((a) => a.rule)).toEqual(['LINK_DOWN']);
    const id = only(book.evaluate(down(1), t0)).id;
    // The next tick comes 999 ms later (ticks are not exactly a second apart), the handshake failed again: -1.
    const next = book.evaluate(down(null), t0 + 999);
    expect(firing(next).map((a) => [a.rule, a.id, a.value])).toEqual([['LINK_DOWN', id, 2]]);
  });

  it('keep their id from firing to resolved; the next incident gets a new id; transitions say fired once', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    const first = book.evaluate(lagging, clock.now());
    const id = only(first).id;
    let previous = first;
    for (let i = 1; i <= 5; i += 1) {
      const next = book.evaluate(lagging, clock.now() + i * 1000);
      expect(only(next).id).toBe(id);
      expect(only(next).startedAt).toBe(clock.now());
      expect(alertTransitions(previous, next)).toEqual({ fired: [], resolved: [], mutedFired: [] });
      previous = next;
    }
    expect(alertTransitions(null, first).fired.map((a) => a.id)).toEqual([id]);
    const resolved = book.evaluate(healthy, clock.now() + 10_000);
    expect(alertTransitions(previous, resolved).resolved.map((a) => a.id)).toEqual([id]);
    const again = book.evaluate(lagging, clock.now() + 11_000);
    expect(only(again).id).not.toBe(id);
    expect(alertTransitions(resolved, again).fired).toHaveLength(1);
    // Firing first, then resolved (newest first).
    expect(again.alerts.map((a) => a.state)).toEqual(['firing', 'resolved']);
  });

  it('forSeconds: the condition must hold that long; a break restarts the count; it resolves at once', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    book.setThresholds({ forSeconds: 30 }, clock.now());
    expect(firing(book.evaluate(lagging, clock.now()))).toEqual([]);
    expect(firing(book.evaluate(lagging, clock.now() + 29_000))).toEqual([]);
    expect(firing(book.evaluate(healthy, clock.now() + 30_000))).toEqual([]);
    expect(firing(book.evaluate(lagging, clock.now() + 31_000))).toEqual([]);
    expect(firing(book.evaluate(lagging, clock.now() + 60_000))).toEqual([]);
    const alert = only(book.evaluate(lagging, clock.now() + 61_000));
    expect(alert.startedAt).toBe(clock.now() + 61_000);
    expect(firing(book.evaluate(healthy, clock.now() + 62_000))).toEqual([]);
    // A pending condition never shows: the view holds nothing before it fires.
    expect(book.evaluate(lagging, clock.now() + 63_000).alerts.filter((a) => a.state !== 'resolved')).toEqual([]);
  });

  it('acknowledged stays until resolved and is not fired again; an unknown id is a clear error', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    const first = book.evaluate(lagging, clock.now());
    const id = only(first).id;
    const acked = book.acknowledge(id, clock.now() + 500);
    expect(only(acked)).toMatchObject({ id, state: 'acknowledged', acknowledgedAt: clock.now() + 500 });
    const next = book.evaluate(lagging, clock.now() + 1000);
    expect(only(next).state).toBe('acknowledged');
    expect(alertTransitions(acked, next).fired).toEqual([]);
    const resolved = book.evaluate(healthy, clock.now() + 2000);
    expect(resolved.alerts[0]).toMatchObject({ id, state: 'resolved', acknowledgedAt: clock.now() + 500 });
    expect(alertTransitions(next, resolved).resolved.map((a) => a.id)).toEqual([id]);
    // A click racing the resolution is fine; an id never known is not.
    expect(() => book.acknowledge(id, clock.now() + 3000)).not.toThrow();
    expect(() => book.acknowledge('nope', clock.now() + 3000)).toThrow(/no alert with the id "nope"/);
  });

  it('mutes a node or the topology until they expire: shown muted, never fired; unmute ends them early', async () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    const masters: TopologyWarning = { code: 'MULTIPLE_MASTERS', message: '2 masters in one topology: a, b. x', nodes: [M, R2] };
    const both = snapshot(pair({ lag: inSyncLag({ bytesBehindMaster: 20 * MB }) }), [masters]);
    book.mute(R, 10, 'maintenance', clock.now());
    const view = book.evaluate(both, clock.now());
    expect(view.mutes).toEqual([{ node: R, until: clock.now() + 600_000, reason: 'maintenance' }]);
    const lag = view.alerts.find((a) => a.rule === 'LAG_BYTES');
    expect(lag).toMatchObject({ muted: true, state: 'firing' });
    expect(view.alerts.find((a) => a.rule === 'MULTIPLE_MASTERS')?.muted).toBe(false);
    expect(alertTransitions(null, view).fired.map((a) => a.rule)).toEqual(['MULTIPLE_MASTERS']);
    // Listed as muted once (watch --alerts prints it), never notified.
    expect(alertTransitions(null, view).mutedFired.map((a) => a.rule)).toEqual(['LAG_BYTES']);
    expect(alertTransitions(view, book.evaluate(both, clock.now() + 1000)).mutedFired).toEqual([]);
    // The mute expires: the same incident (same id) is now fired.
    await clock.advance(600_000);
    const later = book.evaluate(both, clock.now());
    expect(later.mutes).toEqual([]);
    expect(alertTransitions(view, later).fired.map((a) => a.id)).toEqual([lag?.id]);
    // The whole topology: every alert muted, node ones and topology ones.
    const whole = book.mute(null, 5, null, clock.now());
    expect(firing(whole).every((a) => a.muted)).toBe(true);
    expect(alertTransitions(later, book.evaluate(both, clock.now() + 1000)).fired).toEqual([]);
    const unmuted = book.unmute(null, clock.now() + 2000);
    expect(firing(unmuted).some((a) => a.muted)).toBe(false);
    expect(() => book.mute(R, 0, null, clock.now())).toThrow(/1 minute to a week/);
    expect(() => book.mute(R, Number.NaN, null, clock.now())).toThrow(/1 minute to a week/);
  });

  it('resolved incidents are kept an hour, at most RESOLVED_KEEP of them', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    for (let i = 0; i < RESOLVED_KEEP + 10; i += 1) {
      book.evaluate(lagging, clock.now() + i * 2000);
      book.evaluate(healthy, clock.now() + i * 2000 + 1000);
    }
    const at = clock.now() + (RESOLVED_KEEP + 10) * 2000;
    const view = book.view(at);
    expect(view.alerts).toHaveLength(RESOLVED_KEEP);
    expect(view.alerts.every((a) => a.state === 'resolved')).toBe(true);
    const resolvedAt = view.alerts.map((a) => a.resolvedAt ?? 0);
    expect(resolvedAt).toEqual([...resolvedAt].sort((a, b) => b - a));
    expect(book.view(at + 3_600_000).alerts).toEqual([]);
  });

  it('thresholds: validated, changed in part, applied at once', () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    expect(book.view(clock.now()).thresholds).toEqual(DEFAULT_ALERT_THRESHOLDS);
    book.evaluate(snapshot(pair({ lag: inSyncLag({ bytesBehindMaster: 5 * MB }) })), clock.now());
    const view = book.setThresholds({ lagBytes: 1 * MB }, clock.now());
    expect(view.thresholds).toEqual({ ...DEFAULT_ALERT_THRESHOLDS, lagBytes: MB });
    expect(only(view)).toMatchObject({ rule: 'LAG_BYTES', threshold: MB });
    expect(firing(book.setThresholds({ lagBytes: 6 * MB }, clock.now()))).toEqual([]);
    expect(() => book.setThresholds({ lagBytes: -1 }, clock.now())).toThrow(/lagBytes/);
    expect(() => book.setThresholds({ forSeconds: 99_999 }, clock.now())).toThrow(/forSeconds/);
    expect(() => book.setThresholds({ nope: 1 } as never, clock.now())).toThrow(/bad alert threshold/);
    expect(book.view(clock.now()).thresholds.lagBytes).toBe(6 * MB);
  });

  it("another topology starts afresh (reset) but keeps the thresholds and the nodes' mutes; state() and restore() carry mutes and acknowledgements", () => {
    const clock = new FakeClock();
    const book = new AlertBook();
    book.setThresholds({ lagSeconds: 3 }, clock.now());
    const id = only(book.evaluate(lagging, clock.now())).id;
    book.acknowledge(id, clock.now());
    book.mute(M, 60, null, clock.now());
    book.mute(null, 60, null, clock.now());
    const saved = book.state(clock.now());
    book.reset();
    const fresh = book.view(clock.now());
    // The node's mute is the node's, whichever topology names it; the whole topology's is not the next one's.
    expect(fresh).toMatchObject({ alerts: [], mutes: [{ node: M }] });
    expect(fresh.thresholds.lagSeconds).toBe(3);

    const restarted = new AlertBook();
    restarted.restore(saved, clock.now() + 1000);
    const view = restarted.evaluate(lagging, clock.now() + 1000);
    expect(only(view)).toMatchObject({ id, state: 'acknowledged', startedAt: clock.now() });
    expect(view.mutes.map((m) => m.node)).toEqual([M, null]);
  });

  it('an acknowledged node still down stays acknowledged across a restart, though UNREACHABLE takes its own time to fire again', () => {
    const clock = new FakeClock();
    const down = (): TopologySnapshot => snapshot([nodeState(M, { reachable: false, lastSeenAt: clock.now() - 60_000, error: { code: 'TIMEOUT', message: 'timed out' } })]);
    const book = watchingFrom(clock.now() - 30_000);
    const id = only(book.evaluate(down(), clock.now())).id;
    book.acknowledge(id, clock.now());
    const saved = book.state(clock.now());

    const restarted = new AlertBook();
    restarted.restore(saved, clock.now());
    // The first evaluations after the restart: not fired yet (it counts only the time it watched), and the acknowledgement is kept meanwhile.
    clock.jump(1000);
    expect(firing(restarted.evaluate(down(), clock.now()))).toEqual([]);
    expect(restarted.state(clock.now()).acknowledged.map((a) => a.id)).toEqual([id]);
    clock.jump(DEFAULT_ALERT_THRESHOLDS.unreachableSeconds * 1000);
    expect(only(restarted.evaluate(down(), clock.now()))).toMatchObject({ id, rule: 'UNREACHABLE', state: 'acknowledged' });

    // One whose incident ended while the console was away (the node answers again) is dropped at once,
    // and not given to a later incident; one still down that never fires again, once the rule's time has passed.
    const healthy = new AlertBook();
    healthy.restore(saved, clock.now());
    healthy.evaluate(snapshot([nodeState(M)]), clock.now());
    expect(healthy.state(clock.now()).acknowledged).toEqual([]);
    const slow = new AlertBook();
    slow.restore(saved, clock.now());
    slow.setThresholds({ unreachableSeconds: 3600 }, clock.now());
    slow.evaluate(down(), clock.now());
    expect(slow.state(clock.now()).acknowledged).toHaveLength(1);
    clock.jump(3600_000 + 10_000);
    slow.evaluate(snapshot([nodeState(M, { reachable: false, lastSeenAt: null, error: { code: 'TIMEOUT', message: 'timed out' } })]), clock.now());
    expect(slow.state(clock.now()).acknowledged).toEqual([]);
  });
});
