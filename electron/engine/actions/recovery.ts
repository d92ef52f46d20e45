// What to tell the operator about a plan that stopped half-way (journal.ts): what ran, where
// each node stands now (read fresh), and the exact commands that finish the plan (when the
// new master took over) or roll it back (when it did not). A master still holding the write
// fence is named FENCED_MASTER with the value journaled before the fence, never the fence
// value itself. The advice follows the steps the journal shows sent: it never undoes a change
// the plan did not make, and nodes changed since by something else are left alone. A plan with
// nothing left to send (no move, no fence, no pause) is reported once more and closed.
import type { NodeRole, TopologySnapshot, TopologyWarning } from '../../shared/types';
import { formatAddress, normalizeAddress, parseAddress } from '../address';
import { toApiError } from '../errors';
import { parseInfo, parseReplication } from '../info-parser';
import type { NodeCommands } from '../node-commands';
import { masterAsKnown, sameAddress, sameNode } from './graph';
import type { ExpectedNode } from './plan-builder';
import { FENCE_REPLICAS, movedBySentinel, oldMasterComesBack, type StepOp } from './operations';
import type { JournaledPlan, OriginalValue } from './journal';
import { addToGroup } from '../../shared/group';
import { formatBytes } from '../../shared/format';
import { nothingToSend } from '../../shared/interrupted-text';
import { currentOffset, holdsWritesInFailover } from '../node-record';

/** The two reads recovery needs: the NodeCommands subset, so tests and front ends can pass any. */
export type NodeReader = Pick<NodeCommands, 'info' | 'configGet'>;

export interface NodeNow {
  address: string;
  reachable: boolean;
  role: NodeRole;
  /** The master it follows, named as the plan names that node when it is one of the plan's (graph.ts masterAsKnown, sameNode). */
  master: string | null;
  /** Its master_host:master_port as it reports them, when `master` names that node otherwise (localhost, a port forward, an --map source). */
  masterAsReported?: string;
  linkStatus: 'up' | 'down' | null;
  /** master_sync_in_progress: a full sync from its master under way (the link reads down meanwhile). */
  syncInProgress?: boolean;
  /** master_failover_state (6.2+): 'waiting-for-sync' or 'failover-in-progress' while a FAILOVER holds its writes; null before 6.2 or unread. */
  failoverState?: string | null;
  /** Its replication histories and offset (master_replid, master_replid2, its offset, second_repl_offset): how much each of two masters took since they split. */
  history?: { replid: string | null; replid2: string | null; offset: number | null; secondReplOffset: number | null };
  error: string | null;
  /** Current values of the settings the plan changes (null: could not be read). */
  settings: Record<string, string | null>;
  /** Why a setting could not be read (CONFIG GET refused or failed), by parameter. */
  settingErrors?: Record<string, string>;
}

export interface RecoveryCommand {
  node: string;
  command: string;
  why: string;
}

export interface InterruptedReport {
  planId: string;
  summary: string;
  startedAt: number;
  who: string;
  /** Every node the plan touched or aimed to. */
  nodes: string[];
  /** Why the plan did not end: the console died, or a shutdown cut it short. */
  cause: string;
  /** One line per step: what ran and how it ended. */
  ran: string[];
  /** One line per node, as read now. */
  now: string[];
  /** 'finish' when the new master took over, 'roll back' when it did not. */
  direction: 'finish' | 'roll back';
  /** The exact commands, in order. Empty when the nodes are settled. */
  commands: RecoveryCommand[];
  /** Masters still refusing writes with the fence, and the value to restore. */
  fenced: { node: string; value: string; original: string }[];
  /** A write pause still running, and when it ends by itself. */
  pausedUntil: { node: string; until: number }[];
  /** Nothing left to send (no move, fence or pause; no node it waits for): the record is closed. */
  settled: boolean;
  /** Nodes in a role neither the plan nor their state before it explains: changed since by something else. */
  changedSince: string[];
  /** Nodes the plan has work on that cannot be read now: the report waits for them. */
  waitingFor: string[];
  /** Replicas where the plan wants them whose link is not up yet (a full sync under way, or reconnecting): the report waits for them too. */
  linking: { node: string; master: string | null; syncing: boolean }[];
  /** Words printed with the report: a Sentinel failover's roles are Sentinel's, nodes changed since, a node not waited for. */
  note?: string;
}

const FENCE_PARAMETER = 'min-replicas-to-write';

/**
 * Read every node of the plan fresh (INFO replication and the settings it changes). `snapshot`
 * is the topology the reader reaches them through: a replica that names its master by another
 * address of it (an alias, a port forward, an --map source) is read as following the plan's node.
 */
