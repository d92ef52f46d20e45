// After a plan ran or stopped: where each node stands, read fresh, and what the operator
// should do now, in the order it matters.
import type { FinalNodeState } from '../../shared/actions';
import type { TopologySnapshot } from '../../shared/types';
import { parseAddress } from '../address';
import { unreachableKind } from '../errors';
import type { ExecutionReport } from './executor';
import { findNode, masterAsKnown, serverAddressOf, tryNormalize } from './graph';
import type { ExpectedNode, PlannedAction } from './plan-builder';
import { oldMasterComesBack, type StepOp } from './operations';
import { onItsOwnText } from './sentinel-watch';

/**
 * The involved nodes as the snapshot shows them now. `ops` are the plan's steps: a replica that
 * follows the address a REPLICAOF of the plan gave it is reported as following that step's master
 * (the console may not know that address as the master: its TLS port, see TLS_REPLICATION).
 */
export function finalStates(snapshot: TopologySnapshot | null, addresses: string[], ops: readonly StepOp[] = []): FinalNodeState[] {
  return addresses.map((address) => {
    const node = snapshot ? findNode(snapshot, address) : undefined;
    if (!node) return { address, reachable: false, role: 'unknown', master: null, linkStatus: null, offset: null, error: 'not in the topology' };
    return {
      address: node.address,
      reachable: node.reachable,
      role: node.role,
      // As the topology knows it: a master the replica names by another address (an alias, the
      // masterAddress it was told) is reported as that node.
      master: node.master === null || !snapshot ? node.master : masterAsKnown(snapshot, node.address, node.master, ops),
      linkStatus: node.linkStatus,
      offset: node.offset,
      error: node.error?.message ?? null,
    };
  });
}

function replicaofCommand(snapshot: TopologySnapshot | null, master: string): string {
  const { host, port } = parseAddress(snapshot ? serverAddressOf(snapshot, master) : master);
  return `REPLICAOF ${host} ${port}`;
}

/** REPLICAOF for `node` to follow `master`: the plan's own when a step of it sends that (the port `node` can dial, see TLS_REPLICATION), else as servers reach the master. */
function replicaofFor(ops: readonly StepOp[], snapshot: TopologySnapshot | null, node: string, master: string): string {
  const op = ops.find((o) => o.kind === 'replicaof' && same(o.node, node) && same(o.master, master));
  return op?.kind === 'replicaof' ? `REPLICAOF ${op.host} ${op.port}` : replicaofCommand(snapshot, master);
}

function describe(node: FinalNodeState): string {
  if (!node.reachable) return `${node.address} cannot be reached${node.error ? ` (${node.error})` : ''}`;
  if (node.role === 'master') return `${node.address} is a master`;
  return `${node.address} replicates from ${node.master ?? '?'} (link ${node.linkStatus ?? '?'})`;
}

function same(a: string | null, b: string | null): boolean {
  return a === b || (a !== null && b !== null && tryNormalize(a) === tryNormalize(b));
}

function isAs(node: FinalNodeState, state: ExpectedNode): boolean {
  return node.role === state.role && (state.role === 'master' || same(node.master, state.master));
}

function plannedAs(state: ExpectedNode): string {
  return state.role === 'master' ? 'a master' : `a replica of ${state.master ?? '?'}`;
}

/**
 * Where the fresh read after a plan whose steps all passed contradicts its planned end state
 * (a node that cannot be reached says nothing either way). Sentinel picks its own roles: none.
 */
export function unverified(planned: PlannedAction, finals: FinalNodeState[]): string[] {
  const { request } = planned.plan;
  if (request.kind === 'sentinel-failover') return [];
  // The address the replicas were told to reach their new master by (--master-address), when the
  // fresh read has not matched it to that node yet.
  const told = request.options?.masterAddress ?? null;
  const out: string[] = [];
  for (const expected of planned.expected) {
    const now = finals.find((n) => same(n.address, expected.address));
    if (!now || !now.reachable || isAs(now, expected)) continue;
    if (told !== null && now.role === 'replica' && expected.role === 'replica' && same(now.master, told)) continue;
    out.push(`${describe(now)} (planned: ${plannedAs(expected)})`);
  }
  return out;
}

