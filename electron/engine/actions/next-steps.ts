// After a plan ran or stopped: where each node stands, read fresh, and what the operator
// should do now, in the order it matters.
import type { FinalNodeState } from '../../shared/actions';
import type { TopologySnapshot } from '../../shared/types';
import { parseAddress } from '../address';
import type { ExecutionReport } from './executor';
import { findNode, serverAddressOf, tryNormalize } from './graph';
import type { ExpectedNode, PlannedAction } from './plan-builder';
import { oldMasterComesBack } from './operations';

/** The involved nodes as the snapshot shows them now. */
export function finalStates(snapshot: TopologySnapshot | null, addresses: string[]): FinalNodeState[] {
  return addresses.map((address) => {
    const node = snapshot ? findNode(snapshot, address) : undefined;
    if (!node) return { address, reachable: false, role: 'unknown', master: null, linkStatus: null, offset: null, error: 'not in the topology' };
    return {
      address: node.address,
      reachable: node.reachable,
      role: node.role,
      // As the topology knows it: a master the replica names by another address (an alias, the
      // masterAddress it was told) is reported as that node.
      master: node.master === null || !snapshot ? node.master : (findNode(snapshot, node.master)?.address ?? node.master),
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
    undo(planned, finals, snapshot, out, new Set(report.unanswered.map((u) => u.node)));
    return out;
  }
  if (report.status !== 'ok' && !report.handedOver) {
    const where = finals.filter((n) => planned.expected.some((e) => e.address === n.address) || plan.nodes.includes(n.address)).map(describe);
    out.push(
      `The plan ${report.status === 'aborted' ? 'was aborted' : 'stopped'} before its main change took effect: ${where.join('; ')}.` +
        (report.failure ? ` Fix what stopped it, then plan again: ${report.failure.message}` : ''),
    );
    // A replicaof that was sent but never came up is still a change: say how to go back.
    undo(planned, finals, snapshot, out);
    return out;
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
    const advice = adviceFor(expected, now, snapshot);
    if (advice) out.push(advice);
  }
  if (others) out.push(LOOK_FIRST);
  const masters = finals.filter((n) => n.reachable && n.role === 'master');
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
    const role = e?.role === 'replica' && e.master ? `"replicaof ${replicaofCommand(snapshot, e.master).slice('REPLICAOF '.length)}"` : 'no replicaof line';
    out.push(`The change is live on ${step.node} but not persisted (${step.message}): give it ${role} in its startup configuration.`);
  }
  return out;
}

function unreachable(now: FinalNodeState): string {
  return `${now.address} cannot be reached${now.error ? ` (${now.error})` : ''}`;
}

function adviceFor(expected: ExpectedNode, now: FinalNodeState, snapshot: TopologySnapshot | null): string | null {
  if (!now.reachable) return `${unreachable(now)}: when it is back, it should be ${plannedAs(expected)}; check its role then.`;
  if (expected.role === 'master') {
    if (now.role === 'master') return null;
    return `${now.address} is still a replica of ${now.master ?? '?'}: it was not promoted.`;
  }
  const master = expected.master ?? '?';
  if (now.role === 'master') return `${now.address} is a master, but should replicate from ${master}: run ${replicaofCommand(snapshot, master)} on it.`;
  if (now.master !== master) return `${now.address} still replicates from ${now.master ?? '?'}: to finish, run ${replicaofCommand(snapshot, master)} on it.`;
  if (now.linkStatus !== 'up') {
    return `${now.address} replicates from ${master} but its link is down: check ${master}'s reachability and ${now.address}'s masterauth (a refused password only shows in ${now.address}'s log).`;
  }
  return null;
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
    (back ? `; to go back instead: ${back} on ${u.node}` : '');
  const nothing = `nothing changed: fix what stopped it, then plan again`;
  if (!now || !now.reachable) {
    if (!expected || !before) return `${head} ${now ? unreachable(now) : `${u.node} was not read`}: when it is back, check its role then.`;
    return `${head} ${now ? unreachable(now) : `${u.node} was not read`}: when it is back, check its role then. ${cap(plannedAs(expected))} means ${tookEffect}; still ${plannedAs(before)} means ${nothing}. Until then, do not re-point it or plan again.`;
  }
  if (expected && isAs(now, expected)) return `${head} ${describe(now)} now: ${tookEffect}.`;
  if (before && isAs(now, before)) return `${head} ${describe(now)} now, as before the plan: ${nothing}.`;
  return `${head} ${describe(now)} now, which is neither what the plan had nor what it aimed at. ${LOOK_FIRST}`;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function undo(planned: PlannedAction, finals: FinalNodeState[], snapshot: TopologySnapshot | null, out: string[], told: ReadonlySet<string> = new Set()): void {
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
    out.push(`${describe(node)}, instead of ${before.role === 'master' ? 'a master' : `a replica of ${before.master}`} before.${back ? ` To go back: ${back} on ${node.address}.` : ''}`);
  }
  if (others) out.push(LOOK_FIRST);
}

/** After a Sentinel failover: roles are Sentinel's (never advise a REPLICAOF); priorities must be back. */
function sentinelNextSteps(planned: PlannedAction, report: ExecutionReport, out: string[]): string[] {
  const name = planned.ops.find((op) => op.kind === 'sentinel-failover')?.masterName ?? '<name>';
  const lastOf = new Map<string, number>();
  planned.ops.forEach((op, i) => {
    if (op.kind === 'set-config' && op.steer === 'off') lastOf.set(op.node, i);
  });
  for (const [node, i] of lastOf) {
    const step = report.steps[i];
    if (step && step.status !== 'ok' && step.status !== 'skipped') out.push(`Put the replica priority back by hand: ${step.command} on ${node} (${step.message || step.status}).`);
  }
  // A config file still holding a steer (CONFIG REWRITE failed, or could not be sent yet): the plan's result stands, the file must be fixed.
  out.push(...report.notes);
  if (report.status !== 'ok') {
    out.push(
      `Sentinel owns the roles in this group: do not re-point nodes by hand. SENTINEL GET-MASTER-ADDR-BY-NAME ${name} and SENTINEL REPLICAS ${name} on a Sentinel say where it stands` +
        (report.failure ? `; what stopped the plan: ${report.failure.message}` : ''),
    );
  }
  return out;
}