export async function readPlanNodes(reader: NodeReader, plan: JournaledPlan, snapshot: Pick<TopologySnapshot, 'nodes'> | null = null): Promise<Map<string, NodeNow>> {
  const addresses = planAddresses(plan);
  const names = planNames(plan);
  const masterOf = (replica: string, reported: string): string => {
    const known = masterAsKnown(snapshot, replica, reported, plan.started.ops);
    return names.find((name) => sameNode(snapshot, name, known)) ?? known;
  };
  const settingsOf = (address: string): string[] => [
    ...new Set([...plan.started.original.filter((o) => o.node === address).map((o) => o.parameter), ...fencedNodes(plan).filter((n) => n === address).map(() => FENCE_PARAMETER)]),
  ];
  const entries = await Promise.all(
    addresses.map(async (address): Promise<[string, NodeNow]> => {
      try {
        const info = parseReplication(parseInfo(await reader.info(address, 'replication')));
        const settings: Record<string, string | null> = {};
        const settingErrors: Record<string, string> = {};
        for (const parameter of settingsOf(address)) {
          settings[parameter] = await reader.configGet(address, parameter).catch((error: unknown) => {
            settingErrors[parameter] = toApiError(error).message;
            return null;
          });
        }
        const reported = info.role === 'replica' && info.masterHost && info.masterPort !== null ? formatAddress(info.masterHost, info.masterPort) : null;
        const master = reported === null ? null : masterOf(address, reported);
        const aka = reported !== null && master !== null && !sameAddress(reported, master) ? { masterAsReported: reported } : {};
        const history = { replid: info.replid, replid2: info.replid2, offset: currentOffset(info), secondReplOffset: info.secondReplOffset };
        return [address, { address, reachable: true, role: info.role, master, ...aka, linkStatus: info.linkStatus, syncInProgress: info.syncInProgress, failoverState: info.failoverState, history, error: null, settings, settingErrors }];
      } catch (error) {
        return [address, { address, reachable: false, role: 'unknown', master: null, linkStatus: null, error: toApiError(error).message, settings: {} }];
      }
    }),
  );
  return new Map(entries);
}

/** Every node the plan touched or aims to touch, in a stable order. */
export function planAddresses(plan: JournaledPlan): string[] {
  const { started } = plan;
  return [...new Set([...started.before.map((n) => n.address), ...started.expected.map((n) => n.address), ...started.nodes])];
}

/** Every address the plan names a node by: its nodes, and the masters it found or aimed to give them. */
function planNames(plan: JournaledPlan): string[] {
  const { before, expected } = plan.started;
  return [...new Set([...planAddresses(plan), ...[...before, ...expected].flatMap((n) => (n.master === null ? [] : [n.master]))])];
}

/** Nodes where the plan set the write fence. */
function fencedNodes(plan: JournaledPlan): string[] {
  return plan.started.ops.filter((op) => op.kind === 'set-config' && op.fence === 'on').map((op) => op.node);
}

/** A role a node has or may be given: master, or replica of `master` (the console's address of it). */
type Role = Pick<ExpectedNode, 'role' | 'master'>;

/** A role a step of the plan gives a node, with the address that step sends for its master. */
interface Effect extends Role {
  host?: string;
  port?: number;
}

/** Whether step `index` was sent, or may have been: recorded, and neither pending nor skipped (the executor's own rule). */
function mayHaveRun(plan: JournaledPlan, index: number): boolean {
  const status = plan.steps.get(index)?.status;
  return status !== undefined && status !== 'pending' && status !== 'skipped';
}

/** The roles the steps that ran (or may have) gave each node, keyed by normalized address. */
function roleEffects(plan: JournaledPlan): Map<string, Effect[]> {
  const out = new Map<string, Effect[]>();
  const add = (node: string, effect: Effect): void => {
    const key = normalizeAddress(node);
    addToGroup(out, key, effect);
  };
  plan.started.ops.forEach((op, index) => {
    if (!mayHaveRun(plan, index)) return;
    if (op.kind === 'replicaof') add(op.node, { role: 'replica', master: op.master, host: op.host, port: op.port });
    else if (op.kind === 'promote') add(op.node, { role: 'master', master: null });
    else if (op.kind === 'failover') {
      add(op.node, { role: 'replica', master: op.target, host: op.host, port: op.port });
      add(op.target, { role: 'master', master: null });
    }
  });
  return out;
}

/** A move to advise, with the master it points the node at (null: REPLICAOF NO ONE). */
interface Move {
  command: RecoveryCommand;
  target: string | null;
  /** The node is a master now and must follow another: until then two masters take writes. */
  demotes: boolean;
}

/**
 * The moves in an order where no REPLICAOF points a node at one that replicates from it at that
 * moment (simulated over the roles read now), demotions of a current master first. Moves that
 * would make a cycle in any order are returned apart, never advised.
 */