/** Reachable, changed since the plan was made, and not to what this plan does: someone else's change. */
function foreign(planned: PlannedAction, node: FinalNodeState): boolean {
  const before = planned.before.find((b) => same(b.address, node.address));
  const expected = planned.expected.find((e) => same(e.address, node.address));
  return node.reachable && !!before && !isAs(node, before) && !(expected && isAs(node, expected));
}

const LOOK_FIRST =
  'Another change happened meanwhile (another console, Sentinel, an operator or a restart): look at the topology and find out who changed what before acting; do not undo or redo anything for this plan until then.';

/** What to do next, given what was planned, what ran, and how the nodes stand now. */
export function nextSteps(
  planned: PlannedAction,
  report: ExecutionReport,
  finals: FinalNodeState[],
  snapshot: TopologySnapshot | null,
  contradicted: readonly string[] = [],
): string[] {
  const out: string[] = [...report.cleanup];
  const byAddress = new Map(finals.map((n) => [n.address, n]));
  const { plan } = planned;
  if (plan.request.kind === 'sentinel-failover') return sentinelNextSteps(planned, report, out);
  if (contradicted.length > 0) {
    // Every step passed, yet the end state is not there: advice to finish or undo would act on
    // someone else's change.
    out.push(`Every step passed, but the fresh read afterwards does not show the planned end state: ${contradicted.join('; ')}.`, LOOK_FIRST);
    const masters = finals.filter((n) => n.reachable && n.role === 'master');
    if (masters.length !== 1) out.push(masters.length === 0 ? 'No reachable master now: nothing takes writes.' : `${masters.length} masters now: ${masters.map((m) => m.address).join(', ')}.`);
    return out;
  }
  const persisted = plan.steps.some((s) => s.command === 'CONFIG REWRITE');

  if (report.status !== 'ok' && !report.handedOver && report.unanswered.length > 0) {
    const where = finals.filter((n) => planned.expected.some((e) => e.address === n.address) || plan.nodes.includes(n.address)).map(describe);
    out.push(`The plan stopped at a role change that got no answer and may still take effect. Where the nodes stand now: ${where.join('; ')}.`);
    for (const u of report.unanswered) out.push(unansweredAdvice(planned, report, u, byAddress.get(u.node), snapshot));
    undo(planned, finals, snapshot, out, new Set(report.unanswered.map((u) => u.node)), report.authChanged);
    return out;
  }
  if (report.status !== 'ok' && report.handingOver) return [...out, ...handingOverAdvice(planned, report.handingOver, finals, snapshot)];
  if (report.status !== 'ok' && !report.handedOver) {
    const where = finals.filter((n) => planned.expected.some((e) => e.address === n.address) || plan.nodes.includes(n.address)).map(describe);
    out.push(
      `The plan ${report.status === 'aborted' ? 'was aborted' : 'stopped'} before its main change took effect: ${where.join('; ')}.` +
        (report.failure ? ` Fix what stopped it, then plan again: ${report.failure.message}` : ''),
    );
    // A replicaof that was sent but never came up is still a change: say how to go back.
    undo(planned, finals, snapshot, out, new Set(), report.authChanged);
    return out;
  }

  const masters = finals.filter((n) => n.reachable && n.role === 'master');
  if (report.status !== 'ok' && masters.length === 0) {
    // The node made master died or came back as something else: advice to finish would re-point
    // healthy replicas at it, or have it promoted again, empty.
    const [headline, ...wayOut] = noMasterAdvice(planned, finals, snapshot);
    return [headline ?? '', ...out, ...wayOut];
  }

  let others = false;
  for (const expected of planned.expected) {
    const now = byAddress.get(expected.address);
    if (!now) continue;
    if (report.status !== 'ok' && foreign(planned, now)) {
      others = true;
      out.push(`${describe(now)}: this plan did not make that change.`);
      continue;
    }
    const advice = adviceFor(expected, now, snapshot, planned.ops, oldMasterDown(planned, report, expected, now));
    if (advice) out.push(advice);
  }
  if (others) out.push(LOOK_FIRST);
  if (masters.length > 1) {
    out.push(
      `${masters.length} masters now: ${masters.map((m) => m.address).join(', ')}. Make sure clients write to only one of them; ` +
        `their data diverges from here on`,
    );
  }
  if (report.status === 'ok') {
    if (plan.request.kind === 'failover') {
      const dead = plan.checks.find((c) => c.code === 'OLD_MASTER_STAYS')?.nodes[0];
      const promoted = planned.expected.find((e) => e.role === 'master')?.address;
      if (dead && promoted) {
        out.push(`${oldMasterComesBack(dead, promoted, replicaofCommand(snapshot, promoted))}.`);
      }
    }
    if (!persisted && planned.expected.length > 0) {
      out.push(
        `Not persisted: a restart of ${planned.expected.map((e) => e.address).join(', ')} brings back the role in its config file. ` +
          `Run CONFIG REWRITE there (or plan with persist), or update your configuration management.`,
      );
    }
  } else if (report.failure && out.length === report.cleanup.length) {
    out.push(`Stopped at a step that failed: ${report.failure.message}`);
  }
  const rewriteFailures = report.steps.filter((s) => s.command === 'CONFIG REWRITE' && s.status === 'failed');
  for (const step of rewriteFailures) {
    const e = planned.expected.find((x) => x.address === step.node);
    const role = e?.role === 'replica' && e.master ? `"replicaof ${replicaofFor(planned.ops, snapshot, e.address, e.master).slice('REPLICAOF '.length)}"` : 'no replicaof line';
    out.push(`The change is live on ${step.node} but not persisted (${step.message}): give it ${role} in its startup configuration.`);
  }
  return out;
}

