// What a node does to writes because of itself when it is a master (or once it is promoted), as
// Redis decides it in processCommand and performEvictions: a failed RDB save or AOF write stops
// every write (MISCONF), used memory past maxmemory stops the writes that add data (OOM) under
// noeviction or evicts keys under any other policy. A replica ignores its maxmemory
// (replica-ignore-maxmemory) and is refused writes anyway, so a replica over its limit looks
// fine until it is promoted. One rule for the snapshot's warnings and the planner's checks.
import { formatBytes } from '../shared/format';
import type { NodeLoad, ReplicationSettings } from '../shared/types';

export type MasterHazardKind = 'rdb-error' | 'aof-error' | 'oom' | 'eviction';

export interface MasterHazard {
  kind: MasterHazardKind;
  /** False when a setting it hangs on could not be read (CONFIG refused): it "may" happen. */
  certain: boolean;
  /** What it does to writes as a master and why, without the node's address: "refuses every write (MISCONF): …". */
  effect: string;
  /** What the operator can do. */
  fix: string;
}

/** The hazards that refuse writes (every one but eviction, which takes them and drops keys). */
export function refusesWrites(hazard: MasterHazard): boolean {
  return hazard.kind !== 'eviction';
}

/**
 * The hazards `settings` and `load` show. A load not read yet (or without the sections) says
 * nothing; settings unread make the RDB case uncertain, not silent.
 */
export function masterHazards(settings: ReplicationSettings | null, load: NodeLoad | null): MasterHazard[] {
  const out: MasterHazard[] = [];
  const persistence = load?.persistence ?? null;
  const save = settings?.save ?? null;
  const stopWrites = settings?.stopWritesOnBgsaveError ?? null;
  // Redis: stop-writes-on-bgsave-error and save points configured and the last bgsave failed.
  if (persistence?.lastSaveStatus === 'err' && stopWrites !== false && save?.trim() !== '') {
    const certain = stopWrites === true && save !== null;
    out.push({
      kind: 'rdb-error',
      certain,
      effect:
        `${certain ? 'refuses' : 'may refuse'} every write (MISCONF): its last RDB save failed (rdb_last_bgsave_status:err)` +
        (certain ? ' and stop-writes-on-bgsave-error is yes' : ' and the console cannot read stop-writes-on-bgsave-error or save (yes and on by default)'),
      fix: 'look at its log and disk (space, the permissions of its dir) and run BGSAVE once fixed, or CONFIG SET stop-writes-on-bgsave-error no to take writes without snapshots',
    });
  }
  if (persistence?.aofLastWriteStatus === 'err') {
    out.push({
      kind: 'aof-error',
      certain: true,
      effect: 'refuses every write (MISCONF): it could not write or fsync its AOF (aof_last_write_status:err)',
      fix: 'look at its log and disk (space, I/O errors): it takes writes again once an AOF write succeeds',
    });
  }
  const over = overMaxmemory(load);
  if (over) {
    const usage = `it uses ${formatBytes(over.used)} against its maxmemory of ${formatBytes(over.limit)}`;
    out.push(
      load?.maxMemoryPolicy === 'noeviction'
        ? {
            kind: 'oom',
            certain: true,
            effect: `refuses the writes that add data (OOM): ${usage}, with maxmemory-policy noeviction`,
            fix: 'raise maxmemory (CONFIG SET maxmemory), or free memory (delete keys, let them expire)',
          }
        : {
            kind: 'eviction',
            certain: load?.maxMemoryPolicy !== null,
            effect: `evicts keys until it is under its limit (maxmemory-policy ${load?.maxMemoryPolicy ?? 'unknown'}): ${usage}; its replicas delete the same keys`,
            fix: 'raise its maxmemory to at least what it uses first (CONFIG SET maxmemory)',
          },
    );
  }
  return out;
}

/** Used memory as Redis compares it with maxmemory (used_memory less mem_not_counted_for_evict), when past it. */
function overMaxmemory(load: NodeLoad | null): { used: number; limit: number } | null {
  const limit = load?.maxMemoryBytes ?? null;
  const used = load?.usedMemoryBytes ?? null;
  if (limit === null || used === null) return null;
  const counted = used - (load?.memoryNotCountedBytes ?? 0);
  return counted > limit ? { used: counted, limit } : null;
}

/** "refuses every write (MISCONF): …; look at …" for each hazard, joined: the sentence after "X ". */
export function describeHazards(hazards: readonly MasterHazard[]): string {
  return hazards.map((h) => `${h.effect}. To fix: ${h.fix}`).join('. It also ');
}
