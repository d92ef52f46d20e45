// What a node's own disk and memory do to writes, as Redis decides it in processCommand and
// performEvictions, for the role it has or is about to get:
// - as a master: a failed RDB save or AOF write stops every write (MISCONF); used memory past
//   maxmemory stops the writes that add data (OOM) under noeviction, or under a volatile-*
//   policy once no key with a TTL is left, and evicts keys under any other policy;
// - as a replica (7.0+): the same disk error stops the process at the first write its master
//   sends (a panic, unless replica-ignore-disk-write-errors yes); a replica ignores its
//   maxmemory (replica-ignore-maxmemory), so one past it looks fine until it is promoted.
// One rule for the snapshot's warnings and the planner's checks.
import { formatBytes } from '../shared/format';
import type { NodeLoad, ReplicationSettings } from '../shared/types';
import { parseServerVersion } from './replication-rules';

export type WriteHazardKind = 'rdb-error' | 'aof-error' | 'oom' | 'eviction';

export interface WriteHazard {
  kind: WriteHazardKind;
  /** False when something it hangs on could not be read (CONFIG refused, keys with a TTL unknown): it "may" happen. */
  certain: boolean;
  /** What it does in that role and why, without the node's address: "refuses every write (MISCONF): …". */
  effect: string;
  /** What the operator can do. */
  fix: string;
}

/** The hazards that refuse writes or stop the node (every one but eviction, which takes them and drops keys). */
export function refusesWrites(hazard: WriteHazard): boolean {
  return hazard.kind !== 'eviction';
}

/**
 * The replicas a master asks for before it takes a write (min-replicas-to-write), 0 when the
 * limit is off: Redis applies it only with min-replicas-max-lag on too (checkGoodReplicasStatus).
 */
export function replicasAsked(toWrite: number | null | undefined, maxLag: number | null | undefined): number {
  return toWrite && toWrite > 0 && maxLag && maxLag > 0 ? toWrite : 0;
}

/**
 * A master with fewer good replicas than its min-replicas-to-write asks (NOREPLICAS): `good` is
 * INFO's min_slaves_good_slaves, given only while the limit is on (both settings), so none good
 * is a refusal even with the setting unread (`need` null). Null when it takes writes.
 */
export function replicasShort(settings: ReplicationSettings | null, good: number | null): { need: number | null; good: number } | null {
  if (good === null) return null;
  const need = settings?.minReplicasToWrite ?? null;
  if (need === null) return good === 0 ? { need, good } : null;
  return need > 0 && good < need ? { need, good } : null;
}

/**
 * Whether writes are refused hangs on settings the console holds (a failed save: on save points
 * and stop-writes-on-bgsave-error; NOREPLICAS): the poll re-reads them with the load while it
 * does, so a CONFIG SET that ends a refusal, or starts one, shows within seconds. Whatever the
 * settings last read said: save points turned on at run time and a save failing after showed
 * no MISCONF for up to a minute, and no reason for Sentinel's failover meanwhile.
 */
export function refusalHangsOnSettings(settings: ReplicationSettings | null, load: NodeLoad | null, good: number | null): boolean {
  return load?.persistence?.lastSaveStatus === 'err' || replicasShort(settings, good) !== null;
}

/** Past maxmemory, a volatile-* policy evicts only keys with a TTL: without one it refuses writes. */
export function evictsOnlyKeysWithTtl(policy: string | null): boolean {
  return policy !== null && policy.startsWith('volatile-');
}

/**
 * The hazards `settings` and `load` show for a master (now, or once promoted). A load not read
 * yet (or without the sections) says nothing; settings unread make the RDB case uncertain, not
 * silent. The load's keysWithTtl (INFO keyspace's expires) decides a volatile-* policy: none left
 * refuses, some are evicted; unknown, it "may" refuse.
 */
export function masterHazards(settings: ReplicationSettings | null, load: NodeLoad | null): WriteHazard[] {
  const out: WriteHazard[] = diskErrors(settings, load).map((e) => ({
    kind: e.kind,
    certain: e.certain,
    // It refuses its replicas' PING too: one whose link drops cannot sync again.
    effect: `${e.certain ? 'refuses' : 'may refuse'} every write (MISCONF): ${e.cause}; a replica whose link drops cannot come back (its PING is refused too)`,
    fix: e.fix,
  }));
  const over = overMaxmemory(load);
  if (over) {
    const policy = load?.maxMemoryPolicy ?? null;
    const usage = `it uses ${formatBytes(over.used)} against its maxmemory of ${formatBytes(over.limit)}`;
    const raise = 'raise maxmemory (CONFIG SET maxmemory), or free memory (delete keys, let them expire)';
    const ttlOnly = evictsOnlyKeysWithTtl(policy);
    const keysWithTtl = load?.keysWithTtl ?? null;
    if (policy === 'noeviction' || (ttlOnly && keysWithTtl === 0)) {
      const why = policy === 'noeviction' ? 'with maxmemory-policy noeviction' : `with maxmemory-policy ${policy} and no key with a TTL to evict`;
      out.push({ kind: 'oom', certain: true, effect: `refuses the writes that add data (OOM): ${usage}, ${why}`, fix: raise });
    } else if (ttlOnly && keysWithTtl === null) {
      out.push({
        kind: 'oom',
        certain: false,
        effect: `may refuse the writes that add data (OOM): ${usage}, with maxmemory-policy ${policy}, which evicts only keys with a TTL and refuses writes once none is left`,
        fix: raise,
      });
    } else {
      out.push({
        kind: 'eviction',
        certain: policy !== null,
        effect: `evicts ${ttlOnly ? 'keys with a TTL' : 'keys'} until it is under its limit (maxmemory-policy ${policy ?? 'unknown'}): ${usage}; its replicas delete the same keys`,
        fix: 'raise its maxmemory to at least what it uses first (CONFIG SET maxmemory)',
      });
    }
  }
  return out;
}

