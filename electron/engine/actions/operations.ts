// The operations a plan is made of: what the executor sends, and the exact text the operator
// sees for it. Passwords are never part of an operation: set-masterauth takes the console's
// own password from the engine at the moment it runs.
import { failoverArgs } from '../node-commands';
import { parseAddress } from '../address';
import { sameAddress } from './graph';

/** Writes refused until restored: no replica count can reach this. */
export const FENCE_REPLICAS = 2147483647;

/**
 * A min-replicas-to-write this high can only be a write fence (ours, or another tool's): no
 * deployment has a million replicas. Such a value is never taken as the one to restore.
 */
export const FENCE_THRESHOLD = 1_000_000;

/** True when `toWrite` (min-replicas-to-write) holds a write fence rather than a real setting. */
export function isFenceValue(toWrite: number | null | undefined): boolean {
  return typeof toWrite === 'number' && toWrite >= FENCE_THRESHOLD;
}

export type StepOp =
  /**
   * CONFIG SET masterauth (the console's password) on `node`; `master` is the console's address for
   * the master it will then authenticate to as the console's user (absent in older journals).
   */
  | { kind: 'set-masterauth'; node: string; master?: string }
  | { kind: 'set-masteruser'; node: string; user: string }
  /** REPLICAOF host port; `master` is the console's address for the new master (to compare offsets). */
  | { kind: 'replicaof'; node: string; host: string; port: number; master: string }
  | { kind: 'promote'; node: string }
  /**
   * FAILOVER TO host port [FORCE] TIMEOUT ms on `node` (the old master); `target` is the
   * console's address for it. FORCE hands over once the timeout passes without waiting for
   * the target's ACK: only sent once the console has seen the target reach every byte.
   */
  | { kind: 'failover'; node: string; target: string; host: string; port: number; timeoutMs: number; force: boolean }
  | { kind: 'pause-writes'; node: string; ms: number }
  | { kind: 'unpause-writes'; node: string }
  /**
   * CONFIG SET of a plain (non-secret) parameter; `fence` marks the write fence and its removal,
   * `steer` a replica-priority that steers Sentinel's pick and its restore (which runs even when
   * the plan stops early: a priority left changed would steer every later failover).
   */
  | { kind: 'set-config'; node: string; parameter: string; value: string; fence?: 'on' | 'off'; steer?: 'on' | 'off' }
  /** Polls SENTINEL REPLICAS on `node` (a Sentinel) until it reports each replica's new priority (it reads them every 10 s). */
  | { kind: 'sentinel-priorities'; node: string; masterName: string; priorities: { address: string; priority: number }[] }
  /**
   * SENTINEL FAILOVER masterName on `node` (a Sentinel); then waits until `sentinels` report a new
   * master (and `prefer`, when given). Addresses in Sentinel's own form; `consoleAddress` maps them
   * to the console's way in where it differs.
   */
  | {
      kind: 'sentinel-failover';
      node: string;
      masterName: string;
      oldMaster: string;
      prefer: string | null;
      sentinels: string[];
      consoleAddress: Record<string, string>;
      /** The old master did not answer when planned: Sentinel's NOGOODSLAVE may be its stale readings (asked again). Absent in older journals. */
      masterDown?: boolean;
    }
  /**
   * REPLICAOF the master Sentinel just promoted, on `node` (the old master), at once: Sentinel
   * does it at its next look (it reads the old master every 10 s), and a master meanwhile takes
   * writes its resync then drops. `target` is the preferred new master when the plan steers one.
   */
  | {
      kind: 'sentinel-demote';
      node: string;
      target: string | null;
      /**
       * The hosts, as Sentinel lists them, of the replicas it may pick (the one steered to, when
       * steered): the REPLICAOF's first argument, which an ACL rule can allow by (`+replicaof|<host>`).
       * Absent in older journals.
       */
      hosts?: string[];
    }
  /** Polls INFO replication on `members` (the old master first, when it answers) until each follows the new master Sentinel chose. */
  | { kind: 'sentinel-followers'; node: string; members: string[] }
  /**
   * Polls INFO replication until `node` (the replica) has every byte `master` had when writes
   * stopped; for at most `withinMs` when given (before SENTINEL FAILOVER: the paused master stops
   * answering its Sentinels, who take it for down after down-after-milliseconds and fail it over on their own).
   */
  | { kind: 'wait-caught-up'; node: string; master: string; withinMs?: number }
  | { kind: 'config-rewrite'; node: string }
  /**
   * CONFIG REWRITE on `node` after its steered `parameter` was put back to `restored`, so that its
   * config file (`file`, from INFO server) says `restored` again. Sentinel sends CONFIG REWRITE with
   * every SLAVEOF it sends: a node it promoted or re-pointed had the steered value (`steered`)
   * written into its file, and the restore alone left it there for the next restart. Sent only to
   * such a node (a master now, or one that follows another master than `master`, the one it
   * followed when planned): anywhere else it would persist runtime changes nobody asked to
   * persist. A failure is reported and leaves the plan's result alone.
   */
  | { kind: 'steer-rewrite'; node: string; master: string | null; parameter: string; steered: string; restored: string; file: string };