function orderMoves(moves: readonly Move[], nodes: ReadonlyMap<string, NodeNow>): { ordered: Move[]; unsafe: Move[] } {
  const upstream = new Map<string, string | null>();
  for (const n of nodes.values()) if (n.reachable) upstream.set(normalizeAddress(n.address), n.role === 'replica' && n.master ? normalizeAddress(n.master) : null);
  const isBelow = (target: string, node: string): boolean => {
    const seen = new Set<string>();
    for (let at: string | null | undefined = target; at; at = upstream.get(at)) {
      if (at === node) return true;
      if (seen.has(at)) return false;
      seen.add(at);
    }
    return false;
  };
  const pending = [...moves].sort((a, b) => Number(b.demotes) - Number(a.demotes));
  const ordered: Move[] = [];
  for (;;) {
    const next = pending.findIndex((m) => m.target === null || !isBelow(normalizeAddress(m.target), normalizeAddress(m.command.node)));
    if (next < 0) break;
    const [move] = pending.splice(next, 1);
    if (!move) break;
    ordered.push(move);
    upstream.set(normalizeAddress(move.command.node), move.target === null ? null : normalizeAddress(move.target));
  }
  return { ordered, unsafe: pending };
}

/** The REPLICAOF arguments for `node` to follow `master`: the plan's own, when a step of it sends that (as servers reach the master). */
function replicaofArgs(plan: JournaledPlan, nodes: ReadonlyMap<string, NodeNow>, node: string, master: string): { host: string; port: number } {
  const same = (a: string, b: string): boolean => normalizeAddress(a) === normalizeAddress(b);
  // An address a node is read following another node by reaches that node now (a port forward
  // or VIP moved since the step was sent): advising it would keep the replica where it is.
  const elsewhere = (address: string): boolean =>
    [...nodes.values()].some((n) => n.masterAsReported !== undefined && same(n.masterAsReported, address) && n.master !== null && !same(n.master, master));
  // How the plan told servers to reach `master`: to this node first, else to any other (the dead
  // old master of an emergency failover was sent nothing); behind NAT not the console's way in.
  const told = (op: StepOp): boolean =>
    ((op.kind === 'replicaof' && same(op.master, master)) || (op.kind === 'failover' && same(op.target, master))) && !elsewhere(formatAddress(op.host, op.port));
  const op = plan.started.ops.find((o) => told(o) && same(o.node, node)) ?? plan.started.ops.find(told);
  return op && (op.kind === 'replicaof' || op.kind === 'failover') ? { host: op.host, port: op.port } : parseAddress(master);
}

/**
 * An op that changes the node it is sent to. The others read (a catch-up wait, the followers'
 * check) or go to a Sentinel: a dead Sentinel, or a replica only read, is no work left, and
 * held a Sentinel failover's report open for good.
 */
function changesNode(op: StepOp): boolean {
  return !['wait-caught-up', 'sentinel-followers', 'sentinel-priorities', 'sentinel-failover'].includes(op.kind);
}

/**
 * Build the report for one interrupted plan from its journal and the nodes as read now. The
 * advice follows the steps the journal shows sent (or maybe sent): a roll back undoes only the
 * roles those steps gave, a finish moves only nodes still where the plan had them. A node in a
 * role neither the plan nor its state before explains was changed since by something else (a
 * later plan, by hand, Sentinel): it is never moved, and a roll back then advises no move at all.
 */
