import type { ApiError, ListedReplica, NodeLoad, ReplicationSettings } from '../shared/types';
import type { ClientRegistry } from './client-registry';
import type Redis from 'ioredis';
import { readInfo, readInfoSections, readSettings, type InfoRead } from './node-commands';
import { parseServerVersion } from './replication-rules';
import { parseSettings, SETTINGS_PARAMETERS, type SettingsReplies } from './replication-settings';
import { evictsOnlyKeysWithTtl, refusalHangsOnSettings } from './write-hazards';
import { formatAddress } from './address';
import { EngineError, toApiError } from './errors';
import {
  type InfoCuts,
  isClusterEnabled,
  MAX_INFO_CHARS,
  parseInfo,
  LOAD_FIELDS,
  parseLoad,
  readReplication,
  pickFields,
  parseSentinelMasters,
  parseServer,
  parseStats,
  type ReplicationInfo,
  type SentinelMaster,
  type ServerInfo,
  type StatsInfo,
} from './info-parser';
import { NodeHistory } from '../shared/node-history';
import { OffsetHistory, type OffsetSample } from './lag';
import { dataAddressesOf, sentinelAddressesOf, type SentinelReading } from './sentinel-poll';
import type { RememberedNode } from './topology-memory';

/**
 * Re-read INFO server (and stats, cluster, sentinel) this often, in polls, even without a
 * reconnect: a restart drops the connection anyway, and uptime is extrapolated in between.
 */
const SERVER_EVERY = 60;
/**
 * The most polls a node is left unread for when it costs more than it is worth: a reply of N
 * times the INFO cap is read once every N polls, and a listed address never reached is dialled
 * again after 1, 2, 4 … polls. So a 20 MB reply or a thousand dead addresses cannot crowd out
 * the nodes that answer; such a node shows as stale, with its age, in between.
 */
const MAX_READ_EVERY = 30;
/**
 * Read the load (INFO stats, memory, clients, persistence: NodeLoad) on the first poll and then
 * every this many polls: every 5 s at the default 1 s interval. Redis's instantaneous_* figures
 * are themselves an average over the last 1.6 s, so a faster reading adds little but three more
 * INFO replies to parse on every poll of every node; once every 5 polls keeps that to a fifth,
 * and the INFO stats a master already reads for its sync counters is reused, not asked twice.
 */
export const LOAD_EVERY = 5;
/**
 * Sync starts remembered per node: a replica retrying every half second for the 2 minutes they
 * are counted over (SYNC_ATTEMPTS_WINDOW_MS in snapshot.ts). At 10, a storm of 53 syncs read 10.
 */
const MAX_SYNC_STARTS = 240;

/**
 * A full sync a master started (its sync_full went up), and the replicas it may have been for:
 * one of those it listed syncing in that reading (shared among them); none of those, one it had
 * listed syncing in the reading before and no longer listed at all (dropped, not back yet), or no
 * replica's (a sibling's that finished between two reads, a client outside the topology).
 */
export interface ServedSync {
  at: number;
  /** The addresses of the replica lines in a sync then (listedInSync), as the master gave them. */
  syncing: readonly string[];
  /** Read only when `syncing` is empty: those listed syncing in the reading before and not listed then. */
  dropped: readonly string[];
}

/**
 * The `count` full syncs a master started between its reading `before` and its reading `lines`,
 * each with the replicas it may have been for (ServedSync). A replica listed syncing now and not
 * before started one; one listed syncing in both may have been dropped and retried (a sync looks
 * unbroken across reads), one more each at most. The rest started and ended between the reads:
 * given to those listed syncing, a replica's one sync read as 3 when two siblings' finished
 * meanwhile. Given to any replica not listed, one refused at the handshake (it never syncs) took
 * every `redis-cli --rdb` backup of its master for a failed attempt.
 */
