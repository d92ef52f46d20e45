import {
  ACK_SILENT_SECONDS,
  type BacklogWindow,
  type EdgeHealth,
  type ListedReplica,
  type NodeRole,
  type NodeState,
  type ReplicaLag,
  type SentinelView,
  type TopologyEdge,
  type TopologySnapshot,
  type TopologyWarning,
  refusesConsole,
  RISK_WARNINGS,
} from '../shared/types';
import { bytesBehind, sameHistory, secondsBehind, type OffsetHistory, type OffsetSample, type SecondsBehind } from './lag';
import { currentOffset, masterAddressOf, type NodeRecord, type ServedSync } from './node-record';
import type { ChainInfo, NodeSet } from './node-set';
import { findWarnings, foldMasterDown, riskWarnings, splitBrain, type LastHistory } from './warnings';
import { rememberedSettings } from './replication-settings';
import { sentinelWarnings } from './sentinel-warnings';
import { cycleVerdicts } from './cycle-verdict';
import { nodesByAddress } from '../shared/node-index';

/** What the session knows of Sentinel failovers under way, for the Sentinels' views. */
export interface SentinelContext {
  /** The Sentinel leading the failover of this master name now, or null. */
  leaderOf(masterName: string): string | null;
}

const NO_SENTINEL_CONTEXT: SentinelContext = { leaderOf: () => null };

/** An edge is "lagging" from this many seconds or bytes behind its master. */
export const LAGGING_SECONDS = 1;
export const LAGGING_BYTES = 1024 * 1024;

/** A reachable node not read for this many poll intervals is stale. */
export const STALE_AFTER_INTERVALS = 3;

const LISTED_SYNC_STATES = new Set(['wait_bgsave', 'send_bulk', 'bg_transfer']);
// One collator for every tick: localeCompare with options builds a new one per call.
const ADDRESS_ORDER = new Intl.Collator('en', { numeric: true });

/** What one tick computes once and every node's view reads. */
interface TickContext {
  nodes: NodeSet;
  /** Each replica as its own master lists it (its ACK offset and state), if listed. */
  listed: Map<NodeRecord, ListedReplica>;
  /** Nodes never read nor remembered that one master, read now, lists: that master (see listedReplicas). */
  listedOnly: Map<NodeRecord, NodeRecord>;
  /** Each node's chain top and length, computed once per tick (chainOf per node is quadratic on a cascade). */
  chains: Map<NodeRecord, ChainInfo>;
  /** The nodes of every replication cycle (a node replicating from itself included). */
  looped: Set<NodeRecord>;
  freshSince: number;
  intervalMs: number;
  /** A reachable node last read before this is stale: 3 poll intervals without a reading. */
  staleBefore: number;
  now: number;
  sentinels: SentinelContext;
  /** Each master's write rate, computed once per tick (every replica's backlog window reads its master's). */
  writeRates: Map<NodeRecord, number | null>;
}