export function assess(plan: JournaledPlan, nodes: ReadonlyMap<string, NodeNow>, now: number): InterruptedReport {
  const { started } = plan;
  const same = (a: string | null, b: string | null): boolean => a !== null && b !== null && normalizeAddress(a) === normalizeAddress(b);
  const at = (n: NodeNow, t: Role): boolean => n.role === t.role && (t.role === 'master' || same(n.master, t.master));
  const matches = (targets: readonly ExpectedNode[]): boolean =>
    targets.length > 0 &&
    targets.every((t) => {
      const n = nodes.get(t.address);
      return n !== undefined && n.reachable && at(n, t);
    });
  const beforeOf = new Map(started.before.map((b) => [normalizeAddress(b.address), b]));
  const expectedOf = new Map(started.expected.map((e) => [normalizeAddress(e.address), e]));
  const effects = roleEffects(plan);
  // A FAILOVER of this plan still under way: Redis finishes it (or, waiting for sync, gives up at
  // its TIMEOUT) by itself, and refuses REPLICAOF on that node meanwhile. Nothing is moved until it
  // ends: a roll back's REPLICAOF NO ONE there was refused, and a finish would be premature.
  const handing = started.ops.flatMap((op, i) => {
    if (op.kind !== 'failover' || !mayHaveRun(plan, i)) return [];
    const state = nodes.get(op.node)?.failoverState ?? null;
    return state !== null && holdsWritesInFailover(state) ? [{ op, state }] : [];
  });

  // Originals: journaled by the executor (undo records) first, else from the plan's own restore steps.
  const originals = new Map<string, OriginalValue>();
  for (const o of started.original) originals.set(`${o.node} ${o.parameter}`, o);
  for (const u of plan.undos) if (u.kind === 'restore-config') originals.set(`${u.node} ${u.parameter}`, { node: u.node, parameter: u.parameter, value: u.value });

  const notes: string[] = handing.map(({ op, state }) => handingOverNote(op.node, op.target, state, op.timeoutMs));
  const fenced: InterruptedReport['fenced'] = [];
  const restores: RecoveryCommand[] = [];
  for (const o of originals.values()) {
    const n = nodes.get(o.node);
    const current = n?.settings[o.parameter];
    if (current === null && n?.reachable) {
      // Unread is not restored: the report stays open over a setting the plan may have left changed.
      const left = valueLeft(plan, o);
      if (left !== null) {
        restores.push({
          node: o.node,
          command: `CONFIG SET ${o.parameter} ${o.value}`,
          why:
            `${o.parameter} cannot be read now (${n.settingErrors?.[o.parameter] ?? 'CONFIG GET failed'}) and the plan may have left it at ${left}` +
            `${o.parameter === FENCE_PARAMETER && left === String(FENCE_REPLICAS) ? ' (the write fence: every write refused)' : ''}; this puts back ${o.value}, its value before the plan`,
        });
      }
      continue;
    }
    const rewrite = steerRewrite(plan, o, n);
    if (current === o.value && rewrite && !rewrite.ended) {
      // A command, not only a note: the report stays open (a note alone closed it at the next
      // check, unseen in the app), and the console cannot read the file to see it done.
      restores.push({
        node: o.node,
        command: 'CONFIG REWRITE',
        why: `${o.parameter} is back to ${o.value}, but the plan stopped before its CONFIG REWRITE: ${rewrite.why}, and a restart brings ${rewrite.op.steered} back (the console cannot read the file: dismiss this report once done)`,
      });
    }
    if (current === undefined || current === null || current === o.value) continue;
    // Only a value a step of the plan set (and sent, or may have) is the plan's to put back.
    const setByPlan = started.ops.some((op, i) => op.kind === 'set-config' && same(op.node, o.node) && op.parameter === o.parameter && op.value === current && mayHaveRun(plan, i));
    if (!setByPlan) {
      notes.push(`${o.node}'s ${o.parameter} is ${current}, a value this plan did not set (it was ${o.value} before the plan): left as it is.`);
      continue;
    }
    if (o.parameter === FENCE_PARAMETER && current === String(FENCE_REPLICAS)) fenced.push({ node: o.node, value: current, original: o.value });
    restores.push({ node: o.node, command: `CONFIG SET ${o.parameter} ${o.value}`, why: `restore ${o.parameter} to ${o.value}, its value before the plan (now ${current})` });
    if (rewrite) restores.push({ node: o.node, command: 'CONFIG REWRITE', why: `${rewrite.why}: after the CONFIG SET, this writes ${o.value} there` });
  }

  const pausedUntil = pauses(plan).filter((p) => p.until > now);

  // On a Sentinel-managed group the roles are Sentinel's: re-pointing by hand would fight it. Only
  // the replica priorities the plan changed to steer it are put back.
  const sentinelOwned = started.request.kind === 'sentinel-failover';
  const newMaster = started.expected.find((e) => e.role === 'master' && !started.before.some((b) => b.address === e.address && b.role === 'master'));
  // Took over by this plan's own step (Sentinel's, for a Sentinel failover), not by something after it.
  const madeMaster = newMaster !== undefined && (sentinelOwned || (effects.get(normalizeAddress(newMaster.address)) ?? []).some((e) => e.role === 'master'));
  const tookOver = newMaster !== undefined && madeMaster && nodes.get(newMaster.address)?.role === 'master';
  // Demoted already by the FAILOVER and handing over: the way is forward, whatever the roles read now.
  const handedOver = handing.some((h) => h.state === 'failover-in-progress');
  // Two masters now: the plan promoted the new one, and the old one never followed and took writes
  // once its pause ran out. Finishing drops what the old one took since the split, rolling back
  // what the new one took: the way that loses less is advised, and what it loses is said.
  const split = tookOver && newMaster && !sentinelOwned ? splitSince(nodes.get(newMaster.address), beforeOf.get(normalizeAddress(newMaster.address))?.master ?? null, nodes) : null;
  const keepOld = split !== null && split.oldTook > split.newTook;
  if (split !== null && split.oldTook > 0 && newMaster) notes.push(splitNote(split, newMaster.address, keepOld));
  const direction: InterruptedReport['direction'] = handedOver || (tookOver && !keepOld) || (newMaster === undefined && matches(started.expected)) ? 'finish' : 'roll back';
  const finishing = direction === 'finish';

  const addresses = planAddresses(plan);
  const known = (n: NodeNow | undefined): n is NodeNow => n !== undefined && n.reachable && (n.role === 'master' || n.role === 'replica');
  // Nodes in a role that neither their state before the plan nor a step of it explains.
  const changed = new Set<string>();
  for (const address of addresses) {
    const n = nodes.get(address);
    if (!known(n) || sentinelOwned) continue;
    const before = beforeOf.get(normalizeAddress(address));
    const expected = expectedOf.get(normalizeAddress(address));
    if (before === undefined && expected === undefined) continue;
    if ((before && at(n, before)) || (effects.get(normalizeAddress(address)) ?? []).some((e) => at(n, e))) continue;
    // Where the plan was going: harmless when finishing it, someone else's move when rolling back.
    if (finishing && expected && at(n, expected)) continue;
    changed.add(address);
  }

  // An emergency failover's old master is not among the nodes it plans (it was down): back as a
  // master beside the one the plan promoted, it is made a replica, or two masters take writes
  // and the report closed over them.
  const oldMaster = started.request.kind === 'failover' && tookOver && newMaster ? beforeOf.get(normalizeAddress(newMaster.address))?.master : undefined;
  const destination = (address: string): ExpectedNode | undefined =>
    expectedOf.get(normalizeAddress(address)) ??
    (oldMaster !== undefined && oldMaster !== null && newMaster && same(address, oldMaster) ? { address, role: 'replica', master: newMaster.address } : undefined);
  const moves: Move[] = [];
  if (!sentinelOwned && !(!finishing && changed.size > 0)) {
    for (const address of addresses) {
      const n = nodes.get(address);
      if (!known(n) || changed.has(address)) continue;
      const before = beforeOf.get(normalizeAddress(address));
      const byPlan = (effects.get(normalizeAddress(address)) ?? []).some((e) => at(n, e)) && !(before && at(n, before));
      const target = finishing ? destination(address) : byPlan ? before : undefined;
      if (!target || at(n, target)) continue;
      if (target.role === 'master') {
        moves.push({ command: { node: address, command: 'REPLICAOF NO ONE', why: `${address} was a master ${finishing ? 'in the plan' : 'before the plan'}` }, target: null, demotes: false });
      } else if (target.master !== null) {
        const { host, port } = finishing ? replicaofArgs(plan, nodes, address, target.master) : parseAddress(target.master);
        moves.push({
          command: { node: address, command: `REPLICAOF ${host} ${port}`, why: `${address} ${finishing ? 'should follow the new master' : 'followed'} ${target.master}${finishing ? '' : ' before the plan'}` },
          target: target.master,
          demotes: n.role === 'master',
        });
      }
    }
  }
  if (handing.length > 0) moves.length = 0;
  const { ordered, unsafe } = orderMoves(moves, nodes);

  if (changed.size > 0) {
    const list = [...changed];
    const them = list.length === 1 ? 'it' : 'them';
    notes.push(
      `The topology was changed after this plan by something else (a later plan, a change by hand, Sentinel): ${list.join(', ')} ${list.length === 1 ? 'is' : 'are'} not where this plan left ${them}. ` +
        (finishing
          ? `${list.length === 1 ? 'It is' : 'They are'} left as ${list.length === 1 ? 'it is' : 'they are'}; only nodes still where this plan had them are moved.`
          : `What this plan changed is moot now: none of it is undone, and no node is re-pointed.`),
    );
  }
  for (const m of unsafe) {
    notes.push(`Not advised: ${m.command.command} on ${m.command.node} would put it under a node that replicates from it (a cycle). Check the topology by hand.`);
  }

  // A Sentinel failover asked for: Sentinel may promote a replica at any moment, and an old master
  // released while still a master takes writes its resync then drops. Its pause runs out by itself.
  const sentinelAsked = sentinelOwned && started.ops.some((op, i) => op.kind === 'sentinel-failover' && mayHaveRun(plan, i));
  const heldOnPurpose = (p: { node: string }): boolean => sentinelAsked && nodes.get(p.node)?.role === 'master';
  for (const p of pausedUntil.filter(heldOnPurpose)) {
    notes.push(
      `Writes on ${p.node} stay held until ${new Date(p.until).toISOString()}, when the pause runs out by itself: SENTINEL FAILOVER was sent, and released now ${p.node}, still a master, ` +
        `would take writes that its resync drops once Sentinel makes it a replica. Do not CLIENT UNPAUSE it before it replicates from the new master (SENTINEL GET-MASTER-ADDR-BY-NAME).`,
    );
  }
  const unpauses: RecoveryCommand[] = pausedUntil
    .filter((p) => !heldOnPurpose(p))
    .map((p) => ({
      node: p.node,
      command: 'CLIENT UNPAUSE',
      why: `writes on ${p.node} wait under a CLIENT PAUSE until ${new Date(p.until).toISOString()}${tookOver ? ', after it follows the new master' : ''}`,
    }));

  // An unreachable node holds the report open only when the plan has work on it: a role it aims
  // to give it, a step on it, a setting to put back. The dead master an emergency failover moves
  // away from has none: the report does not wait for it to come back.
  const hasWork = (address: string): boolean =>
    expectedOf.has(normalizeAddress(address)) || started.ops.some((op) => changesNode(op) && same(op.node, address)) || [...originals.values()].some((o) => same(o.node, address));
  const unread = (address: string): boolean => {
    const n = nodes.get(address);
    return n !== undefined && (!n.reachable || (!sentinelOwned && n.role === 'unknown'));
  };
  const waiting = addresses.filter((a) => unread(a) && hasWork(a));
  for (const address of addresses.filter((a) => unread(a) && !hasWork(a))) {
    if (started.request.kind === 'failover' && tookOver && newMaster) {
      const { host, port } = replicaofArgs(plan, nodes, address, newMaster.address);
      notes.push(
        `${address} cannot be reached and this plan sends it nothing: the report does not wait for it. ${oldMasterComesBack(address, newMaster.address, `REPLICAOF ${host} ${port}`)}.`,
      );
    } else {
      notes.push(`${address} cannot be reached and this plan sends it nothing: the report does not wait for it.`);
    }
  }

  // A Sentinel failover killed after Sentinel promoted a node but before the plan made the old master
  // follow it (sentinel-demote): Sentinel does so only at its next look, up to 10 s later, and what
  // the old master takes once its pause runs out is dropped then (1.3 GB, measured). That step of
  // the plan's own is the one move advised, and the report stays open while both are masters.
  const demotes: RecoveryCommand[] = [];
  if (sentinelOwned) {
    started.ops.forEach((op, i) => {
      if (op.kind !== 'sentinel-demote' || plan.steps.get(i)?.status === 'ok') return;
      const old = nodes.get(op.node);
      const made = addresses.map((a) => nodes.get(a)).find((n) => n?.reachable && n.role === 'master' && !same(n.address, op.node) && (op.target === null || same(n.address, op.target)));
      if (!old?.reachable || old.role !== 'master' || !made) return;
      const { host, port } = parseAddress(made.address);
      demotes.push({
        node: op.node,
        command: `REPLICAOF ${host} ${port}`,
        why:
          `${op.node} is still a master beside ${made.address}, which Sentinel made the master: the writes it takes are dropped when Sentinel makes it a replica, at its next look. ` +
          `This is the plan's own next step; check first that SENTINEL GET-MASTER-ADDR-BY-NAME ${masterNameOf(started) ?? '<name>'} names ${made.address}`,
      });
    });
  }
  // A replica where the plan wants it, and no move advised for it, whose link is not up: a roll
  // back or a finish is done only once it replicates. Closed at once, the record said "settled"
  // while the replica's full sync from the master it was put back under still ran.
  const linking = addresses.flatMap((address): InterruptedReport['linking'] => {
    const n = nodes.get(address);
    if (!known(n) || n.role !== 'replica' || changed.has(address) || !hasWork(address) || moves.some((m) => same(m.command.node, address))) return [];
    const syncing = n.syncInProgress === true;
    return n.linkStatus === 'up' && !syncing ? [] : [{ node: address, master: n.master, syncing }];
  });
  const settled = demotes.length === 0 && handing.length === 0 && waiting.length === 0 && linking.length === 0 && ordered.length === 0 && unsafe.length === 0 && restores.length === 0 && pausedUntil.length === 0;
  if (sentinelOwned) {
    notes.unshift(
      `A Sentinel failover: the roles are Sentinel's (SENTINEL GET-MASTER-ADDR-BY-NAME ${masterNameOf(started) ?? '<name>'} on a Sentinel gives the master); do not re-point nodes by hand${demotes.length > 0 ? ', but for the old master (the plan\'s own next step, below)' : ''}. ` +
        `Only the replica-priority values the plan changed to steer Sentinel's pick need putting back (and written back with CONFIG REWRITE into the config file of a node Sentinel promoted or re-pointed: its own CONFIG REWRITE wrote the steer there)`,
    );
  }

  return {
    planId: started.planId,
    summary: started.summary,
    startedAt: started.at,
    who: `${started.user}@${started.host} via ${started.interface}`,
    nodes: addresses,
    cause: plan.finished?.interrupted ?? 'the console stopped while the plan ran (killed, crashed, or the machine went down)',
    ran: ranLines(plan),
    now: addresses.map((a) => (isSentinelOf(started, a) ? `${a}: a Sentinel` : nodeLine(nodes.get(a), a, fenced, changed.has(a) ? beforeOf.get(normalizeAddress(a)) ?? null : undefined))),
    direction,
    commands: settled ? [] : [...demotes, ...ordered.map((m) => m.command), ...restores, ...unpauses],
    fenced,
    pausedUntil,
    settled,
    changedSince: [...changed],
    waitingFor: waiting,
    linking,
    ...(notes.length > 0 ? { note: notes.join('\n') } : {}),
  };
}

