// May the console's user send, on each node, the commands the plan's steps send there? Learnt at
// the third step, it was too late: a REPLICAOF refused with NOPERM on the old master, after the
// replica had been promoted, left two masters. Each (node, command) pair is asked once, in the
// harmless form node-commands.ts keeps (PERMISSION_PROBES), when the plan is made and again in
// the re-check before it runs: both go through ActionService.compute.
//
// A plan that sets masterauth (and masteruser) gives the replica the console's own user to
// replicate as. The README's admin user has no +psync +replconf +ping: the replica's link never
// came up ("NOPERM … 'psync'" in its log only) while the plan said it would. So the master is asked
// too, whether that user may send what a replica sends it.
import type { PlanCheck } from '../../shared/actions';
import type { NodeCommands, Permission, ProbedCommand, ReplicationCommand } from '../node-commands';
import { parseAddress } from '../address';
import { parseServerVersion } from '../replication-rules';
import { factsFor, type PreflightFacts } from './facts';
import { commandText, type StepOp } from './operations';
import { withChecks, type PlannedAction } from './plan-builder';
import { addToGroup } from '../../shared/group';

/** One (node, command) pair a plan sends, with the text of the first step that sends it. */
export interface Probe {
  node: string;
  command: ProbedCommand;
  /**
   * REPLICAOF's first argument as the step sends it (the new master's host, NO for a promotion):
   * an ACL rule can allow the command by it (`+replicaof|no`).
   */
  first?: string;
  /** REPLICAOF to a master not known when planned (sentinel-demote without a steer, from a journal without its hosts), asked with PERMISSION_PROBES' host. */
  hostUnknown?: true;
  step: string;
  /** For a replication command asked of a master: the replicas the plan has replicate from it as the console's user. */
  replicas?: string[];
}

/** What a replica sends its master as its masteruser, in the order it sends them. */
export const REPLICATION_COMMANDS: readonly ReplicationCommand[] = ['PING', 'REPLCONF', 'PSYNC'];

/** The rules a replication user needs (Redis's own documentation, REDIS-REPLICATION.md). */
export const REPLICATION_RULES = '+psync +replconf +ping';

/** A probe and what it found; `slaveofAnswers` only for a REPLICAOF renamed or disabled. */
export interface ProbeAnswer extends Probe {
  permission: Permission;
  slaveofAnswers?: boolean;
}

/** The commands a step sends that can be probed (see PERMISSION_PROBES for those that cannot). */
export function probedCommands(op: StepOp): ProbedCommand[] {
  switch (op.kind) {
    case 'replicaof':
    case 'promote':
    case 'sentinel-demote':
      return ['REPLICAOF'];
    case 'failover':
      // Asked as FAILOVER TO …, the form the step sends. FAILOVER ABORT, sent when the plan is
      // stopped, is asked too where TO is allowed (abortChecks): a rule can allow one and not the other.
      return ['FAILOVER'];
    case 'pause-writes':
      return ['CLIENT PAUSE'];
    case 'set-config':
    case 'set-masteruser':
      return ['CONFIG SET'];
    case 'set-masterauth':
      // Read back to check it took.
      return ['CONFIG SET', 'CONFIG GET'];
    case 'unpause-writes':
    case 'config-rewrite':
    case 'steer-rewrite':
      // No harmless form. A CLIENT UNPAUSE refused leaves a timed pause that ends by itself; a
      // CONFIG REWRITE refused fails its step with the server's reason, after the change it persists.
      return [];
    case 'wait-caught-up':
    case 'sentinel-followers':
      // INFO: the preflight could not have read the node without it.
      return [];
    case 'sentinel-priorities':
    case 'sentinel-failover':
      // Sent to a Sentinel, as the Sentinel user (--sentinel-user): not the data nodes' ACL.
      return [];
  }
}

/**
 * Each distinct (node, command) pair the steps send, in the order the steps first send it; and,
 * for a replica given the console's credentials, what it will send its master as that user.
 */
export function probesOf(ops: readonly StepOp[]): Probe[] {
  const probes = new Map<string, Probe>();
  for (const op of ops) {
    for (const command of probedCommands(op)) {
      const firsts = command === 'REPLICAOF' ? firstArguments(op) : [];
      const unknown = command === 'REPLICAOF' && op.kind === 'sentinel-demote' && firsts.length === 0;
      for (const first of firsts.length > 0 ? firsts : [undefined]) {
        const key = `${op.node} ${command} ${first ?? ''}`;
        // Sentinel's pick, not known yet: each host it may pick is asked, and named.
        const step = op.kind === 'sentinel-demote' && !op.target && first !== undefined ? `${commandText(op)} (REPLICAOF ${first} … if Sentinel picks the replica there)` : commandText(op);
        if (!probes.has(key)) probes.set(key, { node: op.node, command, ...(first !== undefined ? { first } : {}), ...(unknown ? { hostUnknown: true } : {}), step });
      }
    }
    if (op.kind !== 'set-masterauth' || op.master === undefined) continue;
    for (const command of REPLICATION_COMMANDS) {
      const key = `${op.master} ${command}`;
      const known = probes.get(key);
      if (known?.replicas && !known.replicas.includes(op.node)) known.replicas.push(op.node);
      else if (!known) probes.set(key, { node: op.master, command, step: `${command} (${op.node} replicating as the console's user)`, replicas: [op.node] });
    }
  }
  return [...probes.values()];
}