/** Build the immutable, JSON-ready view of the topology as it stands now. */
export function buildSnapshot(
  nodes: NodeSet,
  seq: number,
  pollIntervalMs: number,
  now: number,
  sentinels: SentinelContext = NO_SENTINEL_CONTEXT,
): TopologySnapshot {
  const records = orderForDisplay(nodes);
  // The chains' walk finds the cycles too: one walk a tick serves the states and the warnings.
  const loops: NodeRecord[][] = [];
  const { listed, listedOnly } = listedReplicas(nodes);
  const context: TickContext = {
    nodes,
    listed,
    listedOnly,
    chains: nodes.chains(loops),
    looped: new Set(loops.flat()),
    // A reading older than this is stale (the node is stalled or slow): lag then comes from the master's ACK view.
    freshSince: now - 2 * pollIntervalMs - 100,
    intervalMs: pollIntervalMs,
    staleBefore: now - STALE_AFTER_INTERVALS * pollIntervalMs,
    now,
    sentinels,
    writeRates: new Map(),
  };
  // Loops rather than callbacks made on every tick (nothing holds their optimized code between ticks).
  const states: NodeState[] = [];
  for (const record of records) states.push(nodeState(context, record));
  const byAddress = nodesByAddress(states);
  const edges: TopologyEdge[] = [];
  for (const record of records) {
    const master = nodes.masterOf(record) ?? rememberedMasterOf(nodes, record) ?? listedOnly.get(record);
    const state = byAddress.get(record.address);
    // Sentinels watch the tree; they are no part of it.
    if (!master || !state || master === record || record.asSentinel) continue;
    edges.push({ master: master.address, replica: record.address, health: edgeHealth(context, record, master, state) });
  }
  const downSince = new Map<string, number | null>();
  // The history a node not answering had when last read (in this session, or by memory): a master promoted off it carries it as replid2.
  const lastHistory = new Map<string, LastHistory>();
  for (const record of records) {
    // Since when it fails to answer is news only after a reading in this session: before one, it is when the console started.
    downSince.set(record.address, record.polledAt !== null ? record.unreachableSince : null);
    if (record.reachable) continue;
    const replid = record.replication?.replid ?? record.rememberedAs?.replid ?? null;
    const offset = record.replication ? currentOffset(record.replication) : (record.rememberedAs?.offset ?? null);
    if (replid !== null) lastHistory.set(record.address, { replid, offset });
  }
  const found = [...findWarnings(nodes, loops), ...riskWarnings(states, now, lastHistory), ...sentinelWarnings(states)];
  const warnings = foldMasterDown(loops.length > 0 ? cycleVerdicts(found, states) : found, states, downSince, lastHistory);
  return { seq, takenAt: now, pollIntervalMs, nodes: states, edges, warnings: hazardsLast(splitBrain(warnings, states)) };
}

/**
 * The same warnings, those going wrong now first (in their order), then the risks that have not
 * struck yet (RISK_WARNINGS). A replica in a resync loop sat behind "Show all" while "Master
 * without persistence (nothing is wrong yet)" and "Short backlog" took the banner's first rows.
 */
export function hazardsLast(warnings: TopologyWarning[]): TopologyWarning[] {
  if (!warnings.some((w) => RISK_WARNINGS.has(w.code))) return warnings;
  return [...warnings.filter((w) => !RISK_WARNINGS.has(w.code)), ...warnings.filter((w) => RISK_WARNINGS.has(w.code))];
}

/**
 * Index every master's slaveN lines by the node they resolve to, once per tick. A node not read
 * this session is listed under the master memory gives it. One never read and not remembered
 * (it refused the console from the start: out of client connections, a password or ACL of its
 * own, INFO renamed) goes under the one master that lists it (listedOnly): it showed as a root
 * of its own, and the plans left it out of the replicas to re-point.
 */
function listedReplicas(nodes: NodeSet): { listed: Map<NodeRecord, ListedReplica>; listedOnly: Map<NodeRecord, NodeRecord> } {
  const listed = new Map<NodeRecord, ListedReplica>();
  // null: listed by more than one master, so by none for sure.
  const unread = new Map<NodeRecord, { master: NodeRecord; line: ListedReplica } | null>();
  for (const master of nodes.all()) {
    if (!master.reachable) continue;
    for (const line of master.replication?.replicas ?? []) {
      const replica = nodes.resolve(line.address);
      if (!replica) continue;
      const own = nodes.masterOf(replica) ?? rememberedMasterOf(nodes, replica);
      if (own === master) listed.set(replica, line);
      else if (!own && replica !== master && neverRead(replica)) {
        const seen = unread.get(replica);
        unread.set(replica, seen === undefined || seen?.master === master ? { master, line } : null);
      }
    }
  }
  const listedOnly = new Map<NodeRecord, NodeRecord>();
  for (const [replica, found] of unread) {
    if (!found) continue;
    listed.set(replica, found.line);
    listedOnly.set(replica, found.master);
  }
  return { listed, listedOnly };
}

