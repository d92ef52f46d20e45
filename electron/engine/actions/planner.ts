// Request + fresh facts → plan: the steps with their exact commands, the checks an experienced
// operator would run first, and what each replica's resync will cost. Pure: no network, so
// every refusal and prediction is unit-testable from hand-written facts.
import type { ActionRequest } from '../../shared/actions';
import { parseAddress } from '../address';
import { ANSWERED_CODES, unreachableKind } from '../errors';
import { refusesConsole } from '../../shared/types';
import type { NodeFacts, PreflightFacts } from './facts';
import { ancestorsOf, atLeast62, cycleThrough, descendantsOf, findNode, replicasOf, rootOf } from './graph';
import { FENCE_REPLICAS, isFenceValue, oldMasterComesBack } from './operations';
import { bytesText, MAX_WRITE_PAUSE_MS, PAUSE_MARGIN_MS, PlanBuilder, type PlannedAction } from './plan-builder';
import { afterPromotion, predictResync, type ReplState } from './resync';
import { failoverMaster, sentinelGroupMaster } from './scope';
import { dialsText, portSetting, transportMismatch, type TransportMismatch } from './master-port';
import { planSentinelFailover } from './sentinel-planner';
import { historyBytesBehind, holdsHistoryOf, sameHistory } from '../replication-rules';
import { refusesWrites, replicasAsked, type WriteHazard } from '../write-hazards';
import { promotedOff, replicaofTo } from '../warnings';
import { formatOffset } from '../../shared/format';

/** Longest write pause a replicaof under a sibling asks for: enough for a replica that keeps up, short enough that one that does not fails fast with nothing changed. */
const RACE_PAUSE_MS = 2000;

export interface PlanMeta {
  id: string;
  now: number;
  ttlMs: number;
}

/** Turn a request into a plan from facts read just before. */
export function planAction(request: ActionRequest, facts: PreflightFacts, meta: PlanMeta): PlannedAction {
  const b = new PlanBuilder(facts, request);
  switch (request.kind) {
    case 'replicaof':
      return planReplicaof(b, request.node, request.master, meta);
    case 'promote':
      return planPromote(b, request.node, request.repointSiblings, meta, 'promote');
    case 'detach':
      return planPromote(b, request.node, false, meta, 'detach');
    case 'switchover':
      return planSwitchover(b, request.to, meta);
    case 'failover':
      return planFailover(b, request.to, meta);
    case 'sentinel-failover':
      return planSentinelFailover(b, request, sentinelGroupMaster(facts.snapshot, request), (summary, confirm) => finish(b, meta, summary, confirm));
  }
}

function finish(b: PlanBuilder, meta: PlanMeta, summary: string, confirm: string): PlannedAction {
  loadingNodes(b);
  fencedMasters(b);
  writeHazards(b);
  if (!b.refused) b.persist();
  return b.build(meta.id, meta.now, meta.ttlMs, summary, confirm);
}

/**
 * A node the plan sends REPLICAOF or FAILOVER to while it loads its dataset (restarted, or taking
 * a full sync's snapshot) answers LOADING, and the plan stops at that step, after the ones
 * before it ran. Refused up front, not overridably: Redis takes neither command until it has loaded.
 */
function loadingNodes(b: PlanBuilder): void {
  const told = new Set<string>();
  for (const { op } of b.steps) {
    if (op.kind !== 'replicaof' && op.kind !== 'promote' && op.kind !== 'failover' && op.kind !== 'sentinel-demote') continue;
    const address = b.canon(op.node);
    const f = b.fact(address);
    if (!f?.reachable || f.loading === null || told.has(address)) continue;
    told.add(address);
    const { percent, etaSeconds } = f.loading;
    const progress = [percent !== null ? `${percent}% loaded` : null, etaSeconds !== null ? `about ${etaSeconds} s left` : null].filter((p) => p !== null).join(', ');
    b.check(
      'LOADING',
      'refused',
      `${address} is loading ${f.syncInProgress ? 'the snapshot of a full sync' : 'its dataset from disk'}${progress ? ` (${progress})` : ''}: Redis answers ${op.kind === 'failover' ? 'FAILOVER' : 'REPLICAOF'} ` +
        `with LOADING until it has loaded, so the plan would stop at that step. Plan again once it has loaded (INFO persistence loading:0)`,
      [address],
    );
  }
}

function fencedMessage(address: string, toWrite: number): string {
  return (
    `${address} has min-replicas-to-write ${toWrite}: a write fence an interrupted plan left behind, and it refuses every write now. ` +
    `Restore it with CONFIG SET min-replicas-to-write <original> on ${address} (the INTERRUPTED_PLAN report names the original; 0 unless you had set one)`
  );
}

/**
 * Every master the plan involves, or makes, that still holds a write fence is reported (once). A
 * replica made master with one would refuse every write from the start: refused, overridably
 * (the plan ended "done" over a master refusing writes).
 */
function fencedMasters(b: PlanBuilder): void {
  const becomesMaster = new Set([...b.expected.values()].filter((e) => e.role === 'master').map((e) => e.address));
  for (const address of b.involved) {
    const f = b.fact(address);
    if (!f?.reachable || !isFenceValue(f.minReplicas?.toWrite)) continue;
    if (f.role !== 'master' && !becomesMaster.has(address)) continue;
    if (b.checks.some((c) => c.code === 'FENCED_MASTER' && c.nodes.includes(address))) continue;
    const promoted = f.role !== 'master';
    b.check('FENCED_MASTER', promoted ? 'refused' : 'warning', fencedMessage(address, f.minReplicas?.toWrite ?? 0), [address], promoted);
  }
}

/**
 * What the plan's end state does to writes through the nodes' own disk, memory and settings
 * (write-hazards.ts): a new master that refuses them (MISCONF, OOM, its own min-replicas-to-write
 * with fewer replicas than it asks: NOREPLICAS) or drops keys (a replica ignores its maxmemory
 * until promoted), and a node made a replica that stops at its master's first write (a failed
 * save: demoting a master whose disk failed killed it). Such a plan ended "done" with writes
 * still refused, or with a node gone. A sure hazard refuses the plan, overridably, an emergency
 * failover too: the operator fixes the node first, or overrides and fixes it right after.
 */
function writeHazards(b: PlanBuilder): void {
  for (const e of b.expected.values()) {
    const f = b.fact(e.address);
    if (!f?.reachable) continue;
    if (e.role === 'master') {
      if (f.role !== 'master') for (const h of f.asMaster) hazardCheck(b, refusesWrites(h) ? 'WRITES_REFUSED' : 'EVICTION', e.address, 'once master', h, true);
    } else if (e.master !== null && (f.masterAddress === null || !b.same(f.masterAddress, e.master))) {
      // A master made a replica: the plan kills it. A replica re-pointed stops at its own master's
      // next write anyway (DISK_ERROR in the warnings): said, not held against the plan.
      for (const h of f.asReplica) hazardCheck(b, 'DISK_ERROR', e.address, `as a replica of ${e.master}`, h, f.role === 'master');
    }
  }
  noReplicas(b);
}

function hazardCheck(b: PlanBuilder, code: 'WRITES_REFUSED' | 'EVICTION' | 'DISK_ERROR', address: string, as: string, hazard: WriteHazard, blocks: boolean): void {
  const refuse = hazard.certain && blocks;
  b.check(code, refuse ? 'refused' : 'warning', `${address}, ${as}, ${hazard.effect}. Fix that first: ${hazard.fix}`, [address], refuse);
}

/**
 * A master after the plan whose own min-replicas-to-write asks for more replicas than it will
 * have refuses every write (NOREPLICAS): a new master, or one the plan takes replicas from. A
 * master already short of them is the warnings' to say (WRITES_REFUSED), not this plan's doing.
 */