function unreachable(now: FinalNodeState): string {
  return `${now.address} cannot be reached${now.error ? ` (${now.error})` : ''}`;
}

/**
 * An old master the plan was making a replica that is down now (its port refuses connections, or
 * it dropped the console's as it died), its config file not rewritten: restarted, it is a master
 * again, with none of the plan's write stop. What that stop was, or null when this is not the case.
 */
function oldMasterDown(planned: PlannedAction, report: ExecutionReport, expected: ExpectedNode, now: FinalNodeState): string | null {
  const before = planned.before.find((b) => same(b.address, expected.address));
  if (now.reachable || before?.role !== 'master' || expected.role !== 'replica' || unreachableKind(now.error) === 'unknown') return null;
  if (report.steps.some((s) => s.command === 'CONFIG REWRITE' && same(s.node, expected.address) && s.status === 'ok')) return null;
  const held = planned.ops.find((op) => (op.kind === 'pause-writes' || (op.kind === 'set-config' && op.fence === 'on')) && same(op.node, expected.address));
  return held?.kind === 'pause-writes' ? 'pause' : held ? 'write fence' : 'write stop';
}

function adviceFor(expected: ExpectedNode, now: FinalNodeState, snapshot: TopologySnapshot | null, ops: readonly StepOp[], downOldMaster: string | null = null): string | null {
  const replicaof = (master: string): string => replicaofFor(ops, snapshot, expected.address, master);
  if (downOldMaster !== null && expected.master) {
    return (
      `${now.address} is down (${now.error ?? 'not reachable'}); restarted, it comes back a master with no ${downOldMaster}: ` +
      `make it a replica of ${expected.master} (${replicaof(expected.master)}) before clients reach it.`
    );
  }
  if (!now.reachable) return `${unreachable(now)}: when it is back, it should be ${plannedAs(expected)}; check its role then.`;
  if (expected.role === 'master') {
    if (now.role === 'master') return null;
    return `${now.address} is still a replica of ${now.master ?? '?'}: it was not promoted.`;
  }
  const master = expected.master ?? '?';
  if (now.role === 'master') return `${now.address} is a master, but should replicate from ${master}: run ${replicaof(master)} on it.`;
  if (now.master !== master) return `${now.address} still replicates from ${now.master ?? '?'}: to finish, run ${replicaof(master)} on it.`;
  if (now.linkStatus !== 'up') {
    return `${now.address} replicates from ${master} but its link is down: check ${master}'s reachability and ${now.address}'s masterauth (a refused password only shows in ${now.address}'s log).`;
  }
  return null;
}