export function servedSyncs(count: number, at: number, lines: readonly ListedReplica[], before: readonly ListedReplica[]): ServedSync[] {
  const wasSyncing = before.filter(listedInSync).map((line) => line.address);
  const syncing = lines.filter(listedInSync).map((line) => line.address);
  const fresh = syncing.filter((address) => !wasSyncing.includes(address));
  const going = syncing.filter((address) => wasSyncing.includes(address));
  const dropped = wasSyncing.filter((address) => !lines.some((line) => line.address === address));
  const out: ServedSync[] = [];
  for (const group of [fresh, going]) {
    // Fewer syncs than the group: shared among it (a restarted master serves each of its replicas one).
    const n = Math.min(count - out.length, group.length);
    for (let i = 0; i < n; i++) out.push({ at, syncing: group, dropped: [] });
  }
  while (out.length < count) out.push({ at, syncing: [], dropped });
  return out;
}

/**
 * A replica line still in its full sync: not online, or online without an ACK yet (offset 0). A
 * diskless sync lists its replica online as soon as the snapshot is sent, loaded or not: one that
 * cannot load it (no dir to write it to) was listed online at every attempt, and none counted.
 */
export function listedInSync(line: ListedReplica): boolean {
  return line.state !== 'online' || line.ackOffset === 0;
}

/** Everything the engine knows about one node. Mutable; owned by the engine. */
export interface NodeRecord {
  address: string;
  aliases: Set<string>;
  /** The address actually dialled (after the user's address map): `dialledAs`'s. */
  dial: string;
  /**
   * Which of its addresses (its own or an alias) it is dialled by: the one that last answered as
   * it (NodeSet.dialBy). Memory keeps it under this one, the others as aliases.
   */
  dialledAs: string;
  seed: boolean;
  server: ServerInfo | null;
  replication: ReplicationInfo | null;
  stats: StatsInfo | null;
  sentinelMasters: SentinelMaster[];
  clusterEnabled: boolean;
  reachable: boolean;
  error: ApiError | null;
  polls: number;
  /** Client generation the server info was read on: a new connection means maybe a new process. */
  serverGeneration: number;
  /** When INFO server was last read: uptime is extrapolated from it between reads. */
  serverReadAt: number | null;
  lastSample: OffsetSample | null;
  offsets: OffsetHistory;
  history: NodeHistory;
  latencyMs: number | null;
  polledAt: number | null;
  unreachableSince: number | null;
  /**
   * When it answered again after the console had read it unreachable (this session); null while
   * it has answered every read since its first. A replica's link to it cannot have come back before.
   */
  answeringSince: number | null;
  /** What the last read of each INFO section had to cut (only sections that were cut). */
  infoCuts: Partial<Record<InfoSection, InfoCuts>>;
  /**
   * The master whose replica list first named this node, if that is how it was found: an
   * address never reached and no longer listed is then counted as that master's churn.
   */
  listedBy: string | null;
  /** When a reachable node last pointed at this one (or when it was added). */
  lastListedAt: number;
  /** Read once every this many polls (1 = every poll): see MAX_READ_EVERY. */
  readEvery: number;
  /** Polls left to skip before the next reading. */
  skipPolls: number;
  /** Replication settings (CONFIG GET, INFO persistence), read with INFO server. */
  settings: ReplicationSettings | null;
  /** When this replica started its recent full-sync transfers (the last few): a replica that keeps failing starts one every few seconds. */
  syncStarts: number[];
  /**
   * A master: when its sync_full went up (one entry per sync started, the last few), and which
   * replicas each may have been for (servedSyncs). A replica whose sync is dropped and retried at
   * once never shows a new start of its own: these count its attempts.
   */
  fullSyncsServed: ServedSync[];
  /**
   * A replica: the first reading of its current spell without a working link (down, or in a
   * sync); null while its link is up. Only the syncs of this spell are its attempts: a master's
   * syncs that finished before it, for other replicas, are not.
   */
  awaySince: number | null;
  /**
   * The first reading of its current spell in a FAILOVER (master_failover_state waiting-for-sync or
   * failover-in-progress: its writes held); -Infinity when it was in one at the console's first
   * reading of it (since when is not known); null when not in one.
   */
  failoverSince: number | null;
  /** When topology memory last saw this node (null when it is not remembered): a remembered node is kept and dialled. */
  rememberedSeenAt: number | null;
  /** Its role, master and replication ID as memory last saw them: what the graph shows while it cannot be read. */
  rememberedAs: {
    role: RememberedNode['role'];
    master: string | null;
    /** The master it replicated from before it last became one (a promoted replica's old master). */
    formerMaster: string | null;
    noPersistence: boolean | null;
    replid: string | null;
    offset: number | null;
  } | null;
  /** Dialled as a Sentinel, with the Sentinel credentials: given with --sentinel, or found as one. */
  asSentinel: boolean;
  /** Given by the user as a Sentinel (ConnectOptions.sentinel), not as a data seed. */
  givenAsSentinel: boolean;
  /** Sentinel only: its last view of the masters of this topology (SENTINEL MASTER, CKQUORUM, REPLICAS, SENTINELS). */
  sentinel: SentinelReading | null;
  /** Throughput, memory, clients and persistence (NodeState.load), read every few polls. */
  load: NodeLoad | null;
  /** It refused INFO with several sections although its version takes them (a proxy, a look-alike): one INFO per section from then on. */
  oneSectionPerInfo: boolean;
  /** masterAddressOf's answer for the reading `masterAddressReading` (null: none computed yet). */
  masterAddress: string | null;
  masterAddressReading: ReplicationInfo | null;
  /** NodeSet.masterOf's answer, for this reading and this version of the set's addresses (version -1: none yet). */
  masterOf: { master: NodeRecord | undefined; reading: ReplicationInfo | null; version: number };
}

