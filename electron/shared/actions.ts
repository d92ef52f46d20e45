// Topology changes (re-point, promote, switchover, failover, detach): the plain-JSON contract
// between the action engine, the CLI, the bridge and the renderer. A request becomes a plan
// (steps, exact commands, checks, predictions) before anything is sent; executing a plan
// yields progress events and one outcome, and appends one audit line.
import type { Address, ApiError, LinkStatus, NodeRole } from './types';

/**
 * How a switchover hands over. 'auto': 'paused-failover' on 6.2+, else the fenced manual sequence.
 * 'paused-failover' (6.2+): CLIENT PAUSE ms WRITE on the master, wait until the target has
 * every byte, then FAILOVER TO host port FORCE TIMEOUT: fast, and the server finishes the
 * hand-over (and the pause ends by itself) even if the console dies.
 * 'failover': a bare FAILOVER TO (waits for the target's once-a-second ACK).
 * 'pause': CLIENT PAUSE WRITE, wait, REPLICAOF NO ONE, re-point, CLIENT UNPAUSE (6.2+).
 * 'fence': the pre-6.2 sequence, with writes refused through min-replicas-to-write (journaled,
 * so an interrupted plan can restore it) instead of a CLIENT PAUSE that would also stall the console.
 */
export type SwitchoverMethod = 'auto' | 'paused-failover' | 'failover' | 'pause' | 'fence';

export interface ActionOptions {
  /** CONFIG REWRITE on every node whose role or master changes, once the change is verified. */
  persist?: boolean;
  /** Where a replica lacks masterauth for a master that needs one, set it from the console's own credentials. */
  setMasterauth?: boolean;
  /** Switchover only. Default 'auto'. */
  switchoverMethod?: SwitchoverMethod;
  /** How long each step's verification may take, in ms (default 30 000). Also the FAILOVER TIMEOUT. */
  stepTimeoutMs?: number;
  /**
   * The address replicas are told to reach their new master by (the REPLICAOF target). Default:
   * how the servers already reach it (as its master lists it, else as its replicas dial it).
   * Behind NAT, set the one the replicas can use.
   */
  masterAddress?: Address;
  /**
   * Replicaof only. A replica moved under a node that takes the same live stream (a sibling, a
   * cousin) is moved while writes wait on the stream's root for a moment, so it cannot be a write
   * ahead of its new master when it asks for PSYNC (that would be a full sync). True: no pause,
   * and the plan warns (RESYNC_RACE) instead.
   */
  skipWritePause?: boolean;
}

export type ActionRequest =
  /** Make `node` a replica of `master` (REPLICAOF). Also re-attaches a lone master. */
  | { kind: 'replicaof'; node: Address; master: Address; options?: ActionOptions }
  /** REPLICAOF NO ONE on a replica; optionally re-point its former siblings to it. */
  | { kind: 'promote'; node: Address; repointSiblings: boolean; options?: ActionOptions }
  /** Planned hand-over from a healthy master to one of its replicas, with no lost writes. */
  | { kind: 'switchover'; to: Address; options?: ActionOptions }
  /** Emergency: the master is down. `to` omitted = the reachable replica with the highest offset. */
  | { kind: 'failover'; to?: Address; options?: ActionOptions }
  /** REPLICAOF NO ONE on a replica, leaving its siblings where they are. */
  | { kind: 'detach'; node: Address; options?: ActionOptions }
  /**
   * On a Sentinel-managed group: SENTINEL FAILOVER on one of its Sentinels. Sentinel picks the new
   * master itself (lowest non-zero replica-priority, then highest offset, then run id): `prefer`
   * steers it by lowering that replica's replica-priority first (restored afterwards). The group is
   * named by `masterName` (Sentinel's name), `master` (its master's address), or the connection.
   */
  | { kind: 'sentinel-failover'; masterName?: string; master?: Address; prefer?: Address; options?: ActionOptions };

export type ActionKind = ActionRequest['kind'];