/** Whether the plan asked `address` as a Sentinel (its INFO has no replication section: "unknown" said nothing). */
function isSentinelOf(started: JournaledPlan['started'], address: string): boolean {
  const at = normalizeAddress(address);
  return started.ops.some((op) => op.kind === 'sentinel-failover' && [op.node, ...op.sentinels].some((s) => normalizeAddress(s) === at));
}

/** The Sentinel group a sentinel-failover plan is about, as asked or as its SENTINEL FAILOVER step names it. */
function masterNameOf(started: JournaledPlan['started']): string | null {
  if (started.request.kind !== 'sentinel-failover') return null;
  return started.request.masterName ?? started.ops.find((op) => op.kind === 'sentinel-failover')?.masterName ?? null;
}

interface Split {
  old: string;
  /** Bytes of writes each took since the new master was promoted off the old one's history. */
  oldTook: number;
  newTook: number;
}

/** The old master still a master beside the new one, and what each took since the fork (null: not two masters of one history, or offsets unread). */
function splitSince(made: NodeNow | undefined, old: string | null, nodes: ReadonlyMap<string, NodeNow>): Split | null {
  const was = old === null ? undefined : nodes.get(old);
  const a = made?.history;
  const b = was?.history;
  if (!made?.reachable || made.role !== 'master' || !was?.reachable || was.role !== 'master' || !a || !b || old === null) return null;
  if (a.replid2 === null || a.replid2 !== b.replid || a.secondReplOffset === null || a.offset === null || b.offset === null) return null;
  const fork = a.secondReplOffset - 1;
  return { old, oldTook: Math.max(0, b.offset - fork), newTook: Math.max(0, a.offset - fork) };
}