/**
 * The first argument of the REPLICAOF a step sends, when known before it runs; for the old master
 * after a Sentinel failover, each one it may send (the host of each replica Sentinel may pick).
 */
function firstArguments(op: StepOp): string[] {
  if (op.kind === 'promote') return ['NO'];
  if (op.kind === 'replicaof') return [op.host];
  if (op.kind !== 'sentinel-demote') return [];
  if (op.hosts && op.hosts.length > 0) return op.hosts;
  return op.target ? [parseAddress(op.target).host] : [];
}

/**
 * Whether `PSYNC ? not-a-number` is harmless on a server of this version: from Redis 7.0.0 on (and
 * so every Valkey) the offset is parsed before anything else. Before, it started a full sync to
 * the console's own connection. Unknown: not harmless.
 */
export function psyncProbeIsHarmless(version: string | null): boolean {
  const parsed = parseServerVersion(version);
  if (!parsed) return false;
  return parsed.product === 'valkey' || parsed.parts[0] >= 7;
}

/** Commands the steps send that no probe can ask about, by name. */
export function unprobed(ops: readonly StepOp[]): string[] {
  const names = ops.filter((op) => op.kind === 'unpause-writes' || op.kind === 'config-rewrite' || op.kind === 'steer-rewrite').map(commandText);
  return [...new Set(names)];
}

/**
 * The checks the answers make: one refusal per command the user may not send (NOPERM, in the
 * console's usual words with the rule to add) or that is renamed or disabled on its node; else one
 * tick saying what was asked where, what did not answer (its reachability checks decide) and what
 * was not asked.
 */
export function permissionChecks(answers: readonly ProbeAnswer[], notProbed: readonly string[], user: string | null = null): PlanCheck[] {
  const refusals: PlanCheck[] = replicationRefusals(answers, user);
  for (const a of answers) {
    if (a.replicas && a.permission.status === 'denied') continue;
    if (a.permission.status === 'denied') {
      refusals.push(refusal(`${a.permission.message}. The plan sends ${a.step} there, so it cannot run${a.hostUnknown ? UNKNOWN_HOST : ''}`, a.node));
    } else if (a.permission.status === 'disabled') {
      const slaveof = a.slaveofAnswers
        ? `; SLAVEOF, its old name, answers there, but the plan sends REPLICAOF: give REPLICAOF its name back (the rename-command line, read at start), or run the steps by hand with SLAVEOF`
        : '';
      refusals.push(
        refusal(
          `${a.node}: ${a.command} is renamed or disabled there (it answers "unknown command": rename-command in its redis.conf), so the plan, which sends ${a.step} there, cannot run${slaveof}`,
          a.node,
        ),
      );
    }
  }
  if (refusals.length > 0) return refusals;
  if (answers.length === 0) return [];
  const asked = answers.filter((a) => a.permission.status === 'allowed');
  const silent = answers.filter((a) => a.permission.status === 'unanswered');
  const parts = [`the console's user may send ${byCommand(asked) || 'nothing it was asked about'} (asked in a form that changes nothing)`];
  if (silent.length > 0) parts.push(`not answered: ${byCommand(silent)} (the node's own checks above decide)`);
  if (notProbed.length > 0) parts.push(`not asked: ${notProbed.join(', ')} (no form of ${notProbed.length === 1 ? 'it' : 'them'} changes nothing)`);
  return [{ code: 'PERMISSION', verdict: 'ok', message: parts.join('; '), overridable: false, nodes: [] }];
}

/**
 * Ask each node whether the console's user may send what the plan sends there, all at once, and
 * add the checks to the plan. A node the preflight could not read is left to the checks that
 * already say so.
 */
export async function checkPermissions(commands: NodeCommands, planned: PlannedAction, facts: PreflightFacts): Promise<PlannedAction> {
  const reachable = probesOf(planned.ops).filter((p) => factsFor(facts, p.node)?.reachable === true);
  const psyncUnasked = reachable.filter((p) => p.command === 'PSYNC' && !psyncProbeIsHarmless(factsFor(facts, p.node)?.version ?? null));
  const probes = reachable.filter((p) => !psyncUnasked.includes(p));
  const answers = await Promise.all(
    probes.map(async (probe): Promise<ProbeAnswer> => {
      const permission = await commands.mayRun(probe.node, probe.command, probe.first);
      if (probe.command !== 'REPLICAOF' || permission.status !== 'disabled') return { ...probe, permission };
      const slaveof = await commands.mayRun(probe.node, 'SLAVEOF', probe.first);
      return { ...probe, permission, slaveofAnswers: slaveof.status === 'allowed' };
    }),
  );
  const user = facts.console.user;
  const warnings = psyncUnasked.map((p) => psyncNotAsked(p, factsFor(facts, p.node)?.version ?? null, user));
  const aborts = await abortChecks(commands, planned.ops, answers, user);
  return withChecks(planned, [...permissionChecks(answers, unprobed(planned.ops), user), ...warnings, ...aborts]);
}