/**
 * For a replica sent back to its old master: the credentials it had for it, to set first (the
 * plan gave it the console's, which that master may refuse). The old masterauth is a password,
 * so it is described, never printed. '' when the plan did not change them.
 */
function credentialsFirst(before: ExpectedNode | undefined, node: string, auth: ExecutionReport['authChanged']): string {
  const changed = before?.role === 'replica' ? auth.find((a) => same(a.node, node)) : undefined;
  if (!changed) return '';
  const user =
    changed.masteruser === null
      ? 'CONFIG SET masteruser <its previous masteruser (the console could not read it)>'
      : `CONFIG SET masteruser ${changed.masteruser === '' ? '""' : changed.masteruser}`;
  return `CONFIG SET masterauth <its previous masterauth (the one it had before the plan)> and ${user} (the plan gave it the console's credentials, which its old master may refuse), then `;
}

/** The command that puts a node back as it was before the plan, if one does. */
function backCommand(before: ExpectedNode, snapshot: TopologySnapshot | null): string | null {
  return before.role === 'master' ? 'REPLICAOF NO ONE' : before.master ? replicaofCommand(snapshot, before.master) : null;
}

/**
 * A role change that got no answer (a timeout, a connection lost after sending): the
 * node may have carried it out, or carries it out when it runs again (a stalled process resumes
 * with the command in its buffer). Its role once it answers says which; what to do in each case.
 */
function unansweredAdvice(planned: PlannedAction, report: ExecutionReport, u: ExecutionReport['unanswered'][number], now: FinalNodeState | undefined, snapshot: TopologySnapshot | null): string {
  const expected = planned.expected.find((e) => same(e.address, u.node));
  const before = planned.before.find((b) => same(b.address, u.node));
  const head = `${u.command} on ${u.node} got no answer (${u.error}): it may have taken effect, or may still when ${u.node} runs again.`;
  const op = planned.ops[u.stepIndex];
  // A move held inside a write pause (RESYNC_RACE) that was released without it having been seen.
  const released = op?.kind === 'replicaof' && planned.ops.some((o) => o.kind === 'pause-writes') && report.cleanup.some((c) => c.startsWith('Done for you: CLIENT UNPAUSE'));
  const laterChanges = planned.ops.some((o, i) => i > u.stepIndex && (o.kind === 'replicaof' || o.kind === 'promote' || o.kind === 'failover') && report.steps[i]?.status === 'skipped');
  const back = before ? backCommand(before, snapshot) : null;
  const tookEffect =
    'the change took effect' +
    (released ? ' without the write pause held for it (released when no answer came), so it may have needed a full sync' : '') +
    (laterChanges ? '; the plan\'s later steps did not run: plan again to finish' : '') +
    (back ? `; to go back instead: ${credentialsFirst(before, u.node, report.authChanged)}${back} on ${u.node}` : '');
  const nothing = `nothing changed: fix what stopped it, then plan again`;
  if (!now || !now.reachable) {
    if (!expected || !before) return `${head} ${now ? unreachable(now) : `${u.node} was not read`}: when it is back, check its role then.`;
    return `${head} ${now ? unreachable(now) : `${u.node} was not read`}: when it is back, check its role then. ${cap(plannedAs(expected))} means ${tookEffect}; still ${plannedAs(before)} means ${nothing}. Until then, do not re-point it or plan again.`;
  }
  if (expected && isAs(now, expected)) return `${head} ${describe(now)} now: ${tookEffect}.`;
  if (before && isAs(now, before)) return `${head} ${describe(now)} now, as before the plan: ${nothing}.`;
  return `${head} ${describe(now)} now, which is neither what the plan had nor what it aimed at. ${LOOK_FIRST}`;
}

/**
 * A FAILOVER the old master accepted and still carries out (failover-in-progress): it is a replica
 * of the target already, its writes held by FAILOVER, and the hand-over completes by itself once
 * the target answers. Nothing to undo: REPLICAOF NO ONE on it then would make two masters.
 */
