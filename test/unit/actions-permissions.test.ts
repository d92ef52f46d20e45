// Which commands a plan's steps send where, and what the permission probe's answers make of the
// plan: the mapping and the verdict are pure; the probes themselves run against real servers in
// test/integration/uneven-nodes.test.ts and actions-permissions.test.ts.
import { describe, expect, it } from 'vitest';
import { checkPermissions, permissionChecks, probesOf, unprobed } from '../../electron/engine/actions/permissions';
import { planAction } from '../../electron/engine/actions/planner';
import type { StepOp } from '../../electron/engine/actions/operations';
import { PERMISSION_PROBES } from '../../electron/engine/node-commands';
import { META, factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';
import { FakeNodeCommands } from '../helpers/fake-node-commands';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';
const S = '10.0.0.9:26379';

const NOPERM = `${M}: ACL user admin lacks permission for REPLICAOF: add it with ACL SETUSER admin +replicaof`;

describe('probesOf', () => {
  it('maps each step to what it sends, once per node and command, in the order first sent', () => {
    const ops: StepOp[] = [
      { kind: 'pause-writes', node: M, ms: 10_000 },
      { kind: 'wait-caught-up', node: A, master: M },
      { kind: 'promote', node: A },
      { kind: 'replicaof', node: M, host: '10.0.0.2', port: 6379, master: A },
      { kind: 'unpause-writes', node: M },
      { kind: 'replicaof', node: B, host: '10.0.0.2', port: 6379, master: A },
      { kind: 'set-masterauth', node: B },
      { kind: 'set-masteruser', node: B, user: 'admin' },
      { kind: 'set-config', node: M, parameter: 'min-replicas-to-write', value: '2147483647', fence: 'on' },
      { kind: 'config-rewrite', node: B },
    ];
    expect(probesOf(ops).map((p) => `${p.node} ${p.command} (${p.step})`)).toEqual([
      `${M} CLIENT PAUSE (CLIENT PAUSE 10000 WRITE)`,
      `${A} REPLICAOF (REPLICAOF NO ONE)`,
      `${M} REPLICAOF (REPLICAOF 10.0.0.2 6379)`,
      `${B} REPLICAOF (REPLICAOF 10.0.0.2 6379)`,
      `${B} CONFIG SET (CONFIG SET masterauth ***)`,
      `${B} CONFIG GET (CONFIG SET masterauth ***)`,
      `${M} CONFIG SET (CONFIG SET min-replicas-to-write 2147483647)`,
    ]);
    expect(unprobed(ops)).toEqual(['CLIENT UNPAUSE', 'CONFIG REWRITE']);
  });

  it('asks nothing of a Sentinel (its own user) and REPLICAOF of the old master Sentinel leaves behind', () => {
    const ops: StepOp[] = [
      { kind: 'set-config', node: A, parameter: 'replica-priority', value: '1', steer: 'on' },
      { kind: 'sentinel-priorities', node: S, masterName: 'mymaster', priorities: [{ address: A, priority: 1 }] },
      { kind: 'pause-writes', node: M, ms: 10_000 },
      { kind: 'sentinel-failover', node: S, masterName: 'mymaster', oldMaster: M, prefer: A, sentinels: [S], consoleAddress: {} },
      { kind: 'sentinel-demote', node: M, target: A },
      { kind: 'sentinel-followers', node: S, members: [M, B] },
      { kind: 'unpause-writes', node: M },
      { kind: 'set-config', node: A, parameter: 'replica-priority', value: '100', steer: 'off' },
      { kind: 'steer-rewrite', node: A, master: M, parameter: 'replica-priority', steered: '1', restored: '100', file: '/etc/redis.conf' },
    ];
    expect(probesOf(ops).map((p) => `${p.node} ${p.command}`)).toEqual([`${A} CONFIG SET`, `${M} CLIENT PAUSE`, `${M} REPLICAOF`]);
  });

  it('every probe is a form the server refuses inside the command: never REPLICAOF NO ONE, never a real pause or value', () => {
    expect(PERMISSION_PROBES.REPLICAOF.join(' ')).not.toMatch(/no one/i);
    expect(PERMISSION_PROBES.REPLICAOF[2]).not.toMatch(/^\d+$/);
    expect(PERMISSION_PROBES['CLIENT PAUSE'][2]).not.toMatch(/^\d+$/);
    expect(PERMISSION_PROBES['CONFIG SET'][3]).not.toMatch(/^\d+$/);
    expect(PERMISSION_PROBES.FAILOVER).toEqual(['FAILOVER', 'TIMEOUT', '0']);
  });
});

describe('permissionChecks', () => {
  const probe = { node: M, command: 'REPLICAOF' as const, step: 'REPLICAOF 10.0.0.2 6379' };

  it('NOPERM refuses with the console\'s own words and the step; a renamed command says so, and whether SLAVEOF answers', () => {
    const [denied] = permissionChecks([{ ...probe, permission: { status: 'denied', message: NOPERM } }], []);
    expect(denied).toEqual({
      code: 'PERMISSION',
      verdict: 'refused',
      overridable: false,
      nodes: [M],
      message: `${NOPERM}. The plan sends REPLICAOF 10.0.0.2 6379 there, so it cannot run`,
    });
    const renamed = permissionChecks([{ ...probe, permission: { status: 'disabled', message: 'unknown command' }, slaveofAnswers: true }], [])[0];
    expect(renamed?.verdict).toBe('refused');
    expect(renamed?.message).toMatch(new RegExp(`^${M}: REPLICAOF is renamed or disabled there .*rename-command.*SLAVEOF, its old name, answers there`));
    expect(permissionChecks([{ ...probe, permission: { status: 'disabled', message: 'x' }, slaveofAnswers: false }], [])[0]?.message).not.toMatch(/SLAVEOF/);
  });

  it('all allowed is one tick saying what was asked; no answer refuses nothing; the unprobed are named', () => {
    const checks = permissionChecks(
      [
        { ...probe, permission: { status: 'allowed' } },
        { node: A, command: 'REPLICAOF', step: 'REPLICAOF NO ONE', permission: { status: 'allowed' } },
        { node: M, command: 'CLIENT PAUSE', step: 'CLIENT PAUSE 10000 WRITE', permission: { status: 'unanswered', message: `${M} did not answer` } },
      ],
      ['CLIENT UNPAUSE'],
    );
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ code: 'PERMISSION', verdict: 'ok' });
    expect(checks[0]?.message).toBe(
      `the console's user may send REPLICAOF on ${M}, ${A} (asked in a form that changes nothing); not answered: CLIENT PAUSE on ${M} (the node's own checks above decide); not asked: CLIENT UNPAUSE (no form of it changes nothing)`,
    );
    expect(permissionChecks([], [])).toEqual([]);
  });
});