function noReplicas(b: PlanBuilder): void {
  const expected = [...b.expected.values()];
  const moving = new Set(expected.filter((e) => e.role === 'replica').map((e) => e.address));
  const becomes = new Set(expected.filter((e) => e.role === 'master').map((e) => e.address));
  for (const address of b.involved) {
    const f = b.fact(address);
    if (!f?.reachable || (!becomes.has(address) && (f.role !== 'master' || moving.has(address)))) continue;
    // Unread (CONFIG GET refused), the limit is on exactly when INFO gives min_slaves_good_slaves:
    // then it asks for at least one replica, how many more is unknown.
    const unread = f.minReplicas === null;
    if (unread && f.minReplicasGood === null) continue;
    const asked = unread ? 1 : replicasAsked(f.minReplicas?.toWrite, f.minReplicas?.maxLag);
    if (asked === 0 || isFenceValue(asked)) continue;
    const online = f.replicas.filter((l) => l.state === 'online');
    const staying = online.filter((l) => !moving.has(b.canon(l.address))).length;
    const followers = staying + expected.filter((e) => e.role === 'replica' && e.master === address && !online.some((l) => b.same(l.address, e.address))).length;
    const isNew = f.role !== 'master';
    if (followers >= asked && unread && (isNew || followers < online.length)) {
      const when = isNew ? 'once master' : `once the plan moves ${plural(online.length - staying, 'replica')} away from it`;
      b.check(
        'WRITES_REFUSED',
        'warning',
        `${address}'s min-replicas-to-write cannot be read (CONFIG GET refused for the console's user there, the rule +config|get), and INFO replication shows the limit on (min_slaves_good_slaves): ` +
          `${when}, it may refuse every write (NOREPLICAS), if it asks for more than the ${plural(followers, 'replica')} it will have. ` +
          `Check with CONFIG GET min-replicas-to-write on ${address} (as a user allowed +config|get) and lower it to ${followers} or less first if it asks for more`,
        [address],
      );
      continue;
    }
    if (followers >= asked || (!isNew && followers >= online.length)) continue;
    const setting = unread
      ? `its min-replicas-to-write cannot be read (CONFIG GET refused), but INFO replication shows the limit on (min_slaves_good_slaves): it asks for at least 1 replica`
      : `its min-replicas-to-write is ${asked}`;
    b.check(
      'WRITES_REFUSED',
      'refused',
      `${address}, ${isNew ? 'once master' : `once the plan moves ${plural(online.length - staying, 'replica')} away from it`}, refuses every write (NOREPLICAS): ` +
        `${setting}, and it will have ${plural(followers, 'replica')}. Lower it first (CONFIG SET min-replicas-to-write ${followers} on ${address}), or bring replicas back`,
      [address],
      true,
    );
  }
}

