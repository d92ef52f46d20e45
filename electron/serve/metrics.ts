// serve's /metrics: every topology's latest snapshot as Prometheus metrics, built when scraped
// (not per tick) through prom-client. Names follow Prometheus's conventions: the unit in the
// name, _total on counters, _info for labels of value 1. A node with no value for a metric gets
// no sample rather than 0 (a lag unknown is not a lag of 0). A node the console cannot read now
// (unreachable, stale) has no current value either: only that it is down or stale, and when it
// was last read. Its last readings are not exported as if they were new, as the engine's alerts
// give such a node that alert and no other (a dead replica's lag, still growing, paged a lag
// alert next to the one saying it was down). Labels are topology ids, node addresses, roles,
// versions, warning codes and rule names: never a credential.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AlertsView, NodeState, TickUpdate, TopologySnapshot } from '../shared/types';
import { ALERT_RULES } from '../shared/types';
import { linkDownFor, reportedDownAt } from '../engine/alerts';

export const METRIC_PREFIX = 'replication_console_';

/** What the metrics read of one topology at scrape time. */
export interface TopologyMetricsState {
  id: string;
  /** Connected (the engine watches it) or still retrying its first connect. */
  up: boolean;
  /** Failed connect attempts since the start. */
  connectFailures: number;
  snapshot: TopologySnapshot | null;
  alerts: AlertsView | null;
}

export interface ServeMetricsOptions {
  /** The topologies as they are now (called once per scrape). */
  topologies: () => TopologyMetricsState[];
  /** The service's version, for replication_console_build_info. */
  version: string;
  /** process_* and nodejs_* (CPU, memory, event loop) of the serve process itself; default true. */
  processMetrics?: boolean;
}

type Labels = Record<string, string>;
type Emit = (labels: Labels, value: number) => void;

/** A master or a replica (not a Sentinel, not a node never read). */
function isDataNode(node: NodeState): boolean {
  return node.role === 'master' || node.role === 'replica';
}

/** Resync counts that only go up while the process runs, kept per topology and node. */
class ResyncCounts {
  /** Per "topology node": the last sync_full / sync_partial_ok read, and the totals so far. */
  readonly served = new Map<string, { runId: string | null; full: number; partial: number; fullTotal: number; partialTotal: number }>();
  /** Per "topology node": full resyncs that replaced that replica's data (finished), as the engine's events say. */
  readonly replicaFull = new Map<string, number>();
  /** Per "topology node": times a replica's link to its master went down, as the engine's events say. */
  readonly linkDrops = new Map<string, number>();

  observe(topology: string, { snapshot, events }: TickUpdate): void {
    for (const node of snapshot.nodes) {
      if (!node.stats || !node.reachable) continue;
      const key = `${topology} ${node.address}`;
      const { syncFull, syncPartialOk } = node.stats;
      const before = this.served.get(key);
      if (!before) {
        // What the master served before we watched it is not ours to count: start from here.
        this.served.set(key, { runId: node.runId, full: syncFull, partial: syncPartialOk, fullTotal: 0, partialTotal: 0 });
        continue;
      }
      // A restart (new run_id, or counters that went down) starts its counters at 0 again.
      const restarted = before.runId !== node.runId || syncFull < before.full || syncPartialOk < before.partial;
      const full = restarted ? syncFull : syncFull - before.full;
      let partial = restarted ? syncPartialOk : syncPartialOk - before.partial;
      // Valkey 8's dual-channel full sync also counts a partial one (as the engine's events say).
      if (node.version?.startsWith('valkey')) partial = Math.max(0, partial - full);
      before.fullTotal += full;
      before.partialTotal += partial;
      before.runId = node.runId;
      before.full = syncFull;
      before.partial = syncPartialOk;
    }
    for (const event of events) {
      // Counted when the replica's data was replaced: its sync finished, its link up. A sync seen
      // starting is not one yet, and one that never finishes (a replica that cannot write the RDB
      // retries for ever) is SYNC_FAILING and sync_attempts, not a resync a replica went through.
      if (event.kind === 'full-resync' && event.replaced === true) {
        const key = `${topology} ${event.node}`;
        this.replicaFull.set(key, (this.replicaFull.get(key) ?? 0) + 1);
      }
      if (event.kind === 'link-down') {
        const key = `${topology} ${event.node}`;
        this.linkDrops.set(key, (this.linkDrops.get(key) ?? 0) + 1);
      }
    }
    // A node that left the topology (forgotten, or no longer remembered) has no series; back, it
    // starts again from 0, a new series. Kept, it came back with its old count, as if it had just
    // gone through that many resyncs (a series that appears above 0 is a resync to the alerting
    // rule), and every address ever seen stayed in these maps.
    const present = new Set(snapshot.nodes.map((node) => `${topology} ${node.address}`));
    for (const counts of [this.served, this.replicaFull, this.linkDrops]) {
      for (const key of counts.keys()) if (key.startsWith(`${topology} `) && !present.has(key)) counts.delete(key);
    }
  }
}

