// What the planner knows about each node, read fresh just before planning. Plain data, so
// the planner stays a pure function that unit tests can feed by hand.
import type { ErrorCode, ListedReplica, ReplicationBacklog, TopologySnapshot } from '../../shared/types';
import { findNode, tryNormalize } from './graph';
import type { WriteHazard } from '../write-hazards';

export interface NodeFacts {
  /** The address it was read at (normalised). */
  address: string;
  reachable: boolean;
  error: string | null;
  errorCode: ErrorCode | null;
  runId: string | null;
  mode: 'standalone' | 'sentinel' | 'cluster' | null;
  clusterEnabled: boolean;
  /** "redis 7.0.15", "valkey 8.0.1" (valkey_version, not its frozen redis_version): see replication-rules.ts parseServerVersion. */
  version: string | null;
  configFile: string | null;
  role: 'master' | 'replica' | 'unknown';
  /** master_host:master_port as the node reports it. */
  masterAddress: string | null;
  linkStatus: 'up' | 'down' | null;
  syncInProgress: boolean;
  offset: number | null;
  replid: string | null;
  replid2: string | null;
  secondReplOffset: number | null;
  backlog: ReplicationBacklog | null;
  replicas: ListedReplica[];
  priority: number | null;
  failoverState: string | null;
  /** Keys over every database (INFO keyspace), null when unknown. */
  keys: number | null;
  /** Compared with the console's password in memory; the value itself is never kept. */
  masterauth: 'unset' | 'same' | 'different' | 'unknown';
  masteruser: string | null;
  /** Whether a replica must authenticate to this node; null when it could not be told. */
  requiresAuth: boolean | null;
  /** How requiresAuth was found out, in words. */
  authBasis: string;
  /** min-replicas-to-write and min-replicas-max-lag (CONFIG GET); null when either could not be read. */
  minReplicas: { toWrite: number; maxLag: number } | null;
  /**
   * INFO replication's min_slaves_good_slaves, on any role: Redis gives it exactly while both
   * min-replicas settings are on, so with CONFIG GET refused it still tells the limit is on (a
   * number) or off (null), only not how many replicas it asks for.
   */
  minReplicasGood: number | null;
  /** INFO persistence loading:1 (a restart, or a full sync's RDB): Redis answers REPLICAOF and FAILOVER with LOADING until it has loaded. */
  loading: { percent: number | null; etaSeconds: number | null } | null;
  /** What it would do to writes as a master because of its own disk or memory (MISCONF, OOM, eviction). */
  asMaster: WriteHazard[];
  /** What its own disk would do to it as a replica: stop at its master's next write. */
  asReplica: WriteHazard[];
  /** Sentinel connections seen on this data node (CLIENT LIST names, hello subscribers). */
  sentinelClients: number;
  sentinelSubscribers: number;
  /** When the node is itself a Sentinel: the masters it monitors. */
  sentinelMasters: { name: string; address: string | null }[];
  /** Its plain port (INFO server tcp_port): 0 when it has none (TLS only), null when unknown. */
  plainPort: number | null;
  /** Its tls-port (CONFIG GET): 0 when it has none, null when unknown (refused, or a build without TLS). */
  tlsPort: number | null;
  /** tls-replication (CONFIG GET): as a replica it dials its master over TLS; null when unknown. */
  tlsReplication: boolean | null;
}

export interface SentinelFacts {
  /** The name Sentinel knows the group by, when found (hello channel or a Sentinel in the topology). */
  masterName: string | null;
  /** Sentinel addresses (ip:port) seen. */
  sentinels: string[];
  /** Data nodes on which Sentinel connections were seen. */
  managedNodes: string[];
  /** How the console knows Sentinel watches the group, in words ("Sentinel connections on …", "2 Sentinels in the topology"). */
  evidence?: string[];
  /** What each Sentinel asked said, read fresh for every plan (empty when none could be asked). */
  replies?: SentinelReply[];
}

/** One Sentinel's answers about the group (SENTINEL MASTER, CKQUORUM, GET-MASTER-ADDR-BY-NAME, REPLICAS). */
export interface SentinelReply {
  sentinel: string;
  /** Null when it answered; else why not. */
  error: string | null;
  /** The master as this Sentinel gives it to clients (GET-MASTER-ADDR-BY-NAME), "host:port". */
  masterAddress: string | null;
  flags: string[];
  quorum: number | null;
  /** num-other-sentinels + 1. */
  sentinelCount: number | null;
  failoverTimeoutMs: number | null;
  /** down-after-milliseconds: how long the master may give it no valid reply before it is down for this Sentinel. */
  downAfterMs: number | null;
  ckquorum: { ok: boolean; message: string } | null;
  /** The replicas as this Sentinel knows them: the ones it may pick from. */
  replicas: { address: string; flags: string[]; priority: number | null; offset: number | null }[];
}

export interface PreflightFacts {
  snapshot: TopologySnapshot;
  /** Keyed by normalised address; a node known under several addresses is stored under each. */
  nodes: Record<string, NodeFacts>;
  sentinel: SentinelFacts | null;
  console: { user: string | null; hasPassword: boolean };
  /** Last offset the engine saw on nodes that are unreachable now (emergency failover). */
  lastKnownOffsets: Record<string, { offset: number; at: number }>;
  readAt: number;
}

/** The facts for `address` (as typed, or through the snapshot's canonical address and aliases). */
export function factsFor(facts: PreflightFacts, address: string): NodeFacts | undefined {
  const wanted = tryNormalize(address);
  const direct = facts.nodes[wanted];
  if (direct) return direct;
  const node = findNode(facts.snapshot, wanted);
  if (!node) return undefined;
  for (const a of [node.address, ...node.aliases]) {
    const found = facts.nodes[a];
    if (found) return found;
  }
  return undefined;
}

/** Facts for a node that could not be read. */
export function unreachableFacts(address: string, error: string, errorCode: ErrorCode | null): NodeFacts {
  return {
    address,
    reachable: false,
    error,
    errorCode,
    runId: null,
    mode: null,
    clusterEnabled: false,
    version: null,
    configFile: null,
    role: 'unknown',
    masterAddress: null,
    linkStatus: null,
    syncInProgress: false,
    offset: null,
    replid: null,
    replid2: null,
    secondReplOffset: null,
    backlog: null,
    replicas: [],
    priority: null,
    failoverState: null,
    keys: null,
    masterauth: 'unknown',
    masteruser: null,
    requiresAuth: null,
    authBasis: 'not read',
    minReplicas: null,
    minReplicasGood: null,
    loading: null,
    asMaster: [],
    asReplica: [],
    sentinelClients: 0,
    sentinelSubscribers: 0,
    sentinelMasters: [],
    plainPort: null,
    tlsPort: null,
    tlsReplication: null,
  };
}