function splitNote(split: Split, made: string, keepOld: boolean): string {
  const both = `${split.old} is still a master beside ${made}: since ${made} was promoted, ${split.old} took ${formatBytes(split.oldTook)} of writes and ${made} ${formatBytes(split.newTook)}. `;
  return keepOld
    ? both +
        `Finishing would make ${split.old} resync in full from ${made} and drop its ${formatBytes(split.oldTook)}: the roll back keeps them (${made} follows ${split.old} again, dropping its ${formatBytes(split.newTook)}). ` +
        `Point clients back at ${split.old} if any moved to ${made}.`
    : both + `Finishing makes ${split.old} resync in full from ${made}, dropping its ${formatBytes(split.oldTook)}: copy what you need from it first.`;
}

/** What a FAILOVER still under way on `node` means, and the one command that ends it early (FAILOVER ABORT), with its risk. */
function handingOverNote(node: string, target: string, state: string, timeoutMs: number): string {
  if (state === 'failover-in-progress') {
    return (
      `${node} is handing over to ${target} (master_failover_state failover-in-progress): it is a replica of ${target} already, and its writes are held by FAILOVER until ${target} accepts; ` +
      `then ${target} is the master (the plan's way forward) and ${node} follows it. Nothing can be sent to ${node} meanwhile (Redis refuses REPLICAOF while failing over). ` +
      `If ${target} is gone for good, FAILOVER ABORT on ${node} makes it the master again, but check first that ${target} is not a master: it takes over the moment it answers, and aborting then leaves two masters.`
    );
  }
  return (
    `${node} is in a FAILOVER to ${target} (master_failover_state waiting-for-sync): its writes are held until ${target} has every byte and takes over, ` +
    `or until the FAILOVER's TIMEOUT (${timeoutMs} ms after it was sent) runs out and ${node} stays the master. FAILOVER ABORT on ${node} releases the writes now, and it stays the master.`
  );
}