/**
 * When the console first read each replica's link down, by topology and node (gone once it reads
 * up, or the node is not read): how long a link has been down, with linkDownFor. A link
 * never up since the replica started reports master_link_down_since_seconds -1 (a replica
 * restarted while it cannot sync: a wrong masterauth, its master unreachable), so such a replica
 * had no replica_link_down_seconds at all, and the alerting rule on it never fired. Redis's
 * figure alone also restarts at each failed handshake (-1, then 0 s): the sample dropped below the
 * rule's threshold for a scrape, and Alertmanager resolved the page and sent it again.
 */
class LinkDownSince {
  /** By topology, then node address. */
  readonly #since = new Map<string, Map<string, number>>();

  observe(topology: string, snapshot: TopologySnapshot): void {
    const before = this.#since.get(topology);
    const now = new Map<string, number>();
    for (const node of snapshot.nodes) {
      if (node.role !== 'replica' || !node.reachable || node.stale || node.linkStatus !== 'down') continue;
      // Or since Redis said it went down, where earlier, and the earliest kept (as the alert book does):
      // Redis's 1 s, then -1 a tick 999 ms later, read 1 then 0.999.
      now.set(node.address, Math.min(before?.get(node.address) ?? snapshot.takenAt, reportedDownAt(node, snapshot.takenAt) ?? snapshot.takenAt));
    }
    this.#since.set(topology, now);
  }

  /** Seconds the link of `node` has been down (linkDownFor: since the console first read it down, or as Redis says where longer); null while up. */
  seconds(topology: string, node: NodeState, snapshot: TopologySnapshot): number | null {
    if (node.linkStatus !== 'down') return null;
    const reported = node.linkDownSinceSeconds !== null && node.linkDownSinceSeconds >= 0 ? node.linkDownSinceSeconds : null;
    const since = this.#since.get(topology)?.get(node.address);
    return since === undefined ? reported : linkDownFor(reported, Math.max(0, snapshot.takenAt - since) / 1000);
  }
}

export class ServeMetrics {
  readonly registry = new Registry();
  readonly #options: ServeMetricsOptions;
  readonly #resyncs = new ResyncCounts();
  readonly #linkDown = new LinkDownSince();
  /** The topologies read once at the start of a scrape, so every metric of it sees the same state. */
  #current: TopologyMetricsState[] = [];

  constructor(options: ServeMetricsOptions) {
    this.#options = options;
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters (promtool check metrics refuses them), and of little use here.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    }
    this.#define();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every tick of every topology (the hub's onTick): only the resync counters are kept per tick. */
  observe(topology: string, update: TickUpdate): void {
    this.#resyncs.observe(topology, update);
    this.#linkDown.observe(topology, update.snapshot);
  }

  /** The exposition text of a scrape. */
  async render(): Promise<string> {
    this.#current = this.#options.topologies();
    try {
      return await this.registry.metrics();
    } finally {
      this.#current = [];
    }
  }

