// The replication rules every verdict of the console rests on, in one place: when two
// offsets belong to one history, what a node's offset and master are, whether a PSYNC is
// accepted, which RDB format a server writes and whether another can load it. Lag, the
// preflight, resync prediction and the planner all ask here, so they cannot disagree.
// Facts behind each rule: ../../shared/REDIS-REPLICATION.md (masterTryPartialResynchronization
// in Redis's replication.c for PSYNC, RDB_VERSION in each server's rdb.h for the formats).
import type { ReplicationBacklog } from '../shared/types';
import { formatAddress } from './address';

// ── Histories ────────────────────────────────────────────────────────────────────────────

/** What names a node's replication history: its replid, and the previous one it still serves. */
export interface HistoryIdentity {
  replid: string | null;
  replid2: string | null;
  /**
   * second_repl_offset: the first offset that is NOT part of replid2's history (the offset at
   * promotion + 1). Redis's −1 ("no previous history") arrives as null.
   */
  secondReplOffset: number | null;
}

/** A node's position: which history, and how far along it. */
export interface HistoryPosition {
  replid: string | null;
  offset: number;
}

/**
 * True when `node`'s offset lies on `upstream`'s history, so the two offsets can be compared:
 * the same replid, or `upstream`'s previous replid (replid2) with the node's offset before
 * second_repl_offset. A node past that point has bytes `upstream` never had (it diverged).
 */
export function sameHistory(node: HistoryPosition, upstream: HistoryIdentity): boolean {
  if (!node.replid) return false;
  if (node.replid === upstream.replid) return true;
  return node.replid === upstream.replid2 && upstream.secondReplOffset !== null && node.offset < upstream.secondReplOffset;
}

/**
 * Bytes `behind` lacks that `ahead` has, when `behind` lies on `ahead`'s history; null when
 * an offset is unknown or the histories differ. Both must be read in the right order (the
 * node that is behind first): see the preflight.
 */
export function historyBytesBehind(
  ahead: HistoryIdentity & { offset: number | null },
  behind: { replid: string | null; offset: number | null },
): number | null {
  if (ahead.offset === null || behind.offset === null) return null;
  if (!sameHistory({ replid: behind.replid, offset: behind.offset }, ahead)) return null;
  return Math.max(0, ahead.offset - behind.offset);
}

/**
 * Whether `holder` has everything `node` has: `node`'s offset lies on `holder`'s history and is
 * not past `holder`'s own offset. False when an offset is unknown.
 */
export function holdsHistoryOf(holder: HistoryIdentity & { offset: number | null }, node: { replid: string | null; offset: number | null }): boolean {
  if (holder.offset === null || node.offset === null) return false;
  return sameHistory({ replid: node.replid, offset: node.offset }, holder) && node.offset <= holder.offset;
}

// ── A node's offset and master ───────────────────────────────────────────────────────────

/** The INFO replication fields that decide a node's offset and master. */
export interface ReplicationPosition {
  role: 'master' | 'replica' | 'unknown';
  masterHost: string | null;
  masterPort: number | null;
  /** slave_repl_offset (replicas only): what it has applied. */
  replicaReplOffset: number | null;
  /** master_repl_offset: what the node has in its own history (on a replica, what it forwards). */
  masterReplOffset: number | null;
}

/** The offset to compare a node by: a replica's slave_repl_offset, else its master_repl_offset. */
export function nodeOffset(repl: ReplicationPosition): number | null {
  return repl.role === 'replica' ? (repl.replicaReplOffset ?? repl.masterReplOffset) : repl.masterReplOffset;
}

/** "host:port" of the master a replica follows, as the replica reports it; null for anything else. */
export function nodeMaster(repl: ReplicationPosition): string | null {
  return repl.role === 'replica' && repl.masterHost && repl.masterPort !== null ? formatAddress(repl.masterHost, repl.masterPort) : null;
}

// ── PSYNC ────────────────────────────────────────────────────────────────────────────────

/** What a master offers a replica's PSYNC: its histories and its backlog. */
export interface PsyncOffer extends HistoryIdentity {
  backlog: ReplicationBacklog | null;
}

export type PsyncVerdict =
  /** Partial resync; `behind` bytes are sent from the backlog. */
  | { accepted: true; via: 'replid' | 'replid2'; behind: number }
  /** Full resync: the replica's data is replaced. `bytes` says how far off, where that means something. */
  | { accepted: false; reason: 'different-history' | 'past-replid2' | 'no-backlog' | 'before-backlog' | 'ahead'; bytes: number };

/**
 * Redis's own test (masterTryPartialResynchronization): a replica at `offset` asks for
 * (replid, offset + 1). Accepted when that replid is the master's, or its replid2 with
 * offset + 1 ≤ second_repl_offset; and offset + 1 lies inside the backlog
 * [first_byte_offset, first_byte_offset + histlen]. Anything else is a full resync.
 */
