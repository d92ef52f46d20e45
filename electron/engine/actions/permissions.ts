// May the console's user send, on each node, the commands the plan's steps send there? Learnt at
// the third step, it was too late: a REPLICAOF refused with NOPERM on the old master, after the
// replica had been promoted, left two masters. Each (node, command) pair is asked once, in the
// harmless form node-commands.ts keeps (PERMISSION_PROBES), when the plan is made and again in
// the re-check before it runs: both go through ActionService.compute.
import type { PlanCheck } from '../../shared/actions';
import type { NodeCommands, Permission, ProbedCommand } from '../node-commands';
import { factsFor, type PreflightFacts } from './facts';
import { commandText, type StepOp } from './operations';
import { withChecks, type PlannedAction } from './plan-builder';

/** One (node, command) pair a plan sends, with the text of the first step that sends it. */
export interface Probe {
  node: string;
  command: ProbedCommand;
  step: string;
}

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
      // FAILOVER ABORT, when the plan is stopped, is the same command to the ACL.
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

/** Each distinct (node, command) pair the steps send, in the order the steps first send it. */
export function probesOf(ops: readonly StepOp[]): Probe[] {
  const probes = new Map<string, Probe>();
  for (const op of ops) {
    for (const command of probedCommands(op)) {
      const key = `${op.node} ${command}`;
      if (!probes.has(key)) probes.set(key, { node: op.node, command, step: commandText(op) });
    }
  }
  return [...probes.values()];
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
export function permissionChecks(answers: readonly ProbeAnswer[], notProbed: readonly string[]): PlanCheck[] {
  const refusals: PlanCheck[] = [];
  for (const a of answers) {
    if (a.permission.status === 'denied') {
      refusals.push(refusal(`${a.permission.message}. The plan sends ${a.step} there, so it cannot run`, a.node));
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
  const probes = probesOf(planned.ops).filter((p) => factsFor(facts, p.node)?.reachable === true);
  const answers = await Promise.all(
    probes.map(async (probe): Promise<ProbeAnswer> => {
      const permission = await commands.mayRun(probe.node, probe.command);
      if (probe.command !== 'REPLICAOF' || permission.status !== 'disabled') return { ...probe, permission };
      const slaveof = await commands.mayRun(probe.node, 'SLAVEOF');
      return { ...probe, permission, slaveofAnswers: slaveof.status === 'allowed' };
    }),
  );
  return withChecks(planned, permissionChecks(answers, unprobed(planned.ops)));
}

function refusal(message: string, node: string): PlanCheck {
  return { code: 'PERMISSION', verdict: 'refused', message, overridable: false, nodes: [node] };
}

/** "REPLICAOF on a, b; CLIENT PAUSE on a". */
function byCommand(answers: readonly ProbeAnswer[]): string {
  const nodes = new Map<string, string[]>();
  for (const a of answers) nodes.set(a.command, [...(nodes.get(a.command) ?? []), a.node]);
  return [...nodes].map(([command, on]) => `${command} on ${on.join(', ')}`).join('; ');
}