/** Nothing read of it in this session, nothing remembered: only what others say of it is known. */
function neverRead(record: NodeRecord): boolean {
  return !record.reachable && !record.replication && !record.rememberedAs && !record.asSentinel;
}

function nodeState(context: TickContext, record: NodeRecord): NodeState {
  const { nodes, now } = context;
  const r = record.replication;
  const live = record.reachable ? r : null;
  const server = record.server;
  const master = nodes.masterOf(record);
  const remembered = rememberedOnly(record);
  const chain = context.chains.get(record) ?? { top: record, length: 1 };
  const top = chain.top;
  const attached = top.replication?.role === 'master' && !nodes.masterOf(top);
  // A chain whose top still has a master runs into a cycle: it has no root to be behind.
  const cycle = context.looped.has(record) ? 'in' : nodes.masterOf(top) ? 'below' : null;
  const lag = r?.role === 'replica' && master ? lagOf(context, record, master, cycle === 'below' ? null : top, stalledAbove(context, record), cycle === 'in') : null;
  return {
    address: record.address,
    aliases: [...record.aliases],
    reachable: record.reachable,
    error: record.error,
    role: remembered?.role ?? (context.listedOnly.has(record) ? 'replica' : roleOf(record)),
    runId: server?.runId ?? null,
    version: server?.versionLabel ?? null,
    uptimeSeconds: uptimeOf(record, now),
    master: record.asSentinel
      ? null
      : (master?.address ??
        masterAddressOf(record) ??
        (remembered ? (rememberedMasterOf(nodes, record)?.address ?? remembered.master) : (context.listedOnly.get(record)?.address ?? null))),
    masterAsReported: live ? masterAddressOf(record) : null,
    linkStatus: live?.role === 'replica' ? live.linkStatus : null,
    linkDownSinceSeconds: live?.linkDownSinceSeconds ?? null,
    sync: live?.sync ?? null,
    offset: live ? currentOffset(live) : null,
    replid: live?.replid ?? null,
    replid2: live?.replid2 ?? null,
    secondReplOffset: live?.secondReplOffset ?? null,
    backlog: live?.backlog ?? null,
    replicas: live?.replicas ?? [],
    syncClients: live?.syncClients ?? [],
    connectedReplicas: live?.connectedReplicas ?? null,
    priority: live?.priority ?? null,
    readOnly: live?.readOnly ?? null,
    failoverState: live?.failoverState ?? null,
    stats: record.stats,
    lag,
    // Not read in this session: what memory kept of it (no persistence: a restart would wipe its replicas).
    settings: record.settings ?? rememberedSettings(record.rememberedAs?.noPersistence),
    backlogWindow: backlogWindowOf(context, record, master, lag),
    syncAttempts: syncAttemptsOf(record, master, context),
    polledAt: record.polledAt,
    answeringSince: record.answeringSince,
    stale: isStale(record, context),
    latencyMs: record.latencyMs,
    depth: attached ? chain.length - 1 : null,
    sentinelMasters: record.sentinelMasters.map(({ name, status, address }) => ({ name, status, address })),
    // Always present (undefined for a data node): every node's state then has one shape, which
    // keeps property reads on it monomorphic (a spread made two shapes and a slower literal).
    sentinel: record.asSentinel ? sentinelViewOf(context, record) : undefined,
    remembered: !record.reachable && record.rememberedSeenAt !== null,
    lastSeenAt: Math.max(record.polledAt ?? 0, record.rememberedSeenAt ?? 0) || null,
    load: record.load,
  };
}

/** Sync attempts are counted over this window (NodeState.syncAttempts). */
const SYNC_ATTEMPTS_WINDOW_MS = 120_000;

/**
 * The full syncs a replica started in its current spell without a working link, within the last
 * 2 minutes. A sync that finished ended the spell: the syncs before it are not attempts that
 * failed. Without the spell, a replica's first (slow) full sync was counted with the two its
 * master had served other replicas a minute before, and read as 3 failed attempts.
 */