export function psyncVerdict(replica: HistoryPosition, master: PsyncOffer): PsyncVerdict {
  const psync = replica.offset + 1;
  const own = replica.replid !== null && replica.replid === master.replid;
  const previous = !own && sameHistory(replica, master);
  if (!own && !previous) {
    if (replica.replid !== null && replica.replid === master.replid2 && master.secondReplOffset !== null) {
      return { accepted: false, reason: 'past-replid2', bytes: psync - master.secondReplOffset };
    }
    return { accepted: false, reason: 'different-history', bytes: 0 };
  }
  const backlog = master.backlog;
  if (!backlog || !backlog.active) return { accepted: false, reason: 'no-backlog', bytes: 0 };
  const first = backlog.firstByteOffset;
  const end = first + backlog.histlen;
  if (psync < first) return { accepted: false, reason: 'before-backlog', bytes: first - psync };
  if (psync > end) return { accepted: false, reason: 'ahead', bytes: psync - end };
  return { accepted: true, via: own ? 'replid' : 'replid2', behind: end - psync };
}

/** How a finished sync is classified from the serving master's counters (INFO stats). */
export interface SyncCounters {
  syncFull: number;
  syncPartialOk: number;
}

/**
 * Which sync a master served between two readings of its counters: 'full' when sync_full
 * grew, else 'partial' when sync_partial_ok did, else null. A Valkey dual-channel full sync
 * raises both counters (its main channel's PSYNC is counted as accepted): it counts once, as full.
 */
export function syncServed(before: SyncCounters, after: SyncCounters): 'full' | 'partial' | null {
  if (after.syncFull > before.syncFull) return 'full';
  if (after.syncPartialOk > before.syncPartialOk) return 'partial';
  return null;
}

// ── Versions and RDB formats ─────────────────────────────────────────────────────────────

export interface ServerVersion {
  product: 'redis' | 'valkey';
  /** [major, minor, patch]: valkey_version on Valkey 8+, never its frozen redis_version 7.2.4. */
  parts: [number, number, number];
}

/**
 * "redis 7.0.15" / "valkey 8.0.1" (NodeState.version, NodeFacts.version) or a bare "7.0.15"
 * (taken as Redis); null when there is no version in it.
 */
export function parseServerVersion(version: string | null): ServerVersion | null {
  if (!version) return null;
  // The rules ask for every replica and master on every tick, and a topology runs a few versions: parse each once.
  const known = parsedVersions.get(version);
  if (known !== undefined) return known;
  const parsed = parseVersionText(version);
  if (parsedVersions.size >= MAX_PARSED_VERSIONS) parsedVersions.clear();
  parsedVersions.set(version, parsed);
  return parsed;
}

const parsedVersions = new Map<string, ServerVersion | null>();
const MAX_PARSED_VERSIONS = 256;

function parseVersionText(version: string): ServerVersion | null {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) return null;
  return {
    product: /^\s*valkey\b/i.test(version) ? 'valkey' : 'redis',
    parts: [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)],
  };
}

/** Negative when a < b, 0 when equal, positive when a > b (major, minor, patch). */
function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// RDB_VERSION of each release line (rdb.h), oldest first: the format it writes, and the
// newest it reads. Lines after the last known one are not guessed.
const REDIS_RDB: [major: number, minor: number, rdb: number][] = [
  [2, 6, 6],
  [2, 8, 6],
  [3, 0, 7],
  [3, 2, 8],
  [4, 0, 8],
  [5, 0, 9],
  [6, 0, 9],
  [6, 2, 9],
  [7, 0, 10],
  [7, 2, 11],
  [7, 4, 12],
  [8, 0, 12],
];
const VALKEY_RDB: [major: number, minor: number, rdb: number][] = [
  [7, 2, 11],
  [8, 0, 11],
  [8, 1, 11],
];

/** The RDB format a server writes (and the newest it can load); null for a release line not known here. */
export function rdbFormat(version: string | null): number | null {
  const server = parseServerVersion(version);
  if (!server) return null;
  const [major, minor] = server.parts;
  const table = server.product === 'valkey' ? VALKEY_RDB : REDIS_RDB;
  const line = table.find(([ma, mi]) => ma === major && mi === minor);
  return line ? line[2] : null;
}

export interface RdbCompatibility {
  /** true: loads it; false: refuses it ("Can't handle RDB format version N") and retries forever; null: unknown. */
  loads: boolean | null;
  /** Newest RDB format the replica reads (the one it writes). */
  replicaReads: number | null;
  /** The RDB format the master writes for a full sync. */
  masterWrites: number | null;
}

/**
 * Can a replica running `replica` load the RDB a master running `master` sends in a full
 * sync? A server reads every format up to the one it writes, never a newer one. Versions as
 * NodeState.version / NodeFacts.version ("redis 7.0.15", "valkey 8.0.1").
 */
export function canLoadRdb(replica: string | null, master: string | null): RdbCompatibility {
  const replicaReads = rdbFormat(replica);
  const masterWrites = rdbFormat(master);
  const loads = replicaReads === null || masterWrites === null ? null : masterWrites <= replicaReads;
  return { loads, replicaReads, masterWrites };
}

/**
 * How `a` compares with `b` for replication, negative when `a` is older: the same product by
 * its own version (Valkey by valkey_version), across products by the RDB format each writes.
 * 0 when either is unknown, or across products when the format is the same or unknown.
 */
export function compareServers(a: string | null, b: string | null): number {
  const sa = parseServerVersion(a);
  const sb = parseServerVersion(b);
  if (!sa || !sb) return 0;
  if (sa.product === sb.product) return compareParts(sa.parts, sb.parts);
  const ra = rdbFormat(a);
  const rb = rdbFormat(b);
  return ra === null || rb === null ? 0 : ra - rb;
}