export type CheckVerdict = 'ok' | 'warning' | 'refused';

/** Stable codes for checks: the UI and scripts key on these, never on the message. */
export type CheckCode =
  | 'CYCLE' // the move would put a node under itself or its own descendant
  | 'UNREACHABLE_TARGET' // a node that must receive a command (or be replicated from) cannot be reached
  | 'UNREACHABLE_REPLICA' // a replica that should be re-pointed cannot be reached: it is left behind
  | 'SENTINEL_NODE' // a Sentinel was given where a data node is needed
  | 'CLUSTER_MODE' // cluster nodes are managed with CLUSTER REPLICATE / CLUSTER FAILOVER
  | 'FAILOVER_RUNNING' // a FAILOVER is already in progress in the group
  | 'SENTINEL_MANAGED' // Sentinel watches the group and will undo manual changes
  | 'SENTINEL_UNREACHABLE' // sentinel-failover: no Sentinel that monitors the group answers
  | 'SENTINEL_NO_QUORUM' // sentinel-failover: SENTINEL CKQUORUM fails
  | 'SENTINEL_DISAGREES' // sentinel-failover: a Sentinel's master is not the group's master (or Sentinels disagree)
  | 'SENTINEL_STEER' // sentinel-failover: how Sentinel will pick the new master, and the replica-priority changes that steer it
  | 'REPLICA_BEHIND' // the node to promote lacks writes another node has
  | 'PRIORITY_ZERO' // replica-priority 0: the operator marked it "never promote"
  | 'VERSION_OLDER' // a replica would run an older version than its new master
  | 'MASTERAUTH_MISSING' // the new master needs a password the replica does not have
  | 'TLS_REPLICATION' // a replica is given its new master's port of the other transport than its tls-replication (the plan sends its own instead), or the master has none of its
  | 'MASTERAUTH_DIFFERS' // the replica's masterauth is not the password the console uses
  | 'AUTH_UNKNOWN' // could not tell whether the new master needs a password
  | 'FULL_SYNC' // a full resynchronisation is expected: the replica's data is flushed
  | 'MASTER_REACHABLE' // emergency failover asked while the master answers
  | 'MASTER_UNREACHABLE' // the master of the group cannot be reached
  | 'OLD_MASTER_STAYS' // promote leaves the old master taking writes (two masters)
  | 'MASTER_DEMOTED' // a node that is a master now becomes a read-only replica
  | 'NOT_A_REPLICA' // promote/switchover/detach on a node that is not a replica
  | 'NOT_DIRECT_REPLICA' // switchover target replicates through another replica
  | 'NOT_LISTED' // the master does not list the switchover target as an online replica
  | 'LINK_DOWN' // a replica's link to its master is down or syncing
  | 'LOADING' // a node the plan sends REPLICAOF or FAILOVER to is loading its dataset: Redis refuses both (LOADING) until it has loaded
  | 'NOTHING_TO_DO' // already in the requested state
  | 'NO_CANDIDATE' // no reachable replica can be promoted
  | 'NO_CONFIG_FILE' // persistence asked, but the server runs without a config file
  | 'SUBTREE_MOVES' // the node's own replicas move with it
  | 'MANUAL_SWITCHOVER' // the switchover uses the manual sequence (pre-6.2 or asked for)
  | 'FENCED_MASTER' // a master still holds a write fence of an earlier plan: never taken as the value to restore
  | 'INTERRUPTED_PLAN' // an earlier plan stopped half-way in this topology: finish or roll it back first
  | 'UNKNOWN_REPLICAS' // the dead master's replica list cannot be known: other replicas, maybe ahead, may exist
  | 'ALREADY_FAILED_OVER' // a node was promoted off the dead master already: a failover would make a second master
  | 'WRITES_REFUSED' // the node to promote would refuse writes as a master: a failed save or AOF write (MISCONF), memory past maxmemory with noeviction (OOM), its min-replicas-to-write (NOREPLICAS)
  | 'EVICTION' // the node to promote is past its maxmemory (a replica ignores it): as a master it evicts keys at once, and its replicas delete them too
  | 'DISK_ERROR' // a node the plan makes a replica cannot save (a failed RDB save or AOF write): Redis 7.0+ stops it at its master's first write
  | 'RESYNC_RACE' // replicaof: the node and its new master take one live stream; one write ahead at PSYNC is a full sync
  | 'PERMISSION'; // the console's user may not send a command the plan sends on a node (ACL NOPERM), or the command is renamed or disabled there