/**
 * The clock was set back by `by` ms: the times this record keeps move back with it, so that what
 * compares them with the clock (stale after 3 intervals, down since, uptime between reads) reads
 * time gone by, not an hour in the future. Before, a node stalled as the clock went back an hour
 * was read "not stale" for that hour.
 */
export function clockSetBack(record: NodeRecord, by: number): void {
  const back = (at: number | null): number | null => (at === null || !Number.isFinite(at) ? at : at - by);
  record.polledAt = back(record.polledAt);
  record.serverReadAt = back(record.serverReadAt);
  record.unreachableSince = back(record.unreachableSince);
  record.answeringSince = back(record.answeringSince);
  record.awaySince = back(record.awaySince);
  record.failoverSince = back(record.failoverSince);
  record.lastListedAt -= by;
  // Readings in time order, searched by time: the offset readings lag in seconds is read from,
  // the chart history, the syncs counted over the last 2 minutes.
  record.offsets.moveTimes(-by);
  if (record.lastSample) record.lastSample = { ...record.lastSample, sentAt: record.lastSample.sentAt - by, receivedAt: record.lastSample.receivedAt - by };
  record.history.moveTimes(-by);
  record.syncStarts = record.syncStarts.map((at) => at - by);
  record.fullSyncsServed = record.fullSyncsServed.map((sync) => ({ ...sync, at: sync.at - by }));
}

export type InfoSection = 'replication' | 'server' | 'stats' | 'sentinel' | 'cluster' | 'persistence';

export function createRecord(address: string, dial: string, seed: boolean, capacity: number, now = Date.now()): NodeRecord {
  return {
    address,
    aliases: new Set(),
    dial,
    dialledAs: address,
    seed,
    server: null,
    replication: null,
    stats: null,
    sentinelMasters: [],
    clusterEnabled: false,
    reachable: false,
    error: null,
    polls: 0,
    serverGeneration: -1,
    serverReadAt: null,
    lastSample: null,
    offsets: new OffsetHistory(capacity),
    history: new NodeHistory(capacity),
    latencyMs: null,
    polledAt: null,
    unreachableSince: null,
    answeringSince: null,
    infoCuts: {},
    listedBy: null,
    lastListedAt: now,
    readEvery: 1,
    skipPolls: 0,
    settings: null,
    syncStarts: [],
    fullSyncsServed: [],
    awaySince: null,
    failoverSince: null,
    rememberedSeenAt: null,
    rememberedAs: null,
    asSentinel: false,
    givenAsSentinel: false,
    sentinel: null,
    load: null,
    oneSectionPerInfo: false,
    masterAddress: null,
    masterAddressReading: null,
    masterOf: { master: undefined, reading: null, version: -1 },
  };
}

