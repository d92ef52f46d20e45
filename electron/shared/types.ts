// The one contract shared by the engine, the CLI, the Electron main process, the preload,
// the web mode and the renderer. Everything here is plain data: it crosses IPC and
// WebSockets as JSON, so no class instances, no functions, no Maps.

/** "host:port", exactly as a user would type it to reach the node. */
export type Address = string;

export type NodeRole = 'master' | 'replica' | 'sentinel' | 'unknown';

/** Every error code, one meaning each: the UI, the CLI's exit codes and the tests branch on these. Messages never contain credentials. */
export const ERROR_CODES = [
  'AUTH_FAILED', // wrong password / user, or NOAUTH
  'NOPERM', // ACL user lacks a needed command, or the server renamed or disabled it (INFO)
  'UNREACHABLE', // refused, no route, DNS failure, connection reset
  'TIMEOUT', // connected (or not) but no answer in time: stalled process, firewall
  'NOT_REDIS', // something answered, but not the Redis protocol
  'SENTINEL', // a Sentinel where a data node was expected
  'CLUSTER_MODE', // a Redis Cluster node: not managed by REPLICAOF
  'LOADING', // the node is loading its dataset
  'MAX_CLIENTS', // the node is up but refuses new connections: maxclients reached (its replicas and clients already connected go on)
  'PROTECTED_MODE', // the node is up but refuses connections from other hosts: protected mode, no password set
  'BAD_ARGUMENT', // invalid input from a caller
  'NOT_CONNECTED', // an API call that needs a session before connect()
  'TLS', // TLS handshake or certificate failure, or TLS on one side only (plain client, TLS port or the reverse)
  'SSH', // the SSH tunnel could not be opened (bastion unreachable, SSH authentication, forwarding refused)
  'HOST_KEY_UNKNOWN', // the SSH host is not in known_hosts: the message carries its "SHA256:…" fingerprint to confirm
  'HOST_KEY_CHANGED', // the SSH host key differs from known_hosts: refused, as OpenSSH does
  'HOST_KEY_REVOKED', // the SSH host key is marked @revoked in known_hosts: refused, as OpenSSH does
  'UNTRUSTED_HOST', // a discovered node outside the trusted hosts: it is not sent the credentials
  'READ_ONLY', // an action on a read-only connection: refused by the service
  'PLAN_EXPIRED', // execute of a plan id that is unknown, already run, or older than its time to live: plan again
  'PLAN_STALE', // the nodes changed since the plan was shown: the steps would differ, so nothing ran; plan again
  'BUSY', // another plan of this topology is running: wait for it or abort it
  'NEEDS_OVERRIDE', // a check refuses the plan unless the caller overrides it (details.overrides names the codes)
  'NEEDS_CONFIRMATION', // a destructive step needs the target's address typed back (details.confirm names it)
  'PLAN_REFUSED', // a check that cannot be overridden refuses the plan now (details.checks names them), or it has nothing to run
  'STOPPING', // the console (or this topology's tab) is shutting down or disconnecting: the plan was not started
  'JOURNAL_UNWRITABLE', // the plan journal could not be written before the first command, so the plan was not started
  'FORBIDDEN', // an IPC call that did not come from the console's own page (the web mode refuses a bad token or Origin with HTTP 403 before any call)
  'INTERNAL', // a bug of ours; the message says so without a stack
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes of a Redis server that is up and serving, but refuses this console (its password, its
 * ACL, its TLS, its client limit, its protected mode): not down, whatever the console cannot read.
 */
export const REFUSES_CONSOLE_CODES: ReadonlySet<string> = new Set<ErrorCode>(['AUTH_FAILED', 'NOPERM', 'TLS', 'MAX_CLIENTS', 'PROTECTED_MODE']);

/** A node's error says it is up and refuses the console (REFUSES_CONSOLE_CODES): not down. */
export function refusesConsole<E extends { code: string }>(error: E | null | undefined): error is E {
  return error != null && REFUSES_CONSOLE_CODES.has(error.code);
}

/** What else is known about an error, in fields rather than words inside the message. */
export interface ErrorDetails {
  /**
   * True only when it is known that no command that changes anything was sent to any node (a
   * refused plan, a bad argument); false when some were sent; absent when it is not known (a
   * lost connection to the console mid-call).
   */
  nothingSent?: boolean;
  /** NEEDS_OVERRIDE: the check codes to override. */
  overrides?: string[];
  /** NEEDS_CONFIRMATION: the address to type back. */
  confirm?: string;
  /** PLAN_REFUSED: the codes of the checks that refuse the plan (empty: nothing to run). */
  checks?: string[];
  /** BUSY: the plan that is running. */
  runningPlanId?: string;
  /** BUSY: that plan runs in another process (the CLI, another app): it can be stopped only there, not aborted from here. */
  elsewhere?: boolean;
  /** The node the error is about. */
  node?: Address;
}

export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export type LinkStatus = 'up' | 'down';

/**
 * A replica ACKs its master once a second. One whose master has heard nothing from it for longer
 * than this is not replicating, whatever "online" says (the master keeps listing it until
 * repl-timeout, 60 s by default): the console judges the link of a replica it cannot read by it.
 */
export const ACK_SILENT_SECONDS = 3;

/** One `slaveN:` line of a master's INFO replication (merged when Valkey lists one replica twice). */
export interface ListedReplica {
  /** The address the master lists (announce-ip/port, else the socket peer), as "ip:port". */
  address: Address;
  state: string; // wait_bgsave | send_bulk | online | bg_transfer | …
  /** Last offset the replica ACKed (0 before the first ACK). */
  ackOffset: number;
  /** Seconds since the last ACK: a liveness signal, not replication delay. */
  ackAgeSeconds: number;
}

/**
 * A `slaveN` line with port 0: a connection that took the replication stream without announcing
 * a listening port. `redis-cli --rdb` and `--replica`, backup and migration tools do; so would a
 * replica listening on no TCP port. No node the console can read: its full sync forks the master
 * but replaces no replica's data.
 */
/** What a sync client usually is, as the event log, the tree and the card's title say it. */
export const SYNC_CLIENT_KINDS = 'redis-cli --rdb or --replica, a backup or migration tool';

export interface SyncClient {
  ip: string;
  state: string;
  /** Last offset it ACKed (0 before the first ACK, or for a tool that never ACKs). */
  ackOffset: number;
  ackAgeSeconds: number;
}

/** The replication backlog a node keeps: partial resyncs are possible inside its window. */
export interface ReplicationBacklog {
  active: boolean;
  size: number;
  firstByteOffset: number;
  histlen: number;
}

export interface SyncProgress {
  totalBytes: number | null;
  readBytes: number | null;
  /** 0–100, or null when the total is unknown (diskless sync). */
  percent: number | null;
  lastIoSecondsAgo: number | null;
}

export interface ReplicaLag {
  /** Direct master's offset − this node's offset, time-aligned; null when not comparable. */
  bytesBehindMaster: number | null;
  /** Root master's offset − this node's offset, only inside one replication history. */
  bytesBehindRoot: number | null;
  /** Seconds behind the root master (from the root's offset history), only inside one replication history. */
  secondsBehindRoot: number | null;
  /** secondsBehindRoot is only a lower bound ("at least"): the node is older than all of the root's history the console holds. */
  secondsBehindRootIsLowerBound: boolean;
  /**
   * The nearest node above this one that is stalled (not read for 2 poll intervals) or unreachable:
   * this node is behind because of it, whatever its own link says (STALLED_UPSTREAM). Null when the chain is read.
   */
  behindBecauseOf: Address | null;
  /**
   * This node is in a replication cycle (replicating from itself included): no node of it is a
   * source, so no lag is told (every bytes and seconds figure is null) and none closes until the
   * cycle is broken; the CYCLE warning compares their offsets. Below a cycle, only the lag to the
   * direct master is told (there is no root).
   */
  inCycle: boolean;
  /** slave_read_repl_offset − slave_repl_offset (6.2+), else null. */
  unappliedBytes: number | null;
  /** now − when the direct master had this node's offset (from the master's history). */
  secondsBehind: number | null;
  /**
   * secondsBehind is only a lower bound ("at least"): this node's offset is older than all of its
   * master's offset history the console holds (it started, or the replid changed, since), so the
   * figure is that history's age and the real lag that or more. False when secondsBehind is null.
   */
  secondsBehindIsLowerBound: boolean;
  /** Seconds since this replica last ACKed, as its master lists it. */
  lastAckSecondsAgo: number | null;
  /** master_last_io_seconds_ago (−1 from Redis is reported as null). */
  lastMasterIoSecondsAgo: number | null;
  /**
   * 'offsets': both nodes were read and compared time-aligned. 'ack': the replica could not
   * be read just now (stalled, gone), so the master's current offset is compared with the most
   * the replica is known to have: its last ACK to the master or its own last reading. A lower bound.
   */
  basis: 'offsets' | 'ack';
}

/** Settings that decide replication risks; each null when the server refused to say (NOPERM) or has none. */
export interface ReplicationSettings {
  /** CONFIG GET save: "" means no RDB snapshots. */
  save: string | null;
  /** aof_enabled from INFO persistence. */
  aofEnabled: boolean | null;
  replBacklogSize: number | null;
  replTimeout: number | null;
  /** The replica class of client-output-buffer-limit: "hard soft seconds". */
  clientOutputBufferLimitReplica: string | null;
  minReplicasToWrite: number | null;
  minReplicasMaxLag: number | null;
  replDisklessSync: boolean | null;
  replDisklessLoad: string | null;
  /** stop-writes-on-bgsave-error: with RDB saves on, a failed save makes a master refuse every write (MISCONF). */
  stopWritesOnBgsaveError: boolean | null;
  /** replica-ignore-disk-write-errors (7.0+): no, and a replica that cannot save stops at its master's next write. */
  replicaIgnoreDiskWriteErrors: boolean | null;
  /**
   * rdb_last_load_keys_loaded (Redis and Valkey 7.0+): the keys the process last loaded from an
   * RDB, at start (a dump.rdb on disk) or in a full sync; null where not reported.
   */
  loadedKeys: number | null;
  /** loading:1 when read: still loading its dataset at start, so loadedKeys is not its final count yet. */
  loading: boolean | null;
}

export interface BacklogWindow {
  /** Bytes per second the master's offset grew over the last few seconds (its own master's, for a replica). */
  writeBytesPerSecond: number | null;
  /** Seconds of writes the master's backlog holds at that rate; null while nothing is written. */
  coversSeconds: number | null;
  /** A replica: seconds it could be away from now before its resync is a full one; null while nothing is written. */
  awaySeconds: number | null;
}

export interface NodeState {
  /** The canonical address (first address it was reached by). */
  address: Address;
  /** Other addresses that led to the same run_id. */
  aliases: Address[];
  reachable: boolean;
  error: ApiError | null;
  role: NodeRole;
  runId: string | null;
  /** "redis 7.0.15" / "valkey 8.0.1" */
  version: string | null;
  uptimeSeconds: number | null;
  /** Address of the master this node replicates from, resolved to a known node when possible. */
  master: Address | null;
  /**
   * A reachable replica: master_host:master_port as it reports them, the address it dials (what
   * REPLICAOF was given), before `master` resolves it to a known node. Null otherwise.
   */
  masterAsReported: Address | null;
  linkStatus: LinkStatus | null;
  /** master_link_down_since_seconds when the link is down. */
  linkDownSinceSeconds: number | null;
  sync: SyncProgress | null;
  /** master_repl_offset for a master, slave_repl_offset for a replica. */
  offset: number | null;
  replid: string | null;
  replid2: string | null;
  secondReplOffset: number | null;
  backlog: ReplicationBacklog | null;
  replicas: ListedReplica[];
  /** The sync clients the master lists (lines with port 0): never nodes of the topology. */
  syncClients: SyncClient[];
  /** connected_slaves: how many replicas the master says are connected (more than `replicas` lists when its list was cut); null when not reachable. */
  connectedReplicas: number | null;
  /** replica-priority (0 = never promote); null on masters that don't report it. */
  priority: number | null;
  readOnly: boolean | null;
  failoverState: string | null;
  stats: { syncFull: number; syncPartialOk: number; syncPartialErr: number } | null;
  lag: ReplicaLag | null;
  /** The replication settings read with CONFIG GET now and then; null until first read. */
  settings: ReplicationSettings | null;
  /** Full-sync transfers this replica started in the last 2 minutes (master_sync_in_progress going to 1): 3 or more without a finished sync is SYNC_FAILING. */
  syncAttempts: number;
  /** Backlog advisor: how long the backlog lasts at the current write rate, and how long a replica may be away. */
  backlogWindow: BacklogWindow | null;
  /** When the last successful poll finished (ms since epoch), and how long it took. */
  polledAt: number | null;
  /**
   * When it answered again after the console had read it unreachable in this session (ms since
   * epoch); null while it has answered every read. See answeringForSeconds.
   */
  answeringSince: number | null;
  /**
   * Reachable, but not read for 3 poll intervals or more (a poll scheduled but not answered,
   * a slow node, a busy console): what is shown is `now − polledAt` old. A state of its own,
   * not unreachable. The header says LIVE only while no node is stale.
   */
  stale: boolean;
  latencyMs: number | null;
  /** Hops from the root master (0 for a master), null when not attached to a known master. */
  depth: number | null;
  /** Sentinel only: the masters it monitors. */
  sentinelMasters: { name: string; status: string; address: string | null }[];
  /** Sentinel only: its view of each master it monitors (SENTINEL MASTER, CKQUORUM). Absent on data nodes. */
  sentinel?: SentinelView;
  /**
   * Known from topology memory and not reachable now: kept in the graph and dialled each poll,
   * until it answers again or the user forgets it (or it is not seen for 7 days).
   */
  remembered: boolean;
  /** When the console last read this node, in this session or an earlier one (ms since epoch); null if never. */
  lastSeenAt: number | null;
  /** Throughput, memory, clients and persistence next to lag (read every few polls); null until first read, and on Sentinels. */
  load: NodeLoad | null;
}

/**
 * A node's INFO replication as last read, every field verbatim. Asked for by the details panel of
 * the node it shows rather than carried by every tick for every node: it was a quarter of a tick.
 */
export interface RawReplication {
  /** The node's canonical address. */
  address: Address;
  /** When it was read (ms since epoch); null when it never was. */
  readAt: number | null;
  /** Null while the node does not answer. */
  fields: Record<string, string> | null;
}

/** What a node is doing besides replicating: INFO stats, memory, clients and persistence. */
export interface NodeLoad {
  /** When these figures were read (ms since epoch). */
  readAt: number;
  /** instantaneous_ops_per_sec. */
  opsPerSecond: number | null;
  /** instantaneous_input_kbps / output_kbps, in bytes per second. */
  netInputBytesPerSecond: number | null;
  netOutputBytesPerSecond: number | null;
  usedMemoryBytes: number | null;
  /** maxmemory; null when unlimited (0). */
  maxMemoryBytes: number | null;
  /** maxmemory_policy: what it does at maxmemory (noeviction: refuses writes that add data, OOM). */
  maxMemoryPolicy: string | null;
  /** mem_not_counted_for_evict: replica output buffers and the AOF buffer, left out of the maxmemory comparison. */
  memoryNotCountedBytes: number | null;
  /**
   * Keys with a TTL over every database (INFO keyspace's expires), read only under a volatile-*
   * policy, the one it decides: past maxmemory such a master evicts them, and refuses writes (OOM)
   * once none is left. Null when not read.
   */
  keysWithTtl: number | null;
  connectedClients: number | null;
  persistence: NodePersistence | null;
}

export interface NodePersistence {
  /** rdb_bgsave_in_progress. */
  rdbSaveInProgress: boolean;
  /** aof_rewrite_in_progress. */
  aofRewriteInProgress: boolean;
  /** rdb_last_bgsave_status: 'err' means the last RDB save failed. */
  lastSaveStatus: 'ok' | 'err' | null;
  /** rdb_last_save_time, in ms since epoch. */
  lastSaveAt: number | null;
  /** rdb_changes_since_last_save. */
  changesSinceLastSave: number | null;
  /** aof_last_write_status when AOF is on, else null. */
  aofLastWriteStatus: 'ok' | 'err' | null;
  /**
   * Loading its dataset (loading:1: at start, after a restart): how far (loading_loaded_perc) and
   * how long left (loading_eta_seconds); null when not loading. Replicas cannot sync meanwhile.
   */
  loading: { percent: number | null; etaSeconds: number | null } | null;
}

/** One master as a Sentinel sees it. */
export interface SentinelMasterView {
  name: string;
  /** Where the Sentinel says the master is (after address mapping), or null. */
  address: Address | null;
  /** SENTINEL MASTER's flags: master, s_down, o_down, failover_in_progress, … */
  flags: string[];
  quorum: number | null;
  /** SENTINEL CKQUORUM: whether the Sentinels can authorise a failover, and its reply. */
  ckquorum: { ok: boolean; message: string } | null;
  replicas: number | null;
  otherSentinels: number | null;
  configEpoch: number | null;
  failoverState: string | null;
  /** The Sentinel elected to lead the current failover (from +elected-leader / +vote-for-leader), or null. */
  leader: string | null;
}

export interface SentinelView {
  masters: SentinelMasterView[];
}

/** 'unknown': neither end was read now, so nothing current says how the link is. */
export type EdgeHealth = 'up' | 'lagging' | 'down' | 'syncing' | 'unknown';

export interface TopologyEdge {
  master: Address;
  replica: Address;
  health: EdgeHealth;
}

export type WarningCode =
  | 'CYCLE'
  | 'MULTIPLE_MASTERS'
  | 'UNKNOWN_MASTER'
  | 'NOT_POINTING_BACK'
  | 'UNREACHABLE'
  | 'ADDRESS_MISMATCH'
  | 'SENTINEL_SEED'
  | 'CLUSTER_MODE'
  /** More nodes than the per-topology cap: the rest are not dialled. */
  | 'TOO_MANY_NODES'
  /** Two nodes listed at one address (two replicas announcing the same address, a master listing itself). */
  | 'DUPLICATE_ADDRESS'
  /** An INFO reply or field over the size cap: cut, and flagged here. */
  | 'INFO_TRUNCATED'
  /** A master lists more replica lines than the console reads. */
  | 'REPLICA_LIST_TRUNCATED'
  /** A master's replica list changes every poll: addresses only seen there are dropped quickly. */
  | 'CHURNING_REPLICAS'
  /** A plan of the console stopped half-way (crash, kill, forced quit): what ran, where nodes stand, how to finish or roll back. */
  | 'INTERRUPTED_PLAN'
  /** A master whose min-replicas-to-write still holds the console's write fence: it refuses every write. */
  | 'FENCED_MASTER'
  /**
   * A master refusing writes: fewer good replicas than its own min-replicas-to-write asks (NOREPLICAS),
   * a failed RDB save or AOF write (MISCONF), or used memory past maxmemory with noeviction (OOM);
   * or a node whose FAILOVER has held its writes for 5 s or more.
   */
  | 'WRITES_REFUSED'
  /** A replica that cannot save (a failed RDB save or AOF write): Redis 7.0+ stops it at its master's next write. */
  | 'DISK_ERROR'
  /** The root master is down: one headline, with the per-node warnings folded under it. */
  | 'MASTER_DOWN'
  /** The root master is up but refuses the console (out of clients, protected mode, password, ACL, TLS): one headline, do not fail over. */
  | 'MASTER_REFUSES'
  /** A master with replicas and neither RDB saves nor AOF: restarted empty, it wipes its replicas (a risk). */
  | 'MASTER_NO_PERSISTENCE'
  /** A master without persistence restarted empty and its replicas replaced their data with its empty dataset (kept a day). */
  | 'MASTER_RESTARTED_EMPTY'
  /** A replica's lag is past its master's backlog: its next resync is a full one. */
  | 'BACKLOG_EXCEEDED'
  /** A master's backlog covers under a minute of writes at the current rate. */
  | 'BACKLOG_SHORT'
  /** A replica keeps failing to sync (e.g. its master writes an RDB format it cannot read). */
  | 'SYNC_FAILING'
  /** A replica with replica-read-only no: writes there diverge and vanish at its next full sync. */
  | 'WRITABLE_REPLICA'
  /** Nodes below a stalled or unreachable node: behind because of it. */
  | 'STALLED_UPSTREAM'
  /** The topology memory file (nodes seen before may be missing) or the alert mutes file (mutes not in effect) could not be read (kept aside) or written. */
  | 'MEMORY_UNREADABLE'
  /** A discovered node outside the trusted hosts: it is not sent the password (the message says how to trust it). */
  | 'UNTRUSTED_HOST'
  /** TLS without certificate verification (--insecure): anyone on the path can read and change the traffic. */
  | 'TLS_INSECURE'
  /** A Sentinel that watches this topology cannot be reached. */
  | 'SENTINEL_UNREACHABLE'
  /** SENTINEL CKQUORUM fails: the Sentinels could not authorise a failover. */
  | 'SENTINEL_NO_QUORUM'
  /** A Sentinel's master for a group is not the node replication says is master (or Sentinels disagree). */
  | 'SENTINEL_DISAGREES'
  /** Sentinels flag a master subjectively or objectively down (s_down / o_down), or a failover is in progress. */
  | 'SENTINEL_DOWN';

/**
 * Warnings that are a risk to know about, not a problem with the node they name (nothing is wrong
 * yet): `watch --problems`, the node table and the graph's problems-first order leave them out (a
 * lab master without persistence would otherwise be "in trouble" forever), and the banner shows
 * them after what is going wrong now.
 */
export const RISK_WARNINGS: ReadonlySet<WarningCode> = new Set<WarningCode>(['MASTER_NO_PERSISTENCE', 'BACKLOG_SHORT', 'WRITABLE_REPLICA']);

export interface TopologyWarning {
  code: WarningCode;
  message: string;
  nodes: Address[];
  /** Warnings this one explains (the per-node warnings under a MASTER_DOWN headline): shown under it, not beside it. */
  folded?: TopologyWarning[];
}

export interface TopologySnapshot {
  /** Increases by one per tick, within one engine session. */
  seq: number;
  /**
   * The engine session the ticks come from (new on every connect, and in a restarted server):
   * its seq starts again at 1. Absent in hand-built snapshots.
   */
  session?: string;
  takenAt: number;
  pollIntervalMs: number;
  nodes: NodeState[];
  edges: TopologyEdge[];
  warnings: TopologyWarning[];
  /** How the console is connected (set by the engine; absent in hand-built snapshots). */
  connection?: ConnectionSummary;
}

export type EventKind =
  | 'role-change'
  | 'link-down'
  | 'link-up'
  | 'full-resync'
  | 'partial-resync'
  | 'restart'
  | 'node-appeared'
  | 'node-vanished'
  | 'unreachable'
  | 'reachable'
  /** A master stopped listing a replica that is still alive. */
  | 'replica-dropped'
  /** A message a Sentinel published (+sdown, +odown, +switch-master, +convert-to-slave, …). */
  | 'sentinel';

export interface ReplicationEvent {
  id: number;
  at: number;
  node: Address;
  kind: EventKind;
  message: string;
  /** The other node the event concerns (the master that served a full resync): its event list shows it too. */
  peer?: Address;
  /** kind 'full-resync': says that a resync reported while it ran has finished ("was replaced"); not another resync. */
  completes?: boolean;
  /**
   * kind 'full-resync' of a replica: its sync finished (its link is up on the new data), so its
   * data was replaced. Said once per resync: at once when the sync was over between two polls, else
   * by the event that `completes` the one reported when it started. A sync that started and never
   * finished (SYNC_FAILING: a replica that cannot write or load the RDB) replaced nothing.
   */
  replaced?: boolean;
  /** kind 'sentinel': the Sentinel's event name, the master name it concerns, and the incident it belongs to. */
  sentinel?: {
    /** "+sdown", "+odown", "+switch-master", … */
    event: string;
    masterName: string | null;
    /** Events of one Sentinel failover (from +odown or +try-failover to +switch-master or -failover-abort-*) share an id. */
    incident: number | null;
  };
}

/** One history sample of one node: the one point type the engine stores and the renderer charts. */
export interface HistoryPoint {
  t: number;
  offset: number | null;
  lagBytes: number | null;
  lagSeconds: number | null;
  /** NodeLoad's figures at that time (null or absent when not read). */
  opsPerSecond?: number | null;
  netInputBytesPerSecond?: number | null;
  netOutputBytesPerSecond?: number | null;
  usedMemoryBytes?: number | null;
}

/** The numeric series of a history point that charts draw (the HistoryPoint fields but t). */
export type HistorySeries = Exclude<keyof HistoryPoint, 't'>;

/**
 * One node's history as 'history:all' sends it: columns rather than an object per point (an
 * hour of 100 nodes as objects with every series was 30 MB of JSON; the renderer asks only
 * for the series it charts, and a series it asked for with no value at all is left out).
 */
export interface HistoryColumns {
  /** Times (ms since epoch), ascending. */
  t: number[];
  /** Per asked series with any value: one entry per time, null where it has none. */
  values: Partial<Record<HistorySeries, (number | null)[]>>;
}

/** TLS, with redis-cli's option names in mind (--tls, --cacert, --cert, --key, --sni, --insecure). */
export interface TlsOptions {
  enabled: boolean;
  /** PEM files, read where the engine runs (the main process, the web server, the CLI). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Server name for SNI and the certificate check. */
  sni?: string;
  /** Skip certificate verification: shown as TLS_INSECURE. */
  insecure?: boolean;
}

/** An SSH bastion every node is reached through (one SSH session serves all nodes). */
export interface SshOptions {
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  keyFile?: string;
  /** Secret: the key file's passphrase. */
  passphrase?: string;
  /** Secret: password authentication. */
  password?: string;
  /** The "SHA256:…" fingerprint of a host key the user confirmed after HOST_KEY_UNKNOWN: accepted and added to known_hosts. */
  acceptHostKey?: string;
  /** Default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
}

/** Sentinels as the entry point: the console asks them for the master, its replicas and the other Sentinels. */
export interface SentinelOptions {
  addresses: Address[];
  masterName: string;
  /** Sentinel's own ACL user and password, when they differ from the data nodes'. */
  user?: string;
  /** Secret. */
  password?: string;
}

export interface ConnectOptions {
  /** Data nodes to start discovery from; may be empty when `sentinel` is given. */
  seeds: Address[];
  user?: string;
  password?: string;
  /** Default 1000. */
  pollIntervalMs?: number;
  /** Listed address → address the console should dial instead (NAT, Docker). */
  addressMap?: Record<Address, Address>;
  tls?: TlsOptions;
  ssh?: SshOptions;
  sentinel?: SentinelOptions;
  /**
   * Hosts that may receive the credentials besides the seeds' and the Sentinels' (exact names or
   * IPs, wildcards such as *.db.internal, CIDRs such as 10.0.0.0/8). A discovered node elsewhere
   * is UNTRUSTED_HOST and is never sent the password.
   */
  trustedHosts?: string[];
  /** Monitoring only: every action is refused (READ_ONLY). */
  readOnly?: boolean;
  /** A saved profile: its stored secrets fill the ones these options leave out. */
  profileId?: string;
}

/** How the console is connected, as every front end shows it. Never holds a secret. */
export interface ConnectionSummary {
  tls: boolean;
  /** TLS without certificate verification. */
  insecure: boolean;
  /** "user@bastion:22" when tunnelled. */
  ssh: string | null;
  sentinel: { masterName: string; addresses: Address[] } | null;
  user: string | null;
  readOnly: boolean;
  trustedHosts: string[];
  /** The saved profile's name, when connected through one. */
  profileName: string | null;
}

export interface HistoryQuery {
  node: Address;
  /** Only points at or after this time (ms since epoch). */
  since?: number;
  /** Decimate to at most this many points (keeps min/max shape). */
  maxPoints?: number;
}

/** Every node's history in one call (the renderer's first load, a reconnect). */
export interface HistoriesQuery {
  /** Default: every node of the topology. */
  nodes?: Address[];
  since?: number;
  maxPoints?: number;
  /** The series to send. Default: all of them. */
  series?: HistorySeries[];
}

export interface EventQuery {
  node?: Address;
  limit?: number;
}

/** What is pushed once per poll tick. */
export interface TickUpdate {
  snapshot: TopologySnapshot;
  /** Events raised since the previous tick. */
  events: ReplicationEvent[];
  /** The alerts as evaluated on this tick (absent from hand-built updates). */
  alerts?: AlertsView;
}

/**
 * Alert rules, evaluated in the engine on every tick so the desktop, the web mode, `serve`
 * and `watch --alerts` agree. Each has a threshold in AlertThresholds where it needs one.
 */
export const ALERT_RULES = [
  'LAG_BYTES', // a replica more than lagBytes behind its master
  'LAG_SECONDS', // a replica more than lagSeconds behind its master
  'LINK_DOWN', // a replica's link to its master down for linkDownSeconds or more
  'UNREACHABLE', // a node not reachable for unreachableSeconds or more
  'STALE', // a node not read for staleSeconds or more (stalled process, slow network)
  'BACKLOG_EXCEEDED', // a replica's lag is past its master's backlog (next resync is full)
  'BACKLOG_SHORT', // a master's backlog covers under backlogShortSeconds of writes
  'MULTIPLE_MASTERS', // more than one master in one topology (split brain)
  'SYNC_FAILING', // a replica keeps failing to sync
  'INTERRUPTED_PLAN', // a plan of the console stopped half-way
  'MASTER_RESTARTED_EMPTY', // a master without persistence restarted empty and wiped its replicas (the warning, kept a day)
  'WRITES_REFUSED', // a master refuses writes (NOREPLICAS, MISCONF, OOM: the warning)
] as const;

export type AlertRule = (typeof ALERT_RULES)[number];

export interface AlertThresholds {
  lagBytes: number;
  lagSeconds: number;
  linkDownSeconds: number;
  unreachableSeconds: number;
  staleSeconds: number;
  backlogShortSeconds: number;
  /** A condition must hold this long before it fires (0: at once); it resolves at once. */
  forSeconds: number;
}

export type AlertState = 'firing' | 'resolved' | 'acknowledged';

/** One incident: a rule on a node (or the topology) from when it started firing to when it resolved. */
export interface Alert {
  /** Stable for the incident: the same id on every tick until it resolves; a new incident gets a new id. */
  id: string;
  rule: AlertRule;
  /** The node it is about; null for a topology-wide alert (MULTIPLE_MASTERS, INTERRUPTED_PLAN). */
  node: Address | null;
  /** 'acknowledged': still firing, someone has seen it (no more notifications). */
  state: AlertState;
  message: string;
  /** The measured value against the threshold (bytes, seconds), when there is one. */
  value: number | null;
  threshold: number | null;
  startedAt: number;
  resolvedAt: number | null;
  acknowledgedAt: number | null;
  /** Firing during a mute of its node or topology: shown, never notified. */
  muted: boolean;
}

/** Maintenance: a node (or the whole topology, node null) whose alerts are not notified until `until`. */
export interface AlertMute {
  node: Address | null;
  until: number;
  reason: string | null;
}

export interface AlertsView {
  /** Firing and acknowledged alerts first, then recently resolved ones (newest first). */
  alerts: Alert[];
  mutes: AlertMute[];
  thresholds: AlertThresholds;
}