export interface PlanCheck {
  code: CheckCode;
  verdict: CheckVerdict;
  message: string;
  /** True when the operator may run anyway by passing this code as an override. */
  overridable: boolean;
  nodes: Address[];
}

export interface PlanStep {
  id: string;
  /** Where the command is sent. */
  node: Address;
  /** The exact command text as sent; any password appears as ***. */
  command: string;
  purpose: string;
  /** Changes roles or may flush data: the plan then asks for the typed node address. */
  destructive: boolean;
  /** What is checked after the command, in words. */
  verify: string;
}

export interface ResyncPrediction {
  node: Address;
  /** The master it will sync from. */
  master: Address;
  expected: 'partial' | 'full' | 'unknown';
  why: string;
  /** A full (or unknown) sync replaces the replica's whole dataset. */
  flushesData: boolean;
}

export interface LostBytes {
  node: Address;
  bytes: number;
  /** Relative to what: "behind master 10.0.0.1:6379", "behind the proposed 10.0.0.2:6379". */
  note: string;
}

export interface ActionPlan {
  id: string;
  request: ActionRequest;
  createdAt: number;
  /** execute() refuses the plan after this (ms since epoch): plan again. */
  expiresAt: number;
  summary: string;
  steps: PlanStep[];
  checks: PlanCheck[];
  predictions: ResyncPrediction[];
  lostBytes: LostBytes[];
  /** False when any check is refused and not overridable. True may still need overrides. */
  canRun: boolean;
  /** Codes of the non-ok overridable checks: execute() needs each of them in `overrides`. */
  needsOverride: CheckCode[];
  /** When any step is destructive, the address the operator must type to confirm. */
  confirmAddress: Address | null;
  /** Every node the plan reads, changes or re-points. */
  nodes: Address[];
}

export type StepStatus = 'running' | 'ok' | 'failed' | 'skipped' | 'aborted';

export interface StepProgress {
  planId: string;
  stepId: string;
  status: StepStatus;
  message: string;
  at: number;
  /** Live figures while a step runs, e.g. { master_failover_state: 'waiting-for-sync' } or sync progress. */
  detail?: Record<string, string | number>;
  /** While a write pause (CLIENT PAUSE) holds: on which node, and for how much longer (ms, from `at`). Absent once released (or run out), on every report. */
  writePause?: { node: Address; leftMs: number };
  /** On the end of the step a sentinel-failover stopped at because the Sentinels failed over on their own (ActionOutcome.sentinelOnItsOwn). */
  stoppedBy?: 'sentinel';
}

export interface StepResult extends PlanStep {
  status: StepStatus | 'pending';
  startedAt: number | null;
  finishedAt: number | null;
  message: string;
}

/** A node as read fresh after the plan ran (or stopped). */
export interface FinalNodeState {
  address: Address;
  reachable: boolean;
  role: NodeRole;
  master: Address | null;
  linkStatus: LinkStatus | null;
  offset: number | null;
  error: string | null;
}

export interface ActionOutcome {
  planId: string;
  ok: boolean;
  status: 'ok' | 'failed' | 'aborted';
  startedAt: number;
  finishedAt: number;
  steps: StepResult[];
  nodes: FinalNodeState[];
  /** What to do now, most important first; empty when all went as planned. */
  nextSteps: string[];
  auditFile: string;
  /**
   * A sentinel-failover that stopped because the Sentinels failed the master over on their own
   * while it waited before SENTINEL FAILOVER (status 'failed': the plan did not do what it
   * planned, but nothing of it broke). Absent otherwise.
   */
  sentinelOnItsOwn?: SentinelOnItsOwn;
}