interface PollReply {
  sentAt: number;
  receivedAt: number;
  generation: number;
  replication: string;
  server: string | null;
  stats: string | null;
  sentinel: string | null;
  cluster: string | null;
  persistence: string | null;
  /** INFO memory and clients: only on the polls that read the load. */
  memory: string | null;
  clients: string | null;
  /** INFO keyspace: on load polls of a node whose policy evicts only keys with a TTL (or not known yet), see NodeLoad.keysWithTtl. */
  keyspace: string | null;
  /** This poll reads the load (stats, memory, clients and persistence are all in the reply). */
  load: boolean;
  settings: SettingsReplies | null;
}

/** A poll only reads: a connection the node cut under it is made again and the poll sent again at once. */
const AGAIN_ON_CUT = { againOnCut: true };

/**
 * One poll of one node: a single pipelined round trip (INFO replication, plus INFO server
 * on a new connection or now and then, INFO stats on nodes that serve replicas), sent by
 * node-commands.ts's readInfo. Never throws: failures land in the record.
 * `now` is the engine's clock: reading times are compared with its ticks (staleness, lag).
 */
export async function pollNode(registry: ClientRegistry, record: NodeRecord, now: () => number = Date.now): Promise<void> {
  if (record.skipPolls > 0) {
    record.skipPolls--;
    return;
  }
  try {
    const reply = await registry.run(record.dial, (client, generation) => readReply(client, generation, record, now), AGAIN_ON_CUT);
    applyReply(record, reply);
    const chars =
      reply.replication.length +
      (reply.server?.length ?? 0) +
      (reply.stats?.length ?? 0) +
      (reply.sentinel?.length ?? 0) +
      (reply.cluster?.length ?? 0) +
      (reply.memory?.length ?? 0) +
      (reply.clients?.length ?? 0);
    readEveryAfter(record, Math.floor(chars / MAX_INFO_CHARS));
  } catch (error) {
    markUnreachable(record, error, now());
    // Only an address a replica list named that never answered at all: a seed, a master, a node seen
    // before, or a live server refusing us for now (LOADING, NOPERM) is tried every poll.
    if (record.polls === 0 && record.listedBy !== null && gaveNoAnswer(record.error)) readEveryAfter(record, record.readEvery * 2);
  }
}

/** Nothing answered there (refused, unreachable, timed out): unlike a refusal of the console (a password, NOPERM, LOADING), it proves no server. */
export function gaveNoAnswer(error: { code: string } | null): boolean {
  return error?.code === 'UNREACHABLE' || error?.code === 'TIMEOUT';
}

/**
 * One round trip to a node: INFO replication, with the sections this poll also reads.
 * Module-level rather than an arrow made on every poll: nothing holds such an arrow's optimized
 * code between polls, so each full garbage collection drops it and it is compiled again.
 */
