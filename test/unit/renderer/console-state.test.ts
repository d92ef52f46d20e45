import { describe, expect, it } from 'vitest';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { ConsoleState } from '../../../renderer/src/state/console-state.svelte';
import { labSnapshot, makeNode, makeReplica, makeSnapshot } from './fixtures';

function connectedState(now = 1_000_000): { state: ConsoleState; clock: Clock } {
  const clock = new Clock(now);
  const state = new ConsoleState(clock);
  state.beginConnect({ seeds: ['127.0.0.1:7000'], user: null });
  state.connected(labSnapshot(1, now), now);
  return { state, clock };
}

describe('ConsoleState', () => {
  it('goes connecting → connected and derives nodes, edges and lookups', () => {
    const clock = new Clock(0);
    const state = new ConsoleState(clock);
    expect(state.status).toBe('disconnected');
    state.beginConnect({ seeds: ['127.0.0.1:7000'], user: 'ops' });
    expect(state.status).toBe('connecting');
    state.connected(labSnapshot(), 0);
    expect(state.status).toBe('connected');
    expect(state.nodes).toHaveLength(4);
    expect(state.edges).toHaveLength(3);
    expect(state.nodeByAddress.get('127.0.0.1:7002')?.role).toBe('replica');
    expect(state.edgeByReplica.get('127.0.0.1:7003')?.master).toBe('127.0.0.1:7001');
    expect(state.replicasOf.get('127.0.0.1:7000')).toEqual(['127.0.0.1:7001', '127.0.0.1:7002']);
    expect(state.counts).toEqual({ nodes: 4, masters: 1, mastersDown: 0, replicas: 3, unreachable: 0 });
  });

  it('finds nodes by alias', () => {
    const clock = new Clock(0);
    const state = new ConsoleState(clock);
    state.beginConnect({ seeds: [], user: null });
    state.connected(makeSnapshot({ nodes: [makeNode('10.0.0.1:6379', { aliases: ['redis-a:6379'] })] }), 0);
    expect(state.nodeByAddress.get('redis-a:6379')?.address).toBe('10.0.0.1:6379');
  });

  it('replaces the snapshot on each tick and ignores ticks that are older', () => {
    const { state } = connectedState();
    const first = state.snapshot;
    expect(state.applySnapshot(labSnapshot(2, 1_001_000), 1_001_000)).toBe(true);
    expect(state.snapshot).not.toBe(first);
    expect(state.snapshot?.seq).toBe(2);
    expect(state.applySnapshot(labSnapshot(2, 1_001_000), 1_001_500)).toBe(false);
    expect(state.applySnapshot(labSnapshot(1, 1_000_000), 1_001_500)).toBe(false);
    expect(state.receivedAt).toBe(1_001_000);
  });

  it('shares what a tick repeats with the snapshot shown, node by node, and keeps what changed', () => {
    const { state } = connectedState();
    const shown = state.snapshot!;
    const next = labSnapshot(2, 1_001_000, { '127.0.0.1:7002': { offset: 1, lag: null } });
    state.applySnapshot(JSON.parse(JSON.stringify(next)) as typeof next, 1_001_000);
    const now = state.snapshot!;
    expect(now).toEqual(next);
    // The lists no tick changed, and each node's unchanged parts, are the ones shown before.
    expect(now.edges).toBe(shown.edges);
    expect(now.warnings).toBe(shown.warnings);
    const before = (address: string) => shown.nodes.find((n) => n.address === address)!;
    const changed = now.nodes.find((n) => n.address === '127.0.0.1:7002')!;
    expect(changed).not.toBe(before(changed.address));
    expect(changed.offset).toBe(1);
    expect(changed.stats).toBe(before(changed.address).stats);
    expect(changed.aliases).toBe(before(changed.address).aliases);
    // A node the shown snapshot did not have comes as it is.
    const added = labSnapshot(3, 1_002_000);
    added.nodes.push(makeNode('127.0.0.1:7009'));
    state.applySnapshot(added, 1_002_000);
    expect(state.nodeByAddress.get('127.0.0.1:7009')).toBe(added.nodes.at(-1));
  });

  it('ignores ticks while not connected', () => {
    const state = new ConsoleState(new Clock(0));
    expect(state.applySnapshot(labSnapshot(5), 0)).toBe(false);
    expect(state.snapshot).toBeNull();
  });

  it('keeps the structure key when only live values change', () => {
    const { state } = connectedState();
    const key = state.structureKey;
    state.applySnapshot(labSnapshot(2, 1_001_000, { '127.0.0.1:7002': { offset: 1, lag: null } }), 1_001_000);
    expect(state.structureKey).toBe(key);
    const changed = labSnapshot(3, 1_002_000);
    changed.edges = changed.edges.filter((e) => e.replica !== '127.0.0.1:7003');
    state.applySnapshot(changed, 1_002_000);
    expect(state.structureKey).not.toBe(key);
  });

  it('keeps the structure key when the same nodes and edges come in another order, and changes it when one goes', () => {
    const { state } = connectedState();
    const key = state.structureKey;
    const reordered = labSnapshot(2, 1_001_000);
    reordered.nodes = [...reordered.nodes].reverse();
    reordered.edges = [...reordered.edges].reverse();
    state.applySnapshot(reordered, 1_001_000);
    expect(state.structureKey).toBe(key);
    const fewer = labSnapshot(3, 1_002_000);
    fewer.edges = fewer.edges.filter((e) => e.replica !== '127.0.0.1:7003');
    state.applySnapshot(fewer, 1_002_000);
    expect(state.structureKey).not.toBe(key);
    state.applySnapshot(labSnapshot(4, 1_003_000), 1_003_000);
    expect(state.structureKey).toBe(key);
  });

  it('is stale after three poll intervals without a tick', () => {
    const { state, clock } = connectedState(1_000_000);
    expect(state.stale).toBe(false);
    clock.now = 1_003_000;
    expect(state.stale).toBe(false);
    clock.now = 1_003_001;
    expect(state.stale).toBe(true);
    expect(state.sinceTickMs).toBe(3001);
    state.applySnapshot(labSnapshot(2, 1_003_001), 1_003_001);
    expect(state.stale).toBe(false);
  });

  it('is not LIVE while ticks arrive regularly but seconds after they were taken (a buffering link, a page replaying what queued up)', () => {
    // The server's clock is 5 s behind the page's: a transit of 5 s is the usual one, not a delay.
    const clock = new Clock(1_000_000);
    const state = new ConsoleState(clock);
    state.beginConnect({ seeds: ['127.0.0.1:7000'], user: null });
    state.connected(labSnapshot(1, 995_000), 1_000_000);
    const tick = (seq: number, takenAt: number, receivedAt: number): void => {
      clock.now = receivedAt;
      state.applySnapshot(labSnapshot(seq, takenAt), receivedAt);
    };
    tick(2, 996_000, 1_001_000);
    expect(state.freshness).toBe('live');
    // The link starts buffering: each tick comes 10 s after it was taken, one a second.
    for (let seq = 3; seq < 8; seq++) tick(seq, 997_000 + (seq - 3) * 1000, 1_012_000 + (seq - 3) * 1000);
    expect(state.stale).toBe(false);
    expect(state.lateMs).toBeGreaterThan(9900);
    expect(state.freshness).toBe('late');
    // Caught up: on time again.
    tick(8, 1_012_000, 1_017_000);
    expect(state.lateMs).toBe(0);
    expect(state.freshness).toBe('live');
    // Two intervals of jitter is not late.
    tick(9, 1_013_000, 1_019_900);
    expect(state.freshness).toBe('live');
  });

  it('a clock that is set (the page\'s forward, the server\'s back) is not a delay; ticks held on the way still are', () => {
    const clock = new Clock(1_000_000);
    const state = new ConsoleState(clock);
    state.beginConnect({ seeds: ['127.0.0.1:7000'], user: null });
    state.connected(labSnapshot(1, 1_000_000), 1_000_000);
    let seq = 1;
    // takenAt by the server's clock, receivedAt by the page's wall clock, mono by performance.now().
    const tick = (takenAt: number, receivedAt: number, mono: number): void => {
      clock.now = receivedAt;
      state.applySnapshot(labSnapshot(++seq, takenAt), receivedAt, mono);
    };
    tick(1_001_000, 1_001_000, 1000);
    // The page's clock is set 5 s forward between two ticks a second apart.
    tick(1_002_000, 1_007_000, 2000);
    tick(1_003_000, 1_008_000, 3000);
    expect(state.freshness).toBe('live');
    // The server's clock is set 5 s back.
    tick(998_000, 1_009_000, 4000);
    tick(999_000, 1_010_000, 5000);
    expect(state.freshness).toBe('live');
    // A link that starts holding ticks 8 s: a gap in arrivals, then each 8 s late.
    tick(1_000_000, 1_019_000, 14_000);
    tick(1_001_000, 1_020_000, 15_000);
    expect(state.lateMs).toBeGreaterThan(7900);
    expect(state.freshness).toBe('late');
    // The link lets go: a fresh tick comes 0.6 s after a held one, taken 8.5 s after it. Not a
    // server clock set forward: on time again (red in e2e once, when it was taken for one).
    tick(1_009_500, 1_020_600, 15_600);
    expect(state.freshness).toBe('live');
  });

  it('a link that holds every tick from the first one: regular ticks, each as late as the first, DELAYED by the round trip', () => {
    const clock = new Clock(1_000_000);
    const state = new ConsoleState(clock);
    state.beginConnect({ seeds: ['127.0.0.1:7000'], user: null });
    // Every tick arrives 6 s after it was taken, from the first: its transit is the fastest there is.
    state.connected(labSnapshot(1, 994_000), 1_000_000);
    for (let seq = 2; seq < 6; seq++) {
      clock.now = 1_000_000 + (seq - 1) * 1000;
      state.applySnapshot(labSnapshot(seq, clock.now - 6000), clock.now);
    }
    expect(state.lateMs).toBe(0);
    state.followLink({ reachable: true, since: 1_000_000, host: 'console:8080', roundTripMs: null });
    expect(state.freshness).toBe('live');
    state.followLink({ reachable: true, since: 1_000_000, host: 'console:8080', roundTripMs: 6020 });
    expect(state.lateBy).toBe('link');
    expect(state.freshness).toBe('late');
    // A round trip within two intervals (and 3 s) is a slow link, not a late view.
    state.followLink({ reachable: true, since: 1_000_000, host: 'console:8080', roundTripMs: 2500 });
    expect(state.freshness).toBe('live');
    // Lost: no tick can come, whatever the last round trip was.
    state.followLink({ reachable: false, since: 1_006_000, host: 'console:8080', roundTripMs: null });
    expect(state.serverLost).toBe(true);
    expect(state.freshness).toBe('no-ticks');
  });

  it('maps warnings to nodes and marks lone masters', () => {
    const clock = new Clock(0);
    const state = new ConsoleState(clock);
    state.beginConnect({ seeds: [], user: null });
    state.connected(
      makeSnapshot({
        nodes: [
          makeNode('a:1'),
          makeReplica('b:1', 'a:1'),
          makeNode('c:1'),
          makeNode('d:1', { reachable: false, role: 'unknown' }),
        ],
        edges: [{ master: 'a:1', replica: 'b:1', health: 'up' }],
        warnings: [
          { code: 'MULTIPLE_MASTERS', message: 'two masters', nodes: ['a:1', 'c:1'] },
          { code: 'UNREACHABLE', message: 'd is down', nodes: ['d:1'] },
        ],
      }),
      0,
    );
    expect(state.warningsByNode.get('a:1')?.map((w) => w.code)).toEqual(['MULTIPLE_MASTERS']);
    expect(state.warningsByNode.get('b:1')).toBeUndefined();
    expect([...state.loneMasters]).toEqual(['c:1']);
    expect(state.counts.unreachable).toBe(1);
    // d:1's role is not known: no master is down.
    expect(state.counts.mastersDown).toBe(0);
    state.applySnapshot(makeSnapshot({ seq: 2, nodes: [makeNode('a:1', { reachable: false }), makeReplica('b:1', 'a:1')], edges: [], warnings: [] }), 0);
    expect(state.counts).toMatchObject({ masters: 1, mastersDown: 1, unreachable: 1 });
  });

  it('does not call a single standalone master lone', () => {
    const state = new ConsoleState(new Clock(0));
    state.beginConnect({ seeds: [], user: null });
    state.connected(makeSnapshot({ nodes: [makeNode('a:1')] }), 0);
    expect(state.loneMasters.size).toBe(0);
  });

  it('selects nodes and drops a selection that vanished on reconnect', () => {
    const { state } = connectedState();
    state.select('127.0.0.1:7001');
    expect(state.selectedNode?.address).toBe('127.0.0.1:7001');
    state.connected(makeSnapshot({ nodes: [makeNode('x:1')] }), 0);
    expect(state.selected).toBeNull();
  });

  it('records a failure and resets', () => {
    const { state } = connectedState();
    state.failed({ code: 'AUTH_FAILED', message: 'WRONGPASS' });
    expect(state.status).toBe('disconnected');
    expect(state.error?.code).toBe('AUTH_FAILED');
    expect(state.nodes).toEqual([]);
    state.beginConnect({ seeds: ['a:1'], user: null });
    expect(state.error).toBeNull();
    state.reset();
    expect(state.target).toBeNull();
    expect(state.status).toBe('disconnected');
  });

  it('highlights the nodes of a warning', () => {
    const { state } = connectedState();
    state.highlight(['127.0.0.1:7000']);
    expect(state.highlighted.has('127.0.0.1:7000')).toBe(true);
    state.highlight([]);
    expect(state.highlighted.size).toBe(0);
    state.highlight(['127.0.0.1:7000']);
    state.applySnapshot(labSnapshot(2, 1_001_000), 1_001_000);
    expect(state.highlighted.size).toBe(0);
  });
});