function syncAttemptsOf(record: NodeRecord, master: NodeRecord | undefined, context: TickContext): number {
  const r = record.replication;
  if (record.awaySince === null || r?.role !== 'replica') return 0;
  // A poll interval of slack: the master, read first, may have counted the spell's first sync
  // before the replica's reading showed it away.
  const since = Math.max(context.now - SYNC_ATTEMPTS_WINDOW_MS, record.awaySince - context.intervalMs);
  let count = 0;
  for (const t of record.syncStarts) if (t >= since) count++;
  // Dropped during the transfer and retried before the next poll, a replica reads "in a sync"
  // throughout: its master's sync_full, going up meanwhile, counts the attempts. So it does while
  // the replica is not read (r is then its last reading, away): one that cannot write the RDB
  // blocks ~5 s at each attempt and times out the console's reads, and its count fell to 0 and
  // rose again with every other poll.
  if (r.linkStatus !== 'up' && master && master !== record) {
    let served = 0;
    for (const sync of master.fullSyncsServed) if (sync.at >= since) served += shareOf(sync, record);
    // The shares of a sync add up to 1 (up to rounding): 3 × 1/3 is one attempt, not none.
    count = Math.max(count, Math.floor(served + 1e-9));
  }
  return count;
}

/**
 * How much of a sync its master served is `record`'s attempt: a share of one among the replicas
 * the master listed syncing (a restarted master serves each of its replicas one); with none of
 * those, all of it if the master had listed `record` syncing in its reading before and no longer
 * listed it (dropped, not back yet). Counted for every away replica, a sync served to a sibling
 * just before this one went away made its one slow sync two.
 */
function shareOf(sync: ServedSync, record: NodeRecord): number {
  const names = (address: string): boolean => address === record.address || record.aliases.has(address);
  if (sync.syncing.length > 0) return sync.syncing.some(names) ? 1 / sync.syncing.length : 0;
  return sync.dropped.some(names) ? 1 : 0;
}

/** The write rate is measured over this much of a master's offset history. */
const WRITE_RATE_WINDOW_MS = 10_000;

/** Bytes per second a node's offset grew over the last WRITE_RATE_WINDOW_MS (null until that much history). */
function writeRate(record: NodeRecord): number | null {
  const latest = record.offsets.latest();
  const earlier = latest ? record.offsets.readBefore(latest.receivedAt - WRITE_RATE_WINDOW_MS) : null;
  if (!latest || !earlier || latest.receivedAt <= earlier.receivedAt) return null;
  return (Math.max(0, latest.offset - earlier.offset) * 1000) / (latest.receivedAt - earlier.receivedAt);
}

/**
 * Backlog advisor: a master's backlog holds `size / rate` seconds of writes; a replica `lag`
 * bytes behind can be away for what is left of its master's backlog before a partial resync
 * is impossible. Null where nothing is written (no limit) or nothing is known.
 */
function backlogWindowOf(context: TickContext, record: NodeRecord, master: NodeRecord | undefined, lag: ReplicaLag | null): BacklogWindow | null {
  const source = record.replication?.role === 'replica' ? master : record;
  const size = source?.replication?.backlog?.size ?? source?.settings?.replBacklogSize ?? null;
  if (!source?.reachable || size === null || size === 0) return null;
  let known = context.writeRates.get(source);
  if (known === undefined) {
    known = writeRate(source);
    context.writeRates.set(source, known);
  }
  const rate = known;
  const writing = rate !== null && rate > 0;
  const away = record === source || !writing ? null : Math.max(0, size - (lag?.bytesBehindMaster ?? 0)) / rate;
  return { writeBytesPerSecond: rate, coversSeconds: writing ? size / rate : null, awaySeconds: away };
}

/** What memory says of a node that cannot be read now and has no reading of its own: its last known role and master. */
function rememberedOnly(record: NodeRecord): NodeRecord['rememberedAs'] {
  return !record.reachable && !record.replication ? record.rememberedAs : null;
}