/** How many of `nodes` the plan can send a command to (a title counts what it does). */
function reachable(nodes: readonly NodeFacts[]): number {
  return nodes.filter((n) => n.reachable).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function planReplicaof(b: PlanBuilder, nodeAddress: string, masterAddress: string, meta: PlanMeta): PlannedAction {
  const node = b.canon(nodeAddress);
  const master = b.canon(masterAddress);
  const summary = `Make ${node} a replica of ${master}`;
  b.involve(node, master);
  if (b.same(node, master)) {
    b.check('CYCLE', 'refused', `${node} cannot replicate from itself (Redis would accept it and the node would never get data)`, [node]);
    return finish(b, meta, summary, node);
  }
  const nf = b.requireDataNode(node, 'the node to re-point');
  const mf = b.requireDataNode(master, 'the new master');

  const chain = [master, ...ancestorsOf(b.snapshot, master).map((n) => n.address)];
  if (mf?.masterAddress) chain.push(b.canon(mf.masterAddress));
  const loopAt = chain.findIndex((a) => b.same(a, node));
  const below = descendantsOf(b.snapshot, node);
  if (loopAt >= 0 || below.some((d) => b.same(d.address, master))) {
    const path = loopAt >= 0 ? [...chain.slice(0, loopAt + 1)].reverse().join(' → ') : `${node} → … → ${master}`;
    b.check(
      'CYCLE',
      'refused',
      `${master} replicates from ${node} (${path}): making ${node} its replica would create a cycle in which no node takes writes`,
      [node, master],
    );
    return finish(b, meta, summary, node);
  }
  b.check('CYCLE', 'ok', `${master} is not ${node} nor one of its replicas`, [node, master]);
  if (!nf || !mf) return finish(b, meta, summary, node);

  if (nf.role === 'replica' && nf.masterAddress && b.same(nf.masterAddress, master)) {
    const link = nf.linkStatus === 'up' ? '' : ` (its link is ${nf.linkStatus ?? 'unknown'}: check ${master}'s log and ${node}'s masterauth)`;
    b.check('NOTHING_TO_DO', 'refused', `${node} already replicates from ${master}${link}`, [node, master]);
    return finish(b, meta, summary, node);
  }
  const group = [node, master, nf.masterAddress, rootOf(b.snapshot, node)?.address, rootOf(b.snapshot, master)?.address];
  b.failoverRunning(group.filter((a): a is string => typeof a === 'string'));
  b.sentinel();
  if (mf.role === 'replica' && (mf.linkStatus !== 'up' || mf.syncInProgress)) {
    b.check('LINK_DOWN', 'warning', `${master} is itself a replica whose link is ${mf.syncInProgress ? 'syncing' : 'down'}: ${node} gets only what ${master} has`, [master]);
  }
  if (nf.role === 'master') {
    b.check(
      'MASTER_DEMOTED',
      'warning',
      `${node} is a master now: as a replica of ${master} it refuses writes (clients writing to it get READONLY)`,
      [node],
    );
  }
  if (below.length > 0) {
    b.check(
      'SUBTREE_MOVES',
      'ok',
      `${node}'s ${plural(below.length, 'replica')} (${below.map((d) => d.address).join(', ')}) ${below.length === 1 ? 'stays' : 'stay'} attached to it and ${below.length === 1 ? 'moves' : 'move'} with it`,
      [node, ...below.map((d) => d.address)],
    );
  }
  const race = streamRace(b, nf, mf);
  let hold: { root: string; ms: number } | undefined;
  if (race) {
    const { root, rootFacts } = race;
    const risk = `${node} and ${master} both take ${root}'s live stream, and ${node} would get a full sync if it were one write ahead of ${master} the instant it asks for PSYNC`;
    if (!b.options.skipWritePause && rootFacts.reachable && atLeast62(rootFacts.version)) {
      hold = { root, ms: Math.min(b.options.stepTimeoutMs, RACE_PAUSE_MS) };
      const paused = `writes on ${root} wait (CLIENT PAUSE WRITE) from just before the move until ${node}'s link is up, a few milliseconds when ${master} keeps up, at most ${hold.ms} ms: ${risk}`;
      // A new master that trails the root by more than the wait allows holds the writes for nothing, then stops the plan.
      const masterLag = findNode(b.snapshot, master)?.lag;
      const behind = masterLag?.secondsBehindRoot ?? null;
      // "At least N s" (older than the root's history held): past the wait it is past for sure; under
      // it, as just after connecting, the plan's own wait finds out (nothing moved if it is longer).
      const atLeast = masterLag?.secondsBehindRootIsLowerBound === true;
      const waitMs = Math.max(0, hold.ms - PAUSE_MARGIN_MS);
      if (behind !== null && behind * 1000 >= waitMs) {
        b.check(
          'RESYNC_RACE',
          'warning',
          `${paused}. But ${master} is ${atLeast ? 'at least ' : ''}${behind} s behind ${root}, and it has ${waitMs} ms to catch up once writes wait: if it does not, the plan stops before REPLICAOF with nothing moved, writes released. Move ${node} when ${master} keeps up, or decline the pause`,
          [node, master, root],
        );
      } else {
        b.check('RESYNC_RACE', 'ok', `${paused}. The pause can be declined; the plan then warns of the race`, [node, master, root]);
      }
    } else {
      const why = b.options.skipWritePause
        ? 'no write pause was asked for'
        : !rootFacts.reachable
          ? `${root} does not answer the console now (${rootFacts.error ?? 'no reply'}), so its writes cannot be held, while the links from it say up: it may still take writes`
          : `CLIENT PAUSE WRITE needs Redis 6.2 on ${root} (it runs ${rootFacts.version ?? 'an unknown version'})`;
      b.check('RESYNC_RACE', 'warning', `${risk}; ${why}`, [node, master, root]);
    }
  }
  b.repoint(nf, mf, mf, `make ${node} a replica of ${master}`, hold);
  return finish(b, meta, hold ? `${summary}, with writes on ${hold.root} held for the moment of the move` : summary, node);
}

/**
 * A replica moved under a node that is not one of its ancestors while both take one live stream
 * (a sibling, a cousin, with the root taking writes): whichever is ahead the instant the moved
 * one sends PSYNC decides, and one write ahead of its new master is a full sync. Catching up the
 * new master with the root while the root's writes wait rules that out. Null when there is no
 * such race: a move upwards, a frozen stream, another history.
 */
function streamRace(b: PlanBuilder, nf: NodeFacts, mf: NodeFacts): { root: string; rootFacts: NodeFacts } | null {
  const live = (f: NodeFacts): boolean => f.role === 'replica' && f.linkStatus === 'up' && !f.syncInProgress;
  if (!live(nf) || !live(mf)) return null;
  if (ancestorsOf(b.snapshot, nf.address).some((a) => b.same(a.address, mf.address))) return null;
  const root = rootOf(b.snapshot, nf.address);
  const masterRoot = rootOf(b.snapshot, mf.address);
  if (!root || !masterRoot || !b.same(masterRoot.address, root.address)) return null;
  // A root the console cannot read (cut off from it, or stalled) still races when the links from
  // it say up: it may be taking writes; only its pause cannot be had.
  const rootFacts = b.fact(root.address);
  if (!rootFacts || (rootFacts.reachable && rootFacts.role !== 'master')) return null;
  // Both chains flow from the root: a node under a broken link stands still (and a new master that stands still cannot catch up).
  const flows = (address: string): boolean =>
    ancestorsOf(b.snapshot, address).every((a) => b.same(a.address, root.address) || (b.fact(a.address)?.linkStatus ?? a.linkStatus) === 'up');
  if (!flows(nf.address) || !flows(mf.address)) return null;
  return predictResync(nf, mf).expected === 'partial' ? { root: b.canon(root.address), rootFacts } : null;
}

function priorityZero(b: PlanBuilder, f: NodeFacts): void {
  if (f.priority === 0) {
    b.check(
      'PRIORITY_ZERO',
      'warning',
      `${f.address} has replica-priority 0: someone marked it never to be promoted (a backup, a different data center, smaller hardware)`,
      [f.address],
      true,
    );
  }
}

/** A switchover target this far behind is unlikely to catch up while writes wait (tens of MB/s on a busy link). */
const CATCH_UP_BYTES = 16 * 1024 * 1024;

/** Bytes `behind` has to catch up with `ahead` when it lies on `ahead`'s history, else null. */
function bytesBehind(ahead: NodeFacts, behind: NodeFacts): number | null {
  return historyBytesBehind(ahead, behind);
}

/**
 * Promoting a node of a replication cycle breaks it, and every other node of it ends up below the
 * node, taking its data: a node holding writes it lacks loses them in that full sync. Their old
 * master does not stay a master taking writes (OLD_MASTER_STAYS): it is one of them. Promoting the
 * empty node of a cycle that a restart made was "Ready to run" and wiped the node holding the data.
 * A node replicating from itself is a cycle of one (`cycle` empty): no other node of it to lose anything.
 */
function promoteInCycle(b: PlanBuilder, node: string, nf: NodeFacts, cycle: readonly string[]): void {
  const members = cycle.map((address) => b.fact(address));
  b.involve(...cycle);
  const path = [node, ...cycle, node].join(' → ');
  if (cycle.length === 0) {
    b.check('CYCLE', 'ok', `${node} replicates from itself (${path}): made a master, it takes writes again, with the data it has`, [node]);
    return;
  }
  b.check('CYCLE', 'ok', `${node} is in a replication cycle (${path}): made a master, it breaks it, and the others take its data`, [node, ...cycle]);
  const everyone = [nf, ...members].filter((f): f is NodeFacts => f?.reachable === true);
  const keeper = everyone.find((k) => everyone.every((o) => holdsAll(k, o)));
  const instead = keeper && keeper !== nf ? ` Promote ${keeper.address} instead: it holds what every node of the cycle holds` : '';
  let losing = 0;
  for (const [i, address] of cycle.entries()) {
    const of = members[i];
    if (!of?.reachable) {
      b.check('REPLICA_BEHIND', 'warning', `${address} cannot be read (${of?.error ?? 'not read'}): whatever only it holds is lost when it takes ${node}'s data`, [node, address], true);
      losing++;
      continue;
    }
    if (holdsAll(nf, of)) continue;
    losing++;
    const bytes = bytesOnlyOn(of, nf);
    const keys = of.keys === null ? '' : ` (${of.keys.toLocaleString('en')} ${of.keys === 1 ? 'key' : 'keys'})`;
    b.check(
      'REPLICA_BEHIND',
      'warning',
      `${address}${keys} holds ${bytes === null ? 'writes' : bytesText(bytes)} that ${node} lacks: in the cycle it is below ${node}, so once ${node} is a master it takes ${node}'s data in a full sync and loses ${bytes === null ? 'them' : 'those writes'}.${instead}`,
      [node, address],
      true,
    );
    if (bytes !== null) b.lost(address, bytes, `only on it: lost when it takes ${node}'s data`);
  }
  if (losing === 0) b.check('REPLICA_BEHIND', 'ok', `${node} holds everything the other nodes of its cycle hold`, [node, ...cycle]);
}

/**
 * `holder` has everything `f` holds: `f` lies on its history, or holds nothing by replication
 * (offset 0 or 1 of a history of its own, no keys: restarted without its data).
 */
function holdsAll(holder: NodeFacts, f: NodeFacts): boolean {
  return (f.replid2 === null && f.offset !== null && f.offset <= 1 && f.keys === 0) || holdsHistoryOf(holder, f);
}

/** How much of its replication stream `f` has that `node` lacks, where the histories tell; null when they do not. */
function bytesOnlyOn(f: NodeFacts, node: NodeFacts): number | null {
  if (f.offset === null) return null;
  // Nothing of its own: everything f has is missing.
  if (node.replid2 === null && node.offset !== null && node.offset <= 1) return f.offset;
  if (sameHistoryOrBefore(f, node)) return Math.max(0, f.offset - (node.offset ?? 0));
  // Went apart where one was promoted off the other's history.
  if (node.replid2 !== null && node.replid2 === f.replid && node.secondReplOffset !== null) return Math.max(0, f.offset - (node.secondReplOffset - 1));
  if (f.replid2 !== null && f.replid2 === node.replid && f.secondReplOffset !== null) return Math.max(0, f.offset - (f.secondReplOffset - 1));
  return null;
}

/** `node`'s position lies on `f`'s history (`f` may be ahead of it). */
function sameHistoryOrBefore(f: NodeFacts, node: NodeFacts): boolean {
  return node.offset !== null && sameHistory({ replid: node.replid, offset: node.offset }, f);
}

function planPromote(b: PlanBuilder, nodeAddress: string, repointSiblings: boolean, meta: PlanMeta, kind: 'promote' | 'detach'): PlannedAction {
  const node = b.canon(nodeAddress);
  const nf = b.requireDataNode(node, kind === 'promote' ? 'the replica to promote' : 'the replica to detach');
  const siblingsOf = (master: string | null): NodeFacts[] =>
    master === null
      ? []
      : replicasOf(b.snapshot, master)
          .filter((r) => !b.same(r.address, node))
          .map((r) => b.fact(r.address))
          .filter((f): f is NodeFacts => f !== undefined);
  const oldMaster = nf?.masterAddress ? b.canon(nf.masterAddress) : null;
  // Replicating from itself (a cycle of one): no siblings, no master that stays one, nothing to be behind.
  const selfLoop = oldMaster !== null && b.same(oldMaster, node);
  const siblings = selfLoop ? [] : siblingsOf(oldMaster);
  const summary =
    kind === 'detach'
      ? `Detach ${node} from ${oldMaster ?? 'its master'}: it becomes a lone master with a copy of the data as of now`
      : `Promote ${node} to master${repointSiblings && reachable(siblings) > 0 ? ` and re-point ${plural(reachable(siblings), 'former sibling')} to it` : ''}`;
  b.involve(node);
  if (!nf) return finish(b, meta, summary, node);
  if (nf.role !== 'replica' || oldMaster === null) {
    b.check('NOT_A_REPLICA', 'refused', `${node} is not a replica (role ${nf.role}): there is nothing to ${kind}`, [node]);
    return finish(b, meta, summary, node);
  }
  const mf = b.fact(oldMaster);
  b.involve(oldMaster, ...(kind === 'promote' ? siblings.map((s) => s.address) : []));
  b.failoverRunning([node, oldMaster, ...siblings.map((s) => s.address)]);
  b.sentinel();
  priorityZero(b, nf);

  const cycle = cycleThrough(b.snapshot, node).map((n) => n.address);
  const empty = cycle.length === 0 && !selfLoop && holdsNoneOf(nf, mf);
  if (empty) {
    const followers = repointSiblings ? siblings.filter((s) => s.reachable).map((s) => s.address) : [];
    holdsNoDataCheck(
      b,
      nf,
      oldMaster,
      mf?.reachable ? mf.keys : null,
      followers,
      `Wait until its sync from ${oldMaster} has finished (link up, master_sync_in_progress:0) and plan again, or promote a replica that holds the data; override only if you mean to start over empty`,
    );
  }
  if (cycle.length > 0 || selfLoop) {
    promoteInCycle(b, node, nf, cycle);
  } else if (mf?.reachable) {
    const behind = bytesBehind(mf, nf);
    if (empty) {
      // Said above: it holds none of the data.
    } else if (behind === null) {
      // Not in one history with its master (restarted from another history's save, say): no tick on "? bytes".
      b.check(
        'REPLICA_BEHIND',
        'warning',
        `how far ${node} is behind its master ${oldMaster} cannot be told (not in one replication history with it now: replid ${nf.replid?.slice(0, 8) ?? '?'}…, ${oldMaster} has ${mf.replid?.slice(0, 8) ?? '?'}…): ` +
          `writes ${oldMaster} has may not be on ${node}. Compare their data (DBSIZE, a few keys) before promoting it`,
        [node, oldMaster],
      );
    } else if (behind > 0) {
      b.check(
        'REPLICA_BEHIND',
        'warning',
        `${node} is ${bytesText(behind)} behind its master ${oldMaster}${nf.linkStatus === 'up' ? '' : ' (its link is down)'}: writes ${oldMaster} has beyond that will not be on ${node}`,
        [node, oldMaster],
        true,
      );
      b.lost(node, behind, `behind its master ${oldMaster}`);
    } else if (behind === 0) {
      b.check('REPLICA_BEHIND', 'ok', `${node} has every byte its master had when read`, [node, oldMaster]);
    }
    b.check(
      'OLD_MASTER_STAYS',
      'warning',
      `${oldMaster} stays a master and keeps taking writes: writes sent there after this are not on ${node} (two masters). For a planned hand-over with no lost writes, use switchover`,
      [oldMaster, node],
    );
  } else {
    b.check('MASTER_UNREACHABLE', 'warning', `${node}'s master ${oldMaster} cannot be reached${mf?.error ? ` (${mf.error})` : ''}: "failover" picks the most up-to-date replica for you`, [oldMaster]);
    // Not known dead (no answer at all, or its replica's link to it still up): a stalled master resumes as a master.
    if (nf.linkStatus === 'up' || answeredWithError(mf) || unreachableKind(mf?.error ?? null) === 'unknown') {
      b.check(
        'OLD_MASTER_STAYS',
        'warning',
        `${oldMaster} is not known to be down${nf.linkStatus === 'up' ? ` (${node}'s link to it is still up)` : ''}: a stalled or cut-off master resumes as a master, taking writes that are not on ${node} (two masters). ` +
          `Make sure it stays down (stop its process, or fence it off) before promoting, or use failover, which waits until its replicas see it gone`,
        [oldMaster, node],
      );
    }
    const best = siblings.filter((s) => s.reachable && s.offset !== null).sort((x, y) => (y.offset ?? 0) - (x.offset ?? 0))[0];
    const behind = best && !empty ? bytesBehind(best, nf) : null;
    if (best && behind !== null && behind > 0) {
      b.check('REPLICA_BEHIND', 'warning', `${node} is ${bytesText(behind)} behind ${best.address}, the most up-to-date replica: promoting ${node} loses those writes`, [node, best.address], true);
      b.lost(node, behind, `behind ${best.address}`);
    }
  }

  const below = descendantsOf(b.snapshot, node);
  if (below.length > 0) {
    b.check('SUBTREE_MOVES', 'ok', `${node}'s ${plural(below.length, 'replica')} ${below.length === 1 ? 'stays' : 'stay'} attached to it`, [node, ...below.map((d) => d.address)]);
  }
  b.step(
    { kind: 'promote', node },
    kind === 'detach' ? 'stop replicating: the node keeps its data and takes writes' : 'make it a master (it keeps its data and history as replid2)',
    `${node} reports role master`,
    true,
  );
  b.expect(node, 'master', null);
  b.markChanged(node);

  const promoted = afterPromotion(nf);
  if (repointSiblings) {
    for (const sibling of siblings) {
      if (!sibling.reachable) {
        b.check('UNREACHABLE_REPLICA', 'warning', `${sibling.address} cannot be reached and is not re-pointed: it still replicates from ${oldMaster} when it comes back`, [sibling.address]);
        continue;
      }
      b.repoint(sibling, nf, promoted, `follow the promoted ${node}`);
    }
  }
  return finish(b, meta, summary, node);
}

function planSwitchover(b: PlanBuilder, toAddress: string, meta: PlanMeta): PlannedAction {
  const to = b.canon(toAddress);
  const tf = b.requireDataNode(to, 'the new master');
  const oldMaster = tf?.masterAddress ? b.canon(tf.masterAddress) : null;
  const summary = `Switch over from ${oldMaster ?? 'its master'} to ${to}`;
  b.involve(to, ...(oldMaster ? [oldMaster] : []));
  if (!tf) return finish(b, meta, summary, to);
  if (tf.role !== 'replica' || oldMaster === null) {
    b.check('NOT_A_REPLICA', 'refused', `${to} is not a replica (role ${tf.role}): there is nothing to switch over`, [to]);
    return finish(b, meta, summary, to);
  }
  if (!b.fact(oldMaster)?.reachable) {
    b.check(
      'MASTER_UNREACHABLE',
      'refused',
      `the master ${oldMaster} cannot be reached (${b.fact(oldMaster)?.error ?? 'not read'}): a switchover needs it. Use failover for an emergency promotion`,
      [oldMaster],
    );
    return finish(b, meta, summary, to);
  }
  const mf = b.requireDataNode(oldMaster, 'the current master');
  if (!mf) return finish(b, meta, summary, to);
  if (mf.role !== 'master') {
    b.check(
      'NOT_DIRECT_REPLICA',
      'refused',
      `${to} replicates from ${oldMaster}, which is itself a replica: a switchover swaps a master with one of its direct replicas. Re-point ${to} under the top master first`,
      [to, oldMaster],
    );
    return finish(b, meta, summary, to);
  }
  const listed = mf.replicas.find((l) => b.same(l.address, to));
  if (tf.linkStatus !== 'up' || tf.syncInProgress) {
    b.check('LINK_DOWN', 'refused', `${to}'s link to ${oldMaster} is ${tf.syncInProgress ? 'syncing' : 'down'}: it cannot take over without losing writes`, [to, oldMaster]);
  } else if (!listed || listed.state !== 'online') {
    b.check(
      'NOT_LISTED',
      'refused',
      listed
        ? `${oldMaster} lists ${to} in state ${listed.state}, not online`
        : `${oldMaster} does not list ${to} among its replicas (it lists ${mf.replicas.map((l) => l.address).join(', ') || 'none'}): FAILOVER TO needs the address the master lists`,
      [to, oldMaster],
    );
  }
  const siblings = replicasOf(b.snapshot, oldMaster)
    .filter((r) => !b.same(r.address, to))
    .map((r) => b.fact(r.address))
    .filter((f): f is NodeFacts => f !== undefined);
  b.involve(...siblings.map((s) => s.address));
  b.failoverRunning([oldMaster, to, ...siblings.map((s) => s.address)]);
  b.sentinel();
  priorityZero(b, tf);

  const requested = b.options.switchoverMethod ?? 'auto';
  const modern = atLeast62(mf.version) && atLeast62(tf.version);
  // FAILOVER makes the old master a replica of the target at the address it lists the target by,
  // and hands over only once the old master has reached it there (PSYNC … FAILOVER): at a port of
  // the other transport than its tls-replication it never does, and writes stay held (measured on
  // 7.0: failover-in-progress until FAILOVER ABORT). The manual sequence re-points it to a port it can dial.
  const listedAt = listed?.address ?? to;
  const cannotHandOver = transportMismatch(mf, tf, parseAddress(listedAt).port);
  const method = requested === 'auto' ? (modern ? (cannotHandOver ? 'pause' : 'paused-failover') : 'fence') : requested;
  // The fence's settings as read: what makes it hold, and what is put back. Never defaults.
  let fence: { toWrite: number; maxLag: number } | null = null;
  if (method !== 'fence' && !modern) {
    const needs = method === 'pause' ? 'CLIENT PAUSE WRITE' : method === 'failover' ? 'FAILOVER' : 'CLIENT PAUSE WRITE and FAILOVER';
    b.check('MANUAL_SWITCHOVER', 'refused', `${needs} needs Redis 6.2 or later on both nodes (${oldMaster}: ${mf.version}, ${to}: ${tf.version})`, [oldMaster, to]);
  } else if (method === 'pause') {
    const chosen = requested === 'auto' && cannotHandOver !== null;
    b.check(
      'MANUAL_SWITCHOVER',
      'warning',
      `${chosen ? `FAILOVER cannot hand over to ${to} here (${oldMaster} cannot dial it at ${listedAt}, see TLS_REPLICATION), so: ` : ''}` +
        `manual sequence: writes on ${oldMaster} wait under CLIENT PAUSE WRITE while ${to} catches up and takes over. ` +
        `If the console dies between REPLICAOF NO ONE on ${to} and REPLICAOF on ${oldMaster}, the pause runs out and both take writes (two masters)` +
        (chosen ? '' : '; the default paused-failover has no such window'),
      [oldMaster, to],
    );
  } else if (method === 'fence') {
    if (mf.minReplicas === null) {
      // Taken for the defaults (max-lag 10, to-write 0), the fence on a master with max-lag 0 did
      // nothing: 200+ acknowledged writes lost behind "Done", and its min-replicas-to-write 1 "restored" as 0.
      b.check(
        'MANUAL_SWITCHOVER',
        'refused',
        `the fence method needs ${oldMaster}'s min-replicas-to-write and min-replicas-max-lag, and they cannot be read there (CONFIG GET refused for the console's user: the README's admin rules grant it with +config|get). ` +
          `Redis ignores the fence while min-replicas-max-lag is 0, so writes could go on through the switchover and be lost, and the values to restore afterwards are unknown. ` +
          `Allow +config|get on ${oldMaster}, or switch over with --method paused-failover, failover or pause (Redis 6.2+), which do not need them`,
        [oldMaster],
      );
      return finish(b, meta, summary, to);
    }
    b.check(
      'MANUAL_SWITCHOVER',
      'ok',
      `manual sequence${modern ? '' : ' (FAILOVER needs 6.2)'}: writes on ${oldMaster} are refused (min-replicas-to-write) while ${to} catches up and takes over, then the setting is restored`,
      [oldMaster, to],
    );
    fence = mf.minReplicas;
    const toWrite = fence.toWrite;
    if (isFenceValue(toWrite)) {
      b.check('FENCED_MASTER', 'refused', `${fencedMessage(oldMaster, toWrite)}; a fence plan would take that as the value to restore`, [oldMaster]);
      return finish(b, meta, summary, to);
    }
  }
  const pauseMs = Math.min(b.options.stepTimeoutMs, MAX_WRITE_PAUSE_MS);
  const behind = bytesBehind(mf, tf);
  const waits = `writes wait until it has every byte (at most ${pauseMs} ms, else the master resumes and nothing changes)`;
  // A target that trails by more than the pause allows holds the writes for nothing, then stops the plan.
  const toLag = findNode(b.snapshot, to)?.lag;
  const seconds = toLag?.secondsBehind ?? null;
  // "At least N s" (older than the master's history held, as just after connecting): past the
  // pause it is past for sure; under it, the bytes behind say whether it catches up in time.
  const atLeast = seconds !== null && toLag?.secondsBehindIsLowerBound === true;
  if (holdsNoneOf(tf, mf)) {
    // Its link is syncing (LINK_DOWN refuses that); with no keys at offset 0 or 1, FAILOVER could take it there.
    const followers = [oldMaster, ...siblings.filter((s) => s.reachable).map((s) => s.address)];
    holdsNoDataCheck(b, tf, oldMaster, mf.keys, followers, `Switch over to a replica that holds the data, or wait until ${to}'s sync has finished`);
  } else if (behind === null) {
    // Not in one history with the master (a full sync in progress, another replid): no green tick on "? bytes".
    b.check('REPLICA_BEHIND', 'warning', `how far ${to} is behind ${oldMaster} cannot be told (not in one replication history with it now): ${waits}`, [to, oldMaster]);
  } else if ((seconds !== null && seconds * 1000 >= pauseMs / 2) || behind >= CATCH_UP_BYTES) {
    b.check(
      'REPLICA_BEHIND',
      'warning',
      `${to} is ${bytesText(behind)} behind ${oldMaster}${seconds !== null ? ` (${atLeast ? 'at least ' : ''}${seconds} s of writes)` : ''}, and ${waits}: it may not catch up in that time. Switch over when its lag is small, or give the steps more time (step timeout)`,
      [to, oldMaster],
    );
  } else {
    b.check('REPLICA_BEHIND', 'ok', `${to} is ${bytesText(behind)} behind: ${waits}`, [to, oldMaster]);
  }

  // At the hand-over the target has exactly the master's offset as writes stopped, which no
  // replica can be past (the siblings, read after the master under load, may be past the
  // master's reading); afterwards it is a new master with that history as replid2.
  const handover = Math.max(mf.offset ?? 0, tf.offset ?? 0, ...siblings.map((s) => s.offset ?? 0));
  const gap = Math.max(0, handover - (tf.offset ?? 0));
  const caughtUp: ReplState = {
    ...tf,
    offset: mf.offset === null ? null : handover,
    backlog: tf.backlog ? { ...tf.backlog, histlen: tf.backlog.histlen + gap } : null,
  };
  const promoted = afterPromotion(caughtUp);
  const oldAtHandover: NodeFacts = { ...mf, offset: mf.offset === null ? null : handover };
  // The siblings that can be reached follow the new master: the old one keeps only those that cannot.
  b.willMove(...siblings.filter((s) => s.reachable).map((s) => s.address));

  if (method === 'failover' || method === 'paused-failover') {
    b.auth(mf, tf);
    b.version(mf, tf);
    b.predict(oldAtHandover, to, promoted);
    const { host, port } = parseAddress(listedAt);
    if (cannotHandOver) failoverCannotHandOver(b, mf, tf, listedAt, cannotHandOver);
    const verify = `master_failover_state goes back to no-failover with ${to} a master and ${oldMaster} its replica`;
    if (method === 'failover') {
      b.step(
        { kind: 'failover', node: oldMaster, target: to, host, port, timeoutMs: pauseMs, force: false },
        `pause writes on ${oldMaster}, wait until ${to} has every byte, then swap roles`,
        verify,
        true,
      );
    } else {
      b.step(
        { kind: 'pause-writes', node: oldMaster, ms: pauseMs },
        'stop writes (they wait; reads and replication go on); the pause ends by itself if the console goes away',
        'CLIENT PAUSE answers OK',
      );
      b.step({ kind: 'wait-caught-up', node: to, master: oldMaster }, `wait until ${to} has every byte ${oldMaster} accepted`, `${to}'s offset reaches ${oldMaster}'s offset after the pause`);
      b.step(
        // TIMEOUT 1 with FORCE: the console has just seen every byte on the target, so nobody waits for its next ACK.
        { kind: 'failover', node: oldMaster, target: to, host, port, timeoutMs: 1, force: true },
        `swap roles at once; from here the server finishes the hand-over even if the console goes away`,
        verify,
        true,
      );
      b.step({ kind: 'unpause-writes', node: oldMaster }, 'release the held writes: as a replica it answers them READONLY, and clients go to the new master', 'CLIENT UNPAUSE answers OK');
    }
    b.expect(to, 'master', null);
    b.expect(oldMaster, 'replica', to);
    b.markChanged(to);
    b.markChanged(oldMaster);
  } else {
    if (method === 'pause') {
      b.step({ kind: 'pause-writes', node: oldMaster, ms: pauseMs }, 'stop writes (they wait; reads go on)', 'CLIENT PAUSE answers OK');
    } else {
      if (fence?.maxLag === 0) {
        b.step({ kind: 'set-config', node: oldMaster, parameter: 'min-replicas-max-lag', value: '10' }, 'min-replicas-to-write is ignored while max-lag is 0', 'OK');
      }
      b.step(
        { kind: 'set-config', node: oldMaster, parameter: 'min-replicas-to-write', value: String(FENCE_REPLICAS), fence: 'on' },
        'refuse writes (NOREPLICAS) without blocking the console or replication',
        'CONFIG SET answers OK',
      );
    }
    b.step({ kind: 'wait-caught-up', node: to, master: oldMaster }, `wait until ${to} has every byte ${oldMaster} accepted`, `${to}'s offset reaches ${oldMaster}'s offset after the write stop`);
    b.step({ kind: 'promote', node: to }, 'make the caught-up replica the master', `${to} reports role master`, true);
    b.expect(to, 'master', null);
    b.markChanged(to);
    b.repoint(oldAtHandover, tf, promoted, 'make the old master a replica of the new one');
    if (method === 'pause') {
      b.step({ kind: 'unpause-writes', node: oldMaster }, 'release paused clients: their writes now get READONLY and go to the new master', 'CLIENT UNPAUSE answers OK');
    } else if (fence) {
      b.step(
        { kind: 'set-config', node: oldMaster, parameter: 'min-replicas-to-write', value: String(fence.toWrite), fence: 'off' },
        'restore the setting used as a write fence',
        'CONFIG SET answers OK',
      );
      if (fence.maxLag === 0) {
        b.step({ kind: 'set-config', node: oldMaster, parameter: 'min-replicas-max-lag', value: '0' }, 'restore min-replicas-max-lag', 'OK');
      }
    }
  }

  for (const sibling of siblings) {
    if (!sibling.reachable) {
      b.check('UNREACHABLE_REPLICA', 'warning', `${sibling.address} cannot be reached and is not re-pointed: it will follow ${oldMaster} (then a replica) when it comes back`, [sibling.address]);
      continue;
    }
    b.repoint(sibling, tf, promoted, `follow the new master ${to} (it would otherwise stay under ${oldMaster})`);
  }
  const how = method === 'failover' ? ' with FAILOVER TO' : method === 'paused-failover' ? ' with CLIENT PAUSE WRITE, then FAILOVER TO … FORCE' : ` (manual: ${method})`;
  return finish(b, meta, `${summary}${how}${reachable(siblings) > 0 ? `, then re-point ${plural(reachable(siblings), 'replica')}` : ''}`, to);
}

/** Refuse FAILOVER TO where the old master cannot dial the target at the address its master lists (see planSwitchover). */
function failoverCannotHandOver(b: PlanBuilder, old: NodeFacts, target: NodeFacts, listedAt: string, mismatch: TransportMismatch): void {
  const { host } = parseAddress(listedAt);
  const { wants, given, other } = mismatch;
  const instead =
    other !== null && other > 0
      ? `Switch over with --method pause or fence, which send ${old.address} REPLICAOF ${host} ${other}, ${target.address}'s ${wants} port, or set tls-replication ${given === 'TLS' ? 'yes' : 'no'} on ${old.address} first`
      : `${target.address} has no ${wants} port to send it instead (${other === 0 ? `${portSetting(wants)} 0` : `CONFIG GET ${portSetting(wants)} refused`}): set tls-replication ${given === 'TLS' ? 'yes' : 'no'} on ${old.address} first`;
  b.check(
    'TLS_REPLICATION',
    'refused',
    `${dialsText(old.address, mismatch)}, but FAILOVER TO names ${target.address} as ${old.address} lists it, ${listedAt}, its ${given} port: the hand-over waits until ${old.address}, ` +
      `made its replica at that address, reaches it there, which it never does, and writes stay held meanwhile. ${instead}`,
    [old.address, target.address],
  );
}

/**
 * A replica with a full sync under way, or with no keys at offset 0 or 1, holds none of its
 * master's data: promoting it loses everything. An empty replica whose first sync the master's
 * death cut short was proposed as "the highest offset (1)" over a master with 200,000 keys in its RDB.
 */
function holdsNoData(f: NodeFacts): boolean {
  return f.syncInProgress || (f.keys === 0 && f.offset !== null && f.offset <= 1);
}

/**
 * A replica to make master that holds none of `source`'s data, where that loses something: not
 * when `source`, read now, holds no keys either (a lab just started), nor when both lie in one
 * history, where the bytes it lacks say it better (REPLICA_BEHIND with the bytes). A master
 * that cannot be read may hold anything.
 */
function holdsNoneOf(f: NodeFacts, source: NodeFacts | undefined): boolean {
  if (!holdsNoData(f)) return false;
  if (!source?.reachable) return true;
  if (source.keys === 0) return false;
  return f.syncInProgress || bytesBehind(source, f) === null;
}

/**
 * Refuse, overridably, to make a node that holds none of `source`'s data a master: everything is
 * lost, and so is the data of every node the plan re-points to it (`followers`: a full sync from
 * it replaces theirs with its empty dataset). A promote of a replica restarted empty, waiting for
 * its full sync, ran to "ok" with it and both re-pointed siblings at 0 keys.
 */
function holdsNoDataCheck(b: PlanBuilder, f: NodeFacts, source: string, sourceKeys: number | null, followers: readonly string[], advice: string): void {
  const why = f.syncInProgress ? `is in the middle of a full sync${f.loading ? ' (loading its snapshot)' : ''}` : `holds no keys at offset ${f.offset ?? '?'}`;
  const held = sourceKeys !== null && sourceKeys > 0 ? ` (${sourceKeys.toLocaleString('en')} ${sourceKeys === 1 ? 'key' : 'keys'} there)` : '';
  const emptied =
    followers.length === 0
      ? ''
      : ` ${followers.join(', ')}, re-pointed to it, ${followers.length === 1 ? 'is' : 'are'} emptied too: a full sync from it replaces ${followers.length === 1 ? 'its' : 'their'} data with its empty dataset.`;
  b.check(
    'REPLICA_BEHIND',
    'refused',
    `${f.address} ${why}: it has none of ${source}'s data${held}, and promoting it loses all of it.${emptied} ${advice}`,
    [f.address, source, ...followers],
    true,
  );
}

function rank(candidates: NodeFacts[]): NodeFacts[] {
  // Replicas with data first (one loading cannot be promoted yet), highest offset first; among
  // equals, Sentinel's rule: lowest non-zero priority, then address.
  const last = (f: NodeFacts): number => Number(holdsNoData(f) || f.loading !== null);
  return [...candidates].sort(
    (x, y) =>
      last(x) - last(y) ||
      (y.offset ?? -1) - (x.offset ?? -1) ||
      Number(x.priority === 0) - Number(y.priority === 0) ||
      (x.priority ?? 100) - (y.priority ?? 100) ||
      x.address.localeCompare(y.address, 'en', { numeric: true }),
  );
}

/**
 * A dead master's replica list died with it: the replicas the console knows of it come from
 * this session (the seeds, what they point at) and the topology memory. A master the console
 * never saw may have more, ahead of the chosen one: with one known replica, refuse until the
 * user names the others or overrides; with several named, say it.
 */
function unknownReplicas(b: PlanBuilder, dead: string, replicas: NodeFacts[], chosen: string): void {
  const seen = findNode(b.snapshot, dead)?.lastSeenAt ?? null;
  if (seen !== null) {
    b.check(
      'UNKNOWN_REPLICAS',
      'ok',
      `${dead}'s replicas are known: the console last read it at ${new Date(seen).toISOString()} and dials every replica it had (${replicas.map((r) => r.address).join(', ')})`,
      [dead],
    );
    return;
  }
  const how = `name each of them with another --seed HOST:PORT (in the app: add them to Seeds when connecting), then plan again`;
  if (replicas.length <= 1) {
    b.check(
      'UNKNOWN_REPLICAS',
      'refused',
      `${dead} was never seen by this console and cannot be reached, so its replica list is unknown: other replicas of it may exist, ahead of ${chosen}, and promoting ${chosen} would then lose their writes and leave them following ${dead}. ` +
        `If there are others, ${how}; override only if ${chosen} is ${dead}'s only replica`,
      [dead, chosen],
      true,
    );
    return;
  }
  b.check(
    'UNKNOWN_REPLICAS',
    'warning',
    `${dead} was never seen by this console: only the ${plural(replicas.length, 'replica')} named (${replicas.map((r) => r.address).join(', ')}) are compared and re-pointed. If it had others, ${how}`,
    [dead],
  );
}

/**
 * Whether the master an emergency failover replaces is really gone. One that answers is
 * refused (switchover is the way). One that does not answer the console while its replicas
 * still have their link up is alive for them (a pause, a cut between the console and it, or a
 * death they have not noticed yet): promoting now makes two masters, so it is refused until
 * their links go down (repl-timeout) or the user overrides. A refused connection is a process
 * that is gone; no answer at all (a timeout) may be a paused process that resumes as a master.
 */
/**
 * Running: it answered the console, only not with its state (a password, TLS, its client limit),
 * whatever its replicas' links say. A master loading its dataset is a restart, and a reply that
 * is not Redis's is not the master's: Redis never answers so (another program on its port, or a
 * proxy in front of it).
 */
function answeredWithError(df: NodeFacts | undefined): boolean {
  return df?.errorCode != null && df.errorCode !== 'LOADING' && df.errorCode !== 'NOT_REDIS' && ANSWERED_CODES.has(df.errorCode);
}

/**
 * A node promoted off the dead master already: a master now whose replid2 is the history the
 * replicas still on the dead one carry, forked where they stand (warnings.ts promotedOff, as
 * MASTER_DOWN's "already failed over" says). A failover now makes a second master beside it: the
 * console's own split brain, for a straggler back after the failover or a failover run again after
 * one killed half-way. Refused (no override): the nodes still on the dead master are re-pointed.
 */
function alreadyFailedOver(b: PlanBuilder, dead: string): string | null {
  const stillOn = replicasOf(b.snapshot, dead);
  const replid = findNode(b.snapshot, dead)?.replid ?? stillOn.find((r) => r.replid !== null)?.replid ?? null;
  if (replid === null) return null;
  let offset: number | null = null;
  for (const r of stillOn) if (r.replid === replid && r.offset !== null) offset = Math.max(offset ?? 0, r.offset);
  const promoted = promotedOff({ replid, offset }, b.snapshot.nodes, stillOn).filter((p) => !b.same(p.address, dead));
  const [to] = promoted;
  if (!to) return null;
  const live = stillOn.filter((r) => r.reachable).map((r) => r.address);
  const repoint =
    live.length > 0
      ? `Re-point ${live.join(', ')} to ${to.address} instead (replicaof --node … --master ${to.address}, or ${replicaofTo(b.snapshot.nodes, to)} on ${live.length === 1 ? 'it' : 'each'})`
      : `Re-point the nodes still on ${dead} to ${to.address} when they come back`;
  b.check(
    'ALREADY_FAILED_OVER',
    'refused',
    promoted.length > 1
      ? `${dead} was failed over more than once: ${promoted.map((p) => p.address).join(', ')} were each promoted off it (their replid2 is its history) and each is a master now. ` +
          `Keep one (see MULTIPLE_MASTERS) and re-point the others to it; a failover now would make one more`
      : `${dead} was already failed over: ${to.address} was promoted off it (its replid2 is ${dead}'s history) and is the master now. ` +
          `A failover now would make a second master beside it, both taking writes. ${repoint}`,
    [dead, ...promoted.map((p) => p.address)],
  );
  return promoted.map((p) => p.address).join(', ');
}

function masterIsDown(b: PlanBuilder, dead: string, df: NodeFacts | undefined, replicas: readonly NodeFacts[]): void {
  if (df?.reachable) {
    b.check(
      'MASTER_REACHABLE',
      'refused',
      `${dead} answers: an emergency failover now would leave two masters and lose the writes it keeps taking. Use switchover for a planned hand-over with no lost writes; override only if clients can no longer reach ${dead}`,
      [dead],
      true,
    );
    return;
  }
  const why = df?.error ? ` (${df.error})` : '';
  if (answeredWithError(df)) {
    b.check(
      'MASTER_REACHABLE',
      'refused',
      `${dead} is running: it answered the console${why}, only not with its replication state. Give the console access to it and use switchover. ` +
        `An emergency failover now may leave two masters; override only if clients can no longer reach ${dead}`,
      [dead],
      true,
    );
    return;
  }
  const linked = replicas.filter((r) => r.linkStatus === 'up' && r.masterAddress !== null && b.canon(r.masterAddress) === dead);
  if (linked.length > 0) {
    const timeout = findNode(b.snapshot, dead)?.settings?.replTimeout ?? null;
    b.check(
      'MASTER_REACHABLE',
      'refused',
      `${dead} does not answer the console${why}, but ${linked.length === 1 ? 'its replica' : 'its replicas'} ${linked.map((r) => r.address).join(', ')} still ${linked.length === 1 ? 'has its' : 'have their'} link to it up: ` +
        `for them it is alive (paused, or cut off from the console only), or it died so recently they have not noticed. Promoting now may leave two masters taking writes. ` +
        `Wait until their links go down (repl-timeout${timeout !== null ? `, ${timeout} s` : ''}) and plan again; override only if you know ${dead} is gone for good`,
      [dead, ...linked.map((r) => r.address)],
      true,
    );
    return;
  }
  if (df === undefined) {
    b.check('MASTER_REACHABLE', 'warning', `${dead} could not be read now: nothing tells whether it is down or cut off from the console only. Make sure it stays down (stop its process, or fence it off) as part of this failover`, [dead]);
    return;
  }
  if (df.errorCode === 'LOADING') {
    // Restarted: what it loads is its last save (or an old dump.rdb), older than what its replicas hold.
    b.check(
      'MASTER_REACHABLE',
      'warning',
      `${dead} restarted and is loading its dataset${why}: its last save (or an old dump.rdb), older than what its replicas hold. ` +
        `Once loaded it is a master again and its replicas resync to it, losing the difference; failing over now keeps their data. ` +
        `Then keep ${dead} from clients (fence it, or make it a replica of the new master once it has loaded)`,
      [dead],
    );
    return;
  }
  if (df.errorCode === 'NOT_REDIS') {
    b.check(
      'MASTER_REACHABLE',
      'warning',
      `Something that does not speak Redis answers on ${dead}'s port${why}, and its replicas' links are down: the master is not there (another program took the port), ` +
        `or a proxy stands in front of it. Make sure ${dead}'s Redis process is stopped (or fenced off) as part of this failover`,
      [dead],
    );
    return;
  }
  if (df.errorCode === 'TIMEOUT') {
    b.check(
      'MASTER_REACHABLE',
      'warning',
      `${dead} does not answer${why} rather than refusing connections, and its replicas' links are down: it may be paused (SIGSTOP, a long command, swapping) or cut off, not dead. ` +
        `If it resumes it is a master again and clients that reach it write there: stop its process for good (or fence it off) as part of this failover`,
      [dead],
    );
    return;
  }
  // Refused, or closed the moment it died (the console's open connection reset): the process is
  // gone, as its replicas' links say too. Only a node that cannot be reached at all (DNS, no route) may be cut off.
  if (unreachableKind(df.error) === 'unknown') {
    b.check(
      'MASTER_REACHABLE',
      'warning',
      `${dead} cannot be reached from the console${why}, and its replicas' links to it are down: it is down, or cut off from the console and its replicas only (clients may still reach it). ` +
        `Make sure it stays down (stop its process, or fence it off) as part of this failover`,
      [dead],
    );
    return;
  }
  b.check('MASTER_REACHABLE', 'ok', `${dead} is down${why}, and its replicas' links to it are down too`, [dead]);
}

/**
 * A replica of the dead master that the console cannot read now: it is not compared or
 * re-pointed. How far it got decides what promoting `chosen` loses, so the plan says what is
 * known: ahead of `chosen` when last read (the writes counted as lost), or alive and unread
 * (refusing the console, or not answering: a paused or cut-off process), where it may hold more
 * than `chosen`: both need an override, as promoting a replica known to be behind does. One that
 * refuses connections is gone (with whatever it held), and only named.
 */
function unreachableSibling(b: PlanBuilder, other: NodeFacts, chosen: NodeFacts, dead: string): void {
  // The nodes below it follow it: say so, or they were never named at all.
  const below = descendantsOf(b.snapshot, other.address).map((n) => n.address);
  const with_ = below.length > 0 ? ` (with ${below.join(', ')} below it)` : '';
  const nodes = [other.address, ...below];
  const c = chosen.address;
  const byHand = `re-point it to ${c} by hand (replicaof --node ${other.address} --master ${c}), which replaces its data`;
  const seen = b.facts.lastKnownOffsets[other.address];
  const ahead = seen && chosen.offset !== null && seen.offset > chosen.offset ? seen.offset - chosen.offset : null;
  if (seen && ahead !== null) {
    b.check(
      'UNREACHABLE_REPLICA',
      'warning',
      `${other.address}${with_} cannot be read now (${other.error ?? other.errorCode ?? 'no answer'}), but the console last read it at offset ${formatOffset(seen.offset)} (${new Date(seen.at).toISOString()}), ` +
        `${bytesText(ahead)} past ${c}: promoting ${c} loses at least those writes. Bring it back and plan again (the most advanced replica is then promoted), or override; then ${byHand}`,
      nodes,
      true,
    );
    b.lost(other.address, ahead, `held by ${other.address} when the console last read it, beyond ${c}: lost if ${c} is promoted`);
    return;
  }
  if (refusesConsole(other.errorCode === null ? null : { code: other.errorCode })) {
    b.check(
      'UNREACHABLE_REPLICA',
      'warning',
      `${other.address}${with_} answers but refuses the console (${other.error ?? other.errorCode}), so it is not compared or re-pointed: how far it got is unknown, and it may hold more than ${c}. ` +
        `Let the console in (its password, an ACL user) and plan again; or override, then ${byHand}`,
      nodes,
      true,
    );
    return;
  }
  if (other.errorCode === 'TIMEOUT') {
    b.check(
      'UNREACHABLE_REPLICA',
      'warning',
      `${other.address}${with_} does not answer (${other.error ?? 'timed out'}) rather than refusing connections: it may be paused (SIGSTOP, a long command, swapping) or cut off, not gone, ` +
        `so how far it got is unknown, and it may hold more than ${c}. Find out on its host (INFO replication), and plan again once it answers; or override if it is gone for good, ` +
        `then ${byHand} when it is back (it still follows ${dead})`,
      nodes,
      true,
    );
    return;
  }
  b.check(
    'UNREACHABLE_REPLICA',
    'warning',
    `${other.address}${with_} cannot be reached and is not re-pointed: it still follows ${dead} when it comes back. Re-point it to ${c} then (replicaof --node ${other.address} --master ${c})`,
    nodes,
  );
}

function planFailover(b: PlanBuilder, toAddress: string | undefined, meta: PlanMeta): PlannedAction {
  const dead = b.canon(failoverMaster(b.snapshot, toAddress));
  const df = b.fact(dead);
  const replicas = replicasOf(b.snapshot, dead)
    .map((r) => b.fact(r.address))
    .filter((f): f is NodeFacts => f !== undefined);
  const usable = replicas.filter((f) => f.reachable && f.role === 'replica' && f.mode !== 'sentinel' && !f.clusterEnabled);
  const ranked = rank(usable.filter((f) => f.priority !== 0).length > 0 ? usable.filter((f) => f.priority !== 0) : usable);
  const best = rank(usable)[0];
  const chosenAddress = toAddress !== undefined ? b.canon(toAddress) : ranked[0]?.address;
  // The title counts what the plan re-points: one that cannot be reached is a check, not a step.
  const others = replicas.filter((r) => r.reachable && (chosenAddress === undefined || !b.same(r.address, chosenAddress))).length;
  // Named as MASTER_REACHABLE judges it: a title saying "is down" over a master that answers went into the audit log when overridden.
  const state = df?.reachable ? 'still answers' : answeredWithError(df) ? 'is running' : 'is down';
  const summary = `Emergency failover: ${dead} ${state}; promote ${chosenAddress ?? '(no candidate)'}${toAddress === undefined ? ' (highest offset)' : ''}` +
    `${others > 0 ? ` and re-point ${plural(others, 'other replica')}` : ''}`;
  b.involve(dead, ...replicas.map((r) => r.address));

  masterIsDown(b, dead, df, usable);
  const promotedAlready = alreadyFailedOver(b, dead);
  // The title says so: "promote X and re-point 1 other replica" over a plan with no steps misled.
  if (promotedAlready !== null) return finish(b, meta, `Emergency failover: ${dead} was already failed over to ${promotedAlready}; nothing to promote`, dead);
  if (!chosenAddress) {
    b.check('NO_CANDIDATE', 'refused', `no replica of ${dead} can be reached to be promoted`, [dead, ...replicas.map((r) => r.address)]);
    return finish(b, meta, summary, dead);
  }
  unknownReplicas(b, dead, replicas, chosenAddress);
  const cf = b.requireDataNode(chosenAddress, 'the replica to promote');
  if (!cf) return finish(b, meta, summary, chosenAddress);
  if (cf.role !== 'replica' || !replicas.includes(cf)) {
    b.check('NOT_A_REPLICA', 'refused', `${chosenAddress} is not a replica of ${dead}`, [chosenAddress, dead]);
    return finish(b, meta, summary, chosenAddress);
  }
  b.failoverRunning(usable.map((f) => f.address));
  b.sentinel();
  priorityZero(b, cf);

  const behindBest = best && best !== cf ? bytesBehind(best, cf) : 0;
  const unreachable = replicas.filter((r) => !r.reachable).length;
  if (holdsNoData(cf)) {
    const followers = replicas.filter((r) => r !== cf && r.reachable).map((r) => r.address);
    holdsNoDataCheck(
      b,
      cf,
      dead,
      null,
      followers,
      `Its sync never finished, or ${dead} was empty. If ${dead} has an RDB or AOF file, bring it back instead; override only if its data is gone for good`,
    );
  } else if (best && best !== cf && behindBest === null) {
    b.check(
      'REPLICA_BEHIND',
      'warning',
      `${chosenAddress} and ${best.address} (offset ${best.offset ?? '?'}), the most advanced reachable replica, are not in one replication history: which holds more cannot be told from their offsets. ` +
        `Compare their data before promoting ${chosenAddress}; ${best.address} needs a full sync from it`,
      [chosenAddress, best.address],
    );
  } else if (best && behindBest !== null && behindBest > 0) {
    b.check(
      'REPLICA_BEHIND',
      'warning',
      `${chosenAddress} is ${bytesText(behindBest)} behind ${best.address}, the most up-to-date reachable replica: promoting it loses those writes and ${best.address} needs a full sync`,
      [chosenAddress, best.address],
      true,
    );
    b.lost(chosenAddress, behindBest, `behind ${best.address}, the most up-to-date reachable replica`);
  } else {
    b.check(
      'REPLICA_BEHIND',
      'ok',
      `${chosenAddress} has the highest offset (${cf.offset ?? '?'}) of the ${plural(usable.length, 'known replica')} of ${dead} reachable now` +
        (unreachable > 0 ? `; ${unreachable === 1 ? 'one more cannot be read' : `${unreachable} more cannot be read`} (UNREACHABLE_REPLICA)` : ''),
      [chosenAddress],
    );
  }
  // A node below a replica may hold more than every replica (its master restarted from an old
  // save and could not serve it since): it resyncs in full from the promoted one, losing that.
  for (const below of descendantsOf(b.snapshot, dead)) {
    const bf = replicas.some((r) => b.same(r.address, below.address)) ? undefined : b.fact(below.address);
    const gap = bf?.reachable ? bytesBehind(bf, cf) : null;
    if (!bf || gap === null || gap <= 0) continue;
    // Not ahead of its own master (read now): what it holds beyond the promoted one, its master
    // holds too, and is counted there.
    const parent = below.master ? b.fact(below.master) : undefined;
    if (parent?.reachable && !((bytesBehind(bf, parent) ?? 1) > 0)) continue;
    b.check(
      'REPLICA_BEHIND',
      'warning',
      `${bf.address}, below ${below.master ?? '?'}, holds ${bytesText(gap)} more than ${chosenAddress}: promoting ${chosenAddress} makes it resync in full and lose those writes. ` +
        `Copy what you need from ${bf.address} first, or bring ${dead} back`,
      [chosenAddress, bf.address],
      true,
    );
    b.lost(bf.address, gap, `held by ${bf.address} (below ${below.master ?? '?'}) beyond ${chosenAddress}: lost when it resyncs from it`);
  }
  const lastSeen = b.facts.lastKnownOffsets[dead];
  if (lastSeen && cf.offset !== null && lastSeen.offset > cf.offset) {
    b.lost(chosenAddress, lastSeen.offset - cf.offset, `at least this much behind ${dead}'s last offset seen by the console (${new Date(lastSeen.at).toISOString()}); writes after that are unknown`);
  }
  for (const other of usable) {
    if (other === cf) continue;
    const gap = bytesBehind(cf, other);
    if (gap !== null && gap > 0) b.lost(other.address, gap, `behind the proposed ${chosenAddress}: promoting ${other.address} instead would lose these`);
  }

  b.step({ kind: 'promote', node: chosenAddress }, `make it the master in place of ${dead}`, `${chosenAddress} reports role master`, true);
  b.expect(chosenAddress, 'master', null);
  b.markChanged(chosenAddress);
  const promoted = afterPromotion(cf);
  for (const other of replicas) {
    if (other === cf) continue;
    if (!other.reachable) {
      unreachableSibling(b, other, cf, dead);
      continue;
    }
    b.repoint(other, cf, promoted, `follow the new master ${chosenAddress}`);
  }
  b.check(
    'OLD_MASTER_STAYS',
    'warning',
    oldMasterComesBack(dead, chosenAddress),
    [dead, chosenAddress],
  );
  return finish(b, meta, summary, chosenAddress);
}
