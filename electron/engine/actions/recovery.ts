// What to tell the operator about a plan that stopped half-way (journal.ts): what ran, where
// each node stands now (read fresh), and the exact commands that finish the plan (when the
// new master took over) or roll it back (when it did not). A master still holding the write
// fence is named FENCED_MASTER with the value journaled before the fence, never the fence
// value itself. A plan whose nodes are seen settled (its expected end state or its original
// state, no fence, no pause) is reported once more and closed.
import type { NodeRole, TopologyWarning } from '../../shared/types';
import { formatAddress, normalizeAddress, parseAddress } from '../address';
import { toApiError } from '../errors';
import { parseInfo, parseReplication } from '../info-parser';
import type { NodeCommands } from '../node-commands';
import type { ExpectedNode } from './plan-builder';
import { FENCE_REPLICAS } from './operations';
import type { JournaledPlan, OriginalValue } from './journal';

/** The two reads recovery needs: the NodeCommands subset, so tests and front ends can pass any. */
export type NodeReader = Pick<NodeCommands, 'info' | 'configGet'>;

export interface NodeNow {
  address: string;
  reachable: boolean;
  role: NodeRole;
  master: string | null;
  linkStatus: 'up' | 'down' | null;
  error: string | null;
  /** Current values of the settings the plan changes (null: could not be read). */
  settings: Record<string, string | null>;
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
  /** In the expected end state or the original one, no fence, no pause: the record is closed. */
  settled: boolean;
  /** A word on the plan's kind, printed with the report (a Sentinel failover: roles are Sentinel's). */
  note?: string;
}

const FENCE_PARAMETER = 'min-replicas-to-write';