/** A Sentinel's view of the masters of this topology, with addresses as the graph names the nodes. */
function sentinelViewOf(context: TickContext, record: NodeRecord): SentinelView {
  const canonical = (address: string | null): string | null => (address ? (context.nodes.resolve(address)?.address ?? address) : null);
  return {
    masters: (record.sentinel?.masters ?? []).map((m) => ({
      name: m.name,
      address: canonical(m.facts?.address ?? null),
      flags: m.facts?.flags ?? [],
      quorum: m.facts?.quorum ?? null,
      ckquorum: m.ckquorum,
      replicas: m.facts?.replicas ?? null,
      otherSentinels: m.facts?.otherSentinels ?? null,
      configEpoch: m.facts?.configEpoch ?? null,
      failoverState: m.facts?.failoverState ?? null,
      leader: context.sentinels.leaderOf(m.name),
    })),
  };
}

function rememberedMasterOf(nodes: NodeSet, record: NodeRecord): NodeRecord | undefined {
  if (record.asSentinel) return undefined;
  const master = rememberedOnly(record)?.master;
  const resolved = master ? nodes.resolve(master) : undefined;
  return resolved === record ? undefined : resolved;
}

function isStale(record: NodeRecord, context: TickContext): boolean {
  return record.reachable && record.polledAt !== null && record.polledAt < context.staleBefore;
}

/** INFO server is read only now and then: count the time since on a live node. */
function uptimeOf(record: NodeRecord, now: number): number | null {
  const uptime = record.server?.uptimeSeconds;
  if (uptime === null || uptime === undefined || record.serverReadAt === null) return null;
  return record.reachable ? uptime + Math.max(0, Math.floor((now - record.serverReadAt) / 1000)) : uptime;
}

function roleOf(record: NodeRecord): NodeRole {
  if (record.server?.mode === 'sentinel' || record.asSentinel) return 'sentinel';
  const role = record.replication?.role;
  return role === 'master' || role === 'replica' ? role : 'unknown';
}

/** Read within the last 2 poll intervals (and reachable): its offsets are current. */
function isFresh(record: NodeRecord, context: TickContext): boolean {
  return record.reachable && (record.polledAt ?? 0) >= context.freshSince;
}

/**
 * The nearest node above `record` that is stalled or unreachable: no data flows past it. A node
 * that is up but refuses the console (its password, its client limit) is not one: data flows
 * through it, the console only cannot read it, and the lag to the root is read past it.
 */
function stalledAbove(context: TickContext, record: NodeRecord): NodeRecord | null {
  // Its chain (record included) has at most `length` nodes before it stops or loops back: no set of seen nodes needed.
  let steps = (context.chains.get(record)?.length ?? context.nodes.size) - 1;
  for (let m = context.nodes.masterOf(record); m && m !== record && steps > 0; m = context.nodes.masterOf(m), steps--) {
    if (!isFresh(m, context) && !refusesConsole(m.error)) return m;
  }
  return null;
}