/**
 * Whether Sentinel promoted or re-pointed a steered node since the plan was made (`plannedMaster`:
 * the master it followed then): Sentinel's SLAVEOF goes with a CONFIG REWRITE, which wrote the
 * steer into its file. One that reports no master, or whose planned master is unknown, is not
 * counted: a CONFIG REWRITE there would persist whatever state it is in.
 */
export function movedBySentinel(now: { role: string; master: string | null }, plannedMaster: string | null): boolean {
  if (now.role === 'master') return true;
  return now.role === 'replica' && now.master !== null && plannedMaster !== null && !sameAddress(now.master, plannedMaster);
}

/**
 * An emergency failover's dead old master, once back: the one sentence the plan's check, its
 * outcome and the interrupted-plan report give. `replicaof` is the command to send when known.
 */
export function oldMasterComesBack(dead: string, newMaster: string, replicaof?: string): string {
  return (
    `When ${dead} comes back it is still a master, with any writes it took that ${newMaster} never got: ` +
    `make it a replica of ${newMaster} at once (${replicaof ? `${replicaof} on ${dead}; ` : ''}a full sync replaces its data)`
  );
}

/** The exact command text for the plan and the audit log. */
export function commandText(op: StepOp): string {
  switch (op.kind) {
    case 'set-masterauth':
      return 'CONFIG SET masterauth ***';
    case 'set-masteruser':
      return `CONFIG SET masteruser ${op.user}`;
    case 'replicaof':
      return `REPLICAOF ${op.host} ${op.port}`;
    case 'promote':
      return 'REPLICAOF NO ONE';
    case 'failover':
      return `FAILOVER ${failoverArgs({ to: { host: op.host, port: op.port }, force: op.force, timeoutMs: op.timeoutMs }).join(' ')}`;
    case 'pause-writes':
      return `CLIENT PAUSE ${op.ms} WRITE`;
    case 'unpause-writes':
      return 'CLIENT UNPAUSE';
    case 'set-config':
      return `CONFIG SET ${op.parameter} ${op.value}`;
    case 'wait-caught-up':
      return 'INFO replication';
    case 'config-rewrite':
    case 'steer-rewrite':
      return 'CONFIG REWRITE';
    case 'sentinel-priorities':
      return `SENTINEL REPLICAS ${op.masterName}`;
    case 'sentinel-failover':
      return `SENTINEL FAILOVER ${op.masterName}`;
    case 'sentinel-demote':
      return op.target ? `REPLICAOF ${parseAddress(op.target).host} ${parseAddress(op.target).port}` : 'REPLICAOF <the new master>';
    case 'sentinel-followers':
      return 'INFO replication';
  }
}