/** A failover the Sentinels made on their own, seen while a sentinel-failover waited before sending SENTINEL FAILOVER. */
export interface SentinelOnItsOwn {
  masterName: string;
  /** The new master, as the console knows it. */
  master: Address;
  /** The replica the plan steered Sentinel to, as the console knows it; null when it steered none. */
  prefer: Address | null;
  /** Whether Sentinel picked `prefer`; null when the plan steered none. */
  toPreferred: boolean | null;
  /** The master before, as the console knows it. */
  oldMaster: Address;
  /** The step the plan stopped at (its wait for the Sentinel to read the priorities): failed, as the plan did, but nothing of it broke. */
  stepId: string;
}

/**
 * The plan this topology's console runs now (or ran last), for a window that did not start it:
 * one reloaded mid-run, or one whose Run was refused BUSY and waits for it to end.
 */
export interface PlanRun {
  planId: string;
  /** 'checking': its nodes are read again before the first command (it may still be refused, nothing sent); 'ended': it has its outcome, or the error it stopped on. */
  status: 'checking' | 'running' | 'ended';
  /** The plan as it runs (its request, steps and checks). */
  plan: ActionPlan;
  /** When its first command went out; null while checking. */
  startedAt: number | null;
  /** The latest progress of each step that has reported. */
  progress: StepProgress[];
  /** When each step was first seen running, by step id. */
  stepStartedAt: Record<string, number>;
  outcome: ActionOutcome | null;
  /** Ended without an outcome: what it stopped on. */
  error: ApiError | null;
  /** The write pause (CLIENT PAUSE) it holds as this is made: on which node, and for how much longer (ms); null when none holds. */
  writePause: { node: Address; leftMs: number } | null;
}

export interface AbortResult {
  /** False when aborting now would be unsafe (the message says why and what happens instead). */
  accepted: boolean;
  message: string;
}

/** A drop target while dragging `node`: can it become node's new master, and if not, why. */
export interface MoveCandidate {
  address: Address;
  valid: boolean;
  /** Why not, when invalid. */
  reason: string | null;
  /** A caveat for a valid target (full sync expected, older version, …). */
  warning: string | null;
}

export type ActionInterface = 'cli' | 'desktop' | 'web';

/** One line of the audit log (JSON Lines). Passwords never appear. */
export interface AuditEntry {
  v: 1;
  planId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  who: { user: string; host: string; interface: ActionInterface };
  request: ActionRequest;
  summary: string;
  nodes: Address[];
  overrides: string[];
  checks: { code: CheckCode; verdict: CheckVerdict; message: string }[];
  steps: {
    id: string;
    node: Address;
    command: string;
    status: StepResult['status'];
    startedAt: string | null;
    durationMs: number | null;
    message: string;
  }[];
  outcome: ActionOutcome['status'];
  /** A sentinel-failover stopped by Sentinel's own failover (ActionOutcome.sentinelOnItsOwn): listed as "Stopped", not "Failed". */
  sentinelOnItsOwn?: SentinelOnItsOwn;
  finalNodes: FinalNodeState[];
  nextSteps: string[];
}

/** Which audit entries to show: those touching a node of the connected topology, or every one. */
export type AuditScope = 'topology' | 'all';

/** The audit log as read for the view; lines that are not a record are reported, never hidden. */
export interface AuditList {
  /** Newest last. */
  entries: AuditEntry[];
  scope: AuditScope;
  /** Entries left out because they touch none of the connected topology's nodes. */
  otherTopologies: number;
  /** Lines that are not a record (torn by a crash mid-append): 1-based line number and its start. */
  unreadable: { line: number; excerpt: string }[];
}

/** What the bridge sends to run a plan (the progress callback travels as pushes). */
export interface ExecuteRequest {
  planId: string;
  confirmAddress?: Address;
  overrides?: string[];
}
