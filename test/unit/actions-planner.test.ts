// The planner and the resync predictor from hand-written facts: what no single local Redis
// 7.0 can show (older versions, pre-6.2 switchover, denied CONFIG reads, Sentinel names).
import { describe, expect, it } from 'vitest';
import { planAction } from '../../electron/engine/actions/planner';
import { afterPromotion, predictResync } from '../../electron/engine/actions/resync';
import type { ActionPlan } from '../../electron/shared/actions';
import type { ErrorCode } from '../../electron/shared/types';
import { META, factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';
import { inSyncLag } from '../helpers/node-state';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';
const C = '10.0.0.4:6379';

/** `text` as a regular expression matching it literally. */
function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function check(plan: ActionPlan, code: string): ActionPlan['checks'][number] | undefined {
  return plan.checks.find((c) => c.code === code && c.verdict !== 'ok') ?? plan.checks.find((c) => c.code === code);
}

describe('predictResync', () => {
  const master = { replid: 'r1', replid2: null, offset: 5000, secondReplOffset: null, backlog: { active: true, size: 4096, firstByteOffset: 1001, histlen: 4000 } };

  it('expects a partial sync inside the backlog of the same history', () => {
    expect(predictResync({ ...master, offset: 4000 }, master)).toMatchObject({ expected: 'partial', why: expect.stringContaining('1000 bytes to catch up') });
    expect(predictResync({ ...master, offset: 1000 }, master).expected).toBe('partial');
  });

  it('expects a full sync before the backlog, ahead of the master, or in another history', () => {
    expect(predictResync({ ...master, offset: 999 }, master)).toMatchObject({ expected: 'full', why: expect.stringContaining('older than') });
    expect(predictResync({ ...master, offset: 5100 }, master)).toMatchObject({ expected: 'full', why: expect.stringContaining('100 bytes AHEAD') });
    expect(predictResync({ ...master, replid: 'other' }, master)).toMatchObject({ expected: 'full', why: expect.stringContaining('different replication history') });
    expect(predictResync({ ...master, offset: 4000 }, { ...master, backlog: null })).toMatchObject({ expected: 'full', why: expect.stringContaining('no replication backlog') });
    // Against a node about to be promoted: its replid is the one the promotion makes, not a placeholder ("promoted…").
    expect(predictResync({ ...master, replid: 'abcdef1234' }, afterPromotion(master), { replica: B, master: A }).why).toBe(
      `a different replication history: ${B} has replid abcdef12…, ${A} has the new one its promotion makes and r1… before it`,
    );
  });

  it('a node promoted off this master (split brain) is told its own writes since the fork are lost, not "a different history"', () => {
    const forked = { replid: 'mine', replid2: 'r1', offset: 4958, secondReplOffset: 4001, backlog: null };
    expect(predictResync(forked, master, { replica: A, master: M })).toEqual({
      expected: 'full',
      why: `${A} left ${M}'s history at offset 4000 (it was promoted) and has taken 958 bytes of its own stream since: writes made there exist nowhere else and are lost with its data; copy what you need from it first`,
    });
    expect(predictResync({ ...forked, offset: 4000 }, master).why).toMatch(/has taken 0 bytes of its own stream since: nothing of its own yet$/);
  });

  it('follows replid2 up to second_repl_offset after a promotion', () => {
    const promoted = afterPromotion(master);
    expect(promoted).toMatchObject({ replid2: 'r1', secondReplOffset: 5001 });
    expect(predictResync({ ...master, offset: 4500 }, promoted)).toMatchObject({ expected: 'partial', why: expect.stringContaining('replid2') });
    expect(predictResync({ ...master, offset: 5000 }, promoted).expected).toBe('partial');
    expect(predictResync({ ...master, offset: 5010 }, promoted)).toMatchObject({ expected: 'full', why: expect.stringContaining('10 bytes AHEAD') });
  });

  it('says unknown when offsets could not be read', () => {
    expect(predictResync({ ...master, offset: null }, master).expected).toBe('unknown');
  });
});

describe('planAction', () => {
  it('warns (overridably) when a replica would run an older version than its new master', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M, { version: 'redis 6.2.14' }), replicaState(B, M)]);
    const plan = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(snapshot), META).plan;
    expect(check(plan, 'VERSION_OLDER')).toMatchObject({ verdict: 'warning', overridable: true, message: expect.stringContaining('redis 6.2.14, older than') });
    expect(plan.needsOverride).toEqual(['VERSION_OLDER']);
    const newer = planAction({ kind: 'replicaof', node: B, master: A }, factsFor(snapshot), META).plan;
    expect(check(newer, 'VERSION_OLDER')).toBeUndefined();
  });

  it('refuses a cycle through the snapshot, before any other check matters', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, A, { depth: 2 })]);
    const plan = planAction({ kind: 'replicaof', node: M, master: B }, factsFor(snapshot), META).plan;
    expect(plan.canRun).toBe(false);
    expect(check(plan, 'CYCLE')?.message).toContain(`${M} → ${A} → ${B}`);
    expect(plan.confirmAddress).toBeNull();
  });

  it('promoting a node of a replication cycle: the others take its data, so one holding more needs an override and is named instead', () => {
    // M restarted empty with a stale replicaof A, while A (holding everything, 100 keys) replicates from M.
    const snapshot = snapshotOf([
      replicaState(M, A, { linkStatus: 'down', depth: null, replid: 'z'.repeat(40), offset: 1 }),
      replicaState(A, M, { linkStatus: 'down', depth: null, offset: 2915 }),
    ]);
    const facts = factsFor(snapshot, { [M]: { keys: 0 }, [A]: { keys: 100 } });
    const wrong = planAction({ kind: 'promote', node: M, repointSiblings: false }, facts, META).plan;
    expect(check(wrong, 'CYCLE')).toMatchObject({ verdict: 'ok', message: `${M} is in a replication cycle (${M} → ${A} → ${M}): made a master, it breaks it, and the others take its data` });
    expect(check(wrong, 'REPLICA_BEHIND')).toMatchObject({
      verdict: 'warning',
      overridable: true,
      message:
        `${A} (100 keys) holds 2.8 KiB (2,915 bytes) that ${M} lacks: in the cycle it is below ${M}, so once ${M} is a master it takes ${M}'s data in a full sync and loses those writes. ` +
        `Promote ${A} instead: it holds what every node of the cycle holds`,
    });
    expect(wrong.needsOverride).toEqual(['REPLICA_BEHIND']);
    expect(wrong.lostBytes).toEqual([{ node: A, bytes: 2915, note: `only on it: lost when it takes ${M}'s data` }]);
    // Its master is one of the cycle, which takes its data: not a second master taking writes.
    expect(check(wrong, 'OLD_MASTER_STAYS')).toBeUndefined();
    const right = planAction({ kind: 'promote', node: A, repointSiblings: false }, facts, META).plan;
    expect(check(right, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'ok', message: `${A} holds everything the other nodes of its cycle hold` });
    expect(check(right, 'OLD_MASTER_STAYS')).toBeUndefined();
    expect(right.needsOverride).toEqual([]);
    expect(right.canRun).toBe(true);
  });

  it('promoting a node that replicates from itself (a cycle of one): no master stays one, no sibling to re-point, nothing behind', () => {
    const snapshot = snapshotOf([replicaState(A, A, { linkStatus: 'down', depth: null }), replicaState(B, A, { depth: null })]);
    const plan = planAction({ kind: 'promote', node: A, repointSiblings: true }, factsFor(snapshot), META).plan;
    // Its "old master" is itself: "stays a master and keeps taking writes (two masters)" was false, and its own replica was re-pointed to it.
    expect(check(plan, 'OLD_MASTER_STAYS')).toBeUndefined();
    expect(check(plan, 'REPLICA_BEHIND')).toBeUndefined();
    expect(check(plan, 'CYCLE')).toMatchObject({ verdict: 'ok', message: `${A} replicates from itself (${A} → ${A}): made a master, it takes writes again, with the data it has` });
    expect(plan.summary).toBe(`Promote ${A} to master`);
    expect(plan.steps.map((s) => `${s.node} ${s.command}`)).toEqual([`${A} REPLICAOF NO ONE`]);
    expect(plan.canRun).toBe(true);
  });

  it('promoting a node of a cycle whose histories went apart: what the other holds past the fork is at risk, and no node is named instead', () => {
    const snapshot = snapshotOf([
      replicaState(M, A, { linkStatus: 'down', depth: null, offset: 3538 }),
      replicaState(A, M, { linkStatus: 'down', depth: null, replid: 'b'.repeat(40), replid2: 'a'.repeat(40), secondReplOffset: 2916, offset: 4438 }),
    ]);
    const plan = planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(snapshot), META).plan;
    expect(check(plan, 'REPLICA_BEHIND')?.message).toBe(
      `${M} (10 keys) holds 623 bytes that ${A} lacks: in the cycle it is below ${A}, so once ${A} is a master it takes ${A}'s data in a full sync and loses those writes.`,
    );
    expect(plan.lostBytes).toEqual([{ node: M, bytes: 623, note: `only on it: lost when it takes ${A}'s data` }]);
  });

  it("a switchover's old master that must full-sync counts as its replicas only those left below it, in words that read", () => {
    // C cannot be reached: not re-pointed, it stays under M; B follows A; A is M's new master.
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M), replicaState(C, M, { reachable: false })]);
    // A's backlog starts past M's offset (it was resized, or A restarted): M cannot continue from it.
    const late = { backlog: { active: true, size: 100, firstByteOffset: 10_000_000, histlen: 100 } };
    const facts = factsFor(snapshot, { [A]: late, [M]: { keys: 7 } });
    const plan = planAction({ kind: 'switchover', to: A }, facts, META).plan;
    expect(check(plan, 'FULL_SYNC')?.message).toMatch(
      new RegExp(`^${M} will need a full sync from ${A}: ${M} is \\d+ bytes older than ${A}'s backlog keeps: its offset is \\d+, the backlog starts at 10000000\\. Its 7 keys will be flushed and replaced with ${A}'s data\\. Then its replica ${C} must full-sync too\\.$`),
    );
    const all = factsFor(snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]), { [A]: late });
    expect(check(planAction({ kind: 'switchover', to: A }, all, META).plan, 'FULL_SYNC')?.message).not.toMatch(/must full-sync too/);
  });

  it('switches over a pre-6.2 master with the fenced manual sequence, and refuses FAILOVER there', () => {
    const old = { version: 'redis 6.0.20' };
    const snapshot = snapshotOf([nodeState(M, old), replicaState(A, M, old), replicaState(B, M, old)]);
    const facts = factsFor(snapshot, { [M]: { minReplicas: { toWrite: 0, maxLag: 0 } } });
    const plan = planAction({ kind: 'switchover', to: A }, facts, META).plan;
    expect(plan.steps.map((s) => `${s.node} ${s.command}`)).toEqual([
      `${M} CONFIG SET min-replicas-max-lag 10`,
      `${M} CONFIG SET min-replicas-to-write 2147483647`,
      `${A} INFO replication`,
      `${A} REPLICAOF NO ONE`,
      `${M} REPLICAOF 10.0.0.2 6379`,
      `${M} CONFIG SET min-replicas-to-write 0`,
      `${M} CONFIG SET min-replicas-max-lag 0`,
      `${B} REPLICAOF 10.0.0.2 6379`,
    ]);
    expect(check(plan, 'MANUAL_SWITCHOVER')).toMatchObject({ verdict: 'ok', message: expect.stringContaining('FAILOVER needs 6.2') });
    expect(plan.confirmAddress).toBe(A);
    const forced = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: 'failover' } }, facts, META).plan;
    expect(check(forced, 'MANUAL_SWITCHOVER')).toMatchObject({ verdict: 'refused' });
  });

  it('warns when the switchover target trails by more than the write pause can wait for, and says how far in readable bytes', () => {
    const far = { offset: 1000 - 144_409_652 };
    const snapshot = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { ...far, lag: inSyncLag({ bytesBehindMaster: 144_409_652, secondsBehind: 3 }) })]);
    const plan = planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 5000 } }, factsFor(snapshot), META).plan;
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({
      verdict: 'warning',
      message: expect.stringMatching(/^10\.0\.0\.2:6379 is 138 MiB \(144,409,652 bytes\) behind 10\.0\.0\.1:6379 \(3 s of writes\), .*it may not catch up in that time/),
    });
    // "At least 3 s" (older than all of the master's history held) is past the pause for sure, and says so.
    const bounded = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 900, lag: inSyncLag({ bytesBehindMaster: 100, secondsBehind: 3, secondsBehindIsLowerBound: true }) })]);
    expect(check(planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 5000 } }, factsFor(bounded), META).plan, 'REPLICA_BEHIND')).toMatchObject({
      verdict: 'warning',
      message: expect.stringMatching(/^10\.0\.0\.2:6379 is 100 bytes behind 10\.0\.0\.1:6379 \(at least 3 s of writes\), .*it may not catch up/),
    });
    // "At least 10 ms" just after connecting (a history of one reading): 100 bytes catch up within the pause.
    const young = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 900, lag: inSyncLag({ bytesBehindMaster: 100, secondsBehind: 0.01, secondsBehindIsLowerBound: true }) })]);
    expect(check(planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 5000 } }, factsFor(young), META).plan, 'REPLICA_BEHIND')?.verdict).toBe('ok');
    const near = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 900, lag: inSyncLag({ bytesBehindMaster: 100, secondsBehind: 0 }) })]);
    expect(check(planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 5000 } }, factsFor(near), META).plan, 'REPLICA_BEHIND')).toMatchObject({
      verdict: 'ok',
      message: expect.stringMatching(/^10\.0\.0\.2:6379 is 100 bytes behind: writes wait until it has every byte/),
    });
    // Not in the master's history now (a full sync under way): no green tick on "? bytes".
    const apart = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 1, replid: 'f'.repeat(40) })]);
    expect(check(planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 5000 } }, factsFor(apart), META).plan, 'REPLICA_BEHIND')).toMatchObject({
      verdict: 'warning',
      message: expect.stringMatching(/^how far 10\.0\.0\.2:6379 is behind 10\.0\.0\.1:6379 cannot be told/),
    });
  });

  it('uses the address the master lists for FAILOVER TO (announce-ip), not the one the console dials', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M, { aliases: ['192.168.5.2:7000'] })]);
    snapshot.nodes[0]!.replicas = [{ address: '192.168.5.2:7000', state: 'online', ackOffset: 1000, ackAgeSeconds: 0 }];
    const facts = factsFor(snapshot);
    facts.nodes[M]!.replicas = snapshot.nodes[0]!.replicas;
    const plan = planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 4000, switchoverMethod: 'failover' } }, facts, META).plan;
    expect(plan.steps[0]).toMatchObject({ node: M, command: 'FAILOVER TO 192.168.5.2 7000 TIMEOUT 4000' });
    const paused = planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 4000 } }, facts, META).plan;
    expect(paused.steps.find((s) => s.command.startsWith('FAILOVER'))).toMatchObject({ node: M, command: 'FAILOVER TO 192.168.5.2 7000 FORCE TIMEOUT 1' });
  });

  it('switches over 6.2+ by default with a self-ending write pause, then FAILOVER TO … FORCE TIMEOUT 1', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    const planned = planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 6000 } }, factsFor(snapshot), META);
    expect(planned.plan.steps.map((s) => `${s.node} ${s.command}`)).toEqual([
      `${M} CLIENT PAUSE 6000 WRITE`,
      `${A} INFO replication`,
      `${M} FAILOVER TO 10.0.0.2 6379 FORCE TIMEOUT 1`,
      `${M} CLIENT UNPAUSE`,
      `${B} REPLICAOF 10.0.0.2 6379`,
    ]);
    expect(planned.plan.summary).toContain('FORCE');
    expect(planned.plan.steps[2]).toMatchObject({ destructive: true });
    expect(planned.ops[2]).toMatchObject({ kind: 'failover', force: true, timeoutMs: 1 });
    expect(check(planned.plan, 'MANUAL_SWITCHOVER')).toBeUndefined();
    expect(planned.expected).toEqual(
      expect.arrayContaining([
        { address: A, role: 'master', master: null },
        { address: M, role: 'replica', master: A },
        { address: B, role: 'replica', master: A },
      ]),
    );
    // The same plan asked for by name, and refused where the server lacks CLIENT PAUSE WRITE and FAILOVER.
    const named = planAction({ kind: 'switchover', to: A, options: { stepTimeoutMs: 6000, switchoverMethod: 'paused-failover' } }, factsFor(snapshot), META).plan;
    expect(named.steps.map((s) => s.command)).toEqual(planned.plan.steps.map((s) => s.command));
    const old = { version: 'redis 6.0.20' };
    const older = snapshotOf([nodeState(M, old), replicaState(A, M, old)]);
    const refused = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: 'paused-failover' } }, factsFor(older), META).plan;
    expect(check(refused, 'MANUAL_SWITCHOVER')).toMatchObject({ verdict: 'refused', message: expect.stringContaining('CLIENT PAUSE WRITE and FAILOVER needs Redis 6.2') });
  });

  it('warns that the pause method leaves two masters if the console dies between its two REPLICAOFs', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M)]);
    const plan = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: 'pause' } }, factsFor(snapshot), META).plan;
    expect(check(plan, 'MANUAL_SWITCHOVER')).toMatchObject({
      verdict: 'warning',
      overridable: false,
      message: expect.stringMatching(/console dies between REPLICAOF NO ONE on 10\.0\.0\.2:6379 and REPLICAOF on 10\.0\.0\.1:6379.*two masters/),
    });
    expect(plan.canRun).toBe(true);
  });

  it('reports a master still holding a write fence, and never takes the fence as the value to restore', () => {
    const old = { version: 'redis 6.0.20' };
    const snapshot = snapshotOf([nodeState(M, old), replicaState(A, M, old)]);
    const fenced = factsFor(snapshot, { [M]: { minReplicas: { toWrite: 2147483647, maxLag: 10 } } });
    const plan = planAction({ kind: 'switchover', to: A }, fenced, META).plan;
    expect(plan.canRun).toBe(false);
    const found = plan.checks.filter((c) => c.code === 'FENCED_MASTER');
    expect(found).toEqual([
      expect.objectContaining({
        verdict: 'refused',
        overridable: false,
        nodes: [M],
        message: expect.stringMatching(/min-replicas-to-write 2147483647: a write fence an interrupted plan left.*refuses every write.*CONFIG SET min-replicas-to-write <original>.*INTERRUPTED_PLAN/),
      }),
    ]);
    expect(plan.steps.some((s) => s.command.includes('min-replicas-to-write 2147483647'))).toBe(false);
    // Any absurdly high value is a fence too; a real setting is restored as it was.
    const odd = planAction({ kind: 'switchover', to: A }, factsFor(snapshot, { [M]: { minReplicas: { toWrite: 5_000_000, maxLag: 10 } } }), META).plan;
    expect(check(odd, 'FENCED_MASTER')).toMatchObject({ verdict: 'refused' });
    const real = planAction({ kind: 'switchover', to: A }, factsFor(snapshot, { [M]: { minReplicas: { toWrite: 1, maxLag: 10 } } }), META).plan;
    expect(check(real, 'FENCED_MASTER')).toBeUndefined();
    expect(real.steps.map((s) => s.command)).toContain('CONFIG SET min-replicas-to-write 1');
    // Other plans on a fenced master run, and say so.
    const modern = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    const promote = planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(modern, { [M]: { minReplicas: { toWrite: 2147483647, maxLag: 10 } } }), META).plan;
    expect(check(promote, 'FENCED_MASTER')).toMatchObject({ verdict: 'warning', nodes: [M] });
    const replicaFenced = planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(modern, { [B]: { minReplicas: { toWrite: 2147483647, maxLag: 10 } } }), META).plan;
    expect(check(replicaFenced, 'FENCED_MASTER')).toBeUndefined();
  });

  it('handles auth it cannot see: unknown requirement, unreadable masterauth, a different masterauth, an ACL user', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    const unknown = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(snapshot, { [B]: { requiresAuth: null, authBasis: 'denied' } }), META).plan;
    expect(check(unknown, 'AUTH_UNKNOWN')).toMatchObject({ verdict: 'warning', overridable: false });
    const unreadable = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(snapshot, { [B]: { requiresAuth: true }, [A]: { masterauth: 'unknown' } }), META).plan;
    expect(check(unreadable, 'AUTH_UNKNOWN')?.message).toContain('could not be read');
    const differs = factsFor(snapshot, { [B]: { requiresAuth: true }, [A]: { masterauth: 'different' } }, { console: { user: 'ops', hasPassword: true } });
    expect(check(planAction({ kind: 'replicaof', node: A, master: B }, differs, META).plan, 'MASTERAUTH_DIFFERS')?.verdict).toBe('warning');
    const replaced = planAction({ kind: 'replicaof', node: A, master: B, options: { setMasterauth: true } }, differs, META).plan;
    // The password first: the write pause holds only the move itself.
    expect(replaced.steps.map((s) => s.command)).toEqual(['CONFIG SET masterauth ***', 'CONFIG SET masteruser ops', 'CLIENT PAUSE 2000 WRITE', 'INFO replication', 'REPLICAOF 10.0.0.3 6379', 'CLIENT UNPAUSE']);
    const wrongUser = factsFor(snapshot, { [B]: { requiresAuth: true }, [A]: { masterauth: 'same', masteruser: null } }, { console: { user: 'ops', hasPassword: true } });
    expect(check(planAction({ kind: 'replicaof', node: A, master: B }, wrongUser, META).plan, 'MASTERAUTH_DIFFERS')?.message).toContain(
      "authenticates as the default user, not as the console's user ops",
    );
    const noPassword = factsFor(snapshot, { [B]: { requiresAuth: true }, [A]: { masterauth: 'unset' } }, { console: { user: null, hasPassword: false } });
    expect(check(planAction({ kind: 'replicaof', node: A, master: B, options: { setMasterauth: true } }, noPassword, META).plan, 'MASTERAUTH_MISSING')).toMatchObject({
      verdict: 'refused',
      message: expect.stringContaining(`Set masterauth on ${A} first`),
    });
  });

  it('names the Sentinel group when known, and says how to find it when not', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M)]);
    const named = factsFor(snapshot, {}, { sentinel: { masterName: 'cache', sentinels: ['10.0.0.9:26379'], managedNodes: [M] } });
    const plan = planAction({ kind: 'promote', node: A, repointSiblings: false }, named, META).plan;
    expect(check(plan, 'SENTINEL_MANAGED')?.message).toContain('SENTINEL FAILOVER cache on a Sentinel (10.0.0.9:26379)');
    const anonymous = factsFor(snapshot, {}, { sentinel: { masterName: null, sentinels: [], managedNodes: [M] } });
    expect(check(planAction({ kind: 'promote', node: A, repointSiblings: false }, anonymous, META).plan, 'SENTINEL_MANAGED')?.message).toMatch(
      /SENTINEL MASTERS on a Sentinel lists it.*SENTINEL FAILOVER <name>/,
    );
  });

  it('an emergency failover is ready only over a master that refuses connections: one that answers is running, one cut off may be', () => {
    const linkDown = { linkStatus: 'down' as const };
    const verdictFor = (error: { code: ErrorCode; message: string }) => {
      const snapshot = snapshotOf([nodeState(M, { reachable: false, error, offset: null }), replicaState(A, M, { offset: 900, ...linkDown })]);
      return check(planAction({ kind: 'failover' }, factsFor(snapshot, {}), META).plan, 'MASTER_REACHABLE');
    };
    expect(verdictFor({ code: 'UNREACHABLE', message: `${M}: connection refused (nothing is listening on that port)` })?.verdict).toBe('ok');
    // Restarted and loading: what it loads is older than its replicas' data; failing over keeps it (a warning to fence it, not a refusal).
    expect(verdictFor({ code: 'LOADING', message: `${M} is loading its dataset into memory; try again shortly` })).toMatchObject({
      verdict: 'warning',
      message: expect.stringMatching(/restarted and is loading its dataset .*older than what its replicas hold\. Once loaded .*failing over now keeps their data\. Then keep .* from clients/),
    });
    // A process answers, refusing the console's password or TLS: it is not down, and the title does not say so either.
    for (const code of ['AUTH_FAILED', 'NOPERM', 'TLS'] as const) {
      expect(verdictFor({ code, message: `${M}: refused` })).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringMatching(/is running.*use switchover/) });
      const snapshot = snapshotOf([nodeState(M, { reachable: false, error: { code, message: `${M}: refused` }, offset: null }), replicaState(A, M, { offset: 900, ...linkDown })]);
      expect(planAction({ kind: 'failover' }, factsFor(snapshot, {}), META).plan.summary).toBe(`Emergency failover: ${M} is running; promote ${A} (highest offset)`);
    }
    const live = snapshotOf([nodeState(M), replicaState(A, M, { offset: 900 })]);
    expect(planAction({ kind: 'failover' }, factsFor(live, {}), META).plan.summary).toBe(`Emergency failover: ${M} still answers; promote ${A} (highest offset)`);
    // A reply that is not Redis's is not the master's (Redis never answers so): another program on its port, or a proxy.
    expect(verdictFor({ code: 'NOT_REDIS', message: `${M}: answered, but not with the Redis protocol` })).toMatchObject({
      verdict: 'warning',
      message: expect.stringMatching(/^Something that does not speak Redis answers on .*: the master is not there \(another program took the port\), or a proxy stands in front of it\. Make sure .* stopped/),
    });
    // Cannot tell from here: a name that does not resolve, no route, a connection reset.
    // Just killed, the console's open connection is reset: closed, with the replicas' links down, is down.
    expect(verdictFor({ code: 'UNREACHABLE', message: `${M}: the connection was closed by the other side` })?.verdict).toBe('ok');
    for (const message of [`${M}: the host name could not be resolved`, `${M}: no route to that host`]) {
      expect(verdictFor({ code: 'UNREACHABLE', message })).toMatchObject({ verdict: 'warning', message: expect.stringMatching(/cannot be reached from the console .*Make sure it stays down/) });
    }
  });

  it('never fails over from a replica that is down (a middle node): its master answers, and the nodes below it are re-pointed, not promoted', () => {
    const down = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    // M → A (down) → B: A was read (or remembered) as M's replica.
    const known = snapshotOf([nodeState(M, { replid: 'h-m', offset: 5000 }), replicaState(A, M, down), replicaState(B, A, { depth: 2, replid: 'h-m', offset: 4000, linkStatus: 'down' })]);
    const refused = new RegExp(`^${A.replace(/\./g, '\\.')} is a replica \\(of ${M.replace(/\./g, '\\.')}\\), not a master: promoting a node below it would make a second master beside ${M.replace(/\./g, '\\.')}\\. Re-point ${B.replace(/\./g, '\\.')} to ${M.replace(/\./g, '\\.')} instead`);
    expect(() => planAction({ kind: 'failover' }, factsFor(known), META)).toThrow(refused);
    expect(() => planAction({ kind: 'failover', to: B }, factsFor(known), META)).toThrow(refused);
    // Never read and nothing remembered of A: B carries M's replication ID, so A relayed M's stream.
    const unknown = snapshotOf([nodeState(M, { replid: 'h-m', offset: 5000 }), nodeState(A, { ...down, role: 'unknown' }), replicaState(B, A, { depth: 1, replid: 'h-m', offset: 4000, linkStatus: 'down' })]);
    expect(() => planAction({ kind: 'failover' }, factsFor(unknown), META)).toThrow(refused);
    // The whole chain above B dead (M, then A): nothing alive above A, so nothing is refused for it.
    const bothDead = snapshotOf([nodeState(M, { ...down, replid: null }), replicaState(A, M, down), replicaState(B, A, { depth: 2, replid: 'h-m', offset: 4000, linkStatus: 'down' })]);
    expect(planAction({ kind: 'failover', to: B }, factsFor(bothDead), META).plan.steps[0]).toMatchObject({ node: B, command: 'REPLICAOF NO ONE' });
    // Memory from before a promotion nobody saw: A remembered as M's replica, M now A's replica (a loop), A dead: A is the master down.
    const promotedUnseen = snapshotOf([replicaState(M, A, { linkStatus: 'down', replid: 'h-a', offset: 4000 }), replicaState(A, M, { ...down, role: 'master' })]);
    expect(planAction({ kind: 'failover' }, factsFor(promotedUnseen), META).plan.steps[0]).toMatchObject({ node: M, command: 'REPLICAOF NO ONE' });
    // Another history under A: nothing ties it to M; A is the one master down.
    const apart = snapshotOf([nodeState(M, { replid: 'h-m', offset: 5000 }), nodeState(A, { ...down, role: 'unknown' }), replicaState(B, A, { depth: 1, replid: 'h-a', offset: 4000, linkStatus: 'down' })]);
    expect(planAction({ kind: 'failover' }, factsFor(apart), META).plan.steps[0]).toMatchObject({ node: B, command: 'REPLICAOF NO ONE' });
  });

  it('promote under a master that does not answer: a stalled one (timed out, or its replica still linked) resumes as a master, so two masters are warned of; a dead one is not', () => {
    const promoteOf = (master: Partial<Parameters<typeof nodeState>[1]>, replica: Partial<Parameters<typeof replicaState>[2]> = {}) =>
      planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(snapshotOf([nodeState(M, { reachable: false, offset: null, ...master }), replicaState(A, M, { offset: 900, ...replica })])), META).plan;
    const stalled = promoteOf({ error: { code: 'TIMEOUT', message: `${M} did not answer within 1500 ms` } });
    expect(stalled.checks.find((c) => c.code === 'OLD_MASTER_STAYS')).toMatchObject({ verdict: 'warning', message: expect.stringMatching(new RegExp(`^${M.replace(/\./g, '\\.')} is not known to be down \\(${A.replace(/\./g, '\\.')}'s link to it is still up\\): a stalled or cut-off master resumes as a master`)) });
    const dead = promoteOf({ error: { code: 'UNREACHABLE', message: `${M}: connection refused (nothing is listening on that port)` } }, { linkStatus: 'down' });
    expect(dead.checks.map((c) => c.code)).not.toContain('OLD_MASTER_STAYS');
  });

  it('a middle replica stalled when its master dies is not a second master down: the group is failed over, and the nodes below it are named', () => {
    const dead = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    const stalled = { reachable: false, error: { code: 'TIMEOUT' as const, message: 'did not answer within 1500 ms' }, offset: null };
    const linkDown = { linkStatus: 'down' as const, replid: 'h-m' };
    // M dead; A (SIGSTOPped) remembered as M's replica, with B below it; C reachable. It said "several masters are down (M, A)".
    const snapshot = snapshotOf([nodeState(M, dead), replicaState(A, M, stalled), replicaState(B, A, { depth: 2, offset: 3000, ...linkDown }), replicaState(C, M, { offset: 3000, ...linkDown })]);
    const plan = planAction({ kind: 'failover' }, factsFor(snapshot), META).plan;
    expect(plan.steps[0]).toMatchObject({ node: C, command: 'REPLICAOF NO ONE' });
    // Stalled, not gone: it may hold more than C, so the plan needs an override.
    expect(plan.checks.find((c) => c.code === 'UNREACHABLE_REPLICA')).toMatchObject({
      verdict: 'warning',
      overridable: true,
      message: expect.stringMatching(new RegExp(`^${esc(A)} \\(with ${esc(B)} below it\\) does not answer \\(did not answer within 1500 ms\\) rather than refusing connections: it may be paused .* it may hold more than ${esc(C)}\\.`)),
      nodes: [A, B],
    });
  });

  it('an emergency failover does not call a replica the most advanced while another it cannot read may hold more: stalled or refusing needs an override, known ahead counts the loss, gone is named', () => {
    const dead = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    const linkDown = { linkStatus: 'down' as const, replid: 'h-m' };
    const planWith = (a: Partial<Parameters<typeof replicaState>[2]>, lastKnownOffsets: Record<string, { offset: number; at: number }> = {}) =>
      planAction({ kind: 'failover' }, { ...factsFor(snapshotOf([nodeState(M, dead), replicaState(A, M, { reachable: false, offset: null, ...a }), replicaState(C, M, { offset: 3_904_143, ...linkDown })])), lastKnownOffsets }, META).plan;
    const unreachable = (plan: ActionPlan) => plan.checks.find((c) => c.code === 'UNREACHABLE_REPLICA');

    // SIGSTOPped (timed out): alive, maybe far ahead of C. It said "✓ C has the highest offset" and was ready to run.
    const stalled = planWith({ error: { code: 'TIMEOUT', message: `${A} did not answer within 1500 ms (the process may be stalled)` } });
    expect(stalled.steps[0]).toMatchObject({ node: C, command: 'REPLICAOF NO ONE' });
    expect(unreachable(stalled)).toMatchObject({ verdict: 'warning', overridable: true, message: expect.stringContaining(`it may hold more than ${C}`) });
    expect(check(stalled, 'REPLICA_BEHIND')?.message).toBe(`${C} has the highest offset (3904143) of the 1 known replica of ${M} reachable now; one more cannot be read (UNREACHABLE_REPLICA)`);

    // Refusing the console: alive, unread.
    const refusing = planWith({ error: { code: 'AUTH_FAILED', message: `${A}: WRONGPASS invalid username-password pair` } });
    expect(unreachable(refusing)).toMatchObject({ verdict: 'warning', overridable: true, message: expect.stringContaining(`may hold more than ${C}`) });

    // Read before it went away, ahead of C: the loss is counted.
    const ahead = planWith({ error: { code: 'TIMEOUT', message: 'timed out' } }, { [A]: { offset: 52_250_023, at: Date.UTC(2026, 11, 7, 16) } });
    expect(unreachable(ahead)).toMatchObject({
      verdict: 'warning',
      overridable: true,
      message: expect.stringMatching(new RegExp(`^${esc(A)} cannot be read now \\(timed out\\), but the console last read it at offset 52,250,023 \\(2026-12-07T16:00:00.000Z\\), 46\\.1 MiB \\(48,345,880 bytes\\) past ${esc(C)}: promoting ${esc(C)} loses at least those writes`)),
    });
    expect(ahead.lostBytes).toContainEqual({ node: A, bytes: 48_345_880, note: expect.stringContaining('when the console last read it') });

    // Connection refused: the process is gone; named, no override.
    const gone = planWith({ error: dead.error });
    expect(unreachable(gone)).toMatchObject({ verdict: 'warning', overridable: false, message: `${A} cannot be reached and is not re-pointed: it still follows ${M} when it comes back. Re-point it to ${C} then (replicaof --node ${A} --master ${C})` });
  });

  it('an emergency failover says what a node below a replica holds beyond the one promoted (it resyncs in full from it)', () => {
    const down = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    const linkDown = { linkStatus: 'down' as const, replid: 'h-m' };
    // A restarted from an old save (offset 3227); B below it kept everything it had (19,617).
    const snapshot = snapshotOf([nodeState(M, down), replicaState(A, M, { offset: 3227, ...linkDown }), replicaState(B, A, { depth: 2, offset: 19_617, ...linkDown }), replicaState(C, M, { offset: 3227, ...linkDown })]);
    const plan = planAction({ kind: 'failover' }, factsFor(snapshot), META).plan;
    const chosen = plan.steps[0]?.node;
    expect([A, C]).toContain(chosen);
    expect(plan.checks.filter((c) => c.code === 'REPLICA_BEHIND' && c.verdict === 'warning').map((c) => c.message)).toContainEqual(
      `${B}, below ${A}, holds 16.0 KiB (16,390 bytes) more than ${chosen}: promoting ${chosen} makes it resync in full and lose those writes. Copy what you need from ${B} first, or bring ${M} back`,
    );
    expect(plan.lostBytes).toContainEqual({ node: B, bytes: 16_390, note: expect.stringContaining(`beyond ${chosen}: lost when it resyncs from it`) });
    // Below a replica that holds as much (here C, ahead of the chosen A): counted once, as A's lag behind C, not again for the node below C.
    const D = '10.0.0.5:6379';
    const even = snapshotOf([nodeState(M, down), replicaState(A, M, { offset: 3000, ...linkDown }), replicaState(C, M, { offset: 5000, ...linkDown }), replicaState(D, C, { depth: 2, offset: 5000, ...linkDown })]);
    const toA = planAction({ kind: 'failover', to: A }, factsFor(even), META).plan;
    expect(toA.lostBytes).toEqual([{ node: A, bytes: 2000, note: expect.stringContaining(`behind ${C}`) }]);
  });

  it('proposes the highest offset for an emergency failover, skipping replica-priority 0, with what is known lost', () => {
    const down = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    const linkDown = { linkStatus: 'down' as const };
    const snapshot = snapshotOf([nodeState(M, down), replicaState(A, M, { offset: 900, ...linkDown }), replicaState(B, M, { offset: 990, priority: 0, ...linkDown }), replicaState(C, M, { offset: 950, ...linkDown })]);
    const facts = factsFor(snapshot, {}, { lastKnownOffsets: { [M]: { offset: 1000, at: 0 } } });
    const plan = planAction({ kind: 'failover' }, facts, META).plan;
    expect(check(plan, 'MASTER_REACHABLE')).toMatchObject({ verdict: 'ok', message: `${M} is down (connection refused), and its replicas' links to it are down too` });
    expect(plan.steps[0]).toMatchObject({ node: C, command: 'REPLICAOF NO ONE' });
    expect(plan.confirmAddress).toBe(C);
    expect(plan.lostBytes).toEqual(
      expect.arrayContaining([
        { node: C, bytes: 50, note: expect.stringContaining(`at least this much behind ${M}'s last offset`) },
        { node: A, bytes: 50, note: expect.stringContaining('instead would lose') },
      ]),
    );
    // B (priority 0) is ahead of C: it needs a full sync from C, and the plan says why.
    expect(plan.predictions.find((p) => p.node === B)).toMatchObject({ expected: 'full', why: expect.stringContaining('AHEAD') });
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'warning', overridable: true });
  });

  it('refuses to promote, in an emergency failover, a replica that holds none of the data (a sync under way, no keys at offset 0 or 1), and ranks it last', () => {
    const down = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    const empty = snapshotOf([nodeState(M, down), replicaState(A, M, { offset: 1, linkStatus: 'down' })]);
    const emptyFacts = factsFor(empty);
    emptyFacts.nodes[A]!.keys = 0;
    const plan = planAction({ kind: 'failover' }, emptyFacts, META).plan;
    expect(check(plan, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringMatching(/^10\.0\.0\.2:6379 holds no keys at offset 1: it has none of 10\.0\.0\.1:6379's data/) });
    // With keys at that offset, it is a replica of an idle master: promoted as usual.
    expect(check(planAction({ kind: 'failover' }, factsFor(empty), META).plan, 'REPLICA_BEHIND')?.verdict).toBe('ok');
    expect(plan.needsOverride).toContain('REPLICA_BEHIND');
    // Beside a replica with data, it is not the one proposed.
    const two = snapshotOf([nodeState(M, down), replicaState(A, M, { offset: 1, linkStatus: 'down' }), replicaState(B, M, { offset: 0, linkStatus: 'down', priority: 50 })]);
    const facts = factsFor(two);
    facts.nodes[B]!.offset = 500;
    facts.nodes[A]!.syncInProgress = true;
    facts.nodes[A]!.offset = 900;
    expect(planAction({ kind: 'failover' }, facts, META).plan.steps[0]).toMatchObject({ node: B, command: 'REPLICAOF NO ONE' });
  });

  it('refuses, overridably, to promote or switch over to a replica that holds none of the data, naming the nodes re-pointed to it, which it empties too', () => {
    const snapshot = snapshotOf([nodeState(M, { offset: 5000 }), replicaState(A, M, { offset: 1, linkStatus: 'down', replid: 'fresh' }), replicaState(B, M)]);
    const empty = factsFor(snapshot, { [A]: { keys: 0, syncInProgress: false }, [M]: { keys: 2000 } });
    const promote = planAction({ kind: 'promote', node: A, repointSiblings: true }, empty, META).plan;
    expect(promote.checks.filter((c) => c.code === 'REPLICA_BEHIND')).toEqual([
      expect.objectContaining({
        verdict: 'refused',
        overridable: true,
        message: expect.stringMatching(new RegExp(`^${A} holds no keys at offset 1: it has none of ${M}'s data \\(2,000 keys there\\), and promoting it loses all of it\\. ${B}, re-pointed to it, is emptied too: a full sync from it replaces its data with its empty dataset\\. Wait until its sync`)),
      }),
    ]);
    expect(promote.needsOverride).toContain('REPLICA_BEHIND');
    expect(promote.canRun).toBe(true);
    // Without re-pointing, only itself; a full sync under way says so.
    const syncing = factsFor(snapshot, { [A]: { syncInProgress: true, keys: 500 } });
    const alone = planAction({ kind: 'promote', node: A, repointSiblings: false }, syncing, META).plan;
    expect(check(alone, 'REPLICA_BEHIND')?.message).toMatch(new RegExp(`^${A} is in the middle of a full sync: it has none of ${M}'s data \\(10 keys there\\), and promoting it loses all of it\\. Wait`));
    // A switchover to it: the old master and every sibling follow it.
    const switchover = planAction({ kind: 'switchover', to: A }, factsFor(snapshot, { [A]: { syncInProgress: true } }), META).plan;
    expect(check(switchover, 'REPLICA_BEHIND')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: expect.stringContaining(`${M}, ${B}, re-pointed to it, are emptied too`),
    });
    // A master with no keys either (a lab just started): nothing to lose.
    const bare = factsFor(snapshot, { [A]: { keys: 0 }, [M]: { keys: 0 } });
    expect(planAction({ kind: 'promote', node: A, repointSiblings: true }, bare, META).plan.checks.filter((c) => c.code === 'REPLICA_BEHIND' && c.verdict === 'refused')).toEqual([]);
    // In one history, the bytes it lacks say it (cut off before the master's first writes).
    const sameHistory = snapshotOf([nodeState(M, { offset: 5000 }), replicaState(A, M, { offset: 1, linkStatus: 'down' }), replicaState(B, M)]);
    const cut = planAction({ kind: 'promote', node: A, repointSiblings: true }, factsFor(sameHistory, { [A]: { keys: 0 } }), META).plan;
    expect(check(cut, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'warning', overridable: true, message: expect.stringContaining(`${A} is 4.9 KiB (4,999 bytes) behind its master ${M}`) });
  });

  it('refuses, not overridably, a plan that sends REPLICAOF or FAILOVER to a node loading its dataset (Redis answers LOADING)', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M, { linkStatus: 'down', offset: 1 }), replicaState(B, M)]);
    const loading = { loading: { percent: 35.26, etaSeconds: 5 }, syncInProgress: true };
    const promote = planAction({ kind: 'promote', node: A, repointSiblings: true }, factsFor(snapshot, { [A]: loading }), META).plan;
    expect(promote.checks.find((c) => c.code === 'LOADING')).toEqual({
      code: 'LOADING',
      verdict: 'refused',
      overridable: false,
      nodes: [A],
      message: `${A} is loading the snapshot of a full sync (35.26% loaded, about 5 s left): Redis answers REPLICAOF with LOADING until it has loaded, so the plan would stop at that step. Plan again once it has loaded (INFO persistence loading:0)`,
    });
    expect(promote.canRun).toBe(false);
    // A sibling re-pointed while it loads its own save after a restart: the plan would stop half-way.
    const sibling = planAction({ kind: 'promote', node: A, repointSiblings: true }, factsFor(snapshot, { [B]: { loading: { percent: null, etaSeconds: null } } }), META).plan;
    expect(sibling.checks.filter((c) => c.code === 'LOADING')).toEqual([expect.objectContaining({ nodes: [B], message: expect.stringMatching(new RegExp(`^${B} is loading its dataset from disk: Redis answers REPLICAOF`)) })]);
    // An emergency failover proposes a replica that is not loading.
    const down = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    const dead = snapshotOf([nodeState(M, down), replicaState(A, M, { offset: 900, linkStatus: 'down' }), replicaState(B, M, { offset: 800, linkStatus: 'down' })]);
    const failover = planAction({ kind: 'failover' }, factsFor(dead, { [A]: { loading: { percent: 50, etaSeconds: 2 } } }), META).plan;
    expect(failover.steps[0]).toMatchObject({ node: B, command: 'REPLICAOF NO ONE' });
  });

  it('refuses a fence switchover whose old master\'s min-replicas settings cannot be read, and keeps the fence as it was when they can', () => {
    const old = { version: 'redis 6.0.20' };
    const snapshot = snapshotOf([nodeState(M, old), replicaState(A, M, old)]);
    const unread = planAction({ kind: 'switchover', to: A }, factsFor(snapshot, { [M]: { minReplicas: null } }), META).plan;
    expect(unread.canRun).toBe(false);
    expect(unread.checks.filter((c) => c.verdict !== 'ok')).toEqual([
      expect.objectContaining({
        code: 'MANUAL_SWITCHOVER',
        verdict: 'refused',
        overridable: false,
        nodes: [M],
        message: expect.stringMatching(new RegExp(`^the fence method needs ${M}'s min-replicas-to-write and min-replicas-max-lag, and they cannot be read there \\(CONFIG GET refused .*\\+config\\|get\\).* Allow \\+config\\|get on ${M}, or switch over with --method paused-failover, failover or pause \\(Redis 6\\.2\\+\\), which do not need them$`)),
      }),
    ]);
    // Asked for on 6.2+ too; the other methods there do not read them.
    const modern = snapshotOf([nodeState(M), replicaState(A, M)]);
    const asked = (method: 'fence' | 'pause' | 'paused-failover') => planAction({ kind: 'switchover', to: A, options: { switchoverMethod: method } }, factsFor(modern, { [M]: { minReplicas: null } }), META).plan;
    expect(asked('fence').canRun).toBe(false);
    expect(asked('pause').canRun).toBe(true);
    expect(asked('paused-failover').canRun).toBe(true);
    // Read: min-replicas-to-write 1 with max-lag 0 is made to hold, then both are put back.
    const read = planAction({ kind: 'switchover', to: A }, factsFor(snapshot, { [M]: { minReplicas: { toWrite: 1, maxLag: 0 } } }), META).plan;
    expect(read.steps.filter((s) => s.node === M && s.command.startsWith('CONFIG SET')).map((s) => s.command)).toEqual([
      'CONFIG SET min-replicas-max-lag 10',
      'CONFIG SET min-replicas-to-write 2147483647',
      'CONFIG SET min-replicas-to-write 1',
      'CONFIG SET min-replicas-max-lag 0',
    ]);
  });

  it('moves a replica under a sibling or cousin with the root\'s writes held for the moment, never one moving upwards', () => {
    // M ← A, M ← B ← C: A and C both take M's live stream.
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M), replicaState(C, B, { depth: 2 })]);
    const commands = (plan: ActionPlan): string[] => plan.steps.map((s) => `${s.node} ${s.command}`);
    for (const [node, master] of [
      [A, B],
      [A, C],
      [C, A],
    ] as const) {
      const planned = planAction({ kind: 'replicaof', node, master, options: { stepTimeoutMs: 30_000 } }, factsFor(snapshot), META);
      const [host, port] = master.split(':');
      expect(commands(planned.plan), `${node} → ${master}`).toEqual([`${M} CLIENT PAUSE 2000 WRITE`, `${master} INFO replication`, `${node} REPLICAOF ${host} ${port}`, `${M} CLIENT UNPAUSE`]);
      expect(planned.ops[1]).toEqual({ kind: 'wait-caught-up', node: master, master: M });
      // The root is one of the plan's nodes: claimed against other consoles, shown in a cut-off report.
      expect(planned.plan.nodes).toContain(M);
      expect(check(planned.plan, 'RESYNC_RACE')).toMatchObject({ verdict: 'ok', message: expect.stringContaining(`writes on ${M} wait (CLIENT PAUSE WRITE)`) });
      expect(planned.plan.summary).toContain(`writes on ${M} held for the moment of the move`);
      expect(planned.plan.predictions[0]?.expected).toBe('partial');
      expect(planned.plan.confirmAddress).toBeNull();
    }
    // A shorter step timeout shortens the pause.
    expect(planAction({ kind: 'replicaof', node: A, master: B, options: { stepTimeoutMs: 1500 } }, factsFor(snapshot), META).plan.steps[0]?.command).toBe('CLIENT PAUSE 1500 WRITE');
    // Upwards (to the master, to a grandparent) the new master is ahead by construction: no pause.
    const upwards = planAction({ kind: 'replicaof', node: C, master: M }, factsFor(snapshot), META).plan;
    expect(commands(upwards)).toEqual([`${C} REPLICAOF 10.0.0.1 6379`]);
    expect(check(upwards, 'RESYNC_RACE')).toBeUndefined();
    const deeper = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, A, { depth: 2 }), replicaState(C, B, { depth: 3 })]);
    expect(commands(planAction({ kind: 'replicaof', node: C, master: A }, factsFor(deeper), META).plan)).toEqual([`${C} REPLICAOF 10.0.0.2 6379`]);
  });

  it('warns ahead when the new master trails the root by more than the pause leaves it to catch up', () => {
    const lag = (secondsBehindRoot: number) => ({
      bytesBehindMaster: 0,
      bytesBehindRoot: 0,
      secondsBehindRoot,
      secondsBehindRootIsLowerBound: false,
      behindBecauseOf: null,
      unappliedBytes: 0,
      secondsBehind: secondsBehindRoot,
      secondsBehindIsLowerBound: false,
      lastAckSecondsAgo: 0,
      lastMasterIoSecondsAgo: 0,
      inCycle: false,
      basis: 'offsets' as const,
    });
    const slow = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M, { lag: lag(3) })]);
    const plan = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(slow), META).plan;
    // Still held (the pause is what keeps it partial), but the operator is told it may stop for nothing.
    expect(plan.steps.map((s) => s.command)).toEqual(['CLIENT PAUSE 2000 WRITE', 'INFO replication', 'REPLICAOF 10.0.0.3 6379', 'CLIENT UNPAUSE']);
    expect(check(plan, 'RESYNC_RACE')).toMatchObject({
      verdict: 'warning',
      overridable: false,
      message: expect.stringContaining(`${B} is 3 s behind ${M}, and it has 1000 ms to catch up once writes wait`),
    });
    expect(plan.canRun).toBe(true);
    const keepsUp = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M, { lag: lag(0) })]);
    expect(check(planAction({ kind: 'replicaof', node: A, master: B }, factsFor(keepsUp), META).plan, 'RESYNC_RACE')?.verdict).toBe('ok');
    // "At least 2 s" behind the root (older than its history held): past the wait for sure, and said so.
    const bounded = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M, { lag: { ...lag(2), secondsBehindRootIsLowerBound: true } })]);
    expect(check(planAction({ kind: 'replicaof', node: A, master: B }, factsFor(bounded), META).plan, 'RESYNC_RACE')).toMatchObject({
      verdict: 'warning',
      message: expect.stringContaining(`${B} is at least 2 s behind ${M}, and it has 1000 ms to catch up once writes wait`),
    });
  });

  it('warns of the race instead where the pause is declined, cannot be had before 6.2, or nothing flows', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    const declined = planAction({ kind: 'replicaof', node: A, master: B, options: { skipWritePause: true } }, factsFor(snapshot), META).plan;
    expect(declined.steps.map((s) => s.command)).toEqual(['REPLICAOF 10.0.0.3 6379']);
    expect(check(declined, 'RESYNC_RACE')).toMatchObject({ verdict: 'warning', overridable: false, message: expect.stringContaining('no write pause was asked for') });
    expect(declined.canRun).toBe(true);
    const old = snapshotOf([nodeState(M, { version: 'redis 6.0.20' }), replicaState(A, M), replicaState(B, M)]);
    const oldPlan = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(old), META).plan;
    expect(oldPlan.steps.map((s) => s.command)).toEqual(['REPLICAOF 10.0.0.3 6379']);
    expect(check(oldPlan, 'RESYNC_RACE')?.message).toContain(`CLIENT PAUSE WRITE needs Redis 6.2 on ${M} (it runs redis 6.0.20)`);
    // A root the console cannot read while the links from it say up (cut off from the console, or
    // stalled) may still take writes: the race stays, and its pause cannot be had.
    const cutOff = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(snapshot, { [M]: { reachable: false, error: 'connect ETIMEDOUT' } }), META).plan;
    expect(cutOff.steps.map((s) => s.command)).toEqual(['REPLICAOF 10.0.0.3 6379']);
    expect(check(cutOff, 'RESYNC_RACE')).toMatchObject({ verdict: 'warning', message: expect.stringContaining(`${M} does not answer the console now (connect ETIMEDOUT), so its writes cannot be held`) });
    // A stream that stands still has no race: the new master's link is down, the root is down, or it is another history.
    const still = [
      factsFor(snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M, { linkStatus: 'down' })])),
      factsFor(snapshotOf([nodeState(M), replicaState(A, M, { linkStatus: 'down' }), replicaState(B, M, { linkStatus: 'down' })]), { [M]: { reachable: false } }),
      factsFor(snapshot, { [A]: { replid: 'other', keys: 0 } }),
      factsFor(snapshotOf([nodeState(M), replicaState(A, M), replicaState(C, M), replicaState(B, C, { depth: 2 })]), { [C]: { linkStatus: 'down' } }),
    ];
    for (const [i, facts] of still.entries()) {
      const plan = planAction({ kind: 'replicaof', node: A, master: B }, facts, META).plan;
      expect(plan.steps.map((s) => s.command), `case ${i}`).toEqual(['REPLICAOF 10.0.0.3 6379']);
      expect(check(plan, 'RESYNC_RACE'), `case ${i}`).toBeUndefined();
    }
  });

  it('asks for no confirmation when nothing is destructive, and for the node address when something is', () => {
    const snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    expect(planAction({ kind: 'replicaof', node: A, master: B }, factsFor(snapshot), META).plan.confirmAddress).toBeNull();
    const empty = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(snapshot, { [A]: { replid: 'other', keys: 0 } }), META).plan;
    expect(empty.predictions[0]?.expected).toBe('full');
    expect(empty.confirmAddress).toBeNull();
    const full = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(snapshot, { [A]: { replid: 'other', keys: 5 } }), META).plan;
    expect(full.confirmAddress).toBe(A);
    expect(check(full, 'FULL_SYNC')?.message).toContain('Its 5 keys will be flushed');
  });
});

describe('plan titles', () => {
  it('count the replicas the plan re-points, not one it cannot reach (a check says that one stays)', () => {
    const down = snapshotOf([
      nodeState(M, { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } }),
      replicaState(A, M, { linkStatus: 'down', offset: 100 }),
      replicaState(B, M, { linkStatus: 'down', offset: 90 }),
      replicaState(C, M, { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } }),
    ]);
    expect(planAction({ kind: 'failover' }, factsFor(down), META).plan.summary).toBe(`Emergency failover: ${M} is down; promote ${A} (highest offset) and re-point 1 other replica`);
    const up = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M), replicaState(C, M, { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } })]);
    expect(planAction({ kind: 'promote', node: A, repointSiblings: true }, factsFor(up), META).plan.summary).toBe(`Promote ${A} to master and re-point 1 former sibling to it`);
    expect(planAction({ kind: 'switchover', to: A }, factsFor(up), META).plan.summary).toMatch(/, then re-point 1 replica$/);
  });
});