function lagOf(
  context: TickContext,
  record: NodeRecord,
  master: NodeRecord,
  root: NodeRecord | null,
  blocked: NodeRecord | null,
  inCycle: boolean,
): ReplicaLag | null {
  const r = record.replication;
  if (!r) return null;
  const listed = context.listed.get(record);
  const unappliedBytes =
    record.reachable && r.readReplOffset !== null && r.replicaReplOffset !== null ? Math.max(0, r.readReplOffset - r.replicaReplOffset) : null;
  const lastAckSecondsAgo = listed?.ackAgeSeconds ?? null;
  const lastMasterIoSecondsAgo = record.reachable ? r.lastIoSecondsAgo : null;
  const behindBecauseOf = blocked?.address ?? null;
  const fresh = isFresh(record, context);
  // In a cycle nothing is upstream: the node ahead read "0 B" (clamped) and the one behind a lag
  // that never closes. No figures; the CYCLE warning compares their offsets.
  if (inCycle) return { unappliedBytes, lastAckSecondsAgo, lastMasterIoSecondsAgo, behindBecauseOf, ...NO_FIGURES, inCycle, basis: 'offsets' };
  if (fresh) {
    if (r.syncInProgress) {
      return { unappliedBytes, lastAckSecondsAgo, lastMasterIoSecondsAgo, behindBecauseOf, ...NO_FIGURES, inCycle, basis: 'offsets' };
    }
    const sample = record.lastSample;
    // A stalled master's readings are old: "0 behind" what it last had says nothing. The root's say
    // how far behind this is, while the root is read: a root not read now may have taken writes since.
    const toMaster = sample && blocked !== master ? compare(sample, r.replid, master) : null;
    // Below a cycle (root null) there is no root: not the master's figure passed off as the root's.
    const toRoot = root === null ? null : sample && root !== master ? (isFresh(root, context) ? compare(sample, r.replid, root) : null) : toMaster;
    return {
      unappliedBytes,
      lastAckSecondsAgo,
      lastMasterIoSecondsAgo,
      behindBecauseOf,
      bytesBehindMaster: toMaster?.bytes ?? null,
      bytesBehindRoot: toRoot?.bytes ?? null,
      secondsBehind: toMaster?.seconds?.seconds ?? null,
      secondsBehindIsLowerBound: toMaster?.seconds?.lowerBound ?? false,
      secondsBehindRoot: toRoot?.seconds?.seconds ?? null,
      secondsBehindRootIsLowerBound: toRoot?.seconds?.lowerBound ?? false,
      inCycle,
      basis: 'offsets',
    };
  }
  // Neither end read now: the two last readings compare old with old, and "0 B, 0 s" said a
  // replica stalled with its master was in sync. Unknown (what it waits for is still said).
  if (!isFresh(master, context)) {
    return { unappliedBytes, lastAckSecondsAgo, lastMasterIoSecondsAgo, behindBecauseOf, ...NO_FIGURES, inCycle, basis: 'ack' };
  }
  // The replica can't be read now (stalled, gone): compare the master's current offset with
  // the most the replica is known to have, its last ACK or its own last reading, whichever
  // is further (a freshly synced replica may not have ACKed yet: offset=0 in the master's list).
  const masterNow = master.offsets.latest();
  const lastReading = record.offsets.latest();
  const readingCounts = lastReading !== null && sameHistory({ replid: r.replid, offset: lastReading.offset }, master.replication ?? r);
  const ackCounts = listed !== undefined && listed.ackOffset > 0;
  if (!masterNow || (!readingCounts && !ackCounts)) return null;
  const known = Math.max(ackCounts ? (listed?.ackOffset ?? 0) : 0, readingCounts ? (lastReading?.offset ?? 0) : 0);
  const knownSample: OffsetSample = { sentAt: masterNow.sentAt, receivedAt: masterNow.receivedAt, offset: known };
  const seconds = secondsBehind(knownSample, master.offsets);
  return {
    unappliedBytes,
    lastAckSecondsAgo,
    lastMasterIoSecondsAgo,
    behindBecauseOf,
    bytesBehindMaster: Math.max(0, masterNow.offset - known),
    bytesBehindRoot: null,
    secondsBehind: seconds?.seconds ?? null,
    secondsBehindIsLowerBound: seconds?.lowerBound ?? false,
    secondsBehindRoot: null,
    secondsBehindRootIsLowerBound: false,
    inCycle,
    basis: 'ack',
  };
}

const IN_STEP: SecondsBehind = { seconds: 0, lowerBound: false };

/** A lag whose figures cannot be told (a full sync under way, or neither end read now). */
const NO_FIGURES = {
  bytesBehindMaster: null,
  bytesBehindRoot: null,
  secondsBehind: null,
  secondsBehindIsLowerBound: false,
  secondsBehindRoot: null,
  secondsBehindRootIsLowerBound: false,
} as const;

