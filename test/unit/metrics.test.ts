// serve's /metrics from hand-built snapshots: the names and labels, no sample where a node has
// no value, the resync counters only going up (a master's restart included), and the text
// passing `promtool check metrics` (Prometheus's own linter).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ServeMetrics, type TopologyMetricsState } from '../../electron/serve/metrics';
import type { Alert, AlertsView, NodeState, TickUpdate, TopologySnapshot } from '../../electron/shared/types';
import { DEFAULT_ALERT_THRESHOLDS } from '../../electron/engine/alerts';
import { inSyncLag, nodeState } from '../helpers/node-state';

const MASTER = '10.0.0.1:6379';
const REPLICA = '10.0.0.2:6379';
const CASCADED = '10.0.0.3:6379';
const STALE = '10.0.0.4:6379';
const LINK_DOWN = '10.0.0.5:6379';

function snapshot(nodes: NodeState[], overrides: Partial<TopologySnapshot> = {}): TopologySnapshot {
  return { seq: 1, takenAt: 1_700_000_000_000, pollIntervalMs: 1000, nodes, edges: [], warnings: [], ...overrides };
}

const LOAD: NonNullable<NodeState['load']> = {
  readAt: 1,
  opsPerSecond: 250,
  netInputBytesPerSecond: 2048,
  netOutputBytesPerSecond: 4096,
  usedMemoryBytes: 1_000_000,
  maxMemoryBytes: null,
  maxMemoryPolicy: null,
  memoryNotCountedBytes: null,
  keysWithTtl: null,
  connectedClients: 7,
  persistence: { rdbSaveInProgress: false, aofRewriteInProgress: true, lastSaveStatus: 'ok', lastSaveAt: 1_700_000_000_000, changesSinceLastSave: 3, aofLastWriteStatus: null, loading: null },
};

function topology(): TopologySnapshot {
  return snapshot(
    [
      nodeState(MASTER, {
        offset: 5000,
        stats: { syncFull: 3, syncPartialOk: 1, syncPartialErr: 0 },
        backlogWindow: { writeBytesPerSecond: 100, coversSeconds: 42.5, awaySeconds: null },
        load: LOAD,
      }),
      nodeState(REPLICA, {
        role: 'replica',
        master: MASTER,
        linkStatus: 'up',
        offset: 4000,
        depth: 1,
        lag: inSyncLag({ bytesBehindMaster: 1000, secondsBehind: 1.5, bytesBehindRoot: 1000, secondsBehindRoot: 1.5 }),
        stats: { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 },
        // Its master's window: how long it may be away.
        backlogWindow: { writeBytesPerSecond: 100, coversSeconds: 42.5, awaySeconds: 32.5 },
      }),
      // Unreachable, its last readings still in the snapshot (the lag growing with the master's
      // offset): none is exported, only that it is down and when it was last read.
      nodeState(CASCADED, {
        role: 'replica',
        reachable: false,
        master: REPLICA,
        linkStatus: 'up',
        offset: 3000,
        depth: 2,
        lag: inSyncLag({ bytesBehindMaster: 1000, secondsBehind: 79, bytesBehindRoot: 2000, secondsBehindRoot: 80 }),
        stats: { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 },
        load: { ...LOAD, usedMemoryBytes: 138_472_696 },
        syncAttempts: 0,
        latencyMs: 2,
        polledAt: 1_699_999_921_000,
      }),
      // Stale (read 30 s ago): the same.
      nodeState(STALE, {
        role: 'replica',
        master: MASTER,
        stale: true,
        linkStatus: 'up',
        offset: 3500,
        depth: 1,
        lag: inSyncLag({ bytesBehindMaster: 1500, secondsBehind: 30, bytesBehindRoot: 1500, secondsBehindRoot: 30 }),
        load: LOAD,
        polledAt: 1_699_999_970_000,
      }),
      // Reachable, its link down.
      // Cut off before the console started: its lag in seconds is only the master history's age, a lower bound.
      nodeState(LINK_DOWN, {
        role: 'replica',
        master: MASTER,
        linkStatus: 'down',
        linkDownSinceSeconds: 12,
        offset: 2000,
        depth: 1,
        lag: inSyncLag({ bytesBehindMaster: 3000, secondsBehind: 0.01, secondsBehindIsLowerBound: true, bytesBehindRoot: 3000, secondsBehindRoot: 0.01, secondsBehindRootIsLowerBound: true }),
      }),
      nodeState('10.0.0.9:26379', { role: 'sentinel', offset: null, version: 'redis 7.0.15', depth: null }),
    ],
    { warnings: [{ code: 'BACKLOG_SHORT', message: 'short', nodes: [MASTER] }, { code: 'UNREACHABLE', message: 'x', nodes: [CASCADED] }, { code: 'UNREACHABLE', message: 'y', nodes: [] }] },
  );
}