function handingOverAdvice(planned: PlannedAction, handing: { node: string; target: string }, finals: FinalNodeState[], snapshot: TopologySnapshot | null): string[] {
  const { node, target } = handing;
  const where = finals.filter((n) => planned.expected.some((e) => same(e.address, n.address)) || planned.plan.nodes.includes(n.address)).map(describe);
  const out = [
    `${node} is handing over to ${target}: it completes when ${target} answers; writes on ${node} are held by FAILOVER until then (then READONLY: clients go to ${target}). ` +
      `Where the nodes stand now: ${where.join('; ')}.`,
    `If ${target} is gone for good, FAILOVER ABORT on ${node} cancels it and ${node} is the master again; check first that ${target} is not a master (it takes over the moment it answers): aborting then leaves two masters.`,
  ];
  const left = planned.expected.filter((e) => e.role === 'replica' && same(e.master, target) && !same(e.address, node)).map((e) => e.address);
  if (left.length > 0) {
    out.push(`Once ${target} is the master, re-point ${left.join(', ')} to it (${replicaofCommand(snapshot, target)} on each): until then they follow it through ${node}.`);
  }
  return out;
}

/**
 * No node of the plan answers as a master after the hand-over: the one made master died (or
 * answers as something else). Nothing takes writes. The way out is the node that answers holding
 * the most (by offset: the old master of a switchover, which has every byte it took, when none is
 * ahead of it); never the node made master, which restarted comes back as its config file says,
 * holding its last save or nothing, and never a re-point to a node that is down.
 */
function noMasterAdvice(planned: PlannedAction, finals: FinalNodeState[], snapshot: TopologySnapshot | null): string[] {
  const made = planned.expected.filter((e) => e.role === 'master').map((e) => finals.find((n) => same(n.address, e.address)) ?? unread(e.address));
  const wasMaster = (n: FinalNodeState): boolean => planned.before.some((b) => same(b.address, n.address) && b.role === 'master');
  const out = [
    `No master now: nothing takes writes.${made.length > 0 ? ` ${made.map((n) => `${describe(n)}, though this plan made it a master`).join('; ')}.` : ''}`,
  ];
  // Only stalled, a promoted node resumes as a master: the way out would make a second one.
  const stalled = made.filter((n) => !n.reachable && unreachableKind(n.error) === 'unknown' && !/not in the topology/.test(n.error ?? ''));
  const holding = finals
    .filter((n): n is FinalNodeState & { offset: number } => n.reachable && n.offset !== null && n.offset > 1)
    .sort((a, b) => b.offset - a.offset || Number(wasMaster(b)) - Number(wasMaster(a)) || a.address.localeCompare(b.address, 'en', { numeric: true }));
  const best = holding[0];
  const away = finals.filter((n) => !n.reachable).map((n) => n.address);
  if (!best) {
    out.push(`No node that answers holds the data: bring back ${away.join(' or ') || 'the old master'} from its RDB or AOF file rather than promote a node that answers empty.`);
    return out;
  }
  const rest = holding.slice(1).map((n) => `${n.address} at ${n.offset}`);
  const why =
    wasMaster(best) && planned.plan.request.kind === 'switchover'
      ? ` again (the old master: it has every byte it took, offset ${best.offset})`
      : ` (it answers with the most data: offset ${best.offset}${rest.length > 0 ? `; the others: ${rest.join(', ')}` : ''})`;
  const follow = finals.filter((n) => n.reachable && n !== best && !(n.role === 'replica' && same(n.master, best.address))).map((n) => n.address);
  out.push(
    `${stalled.length > 0 ? `First make sure ${stalled.map((n) => n.address).join(', ')} is stopped for good (it does not answer, and may only be stalled: it would resume as a master). Then the` : 'The'} way out: ` +
      `make ${best.address} the master${why}: REPLICAOF NO ONE on ${best.address}` +
      (follow.length > 0 ? `, then ${replicaofCommand(snapshot, best.address)} on ${follow.join(', ')}` : '') +
      '.',
  );
  if (away.length > 0) {
    out.push(
      `When ${away.join(', ')} ${away.length === 1 ? 'is' : 'are'} back, make ${away.length === 1 ? 'it' : 'each'} a replica of ${best.address} (${replicaofCommand(snapshot, best.address)}) before clients reach it, and do not promote ${away.length === 1 ? 'it' : 'any'}: ` +
        `restarted, a node comes back as its config file says (a master, or a replica of a node that is down), holding its last save or nothing.`,
    );
  }
  return out;
}

