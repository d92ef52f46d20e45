// Which commands a plan's steps send where, and what the permission probe's answers make of the
// plan: the mapping and the verdict are pure; the probes themselves run against real servers in
// test/integration/uneven-nodes.test.ts and actions-permissions.test.ts.
import { describe, expect, it } from 'vitest';
import { checkPermissions, permissionChecks, probesOf, psyncProbeIsHarmless, unprobed } from '../../electron/engine/actions/permissions';
import { planAction } from '../../electron/engine/actions/planner';
import type { StepOp } from '../../electron/engine/actions/operations';
import { PERMISSION_PROBES, probeArgs } from '../../electron/engine/node-commands';
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

  it('a replica given the console\'s credentials: its new master is asked PING, REPLCONF and PSYNC once, for every such replica', () => {
    const ops: StepOp[] = [
      { kind: 'set-masterauth', node: A, master: M },
      { kind: 'set-masteruser', node: A, user: 'admin' },
      { kind: 'replicaof', node: A, host: '10.0.0.1', port: 6379, master: M },
      { kind: 'set-masterauth', node: B, master: M },
      { kind: 'replicaof', node: B, host: '10.0.0.1', port: 6379, master: M },
    ];
    const probes = probesOf(ops);
    expect(probes.map((p) => `${p.node} ${p.command}`)).toEqual([
      `${A} CONFIG SET`,
      `${A} CONFIG GET`,
      `${M} PING`,
      `${M} REPLCONF`,
      `${M} PSYNC`,
      `${A} REPLICAOF`,
      `${B} CONFIG SET`,
      `${B} CONFIG GET`,
      `${B} REPLICAOF`,
    ]);
    expect(probes.filter((p) => p.node === M).map((p) => p.replicas)).toEqual([
      [A, B],
      [A, B],
      [A, B],
    ]);
    // A journal written before the master was recorded: nothing asked of a master it does not name.
    expect(probesOf([{ kind: 'set-masterauth', node: A }]).map((p) => p.command)).toEqual(['CONFIG SET', 'CONFIG GET']);
  });

  it('the replication probes are refused inside the command; PSYNC\'s only from Redis 7.0 (before, it started a full sync)', () => {
    expect(PERMISSION_PROBES.PSYNC).toEqual(['PSYNC', '?', 'not-a-number']);
    // An even argument count: "syntax error" before any option is read.
    expect(PERMISSION_PROBES.REPLCONF.length % 2).toBe(0);
    expect(PERMISSION_PROBES.PING).toEqual(['PING']);
    expect(['redis 7.0.0', 'redis 7.4.1', 'valkey 8.0.1', 'valkey 7.2.7'].map(psyncProbeIsHarmless)).toEqual([true, true, true, true]);
    // 7.0's release candidates report 6.9.x.
    expect(['redis 6.2.14', 'redis 6.9.240', 'redis 6.0.20', null, 'garbage'].map(psyncProbeIsHarmless)).toEqual([false, false, false, false, false]);
  });

  it('every probe is a form the server refuses inside the command: never REPLICAOF NO ONE, never a real pause or value', () => {
    expect(PERMISSION_PROBES.REPLICAOF.join(' ')).not.toMatch(/no one/i);
    expect(PERMISSION_PROBES.REPLICAOF[2]).not.toMatch(/^\d+$/);
    expect(PERMISSION_PROBES['CLIENT PAUSE'][2]).not.toMatch(/^\d+$/);
    expect(PERMISSION_PROBES['CONFIG SET'][3]).not.toMatch(/^\d+$/);
    // TO first, as the plan's FAILOVER: a rule +failover|to allows it.
    expect(PERMISSION_PROBES.FAILOVER).toEqual(['FAILOVER', 'TO', '127.0.0.1', 'not-a-port']);
  });

  it('REPLICAOF is asked with the first argument the step sends (NO for a promotion), never with a port', () => {
    const ops: StepOp[] = [
      { kind: 'promote', node: A },
      { kind: 'replicaof', node: M, host: 'redis-a.internal', port: 6379, master: A },
      { kind: 'sentinel-demote', node: B, target: '10.0.0.2:6379' },
      { kind: 'sentinel-demote', node: M, target: null },
    ];
    expect(probesOf(ops).map((p) => [p.node, p.first, p.hostUnknown])).toEqual([
      [A, 'NO', undefined],
      [M, 'redis-a.internal', undefined],
      [B, '10.0.0.2', undefined],
      // A journal from before the hosts were recorded: asked with 127.0.0.1, and said so if refused.
      [M, undefined, true],
    ]);
    // Sentinel's pick: each host it may pick is asked, as Sentinel lists it (what the step sends).
    const unsteered = probesOf([{ kind: 'sentinel-demote', node: M, target: null, hosts: ['10.0.0.2', '10.0.0.3'] }]);
    expect(unsteered.map((p) => [p.first, p.step])).toEqual([
      ['10.0.0.2', 'REPLICAOF <the new master> (REPLICAOF 10.0.0.2 … if Sentinel picks the replica there)'],
      ['10.0.0.3', 'REPLICAOF <the new master> (REPLICAOF 10.0.0.3 … if Sentinel picks the replica there)'],
    ]);
    expect(probesOf([{ kind: 'sentinel-demote', node: M, target: 'a.example:6379', hosts: ['10.0.0.2'] }]).map((p) => p.first)).toEqual(['10.0.0.2']);
    expect(probeArgs('REPLICAOF', 'NO')).toEqual(['REPLICAOF', 'NO', 'not-a-port']);
    expect(probeArgs('SLAVEOF', 'redis-a.internal')).toEqual(['SLAVEOF', 'redis-a.internal', 'not-a-port']);
    expect(probeArgs('REPLICAOF')).toEqual(PERMISSION_PROBES.REPLICAOF);
    expect(probeArgs('CONFIG SET', 'NO')).toEqual(PERMISSION_PROBES['CONFIG SET']);
    // A bare FAILOVER ABORT aborts; with one more argument it is a syntax error.
    expect(probeArgs('FAILOVER', 'ABORT')).toEqual(['FAILOVER', 'ABORT', 'not-an-option']);
    expect(probeArgs('FAILOVER', 'TO')).toEqual(PERMISSION_PROBES.FAILOVER);
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

  it('a REPLICAOF refused when its host was not known (Sentinel\'s pick) says a host rule cannot be asked, and how to have it asked', () => {
    const demote = { node: M, command: 'REPLICAOF' as const, hostUnknown: true as const, step: 'REPLICAOF <the new master>', permission: { status: 'denied' as const, message: NOPERM } };
    expect(permissionChecks([demote], [])[0]?.message).toBe(
      `${NOPERM}. The plan sends REPLICAOF <the new master> there, so it cannot run (asked as REPLICAOF 127.0.0.1: the new master is Sentinel's pick, not known yet. ` +
        `If the user's rules allow REPLICAOF only for some hosts, +replicaof|<host>, that cannot be asked: name the new master (prefer, --prefer) to have it asked with its host)`,
    );
    const { hostUnknown: _known, ...steered } = demote;
    expect(permissionChecks([{ ...steered, first: '10.0.0.2' }], [])[0]?.message).toBe(`${NOPERM}. The plan sends REPLICAOF <the new master> there, so it cannot run`);
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

  it('--set-masterauth with a user its new master refuses PSYNC to: refused, naming the master, the user and the rule', async () => {
    const facts = factsFor(snapshot, { [A]: { requiresAuth: true, authBasis: 'requirepass' }, [B]: { masterauth: 'unset' } }, { console: { user: 'admin', hasPassword: true } });
    const planned = planAction({ kind: 'replicaof', node: B, master: A, options: { setMasterauth: true } }, { ...facts }, META);
    expect(planned.plan.canRun).toBe(true);
    const fake = FakeNodeCommands.group(M, [A, B]);
    fake.permissions.set(`${A} PSYNC`, { status: 'denied', message: `${A}: ACL user admin lacks permission for PSYNC` });
    fake.permissions.set(`${A} REPLCONF`, { status: 'denied', message: `${A}: ACL user admin lacks permission for REPLCONF` });
    const checked = await checkPermissions(fake, planned, facts);
    expect(checked.plan.canRun).toBe(false);
    const refused = checked.plan.checks.filter((c) => c.code === 'PERMISSION' && c.verdict === 'refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.nodes).toEqual([A]);
    expect(refused[0]?.message).toMatch(new RegExp(`^${A}: ACL user admin may not send REPLCONF, PSYNC there, and "set masterauth" \\(--set-masterauth\\) gives ${B} the console's own user \\(admin\\)`));
    expect(refused[0]?.message).toContain(`ACL SETUSER admin +psync +replconf +ping on ${A}`);
  });

  it('a master older than 7.0 is not sent PSYNC at all: a warning says what to make sure of', async () => {
    const old = snapshotOf([nodeState(M), replicaState(A, M, { version: 'redis 6.2.14' }), replicaState(B, M)]);
    const facts = factsFor(old, { [A]: { requiresAuth: true, authBasis: 'requirepass' }, [B]: { masterauth: 'unset' } }, { console: { user: 'admin', hasPassword: true } });
    const planned = planAction({ kind: 'replicaof', node: B, master: A, options: { setMasterauth: true } }, facts, META);
    const fake = FakeNodeCommands.group(M, [A, B]);
    const checked = await checkPermissions(fake, planned, facts);
    expect(fake.probes).toContain(`${A} REPLCONF`);
    expect(fake.probes).not.toContain(`${A} PSYNC`);
    expect(checked.plan.canRun).toBe(true);
    const warning = checked.plan.checks.find((c) => c.code === 'PERMISSION' && c.verdict === 'warning');
    expect(warning?.message).toMatch(/redis 6\.2\.14: whether ACL user admin may send PSYNC there was not asked .*\+psync \+replconf \+ping/);
  });

  it('everything allowed: the plan is unchanged but for the tick', async () => {
    const facts = factsFor(snapshot);
    const planned = planAction({ kind: 'switchover', to: A }, facts, META);
    const checked = await checkPermissions(FakeNodeCommands.group(M, [A, B]), planned, facts);
    expect({ ...checked.plan, checks: checked.plan.checks.filter((c) => c.code !== 'PERMISSION') }).toEqual(planned.plan);
    expect(checked.plan.checks.at(-1)).toMatchObject({ code: 'PERMISSION', verdict: 'ok' });
  });
});