async function readReply(client: Redis, generation: number, record: NodeRecord, now: () => number): Promise<PollReply> {
  const wantServer = generation !== record.serverGeneration || record.polls % SERVER_EVERY === 0;
  // A Sentinel has no data to load (and no memory or persistence section worth reading).
  const isSentinel = record.asSentinel || record.server?.mode === 'sentinel';
  const wantLoad = !isSentinel && record.polls % LOAD_EVERY === 0;
  const wantStats = wantServer || servesReplicas(record) || wantLoad;
  // INFO sentinel costs nothing on a data node (empty reply) and tells a Sentinel apart at once.
  const wantSentinel = wantServer || record.server?.mode === 'sentinel';
  const wantPersistence = wantServer || wantLoad;
  // Whether such a master past its limit evicts or refuses writes hangs on its keys with a TTL.
  const wantKeyspace = wantLoad && (record.load === null || evictsOnlyKeysWithTtl(record.load.maxMemoryPolicy));
  // One INFO per section, pipelined: Redis 6.0 and 6.2 take a single section per call.
  const sections = ['replication'];
  if (wantServer) sections.push('server');
  if (wantStats) sections.push('stats');
  if (wantSentinel) sections.push('sentinel');
  if (wantServer) sections.push('cluster');
  if (wantPersistence) sections.push('persistence');
  if (wantLoad) sections.push('memory', 'clients');
  if (wantKeyspace) sections.push('keyspace');
  const { texts, sentAt, receivedAt } = await readSections(client, record, sections, wantServer, now);
  // The texts come in the order the sections were asked.
  let i = 1;
  const server = wantServer ? (texts[i++] ?? '') : null;
  const stats = wantStats ? (texts[i++] ?? '') : null;
  const sentinel = wantSentinel ? (texts[i++] ?? '') : null;
  const cluster = wantServer ? (texts[i++] ?? '') : null;
  const persistence = wantPersistence ? (texts[i++] ?? '') : null;
  const memory = wantLoad ? (texts[i++] ?? '') : null;
  const clients = wantLoad ? (texts[i++] ?? '') : null;
  const keyspace = wantKeyspace ? (texts[i++] ?? '') : null;
  return {
    sentAt,
    receivedAt,
    generation,
    replication: texts[0] ?? '',
    server,
    stats,
    sentinel,
    cluster,
    persistence,
    memory,
    clients,
    keyspace,
    load: wantLoad,
    // A second round trip, once a minute: what decides the replication risks (persistence, backlog, limits).
    // And with the load while a refusal that settings decide holds (write-hazards.ts): a fix shows within seconds.
    settings:
      wantServer || (wantLoad && refusalHangsOnSettings(record.settings, record.load, record.replication?.minReplicasGood ?? null))
        ? await readSettings(client, SETTINGS_PARAMETERS)
        : null,
  };
}

/**
 * Several sections as one INFO command where the server takes it (a data node of Redis or Valkey
 * 7.0+, as its last INFO server said on this connection): one reply instead of one per section.
 * Otherwise, or once a server refused it, one INFO per section, pipelined (Redis 6.0 and 6.2 take
 * one section per call). A poll that reads INFO server (a new connection: maybe a new process,
 * maybe another version) pipelines them.
 */
export function readSections(client: Redis, record: NodeRecord, sections: string[], wantServer: boolean, now: () => number): Promise<InfoRead> {
  const server = record.server;
  const several = sections.length > 1 && !wantServer && !record.oneSectionPerInfo && !record.asSentinel && server?.mode === 'standalone';
  // Not an async function: most polls take this path, and an async layer costs a promise and turns of the microtask queue.
  if (!several || (parseServerVersion(server.version)?.parts[0] ?? 0) < 7) return readInfo(client, sections, now);
  return readInOne(client, record, sections, now);
}

async function readInOne(client: Redis, record: NodeRecord, sections: string[], now: () => number): Promise<InfoRead> {
  try {
    return await readInfoSections(client, sections, now);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ReplyError') throw error;
    // Refused (a syntax error from a server that takes one section): ask the old way, now and from now on.
    record.oneSectionPerInfo = true;
    return readInfo(client, sections, now);
  }
}

/**
 * A master, or a node with replicas: its sync counters (INFO stats) are read every poll. They
 * matter on masters and on nodes that serve replicas (resync events): a master whose only replica
 * is away serves none, yet its sync_full must be read the moment the replica comes back, or the
 * full sync cannot be matched to the replica it wiped.
 */
function servesReplicas(record: NodeRecord): boolean {
  return (record.replication?.connectedReplicas ?? 0) > 0 || record.replication?.role === 'master';
}

function readEveryAfter(record: NodeRecord, every: number): void {
  record.readEvery = Math.max(1, Math.min(MAX_READ_EVERY, every));
  record.skipPolls = record.readEvery - 1;
}