/**
 * A FAILOVER the user may send but may not abort (a rule allowing FAILOVER by its first argument,
 * +failover|to): the plan runs, but a stop while the old master waits for the target is refused,
 * and the failover ends only at its TIMEOUT. A warning: the hand-over itself is allowed.
 */
async function abortChecks(commands: NodeCommands, ops: readonly StepOp[], answers: readonly ProbeAnswer[], user: string | null): Promise<PlanCheck[]> {
  const failovers = ops.filter((op): op is Extract<StepOp, { kind: 'failover' }> => op.kind === 'failover');
  const allowed = failovers.filter((op) => answers.some((a) => a.node === op.node && a.command === 'FAILOVER' && a.permission.status === 'allowed'));
  const checks = await Promise.all(
    allowed.map(async (op): Promise<PlanCheck | null> => {
      const abort = await commands.mayRun(op.node, 'FAILOVER', 'ABORT');
      if (abort.status !== 'denied') return null;
      return {
        code: 'PERMISSION',
        verdict: 'warning',
        message:
          `${op.node}: ACL user ${user ?? 'default'} may send FAILOVER TO but not FAILOVER ABORT there (a rule allowing FAILOVER by its first argument): ` +
          `a stop while the FAILOVER step waits for ${op.target} is refused, and the failover ends only at its TIMEOUT (${op.timeoutMs} ms). To allow it: ACL SETUSER ${user ?? 'default'} +failover|abort`,
        overridable: false,
        nodes: [op.node],
      };
    }),
  );
  return checks.filter((c): c is PlanCheck => c !== null);
}

/**
 * One refusal per master that turns down what a replica sends it as the console's user: the
 * replicas the plan gives that user to would never get their link up.
 */
function replicationRefusals(answers: readonly ProbeAnswer[], user: string | null): PlanCheck[] {
  const byMaster = new Map<string, { commands: string[]; replicas: string[] }>();
  for (const a of answers) {
    if (!a.replicas || a.permission.status !== 'denied') continue;
    const entry = byMaster.get(a.node) ?? { commands: [], replicas: [] };
    entry.commands.push(a.command);
    for (const r of a.replicas) if (!entry.replicas.includes(r)) entry.replicas.push(r);
    byMaster.set(a.node, entry);
  }
  const name = user ?? 'default';
  return [...byMaster].map(([master, { commands, replicas }]) => {
    const them = replicas.join(', ');
    const their = replicas.length === 1 ? 'its' : 'their';
    return refusal(
      `${master}: ACL user ${name} may not send ${commands.join(', ')} there, and "set masterauth" (--set-masterauth) gives ${them} the console's own user (${name}) ` +
        `to replicate from ${master} as: ${their} link would never come up (NOPERM in ${their} log, nothing the console can see). ` +
        `Add the replication rules with ACL SETUSER ${name} ${REPLICATION_RULES} on ${master}, or give ${them} a replication user yourself ` +
        `(CONFIG SET masteruser and masterauth) and plan without "set masterauth"`,
      master,
    );
  });
}

/** A master too old (or of a version unknown) for a harmless PSYNC: said, not asked. */
function psyncNotAsked(probe: Probe, version: string | null, user: string | null): PlanCheck {
  const name = user ?? 'default';
  const them = (probe.replicas ?? []).join(', ');
  return {
    code: 'PERMISSION',
    verdict: 'warning',
    message:
      `${probe.node} runs ${version ?? 'a version the console could not read'}: whether ACL user ${name} may send PSYNC there was not asked (before Redis 7.0 no form of PSYNC ` +
      `is harmless: it starts a full sync). "set masterauth" gives ${them} the console's own user to replicate from ${probe.node} as: make sure ${name}'s rules there ` +
      `include ${REPLICATION_RULES}, or the link stays down`,
    overridable: false,
    nodes: [probe.node],
  };
}

/**
 * Said with a REPLICAOF refused whose host was not known when planned: asked with another host, the
 * probe cannot tell a user refused REPLICAOF from one allowed it only for some hosts.
 */
const UNKNOWN_HOST =
  ' (asked as REPLICAOF 127.0.0.1: the new master is Sentinel\'s pick, not known yet. If the user\'s rules allow REPLICAOF only for some hosts, +replicaof|<host>, ' +
  'that cannot be asked: name the new master (prefer, --prefer) to have it asked with its host)';

function refusal(message: string, node: string): PlanCheck {
  return { code: 'PERMISSION', verdict: 'refused', message, overridable: false, nodes: [node] };
}

/** "REPLICAOF on a, b; CLIENT PAUSE on a". */
function byCommand(answers: readonly ProbeAnswer[]): string {
  const nodes = new Map<string, string[]>();
  for (const a of answers) addToGroup(nodes, a.command, a.node);
  return [...nodes].map(([command, on]) => `${command} on ${on.join(', ')}`).join('; ');
}