function alert(rule: Alert['rule'], overrides: Partial<Alert> = {}): Alert {
  return { id: `${rule}-1`, rule, node: MASTER, state: 'firing', message: '', value: null, threshold: null, startedAt: 1, resolvedAt: null, acknowledgedAt: null, muted: false, ...overrides };
}

const ALERTS: AlertsView = {
  alerts: [alert('LAG_SECONDS'), alert('LAG_SECONDS', { id: 'b', state: 'acknowledged' }), alert('STALE', { muted: true }), alert('LINK_DOWN', { state: 'resolved', resolvedAt: 2 })],
  mutes: [],
  thresholds: DEFAULT_ALERT_THRESHOLDS,
};

function metricsOf(states: () => TopologyMetricsState[]): ServeMetrics {
  return new ServeMetrics({ version: '9.9.9', processMetrics: false, topologies: states });
}

/** name{labels} → value, for the lines of one scrape. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('serve metrics', () => {
  const state = (snap: TopologySnapshot | null, up = true): TopologyMetricsState[] => [
    { id: 'orders', up, connectFailures: up ? 0 : 4, snapshot: snap, alerts: snap ? ALERTS : null },
  ];

  it('exports each node with the topology, node and master labels, and nothing where a value is unknown', async () => {
    const metrics = metricsOf(() => state(topology()));
    const text = await metrics.render();
    const s = samples(text);
    const node = (n: string) => `topology="orders",node="${n}"`;
    expect(s.get('replication_console_build_info{version="9.9.9"}')).toBe(1);
    expect(s.get('replication_console_topology_up{topology="orders"}')).toBe(1);
    expect(s.get('replication_console_topology_nodes{topology="orders"}')).toBe(6);
    expect(s.get(`replication_console_node_info{${node(MASTER)},role="master",version="redis 7.0.15"}`)).toBe(1);
    expect(s.get(`replication_console_node_info{${node('10.0.0.9:26379')},role="sentinel",version="redis 7.0.15"}`)).toBe(1);
    expect(s.get(`replication_console_node_reachable{${node(CASCADED)}}`)).toBe(0);
    expect(s.get(`replication_console_node_offset_bytes{${node(MASTER)}}`)).toBe(5000);
    expect(s.get(`replication_console_replica_lag_bytes{${node(REPLICA)},master="${MASTER}"}`)).toBe(1000);
    expect(s.get(`replication_console_replica_lag_seconds{${node(REPLICA)},master="${MASTER}"}`)).toBe(1.5);
    expect(s.get(`replication_console_replica_root_lag_seconds{${node(REPLICA)}}`)).toBe(1.5);
    // Exact figures: the lower-bound gauges beside them say 0 (a bound is 1, below).
    expect(s.get(`replication_console_replica_lag_is_lower_bound{${node(REPLICA)},master="${MASTER}"}`)).toBe(0);
    expect(s.get(`replication_console_replica_root_lag_is_lower_bound{${node(REPLICA)}}`)).toBe(0);
    expect(s.get(`replication_console_replica_lag_seconds{${node(LINK_DOWN)},master="${MASTER}"}`)).toBe(0.01);
    expect(s.get(`replication_console_replica_lag_is_lower_bound{${node(LINK_DOWN)},master="${MASTER}"}`)).toBe(1);
    expect(s.get(`replication_console_replica_root_lag_is_lower_bound{${node(LINK_DOWN)}}`)).toBe(1);
    expect(s.get(`replication_console_link_up{${node(REPLICA)},master="${MASTER}"}`)).toBe(1);
    expect(s.get(`replication_console_link_up{${node(LINK_DOWN)},master="${MASTER}"}`)).toBe(0);
    expect(s.get(`replication_console_replica_link_down_seconds{${node(LINK_DOWN)},master="${MASTER}"}`)).toBe(12);
    expect(s.get(`replication_console_sync_in_progress{${node(REPLICA)}}`)).toBe(0);
    expect(s.get(`replication_console_backlog_seconds{${node(MASTER)}}`)).toBe(42.5);
    // A replica's window is its master's: not exported again under the replica.
    expect([...s.keys()].filter((k) => k.startsWith('replication_console_backlog_seconds{'))).toEqual([`replication_console_backlog_seconds{${node(MASTER)}}`]);
    expect(s.get(`replication_console_node_ops_per_second{${node(MASTER)}}`)).toBe(250);
    expect(s.get(`replication_console_node_aof_rewrite_in_progress{${node(MASTER)}}`)).toBe(1);
    expect(s.get(`replication_console_node_last_save_ok{${node(MASTER)}}`)).toBe(1);
    expect(s.get('replication_console_warnings{topology="orders",code="UNREACHABLE"}')).toBe(2);
    expect(s.get('replication_console_warnings{topology="orders",code="BACKLOG_SHORT"}')).toBe(1);
    // Firing and acknowledged count; muted and resolved do not.
    expect(s.get('replication_console_alerts_firing{topology="orders",rule="LAG_SECONDS"}')).toBe(2);
    // A rule that does not fire reads 0, not "no data".
    expect(s.get('replication_console_alerts_firing{topology="orders",rule="STALE"}')).toBe(0);
    expect(s.get('replication_console_alerts_firing{topology="orders",rule="LINK_DOWN"}')).toBe(0);
    // Per node, the console's verdict the alerting rules require: firing and acknowledged, not muted nor resolved.
    expect(s.get(`replication_console_node_alert_firing{topology="orders",node="${MASTER}",rule="LAG_SECONDS"}`)).toBe(1);
    expect([...s.keys()].filter((k) => k.startsWith('replication_console_node_alert_firing{'))).toHaveLength(1);
    // A node not read now: that it is down or stale, and its last read; none of its last readings
    // (its resync counters go on: they count what happened while it was watched).
    const readings = (n: string) =>
      [...s.keys()]
        .filter((k) => k.includes(`node="${n}"`) && !k.includes('_total{'))
        .map((k) => k.slice('replication_console_'.length, k.indexOf('{')))
        .sort();
    expect(readings(CASCADED)).toEqual(['node_info', 'node_last_poll_timestamp_seconds', 'node_poll_duration_seconds', 'node_reachable']);
    expect(s.get(`replication_console_node_last_poll_timestamp_seconds{${node(CASCADED)}}`)).toBe(1_699_999_921);
    expect(readings(STALE)).toEqual(['node_info', 'node_last_poll_timestamp_seconds', 'node_poll_duration_seconds', 'node_reachable', 'node_stale']);
    expect(s.get(`replication_console_node_stale{${node(STALE)}}`)).toBe(1);
    expect(s.get(`replication_console_node_stale{${node(REPLICA)}}`)).toBe(0);
    // No value, no sample: a master's link, the master's maxmemory (unlimited); a Sentinel has its last read and staleness only.
    expect([...s.keys()].filter((k) => k.startsWith('replication_console_link_up') && k.includes(`node="${MASTER}"`))).toEqual([]);
    expect([...s.keys()].filter((k) => k.startsWith('replication_console_node_memory_max_bytes'))).toEqual([]);
    expect(readings('10.0.0.9:26379')).toEqual(['node_info', 'node_last_poll_timestamp_seconds', 'node_poll_duration_seconds', 'node_reachable', 'node_stale']);
    // The replica's own load was never read: no zero stands in for it.
    expect([...s.keys()].filter((k) => k.startsWith('replication_console_node_ops_per_second') && k.includes(REPLICA))).toEqual([]);
  });

  it('says a topology that is not connected yet is down, with its failures, and no nodes', async () => {
    const s = samples(await metricsOf(() => state(null, false)).render());
    expect(s.get('replication_console_topology_up{topology="orders"}')).toBe(0);
    expect(s.get('replication_console_topology_connect_failures_total{topology="orders"}')).toBe(4);
    expect([...s.keys()].filter((k) => k.startsWith('replication_console_node_'))).toEqual([]);
  });

  it('gives a link never up since the replica started (Redis: down since -1) its time down as the console read it, so the link-down rule can fire', async () => {
    const T = 1_700_000_000_000;
    const down = (takenAt: number, linkStatus: 'up' | 'down' = 'down'): TopologySnapshot =>
      snapshot([nodeState(MASTER, { offset: 5000 }), nodeState(REPLICA, { role: 'replica', master: MASTER, linkStatus, linkDownSinceSeconds: null, depth: 1, offset: 0 })], { takenAt });
    let current = down(T);
    const metrics = metricsOf(() => state(current));
    const seconds = async (): Promise<number | undefined> =>
      samples(await metrics.render()).get(`replication_console_replica_link_down_seconds{topology="orders",node="${REPLICA}",master="${MASTER}"}`);
    metrics.observe('orders', { snapshot: current, events: [] });
    // A wrong masterauth: it had no sample at all, and RedisReplicaLinkDown (>= 10 s) never fired.
    expect(await seconds()).toBe(0);
    current = down(T + 15_000);
    metrics.observe('orders', { snapshot: current, events: [] });
    expect(await seconds()).toBe(15);
    // Up again: no sample; down again later counts afresh.
    current = down(T + 16_000, 'up');
    metrics.observe('orders', { snapshot: current, events: [] });
    expect(await seconds()).toBeUndefined();
    current = down(T + 20_000);
    metrics.observe('orders', { snapshot: current, events: [] });
    current = down(T + 23_000);
    metrics.observe('orders', { snapshot: current, events: [] });
    expect(await seconds()).toBe(3);
  });

  it("keeps a link's time down growing while Redis's own figure restarts at each failed handshake (down since -1, then 0 s, then -1): the link-down rule does not resolve and fire anew", async () => {
    const T = 1_700_000_000_000;
    const down = (takenAt: number, linkDownSinceSeconds: number | null): TopologySnapshot =>
      snapshot([nodeState(MASTER, { offset: 5000 }), nodeState(REPLICA, { role: 'replica', master: MASTER, linkStatus: 'down', linkDownSinceSeconds, depth: 1, offset: 0 })], { takenAt });
    let current = down(T, null);
    const metrics = metricsOf(() => state(current));
    const read = [];
    for (const [after, reported] of [[0, null], [15_000, null], [16_000, 0], [17_000, null], [18_000, 1], [60_000, 120], [60_999, null]] as const) {
      current = down(T + after, reported);
      metrics.observe('orders', { snapshot: current, events: [] });
      read.push(samples(await metrics.render()).get(`replication_console_replica_link_down_seconds{topology="orders",node="${REPLICA}",master="${MASTER}"}`));
    }
    // Redis's own figure counts where it is longer (a link down before this console watched), and
    // still once it says -1 again: 120.999, not back to 60.999 from the console's first read.
    expect(read).toEqual([0, 15, 16, 17, 18, 120, 120.999]);
  });

  it('counts resyncs from the first tick on, and only up: across a master restart too', async () => {
    let current = topology();
    const metrics = metricsOf(() => state(current));
    const tick = (snap: TopologySnapshot, events: TickUpdate['events'] = []): void => metrics.observe('orders', { snapshot: snap, events });
    const master = (overrides: Partial<NodeState>): TopologySnapshot => ({ ...current, nodes: current.nodes.map((n) => (n.address === MASTER ? { ...n, ...overrides } : n)) });
    const counters = async (): Promise<[number | undefined, number | undefined, number | undefined]> => {
      const s = samples(await metrics.render());
      return [
        s.get(`replication_console_full_resyncs_total{topology="orders",node="${MASTER}"}`),
        s.get(`replication_console_partial_resyncs_total{topology="orders",node="${MASTER}"}`),
        s.get(`replication_console_replica_full_resyncs_total{topology="orders",node="${REPLICA}"}`),
      ];
    };
    // What the master served before the console watched it is not counted.
    tick(current);
    expect(await counters()).toEqual([0, 0, 0]);
    current = master({ stats: { syncFull: 5, syncPartialOk: 2, syncPartialErr: 0 } });
    tick(current, [
      { id: 1, at: 1, node: REPLICA, kind: 'link-down', message: 'w' },
      { id: 2, at: 1, node: REPLICA, kind: 'full-resync', message: 'x', peer: MASTER },
      { id: 3, at: 1, node: MASTER, kind: 'partial-resync', message: 'y' },
    ]);
    // The replica's sync started: its master served it, its data is not replaced yet (it may never be).
    expect(await counters()).toEqual([2, 1, 0]);
    // Its "was replaced" once finished: now it was, once; the link drop is counted.
    tick(current, [{ id: 4, at: 2, node: REPLICA, kind: 'full-resync', message: 'z', peer: MASTER, completes: true, replaced: true }]);
    expect(await counters()).toEqual([2, 1, 1]);
    // A resync over between two polls is said replaced at once: one more.
    tick(current, [{ id: 5, at: 3, node: REPLICA, kind: 'full-resync', message: 'v', peer: MASTER, replaced: true }]);
    expect(await counters()).toEqual([2, 1, 2]);
    expect(samples(await metrics.render()).get(`replication_console_replica_link_drops_total{topology="orders",node="${REPLICA}"}`)).toBe(1);
    // Restarted (a new run_id, counters from 0): its new counts are added, never subtracted.
    current = master({ runId: 'after-restart', stats: { syncFull: 1, syncPartialOk: 0, syncPartialErr: 0 } });
    tick(current);
    expect(await counters()).toEqual([3, 1, 2]);
    // Unreachable for a while: the counter stays as it was.
    tick(master({ reachable: false, stats: null }));
    expect(await counters()).toEqual([3, 1, 2]);
  });

  it("keeps a replica's counters across a promotion and from a master's first poll (no series that begins above 0), and starts them again for a node that left", async () => {
    let current = topology();
    const metrics = metricsOf(() => state(current));
    const replicaFull = async (node: string): Promise<number | undefined> =>
      samples(await metrics.render()).get(`replication_console_replica_full_resyncs_total{topology="orders",node="${node}"}`);
    const drops = async (node: string): Promise<number | undefined> =>
      samples(await metrics.render()).get(`replication_console_replica_link_drops_total{topology="orders",node="${node}"}`);
    const tick = (events: TickUpdate['events'] = []): void => metrics.observe('orders', { snapshot: current, events });
    const withNode = (address: string, overrides: Partial<NodeState>): TopologySnapshot => ({ ...current, nodes: current.nodes.map((n) => (n.address === address ? { ...n, ...overrides } : n)) });
    tick();
    // The master has its 0 before it ever is a replica: when it rejoins as one (an old master
    // restarted under the promoted replica), its first full resync is a 0 → 1 Prometheus sees.
    expect(await replicaFull(MASTER)).toBe(0);
    expect(await drops(MASTER)).toBe(0);
    tick([
      { id: 1, at: 1, node: REPLICA, kind: 'link-down', message: 'w' },
      { id: 2, at: 1, node: REPLICA, kind: 'full-resync', message: 'x', peer: MASTER, replaced: true },
    ]);
    expect(await replicaFull(REPLICA)).toBe(1);
    // Promoted: its series goes on (it ended, and came back at 1 when it was a replica again).
    current = withNode(REPLICA, { role: 'master', master: null, linkStatus: null });
    tick();
    expect(await replicaFull(REPLICA)).toBe(1);
    expect(await drops(REPLICA)).toBe(1);
    // It leaves the topology (forgotten): no series; back, a new series from 0, not its old count.
    const without = current;
    current = { ...without, nodes: without.nodes.filter((n) => n.address !== REPLICA) };
    tick();
    expect(await replicaFull(REPLICA)).toBeUndefined();
    current = without;
    tick();
    expect(await replicaFull(REPLICA)).toBe(0);
    expect(await drops(REPLICA)).toBe(0);
  });

  it("passes promtool check metrics, Prometheus's own linter, process metrics included", async () => {
    const metrics = new ServeMetrics({ version: '1.0.0', topologies: () => [{ id: 'orders', up: true, connectFailures: 0, snapshot: topology(), alerts: ALERTS }] });
    const text = await metrics.render();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    // promtool exits 0 and prints nothing for a clean exposition; it lists each problem otherwise.
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(out).toBe('');
  });
});