/** Read every node of the plan fresh (INFO replication and the settings it changes). */
export async function readPlanNodes(reader: NodeReader, plan: JournaledPlan): Promise<Map<string, NodeNow>> {
  const addresses = planAddresses(plan);
  const settingsOf = (address: string): string[] => [
    ...new Set([...plan.started.original.filter((o) => o.node === address).map((o) => o.parameter), ...fencedNodes(plan).filter((n) => n === address).map(() => FENCE_PARAMETER)]),
  ];
  const entries = await Promise.all(
    addresses.map(async (address): Promise<[string, NodeNow]> => {
      try {
        const info = parseReplication(parseInfo(await reader.info(address, 'replication')));
        const settings: Record<string, string | null> = {};
        for (const parameter of settingsOf(address)) settings[parameter] = await reader.configGet(address, parameter).catch(() => null);
        const master = info.role === 'replica' && info.masterHost && info.masterPort !== null ? formatAddress(info.masterHost, info.masterPort) : null;
        return [address, { address, reachable: true, role: info.role, master, linkStatus: info.linkStatus, error: null, settings }];
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

/** Nodes where the plan set the write fence. */
function fencedNodes(plan: JournaledPlan): string[] {
  return plan.started.ops.filter((op) => op.kind === 'set-config' && op.fence === 'on').map((op) => op.node);
}

/** Build the report for one interrupted plan from its journal and the nodes as read now. */
export function assess(plan: JournaledPlan, nodes: ReadonlyMap<string, NodeNow>, now: number): InterruptedReport {
  const { started } = plan;
  const same = (a: string | null, b: string | null): boolean => a !== null && b !== null && normalizeAddress(a) === normalizeAddress(b);
  const matches = (targets: readonly ExpectedNode[]): boolean =>
    targets.length > 0 &&
    targets.every((t) => {
      const n = nodes.get(t.address);
      return n !== undefined && n.reachable && n.role === t.role && (t.role === 'master' || same(n.master, t.master));
    });

  // Originals: journaled by the executor (undo records) first, else from the plan's own restore steps.
  const originals = new Map<string, OriginalValue>();
  for (const o of started.original) originals.set(`${o.node} ${o.parameter}`, o);
  for (const u of plan.undos) if (u.kind === 'restore-config') originals.set(`${u.node} ${u.parameter}`, { node: u.node, parameter: u.parameter, value: u.value });

  const fenced: InterruptedReport['fenced'] = [];
  const restores: RecoveryCommand[] = [];
  for (const o of originals.values()) {
    const current = nodes.get(o.node)?.settings[o.parameter];
    if (current === undefined || current === null || current === o.value) continue;
    if (o.parameter === FENCE_PARAMETER && current === String(FENCE_REPLICAS)) fenced.push({ node: o.node, value: current, original: o.value });
    restores.push({ node: o.node, command: `CONFIG SET ${o.parameter} ${o.value}`, why: `restore ${o.parameter} to ${o.value}, its value before the plan (now ${current})` });
  }

  const pausedUntil = pauses(plan).filter((p) => p.until > now);

  const newMaster = started.expected.find((e) => e.role === 'master' && !started.before.some((b) => b.address === e.address && b.role === 'master'));
  const tookOver = newMaster !== undefined && nodes.get(newMaster.address)?.role === 'master';
  const direction: InterruptedReport['direction'] = tookOver ? 'finish' : 'roll back';
  const targets = tookOver ? started.expected : started.before;

  // On a Sentinel-managed group the roles are Sentinel's: re-pointing by hand would fight it. Only
  // the replica priorities the plan changed to steer it are put back.
  const sentinelOwned = started.request.kind === 'sentinel-failover';
  const moves: RecoveryCommand[] = [];
  for (const t of sentinelOwned ? [] : targets) {
    const n = nodes.get(t.address);
    if (!n) continue;
    if (t.role === 'master' && n.role !== 'master') {
      moves.push({ node: t.address, command: 'REPLICAOF NO ONE', why: `${t.address} was a master ${tookOver ? 'in the plan' : 'before the plan'}` });
    } else if (t.role === 'replica' && t.master !== null && (n.role !== 'replica' || !same(n.master, t.master))) {
      const { host, port } = parseAddress(t.master);
      moves.push({ node: t.address, command: `REPLICAOF ${host} ${port}`, why: `${t.address} ${tookOver ? 'should follow the new master' : 'followed'} ${t.master}${tookOver ? '' : ' before the plan'}` });
    }
  }
  // A node that is a master but must become a replica goes first: until then two masters take writes.
  moves.sort((a, b) => Number(nodes.get(b.node)?.role === 'master') - Number(nodes.get(a.node)?.role === 'master'));

  const unpauses: RecoveryCommand[] = pausedUntil.map((p) => ({
    node: p.node,
    command: 'CLIENT UNPAUSE',
    why: `writes on ${p.node} wait under a CLIENT PAUSE until ${new Date(p.until).toISOString()}${tookOver ? ', after it follows the new master' : ''}`,
  }));

  const unreachable = planAddresses(plan).filter((a) => nodes.get(a)?.reachable === false);
  const rolesSettled = sentinelOwned || matches(started.expected) || matches(started.before);
  const settled = unreachable.length === 0 && rolesSettled && restores.length === 0 && pausedUntil.length === 0;
  const masterName = started.request.kind === 'sentinel-failover' ? (started.request.masterName ?? started.ops.find((op) => op.kind === 'sentinel-failover')?.masterName) : undefined;

  return {
    planId: started.planId,
    summary: started.summary,
    startedAt: started.at,
    who: `${started.user}@${started.host} via ${started.interface}`,
    nodes: planAddresses(plan),
    cause: plan.finished?.interrupted ?? 'the console stopped while the plan ran (killed, crashed, or the machine went down)',
    ran: ranLines(plan),
    now: planAddresses(plan).map((a) => nodeLine(nodes.get(a), a, fenced)),
    direction,
    commands: settled ? [] : [...moves, ...restores, ...unpauses],
    fenced,
    pausedUntil,
    settled,
    ...(sentinelOwned
      ? {
          note:
            `A Sentinel failover: the roles are Sentinel's (SENTINEL GET-MASTER-ADDR-BY-NAME ${masterName ?? '<name>'} on a Sentinel gives the master); do not re-point nodes by hand. ` +
            `Only the replica-priority values the plan changed to steer Sentinel's pick need putting back`,
        }
      : {}),
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

function nodeLine(n: NodeNow | undefined, address: string, fenced: InterruptedReport['fenced']): string {
  if (!n) return `${address}: not read`;
  if (!n.reachable) return `${address}: unreachable (${n.error ?? 'no answer'})`;
  const role = n.role === 'replica' ? `replica of ${n.master ?? '?'}, link ${n.linkStatus ?? '?'}` : n.role;
  const fence = fenced.find((f) => f.node === address);
  return `${address}: ${role}${fence ? `, FENCED (min-replicas-to-write ${fence.value}: every write is refused)` : ''}`;
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
  if (r.note) lines.push(r.note);
  for (const f of r.fenced) {
    lines.push(`FENCED_MASTER ${f.node}: min-replicas-to-write is ${f.value}, the write fence, so every write is refused; its value before the plan was ${f.original}.`);
  }
  if (r.settled) {
    lines.push('Nothing is left to do: the nodes are settled (no fence, no pause). This record is now closed.');
    return lines;
  }
  lines.push(`To ${r.direction} it, run in this order:`);
  for (const c of r.commands) lines.push(`  on ${c.node}: ${c.command}    # ${c.why}`);
  if (r.commands.length === 0) lines.push('  (nothing to send yet: wait for the unreachable nodes, then check again)');
  lines.push(`Once done it is closed at the next check; to dismiss it now: replication-console interrupted --dismiss ${r.planId}`);
  return lines;
}