/** Parse one section's reply and remember what had to be cut from it. */
function readSection(record: NodeRecord, section: InfoSection, text: string): Record<string, string> {
  const parsed = parseInfo(text);
  noteCuts(record, section, parsed.cuts);
  return parsed.fields;
}

/** What had to be cut from a section's reply, kept on the record until a reply of it reads whole. */
function noteCuts(record: NodeRecord, section: InfoSection, cuts: InfoCuts | null): void {
  if (cuts) record.infoCuts[section] = cuts;
  else if (record.infoCuts[section]) delete record.infoCuts[section];
}

/** A section read only for the load: its few fields picked out (see pickFields), not parsed whole. */
function loadOnly(text: string | null, keys: readonly string[]): Record<string, string> | null {
  return text === null ? null : pickFields(text, keys);
}

function applyReply(record: NodeRecord, reply: PollReply): void {
  if (reply.server !== null) {
    const server = parseServer(readSection(record, 'server', reply.server));
    if (server.mode === null && server.runId === null && server.version === null) {
      throw new EngineError('NOT_REDIS', `${record.address} answered INFO without any server fields: is it a Redis server?`);
    }
    // A new process starts its sync counters at zero: that is the baseline for its events. Its
    // spell without a link, if any, starts again with it.
    if (record.server?.runId && server.runId && server.runId !== record.server.runId) {
      record.stats = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 };
      record.awaySince = null;
    }
    record.server = server;
    record.serverGeneration = reply.generation;
    record.serverReadAt = reply.receivedAt;
  }
  const persistence =
    reply.persistence === null ? null : reply.settings !== null ? readSection(record, 'persistence', reply.persistence) : loadOnly(reply.persistence, LOAD_FIELDS.persistence);
  if (reply.settings !== null) record.settings = parseSettings(reply.settings, persistence);
  if (reply.cluster !== null) record.clusterEnabled = isClusterEnabled(readSection(record, 'cluster', reply.cluster));
  // Parsed once: the sync counters and, on a load poll, the throughput read the same fields. A
  // replica's stats asked only for the load: just the three figures.
  const statsForCounters = reply.stats !== null && (reply.server !== null || servesReplicas(record));
  const stats = reply.stats === null ? null : statsForCounters ? readSection(record, 'stats', reply.stats) : loadOnly(reply.stats, LOAD_FIELDS.stats);
  let served = 0;
  if (stats !== null && statsForCounters) {
    const before = record.stats?.syncFull ?? null;
    record.stats = parseStats(stats) ?? record.stats;
    served = before === null ? 0 : Math.min(MAX_SYNC_STARTS, (record.stats?.syncFull ?? before) - before);
  }
  if (reply.sentinel !== null) record.sentinelMasters = parseSentinelMasters(readSection(record, 'sentinel', reply.sentinel));
  if (record.server?.mode === 'sentinel') {
    record.load = null;
  } else if (reply.load) {
    const memory = loadOnly(reply.memory, LOAD_FIELDS.memory);
    const clients = loadOnly(reply.clients, LOAD_FIELDS.clients);
    // Counted only under the policy it decides (the first load poll reads it before the policy is known).
    const keyspace = evictsOnlyKeysWithTtl(memory?.maxmemory_policy ?? null) ? reply.keyspace : null;
    record.load = parseLoad({ stats, memory, clients, persistence, keyspace }, reply.receivedAt, record.server?.startedAtSecond ?? null);
  }

  // Before 6.2 a never-up link reports a Unix time as "down since": uptime lets the parser tell.
  const { info: replication, cuts } = readReplication(reply.replication, record.server?.uptimeSeconds ?? null);
  noteCuts(record, 'replication', cuts);
  const previousReplid = record.replication?.replid ?? null;
  if (replication.syncInProgress && record.replication?.syncInProgress !== true) {
    record.syncStarts = [...record.syncStarts.slice(-(MAX_SYNC_STARTS - 1)), reply.receivedAt];
  }
  if (served > 0) {
    const entries = servedSyncs(served, reply.receivedAt, replication.replicas, record.replication?.replicas ?? []);
    record.fullSyncsServed = [...record.fullSyncsServed.slice(Math.max(0, record.fullSyncsServed.length + entries.length - MAX_SYNC_STARTS)), ...entries];
  }
  const away = replication.role === 'replica' && (replication.linkStatus !== 'up' || replication.syncInProgress);
  record.awaySince = away ? (record.awaySince ?? reply.receivedAt) : null;
  // In one already at the first reading (a one-shot `topology`, a console started during it): held since before, for how long unknown.
  record.failoverSince = holdsWritesInFailover(replication.failoverState) ? (record.failoverSince ?? (record.polls === 0 ? -Infinity : reply.receivedAt)) : null;
  record.replication = record.server?.mode === 'sentinel' ? null : replication;
  record.polls++;
  record.reachable = true;
  record.error = null;
  if (record.unreachableSince !== null) record.answeringSince = reply.receivedAt;
  record.unreachableSince = null;
  record.latencyMs = reply.receivedAt - reply.sentAt;
  record.polledAt = reply.receivedAt;

  const offset = currentOffset(replication);
  // A new replid means a new offset space (promotion, full sync): old readings no longer compare.
  if (previousReplid !== null && replication.replid !== previousReplid) record.offsets.clear();
  if (offset !== null && !replication.syncInProgress) {
    record.lastSample = { sentAt: reply.sentAt, receivedAt: reply.receivedAt, offset };
    record.offsets.push(record.lastSample);
  } else {
    record.lastSample = null;
  }
}