function unread(address: string): FinalNodeState {
  return { address, reachable: false, role: 'unknown', master: null, linkStatus: null, offset: null, error: 'not in the topology' };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function undo(
  planned: PlannedAction,
  finals: FinalNodeState[],
  snapshot: TopologySnapshot | null,
  out: string[],
  told: ReadonlySet<string> = new Set(),
  auth: ExecutionReport['authChanged'] = [],
): void {
  let others = false;
  for (const node of finals) {
    const before = planned.before.find((b) => b.address === node.address);
    if (!before || !node.reachable || told.has(node.address)) continue;
    const changed = before.role !== node.role || (node.role === 'replica' && before.master !== node.master);
    if (!changed) continue;
    // Only a change this plan makes is undone: anything else is someone else's doing.
    if (foreign(planned, node)) {
      others = true;
      out.push(`${describe(node)}, instead of ${before.role === 'master' ? 'a master' : `a replica of ${before.master}`} before: this plan did not make that change.`);
      continue;
    }
    const back = backCommand(before, snapshot);
    out.push(
      `${describe(node)}, instead of ${before.role === 'master' ? 'a master' : `a replica of ${before.master}`} before.${back ? ` To go back: ${credentialsFirst(before, node.address, auth)}${back} on ${node.address}.` : ''}`,
    );
  }
  if (others) out.push(LOOK_FIRST);
}

/** After a Sentinel failover: roles are Sentinel's (never advise a REPLICAOF); priorities must be back. */
function sentinelNextSteps(planned: PlannedAction, report: ExecutionReport, out: string[]): string[] {
  const name = planned.ops.find((op) => op.kind === 'sentinel-failover')?.masterName ?? '<name>';
  const own = report.sentinelOnItsOwn ?? null;
  if (own) {
    out.push(`${onItsOwnText(name, own.master, own.prefer)} (${own.said}), while the plan waited before SENTINEL FAILOVER: the console did not send SENTINEL FAILOVER.`);
  }
  const lastOf = new Map<string, number>();
  planned.ops.forEach((op, i) => {
    if (op.kind === 'set-config' && op.steer === 'off') lastOf.set(op.node, i);
  });
  const restored: string[] = [];
  for (const [node, i] of lastOf) {
    const step = report.steps[i];
    if (step?.status === 'ok') restored.push(`${step.command} on ${node}`);
    else if (step && step.status !== 'skipped') out.push(`Put the replica priority back by hand: ${step.command} on ${node} (${step.message || step.status}).`);
  }
  if (own && restored.length > 0) out.push(`The replica priorities the plan changed to steer Sentinel are back: ${restored.join(', ')}.`);
  // A config file still holding a steer (CONFIG REWRITE failed, or could not be sent yet): the plan's result stands, the file must be fixed.
  out.push(...report.notes);
  if (own) {
    const demote = planned.ops.findIndex((op) => op.kind === 'sentinel-demote');
    const old =
      demote >= 0 && report.steps[demote]?.status === 'ok'
        ? `${own.oldMaster} replicates from it already (the plan's REPLICAOF, as Sentinel does at its next look)`
        : `makes ${own.oldMaster} a replica of ${own.master} once it sees it as a master again (+convert-to-slave)`;
    out.push(
      `The roles are Sentinel's: it re-points the replicas it lists to ${own.master}, and ${old}. Do not re-point nodes by hand: SENTINEL REPLICAS ${name} on a Sentinel shows how far it is.`,
    );
    if (own.prefer !== null && !same(own.master, own.prefer)) {
      out.push(`To make ${own.prefer} the master, run sentinel-failover --master-name ${name} --prefer ${own.prefer} once the Sentinels list it as a replica of ${own.master}.`);
    }
    return out;
  }
  if (report.status !== 'ok') {
    out.push(
      `Sentinel owns the roles in this group: do not re-point nodes by hand. SENTINEL GET-MASTER-ADDR-BY-NAME ${name} and SENTINEL REPLICAS ${name} on a Sentinel say where it stands` +
        (report.failure ? `; what stopped the plan: ${report.failure.message}` : ''),
    );
  }
  return out;
}