function compare(
  sample: OffsetSample,
  replid: string | null,
  upstream: NodeRecord,
): { bytes: number | null; seconds: SecondsBehind | null } | null {
  const u = upstream.replication;
  if (!u || !upstream.reachable) return null;
  if (!sameHistory({ replid, offset: sample.offset }, u)) return null;
  const history: OffsetHistory = upstream.offsets;
  const bytes = bytesBehind(sample, history);
  return { bytes, seconds: bytes === 0 ? IN_STEP : bytes === null ? null : secondsBehind(sample, history) };
}

/**
 * The link as the freshest reading says it is: the replica's own when it was read now; else
 * its master's list (a listed replica ACKs every second); else nothing current ('unknown').
 */
function edgeHealth(context: TickContext, record: NodeRecord, master: NodeRecord, replica: NodeState): EdgeHealth {
  const listed = context.listed.get(record);
  if (replica.sync || (listed && LISTED_SYNC_STATES.has(listed.state))) return 'syncing';
  if (isFresh(record, context)) {
    if (replica.linkStatus !== 'up') return 'down';
  } else if (!isFresh(master, context)) {
    // Neither end read now (both stalled or cut off from the console): the link may be fine.
    return 'unknown';
  } else if (!listed || listed.state !== 'online' || listed.ackAgeSeconds > ACK_SILENT_SECONDS) {
    // Its master, read now, does not have it connected, or has not heard from it for seconds.
    return 'down';
  }
  const lag = replica.lag;
  if ((lag?.secondsBehind ?? 0) >= LAGGING_SECONDS || (lag?.bytesBehindMaster ?? 0) >= LAGGING_BYTES) return 'lagging';
  // Its own link is fine, but nothing flows past a stalled node above it.
  if (lag?.behindBecauseOf) return 'lagging';
  return 'up';
}

/**
 * The nodes sorted by address, sorted again only when the node set changes: NodeSet.all() is
 * one array until a node is added or removed, and a node's address never changes. The collator
 * compare was a visible share of every tick.
 */
const sortedByAddress = new WeakMap<readonly NodeRecord[], readonly NodeRecord[]>();
function byAddress(list: readonly NodeRecord[]): readonly NodeRecord[] {
  let sorted = sortedByAddress.get(list);
  if (!sorted) {
    sorted = [...list].sort((a, b) => ADDRESS_ORDER.compare(a.address, b.address));
    sortedByAddress.set(list, sorted);
  }
  return sorted;
}

/** Roots first, then each root's tree depth-first, then whatever is left (cycles, strays). */
function orderForDisplay(nodes: NodeSet): NodeRecord[] {
  const all = byAddress(nodes.all());
  const children = new Map<NodeRecord, NodeRecord[]>();
  const roots: NodeRecord[] = [];
  for (const record of all) {
    const master = nodes.masterOf(record);
    const siblings = master && master !== record ? children.get(master) : undefined;
    if (siblings) siblings.push(record);
    else if (master && master !== record) children.set(master, [record]);
    else roots.push(record);
  }
  const walk: TreeWalk = { children, seen: new Set(), out: [] };
  // The data nodes' trees first, the Sentinels after them.
  for (const root of roots) if (!root.asSentinel) visit(walk, root);
  for (const record of all) if (!record.asSentinel) visit(walk, record);
  for (const record of all) visit(walk, record);
  return walk.out;
}

interface TreeWalk {
  children: ReadonlyMap<NodeRecord, NodeRecord[]>;
  seen: Set<NodeRecord>;
  out: NodeRecord[];
}

// Module-level rather than a closure made on every tick: nothing holds such a closure's
// optimized code between ticks, so each full garbage collection drops it and it is compiled again.
function visit(walk: TreeWalk, record: NodeRecord): void {
  if (walk.seen.has(record)) return;
  walk.seen.add(record);
  walk.out.push(record);
  const children = walk.children.get(record);
  if (children) for (const child of children) visit(walk, child);
}