describe('checkPermissions', () => {
  const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);

  it('a pause switchover whose old master refuses REPLICAOF cannot run, and asks no confirmation', async () => {
    const facts = factsFor(snapshot);
    const planned = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: 'pause' } }, facts, META);
    expect(planned.plan.canRun).toBe(true);
    const fake = FakeNodeCommands.group(M, [A, B]);
    fake.permissions.set(`${M} REPLICAOF`, { status: 'denied', message: NOPERM });
    const checked = await checkPermissions(fake, planned, facts);
    expect(checked.plan.canRun).toBe(false);
    expect(checked.plan.confirmAddress).toBeNull();
    expect(checked.plan.checks.filter((c) => c.code === 'PERMISSION').map((c) => c.verdict)).toEqual(['refused']);
    // The steps stay as planned: the operator sees what would have been sent.
    expect(checked.plan.steps).toEqual(planned.plan.steps);
    // Asked once per node and command; nothing but probes went out.
    expect(fake.probes.sort()).toEqual([`${A} REPLICAOF`, `${B} REPLICAOF`, `${M} CLIENT PAUSE`, `${M} REPLICAOF`].sort());
    expect(fake.sent()).toEqual([]);
  });

  it('REPLICAOF renamed asks SLAVEOF too; a node the preflight could not read is not asked', async () => {
    const down = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M, { reachable: false })]);
    const facts = factsFor(down);
    const planned = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: 'pause' } }, facts, META);
    const fake = FakeNodeCommands.group(M, [A, B]);
    fake.permissions.set(`${M} REPLICAOF`, { status: 'disabled', message: 'ERR unknown command' });
    const checked = await checkPermissions(fake, planned, facts);
    expect(fake.probes).not.toContain(`${B} REPLICAOF`);
    expect(fake.probes).toContain(`${M} SLAVEOF`);
    expect(checked.plan.checks.find((c) => c.code === 'PERMISSION')?.message).toMatch(/SLAVEOF, its old name, answers/);
  });

  it('everything allowed: the plan is unchanged but for the tick', async () => {
    const facts = factsFor(snapshot);
    const planned = planAction({ kind: 'switchover', to: A }, facts, META);
    const checked = await checkPermissions(FakeNodeCommands.group(M, [A, B]), planned, facts);
    expect({ ...checked.plan, checks: checked.plan.checks.filter((c) => c.code !== 'PERMISSION') }).toEqual(planned.plan);
    expect(checked.plan.checks.at(-1)).toMatchObject({ code: 'PERMISSION', verdict: 'ok' });
  });
});