/**
 * The hazards for a replica (now, or once demoted or re-pointed): a disk error stops it at the
 * first write its master sends (Redis 7.0+ panics rather than drop the write). Redis 6.x
 * replicas take the write: none there. `version` as INFO server gives it ("redis 7.0.15").
 */
export function replicaHazards(settings: ReplicationSettings | null, load: NodeLoad | null, version: string | null): WriteHazard[] {
  const ignores = settings?.replicaIgnoreDiskWriteErrors ?? null;
  if (ignores === true || (parseServerVersion(version)?.parts[0] ?? 7) < 7) return [];
  return diskErrors(settings, load).map((e) => {
    const certain = e.certain && ignores === false;
    return {
      kind: e.kind,
      certain,
      effect:
        `${certain ? 'stops' : 'may stop'} (the process exits) at the first write its master sends: ${e.cause}, ` +
        (ignores === false ? 'and replica-ignore-disk-write-errors is no' : 'unless replica-ignore-disk-write-errors is yes (it cannot be read; no by default on 7.0+)'),
      fix:
        'CONFIG SET replica-ignore-disk-write-errors yes on it (it then applies its master\'s writes without saving), or fix its disk ' +
        (e.kind === 'rdb-error' ? 'and run BGSAVE (CONFIG SET save "" stops the refusal too, and the saves)' : '(space, I/O errors) until an AOF write succeeds'),
    };
  });
}

interface DiskError {
  kind: 'rdb-error' | 'aof-error';
  certain: boolean;
  /** Why, in words: "its last RDB save failed (rdb_last_bgsave_status:err) and …". */
  cause: string;
  fix: string;
}

/** Redis's writeCommandsDeniedByDiskError: save points and stop-writes-on-bgsave-error with a failed save, or a failed AOF write. */
function diskErrors(settings: ReplicationSettings | null, load: NodeLoad | null): DiskError[] {
  const out: DiskError[] = [];
  const persistence = load?.persistence ?? null;
  const save = settings?.save ?? null;
  const stopWrites = settings?.stopWritesOnBgsaveError ?? null;
  if (persistence?.lastSaveStatus === 'err' && stopWrites !== false && save?.trim() !== '') {
    const certain = stopWrites === true && save !== null;
    out.push({
      kind: 'rdb-error',
      certain,
      cause:
        'its last RDB save failed (rdb_last_bgsave_status:err)' +
        (certain ? ' and stop-writes-on-bgsave-error is yes' : ' and the console cannot read stop-writes-on-bgsave-error or save (yes and on by default)'),
      fix: 'look at its log and disk (space, the permissions of its dir) and run BGSAVE once fixed, or CONFIG SET stop-writes-on-bgsave-error no to take writes without snapshots',
    });
  }
  if (persistence?.aofLastWriteStatus === 'err') {
    out.push({
      kind: 'aof-error',
      certain: true,
      cause: 'it could not write or fsync its AOF (aof_last_write_status:err)',
      fix: 'look at its log and disk (space, I/O errors): it takes writes again once an AOF write succeeds',
    });
  }
  return out;
}

/**
 * Why a master refuses PING, when its disk is why: Redis denies PING on a master with the writes
 * (MISCONF), and Sentinel takes that reply for down and fails it over, while the console, whose
 * INFO is still answered, reads it fine. Null when its disk is fine.
 */
export function pingRefusal(settings: ReplicationSettings | null, load: NodeLoad | null): { certain: boolean; cause: string; fix: string } | null {
  const [error] = diskErrors(settings, load);
  return error ? { certain: error.certain, cause: error.cause, fix: error.fix } : null;
}

/** Used memory as Redis compares it with maxmemory (used_memory less mem_not_counted_for_evict), when past it. */
function overMaxmemory(load: NodeLoad | null): { used: number; limit: number } | null {
  const limit = load?.maxMemoryBytes ?? null;
  const used = load?.usedMemoryBytes ?? null;
  if (limit === null || used === null) return null;
  const counted = used - (load?.memoryNotCountedBytes ?? 0);
  return counted > limit ? { used: counted, limit } : null;
}

/** "refuses every write (MISCONF): …. To fix: …" for each hazard, joined: the sentence after "X ". */
export function describeHazards(hazards: readonly WriteHazard[]): string {
  return hazards.map((h) => `${h.effect}. To fix: ${h.fix}`).join('. It also ');
}