/**
 * The value the plan's steps may have left a setting at, when that is not its original: the last
 * step setting it that may have run, unless that one ran to the end and put the original back.
 */
function valueLeft(plan: JournaledPlan, original: OriginalValue): string | null {
  let left: string | null = null;
  plan.started.ops.forEach((op, i) => {
    if (op.kind !== 'set-config' || op.parameter !== original.parameter || normalizeAddress(op.node) !== normalizeAddress(original.node) || !mayHaveRun(plan, i)) return;
    if (op.value !== original.value) left = op.value;
    else if (plan.steps.get(i)?.status === 'ok') left = null;
  });
  return left;
}

/**
 * The plan's CONFIG REWRITE for a steered setting, when it applies now: the node runs from a config
 * file and was promoted or re-pointed since it was planned (Sentinel's SLAVEOF goes with a CONFIG
 * REWRITE, which wrote the steered value into the file). `ended`: the plan's own step for it ran to an end.
 */
function steerRewrite(plan: JournaledPlan, o: OriginalValue, n: NodeNow | undefined): { op: Extract<StepOp, { kind: 'steer-rewrite' }>; why: string; ended: boolean } | null {
  const index = plan.started.ops.findIndex((op) => op.kind === 'steer-rewrite' && normalizeAddress(op.node) === normalizeAddress(o.node) && op.parameter === o.parameter);
  const op = plan.started.ops[index];
  if (op?.kind !== 'steer-rewrite' || !n?.reachable) return null;
  // A steer never sent left nothing for Sentinel's rewrite to write.
  const steered = plan.started.ops.some((s, i) => s.kind === 'set-config' && s.steer === 'on' && s.node === op.node && s.parameter === op.parameter && mayHaveRun(plan, i));
  if (!steered) return null;
  const promoted = n.role === 'master';
  if (!movedBySentinel(n, op.master)) return null;
  const status = plan.steps.get(index)?.status;
  return {
    op,
    why: `Sentinel ${promoted ? 'promoted' : 're-pointed'} ${o.node} since the plan, and the CONFIG REWRITE it sends with every SLAVEOF wrote ${op.parameter} ${op.steered} into ${op.file}`,
    ended: status !== undefined && status !== 'running' && status !== 'pending',
  };
}