function markUnreachable(record: NodeRecord, error: unknown, at: number): void {
  record.error = toApiError(error);
  // A reply error such as NOPERM or LOADING still proves a live server.
  record.reachable = false;
  record.unreachableSince ??= at;
  record.lastSample = null;
  record.latencyMs = null;
}

/** In a FAILOVER (master_failover_state, 6.2+): writes are paused from the moment it starts until the target accepts the hand-over. */
export function holdsWritesInFailover(failoverState: string | null | undefined): boolean {
  return failoverState === 'waiting-for-sync' || failoverState === 'failover-in-progress';
}

/** The node's replication offset: master_repl_offset on a master, slave_repl_offset on a replica. */
export function currentOffset(replication: ReplicationInfo): number | null {
  return replication.role === 'replica'
    ? (replication.replicaReplOffset ?? replication.masterReplOffset)
    : replication.masterReplOffset;
}

/**
 * The address this node says its master is at, as typed to REPLICAOF. Formatted once per reading
 * and kept on the record: masterOf runs several times per node and tick (chains, order, lag,
 * edges, phases), and building the string each time was a visible share of a tick. A reading is
 * never changed once parsed (a poll replaces it), so its identity says whether the answer holds.
 * (On the record rather than in a WeakMap by reading: an entry per poll made the collector's
 * weak-table work cost more than the formatting it saved.)
 */
export function masterAddressOf(record: NodeRecord): string | null {
  const r = record.replication;
  if (!r || r.role !== 'replica') return null;
  const previous = record.masterAddressReading;
  if (previous !== r) {
    // The same master as the last reading's keeps the same string: no new one to build and hash on every poll.
    const same = previous !== null && previous.masterHost === r.masterHost && previous.masterPort === r.masterPort;
    if (!same) record.masterAddress = !r.masterHost || r.masterPort === null ? null : formatAddress(r.masterHost, r.masterPort);
    record.masterAddressReading = r;
  }
  return record.masterAddress;
}

/** Every address this node points at: its master and the replicas it lists (a Sentinel: the masters, replicas and Sentinels it names). */
export function neighboursOf(record: NodeRecord): string[] {
  const out: string[] = [];
  const master = masterAddressOf(record);
  if (master) out.push(master);
  for (const replica of record.replication?.replicas ?? []) out.push(replica.address);
  if (record.sentinel) out.push(...dataAddressesOf(record.sentinel), ...sentinelAddressesOf(record.sentinel));
  return out;
}