  #gauge(name: string, help: string, labelNames: string[], produce: (emit: Emit) => void): void {
    new Gauge({
      name: METRIC_PREFIX + name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        produce((labels, value) => this.set(labels, value));
      },
    });
  }

  #counter(name: string, help: string, labelNames: string[], produce: (emit: Emit) => void): void {
    new Counter({
      name: METRIC_PREFIX + name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        produce((labels, value) => this.inc(labels, value));
      },
    });
  }

  /** Each node of each connected topology (Sentinels included only where asked). */
  #nodes(emit: (topology: string, node: NodeState, snapshot: TopologySnapshot) => void, { sentinels = false } = {}): void {
    for (const t of this.#current) {
      if (!t.snapshot) continue;
      for (const node of t.snapshot.nodes) {
        if (!sentinels && node.role === 'sentinel') continue;
        emit(t.id, node, t.snapshot);
      }
    }
  }

  /**
   * A gauge of each data node read now (reachable, not stale) with a value. `withMaster`: labelled
   * with the replica's master too. `ofLastRead`: the figure is about the node's last read itself
   * (when, how long), so it stands for a node down or stale too, Sentinels included.
   */
  #nodeGauge(
    name: string,
    help: string,
    value: (node: NodeState, topology: string, snapshot: TopologySnapshot) => number | boolean | null | undefined,
    { withMaster = false, ofLastRead = false } = {},
  ): void {
    this.#gauge(name, help, withMaster ? ['topology', 'node', 'master'] : ['topology', 'node'], (emit) =>
      this.#nodes(
        (topology, node, snapshot) => {
          if (!ofLastRead && (!node.reachable || node.stale)) return;
          const v = value(node, topology, snapshot);
          if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return;
          emit({ topology, node: node.address, ...(withMaster ? { master: node.master ?? '' } : {}) }, typeof v === 'boolean' ? Number(v) : v);
        },
        { sentinels: ofLastRead },
      ),
    );
  }

  #define(): void {
    const version = this.#options.version;
    this.#gauge('build_info', 'The version of Replication Console serving these metrics.', ['version'], (emit) => emit({ version }, 1));

    // The topologies.
    this.#gauge('topology_up', '1 while the console watches the topology, 0 while it retries its first connect.', ['topology'], (emit) => {
      for (const t of this.#current) emit({ topology: t.id }, t.up ? 1 : 0);
    });
    this.#counter('topology_connect_failures_total', 'Failed attempts to connect to the topology (retried with backoff).', ['topology'], (emit) => {
      for (const t of this.#current) emit({ topology: t.id }, t.connectFailures);
    });
    this.#gauge('topology_nodes', 'Nodes the console knows in the topology (Sentinels included).', ['topology'], (emit) => {
      for (const t of this.#current) if (t.snapshot) emit({ topology: t.id }, t.snapshot.nodes.length);
    });
    this.#gauge('warnings', "The topology's warnings, by code (a code with none has no sample).", ['topology', 'code'], (emit) => {
      for (const t of this.#current) {
        const counts = new Map<string, number>();
        for (const w of t.snapshot?.warnings ?? []) counts.set(w.code, (counts.get(w.code) ?? 0) + 1);
        for (const [code, count] of counts) emit({ topology: t.id, code }, count);
      }
    });
    this.#gauge(
      'alerts_firing',
      "The console's own alerts firing now (acknowledged ones too, muted ones not), by rule (0 for a rule that does not fire).",
      ['topology', 'rule'],
      (emit) => {
        for (const t of this.#current) {
          // Every rule has a sample once the alerts are evaluated, 0 when it does not fire: sum() and
          // a dashboard then read 0 rather than "no data" on a quiet topology.
          if (!t.alerts) continue;
          const counts = new Map<string, number>(ALERT_RULES.map((rule) => [rule, 0]));
          for (const a of t.alerts.alerts) if (a.state !== 'resolved' && !a.muted) counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
          for (const [rule, count] of counts) emit({ topology: t.id, rule }, count);
        }
      },
    );

    this.#gauge(
      'node_alert_firing',
      "1 while the console's alert of this rule fires on this node (acknowledged too, muted not). The console's verdict: no LINK_DOWN below a node that is down, no UNREACHABLE for an address never reached. The alerting rules require it.",
      ['topology', 'node', 'rule'],
      (emit) => {
        for (const t of this.#current) {
          for (const a of t.alerts?.alerts ?? []) if (a.node !== null && a.state !== 'resolved' && !a.muted) emit({ topology: t.id, node: a.node, rule: a.rule }, 1);
        }
      },
    );

    // Every node.
    this.#gauge('node_info', "A node's role and version (value 1).", ['topology', 'node', 'role', 'version'], (emit) =>
      this.#nodes((topology, node) => emit({ topology, node: node.address, role: node.role, version: node.version ?? '' }, 1), { sentinels: true }),
    );
    this.#gauge('node_reachable', '1 when the console reaches the node, 0 when it does not.', ['topology', 'node'], (emit) =>
      this.#nodes((topology, node) => emit({ topology, node: node.address }, node.reachable ? 1 : 0), { sentinels: true }),
    );
    const lastRead = { ofLastRead: true };
    this.#nodeGauge('node_stale', '1 when the node is reachable but not read for 3 poll intervals or more.', (n) => (n.reachable ? n.stale : null), lastRead);
    this.#nodeGauge('node_offset_bytes', "The node's replication offset (master_repl_offset, or slave_repl_offset on a replica).", (n) => n.offset);
    this.#nodeGauge('node_poll_duration_seconds', "How long the node's last poll took.", (n) => (n.latencyMs === null ? null : n.latencyMs / 1000), lastRead);
    this.#nodeGauge('node_last_poll_timestamp_seconds', 'When the node was last read (Unix time).', (n) => (n.polledAt === null ? null : n.polledAt / 1000), lastRead);
    this.#nodeGauge('node_depth', 'Hops from the root master (0 for a master).', (n) => n.depth);
    // A replica's backlog window is its master's (what it can be away for): exported per replica, a
    // dashboard drew each master's figure once per replica.
    this.#nodeGauge('backlog_seconds', "Seconds of writes a master's replication backlog holds at the current write rate.", (n) =>
      n.role === 'master' ? n.backlogWindow?.coversSeconds : null,
    );
    this.#nodeGauge('backlog_size_bytes', 'repl-backlog-size of the node, while its backlog is active.', (n) => (n.backlog?.active ? n.backlog.size : null));
    this.#nodeGauge('write_bytes_per_second', "How fast the node's master offset grows (its own master's, for a replica).", (n) => n.backlogWindow?.writeBytesPerSecond);

    // Replicas, to their master and to the root.
    const toMaster = { withMaster: true };
    this.#nodeGauge('link_up', "1 when a replica's link to its master is up, 0 when down.", (n) => (n.linkStatus === null ? null : n.linkStatus === 'up'), toMaster);
    this.#nodeGauge('replica_lag_bytes', 'Bytes a replica is behind its direct master (offsets read time-aligned).', (n) => n.lag?.bytesBehindMaster, toMaster);
    this.#nodeGauge(
      'replica_lag_seconds',
      "Seconds a replica is behind its direct master (from the master's offset history); only a lower bound where replica_lag_is_lower_bound is 1.",
      (n) => n.lag?.secondsBehind,
      toMaster,
    );
    // Beside each lag in seconds: 1 when the replica is older than all of its master's history the console holds (the figure is that history's age).
    this.#nodeGauge('replica_lag_is_lower_bound', '1 when replica_lag_seconds is only a lower bound (the replica is older than the master history the console holds), else 0.', (n) => (n.lag?.secondsBehind == null ? null : n.lag.secondsBehindIsLowerBound), toMaster);
    this.#nodeGauge('replica_root_lag_bytes', 'Bytes a replica is behind the root master of its replication history.', (n) => n.lag?.bytesBehindRoot);
    this.#nodeGauge('replica_root_lag_seconds', 'Seconds a replica is behind the root master of its replication history; only a lower bound where replica_root_lag_is_lower_bound is 1.', (n) => n.lag?.secondsBehindRoot);
    this.#nodeGauge('replica_root_lag_is_lower_bound', '1 when replica_root_lag_seconds is only a lower bound (the replica is older than the root history the console holds), else 0.', (n) => (n.lag?.secondsBehindRoot == null ? null : n.lag.secondsBehindRootIsLowerBound));
    this.#nodeGauge(
      'replica_link_down_seconds',
      "How long a replica's link to its master has been down: since the console first read it down, or as Redis says (master_link_down_since_seconds) where longer; Redis's figure alone restarts at each failed handshake.",
      (n, topology, snapshot) => this.#linkDown.seconds(topology, n, snapshot),
      toMaster,
    );
    this.#nodeGauge('replica_backlog_margin_seconds', 'How long a replica could be away from now before its resync is a full one.', (n) => n.backlogWindow?.awaySeconds);
    this.#nodeGauge('sync_in_progress', '1 while a replica loads a full sync from its master, else 0.', (n) => (n.role === 'replica' ? n.sync !== null : null));
    this.#nodeGauge('sync_attempts', 'Full syncs a replica started in the last 2 minutes since its link was last up (3 or more: failing).', (n) => (n.role === 'replica' ? n.syncAttempts : null));

    // Resyncs: counters that only go up while serve runs.
    this.#counter('full_resyncs_total', 'Full resyncs the node started serving to its replicas (from its sync_full, counted while the console watches): a sync that failed and was retried counts at each attempt, and so does one for a sync client that announced no port (redis-cli --rdb, a backup tool).', ['topology', 'node'], (emit) =>
      this.#nodes((topology, node) => {
        const served = this.#resyncs.served.get(`${topology} ${node.address}`);
        if (served) emit({ topology, node: node.address }, served.fullTotal);
      }),
    );
    this.#counter('partial_resyncs_total', 'Partial resyncs the node served to its replicas (from its sync_partial_ok).', ['topology', 'node'], (emit) =>
      this.#nodes((topology, node) => {
        const served = this.#resyncs.served.get(`${topology} ${node.address}`);
        if (served) emit({ topology, node: node.address }, served.partialTotal);
      }),
    );
    // A replica's counters are exported for every data node read, masters too (0, or what the node
    // went through while it was a replica): exported for replicas alone, a promoted replica's series
    // ended, and a master rejoining as a replica (an old master restarted, a new node attached) began
    // its series at its first full resync, already 1 when Prometheus first scraped it (the new
    // replica's 0 was there for one poll, the old master's for 5 s): increase() saw no resync.
    this.#counter('replica_full_resyncs_total', "Full resyncs that replaced a node's data as a replica, counted when the sync finished (its link up on the new data); a sync that started and never finished is not one (see sync_attempts). Every master and replica has one (a master's: while it was a replica).", ['topology', 'node'], (emit) =>
      this.#nodes((topology, node) => {
        const count = this.#resyncs.replicaFull.get(`${topology} ${node.address}`);
        if (count !== undefined || isDataNode(node)) emit({ topology, node: node.address }, count ?? 0);
      }),
    );

    this.#counter('replica_link_drops_total', "Times a replica's link to its master went down, as the console saw them (a full resync after a drop it did not see says it). Every master and replica has one (a master's: while it was a replica).", ['topology', 'node'], (emit) =>
      this.#nodes((topology, node) => {
        const count = this.#resyncs.linkDrops.get(`${topology} ${node.address}`);
        if (count !== undefined || isDataNode(node)) emit({ topology, node: node.address }, count ?? 0);
      }),
    );

    // Load, next to lag (read every few polls; absent until read).
    this.#nodeGauge('node_ops_per_second', 'Commands per second the node processes (instantaneous_ops_per_sec).', (n) => n.load?.opsPerSecond);
    this.#nodeGauge('node_network_input_bytes_per_second', 'Network input of the node (instantaneous_input_kbps).', (n) => n.load?.netInputBytesPerSecond);
    this.#nodeGauge('node_network_output_bytes_per_second', 'Network output of the node (instantaneous_output_kbps).', (n) => n.load?.netOutputBytesPerSecond);
    this.#nodeGauge('node_memory_used_bytes', 'Memory the node uses (used_memory).', (n) => n.load?.usedMemoryBytes);
    this.#nodeGauge('node_memory_max_bytes', "The node's maxmemory (no sample when unlimited).", (n) => n.load?.maxMemoryBytes);
    this.#nodeGauge('node_connected_clients', 'Clients connected to the node.', (n) => n.load?.connectedClients);
    this.#nodeGauge('node_rdb_save_in_progress', '1 while the node writes an RDB snapshot.', (n) => n.load?.persistence?.rdbSaveInProgress);
    this.#nodeGauge('node_aof_rewrite_in_progress', '1 while the node rewrites its AOF.', (n) => n.load?.persistence?.aofRewriteInProgress);
    this.#nodeGauge('node_last_save_ok', "1 when the node's last RDB save succeeded, 0 when it failed.", (n) => {
      const status = n.load?.persistence?.lastSaveStatus;
      return status === 'ok' ? 1 : status === 'err' ? 0 : null;
    });
    this.#nodeGauge('node_last_save_timestamp_seconds', "When the node's last RDB save finished (Unix time).", (n) => {
      const at = n.load?.persistence?.lastSaveAt;
      return at === null || at === undefined ? null : at / 1000;
    });
  }
}