/** Write pauses the plan started: from the executor's undo records, else from each pause step's start. */
function pauses(plan: JournaledPlan): { node: string; until: number }[] {
  const out = plan.undos.filter((u) => u.kind === 'pause-ends').map((u) => ({ node: u.node, until: u.until }));
  plan.started.ops.forEach((op, index) => {
    if (op.kind !== 'pause-writes' || out.some((p) => p.node === op.node)) return;
    const at = plan.stepStarts.get(index);
    if (at !== undefined) out.push({ node: op.node, until: at + op.ms });
  });
  // An unpause that ran ends it.
  return out.filter((p) => !plan.started.ops.some((op, i) => op.kind === 'unpause-writes' && op.node === p.node && plan.steps.get(i)?.status === 'ok'));
}

function ranLines(plan: JournaledPlan): string[] {
  return plan.started.steps.map((step, index) => {
    const record = plan.steps.get(index);
    const head = `${index + 1}. ${step.node}  ${step.command}`;
    if (!record) return `${head}: not started`;
    if (record.status === 'running') return `${head}: started, no end recorded (the plan stopped here)`;
    return `${head}: ${record.status}${record.message ? ` (${record.message})` : ''}`;
  });
}

/** `before` is given (null: not read then) for a node changed since the plan by something else. */
function nodeLine(n: NodeNow | undefined, address: string, fenced: InterruptedReport['fenced'], before?: ExpectedNode | null): string {
  if (!n) return `${address}: not read`;
  if (!n.reachable) return `${address}: unreachable (${n.error ?? 'no answer'})`;
  const role = n.role === 'replica' ? `replica of ${n.master ?? '?'}${n.masterAsReported ? ` (as ${n.masterAsReported})` : ''}, link ${n.linkStatus ?? '?'}${n.syncInProgress ? ', full sync in progress' : ''}` : n.role;
  const failing = holdsWritesInFailover(n.failoverState) ? `, in a FAILOVER (${n.failoverState}: its writes held)` : '';
  const fence = fenced.find((f) => f.node === address);
  const was = before === undefined ? '' : `, changed since by something else (before the plan: ${before === null ? 'not read' : before.role === 'master' ? 'master' : `replica of ${before.master ?? '?'}`})`;
  return `${address}: ${role}${failing}${fence ? `, FENCED (min-replicas-to-write ${fence.value}: every write is refused)` : ''}${was}`;
}

/** The warnings a connected topology shows for these reports. */
export function recoveryWarnings(reports: readonly InterruptedReport[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const r of reports) {
    out.push({ code: 'INTERRUPTED_PLAN', message: reportText(r).join('\n'), nodes: r.nodes });
    for (const f of r.fenced) {
      out.push({
        code: 'FENCED_MASTER',
        message:
          `${f.node} refuses every write: min-replicas-to-write is ${f.value}, the write fence of the interrupted plan ${r.planId.slice(0, 8)}. ` +
          `Its value before the fence was ${f.original}: CONFIG SET min-replicas-to-write ${f.original} on ${f.node} restores writes` +
          (r.direction === 'finish' ? ', once it follows the new master' : ''),
        nodes: [f.node],
      });
    }
  }
  return out;
}

/** The report as lines of text (the CLI prints them on stderr; the warning carries them). */
export function reportText(r: InterruptedReport): string[] {
  const lines = [
    `INTERRUPTED_PLAN ${r.planId}: "${r.summary}", started ${new Date(r.startedAt).toISOString()} by ${r.who}, did not finish: ${r.cause}.`,
    'What ran:',
    ...r.ran.map((l) => `  ${l}`),
    'Where each node stands now:',
    ...r.now.map((l) => `  ${l}`),
  ];
  // One line each: a note is several sentences joined by newlines, and a terminal line must hold none.
  if (r.note) lines.push(...r.note.split('\n'));
  for (const f of r.fenced) {
    lines.push(`FENCED_MASTER ${f.node}: min-replicas-to-write is ${f.value}, the write fence, so every write is refused; its value before the plan was ${f.original}.`);
  }
  if (r.settled) {
    lines.push(
      r.changedSince.length > 0
        ? 'Nothing is left to do: the nodes have moved on since this plan (no fence, no pause of it left). This record is now closed.'
        : 'Nothing is left to do: the nodes are settled (no fence, no pause). This record is now closed.',
    );
    return lines;
  }
  lines.push(`To ${r.direction} it, run in this order:`);
  for (const c of r.commands) lines.push(`  on ${c.node}: ${c.command}    # ${c.why}`);
  if (r.commands.length === 0) lines.push(`  (${nothingToSend(r)})`);
  lines.push(`Once done it is closed at the next check; to dismiss it now: replication-console interrupted --dismiss ${r.planId}`);
  return lines;
}
