// The port a plan gives a replica for its new master, in groups whose servers have a plain port
// and a tls-port: the one the replica's tls-replication dials, whatever port the topology has
// for the master (TLS_REPLICATION). Servers of 6379 (plain) and 6380 (TLS) on each host.
import { describe, expect, it } from 'vitest';
import type { NodeFacts } from '../../electron/engine/actions/facts';
import type { ExecutionReport } from '../../electron/engine/actions/executor';
import { nextSteps } from '../../electron/engine/actions/next-steps';
import { planAction } from '../../electron/engine/actions/planner';
import type { ActionPlan, StepResult } from '../../electron/shared/actions';
import { META, factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';
const A_TLS = '10.0.0.2:6380';

/** Both ports, replicating over TLS or not. */
function both(tlsReplication: boolean | null): Partial<NodeFacts> {
  return { plainPort: 6379, tlsPort: 6380, tlsReplication };
}

function replicaofs(plan: ActionPlan): string[] {
  return plan.steps.filter((s) => s.command.startsWith('REPLICAOF') || s.command.startsWith('FAILOVER')).map((s) => `${s.node} ${s.command}`);
}

function tlsChecks(plan: ActionPlan): ActionPlan['checks'] {
  return plan.checks.filter((c) => c.code === 'TLS_REPLICATION');
}

describe('the port a replica is sent for its new master', () => {
  // M's replicas replicate in the clear and are listed by their plain ports; M itself has
  // tls-replication yes (it does not matter while it is a master).
  const group = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);

  it('a switchover to a node listed at its plain port: the old master with tls-replication yes is sent its TLS port, the plain sibling its plain one', () => {
    const facts = factsFor(group, { [M]: both(true), [A]: both(false), [B]: both(false) });
    for (const method of ['pause', 'fence'] as const) {
      const plan = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: method } }, facts, META).plan;
      expect(plan.canRun).toBe(true);
      expect(replicaofs(plan)).toEqual([`${A} REPLICAOF NO ONE`, `${M} REPLICAOF 10.0.0.2 6380`, `${B} REPLICAOF 10.0.0.2 6379`]);
      expect(plan.steps.find((s) => s.node === M && s.command === 'REPLICAOF 10.0.0.2 6380')?.verify).toMatch(/^10\.0\.0\.1:6379 reports role replica of 10\.0\.0\.2:6380, link up/);
      expect(tlsChecks(plan)).toEqual([
        {
          code: 'TLS_REPLICATION',
          verdict: 'ok',
          overridable: false,
          nodes: [M, A],
          message: `${M} has tls-replication yes, so it dials its master over TLS: it is sent ${A_TLS}, ${A}'s TLS port (${A} is ${A}'s plain port, where its link would stay down)`,
        },
      ]);
    }
  });

  it('FAILOVER TO cannot hand over when the old master cannot dial the target as listed: auto takes the manual sequence, FAILOVER asked for is refused', () => {
    const facts = factsFor(group, { [M]: both(true), [A]: both(false), [B]: both(false) });
    // The hand-over waits for the old master to reach the target at the listed address (PSYNC … FAILOVER): at its plain port, never.
    const auto = planAction({ kind: 'switchover', to: A }, facts, META).plan;
    expect(auto.canRun).toBe(true);
    expect(auto.steps.map((s) => `${s.node} ${s.command}`)).toEqual([
      `${M} CLIENT PAUSE 10000 WRITE`,
      `${A} INFO replication`,
      `${A} REPLICAOF NO ONE`,
      `${M} REPLICAOF 10.0.0.2 6380`,
      `${M} CLIENT UNPAUSE`,
      `${B} REPLICAOF 10.0.0.2 6379`,
    ]);
    expect(auto.checks.find((c) => c.code === 'MANUAL_SWITCHOVER')?.message).toMatch(
      /^FAILOVER cannot hand over to 10\.0\.0\.2:6379 here \(10\.0\.0\.1:6379 cannot dial it at 10\.0\.0\.2:6379, see TLS_REPLICATION\), so: manual sequence: .*\(two masters\)$/,
    );
    for (const method of ['paused-failover', 'failover'] as const) {
      const asked = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: method } }, facts, META).plan;
      expect(asked.canRun).toBe(false);
      expect(tlsChecks(asked)).toEqual([
        {
          code: 'TLS_REPLICATION',
          verdict: 'refused',
          overridable: false,
          nodes: [M, A],
          message:
            `${M} has tls-replication yes, so it dials its master over TLS, but FAILOVER TO names ${A} as ${M} lists it, ${A}, its plain port: the hand-over waits until ${M}, ` +
            `made its replica at that address, reaches it there, which it never does, and writes stay held meanwhile. ` +
            `Switch over with --method pause or fence, which send ${M} REPLICAOF 10.0.0.2 6380, ${A}'s TLS port, or set tls-replication no on ${M} first`,
        },
      ]);
    }
    // Where the transports agree, the default paused FAILOVER as ever.
    const agreed = planAction({ kind: 'switchover', to: A }, factsFor(group, { [M]: both(false), [A]: both(false), [B]: both(true) }), META).plan;
    expect(replicaofs(agreed)).toEqual([`${M} FAILOVER TO 10.0.0.2 6379 FORCE TIMEOUT 1`, `${B} REPLICAOF 10.0.0.2 6380`]);
  });

  it('the other way: a new master listed at its TLS port, a sibling with tls-replication no is sent its plain port', () => {
    const tlsGroup = snapshotOf([nodeState(M), replicaState(A_TLS, M), replicaState(B, M)]);
    const facts = factsFor(tlsGroup, { [M]: both(true), [A_TLS]: both(true), [B]: both(false) });
    const plan = planAction({ kind: 'switchover', to: A_TLS }, facts, META).plan;
    expect(plan.canRun).toBe(true);
    expect(replicaofs(plan)).toEqual([`${M} FAILOVER TO 10.0.0.2 6380 FORCE TIMEOUT 1`, `${B} REPLICAOF 10.0.0.2 6379`]);
    expect(tlsChecks(plan)).toMatchObject([{ verdict: 'ok', nodes: [B, A_TLS], message: expect.stringMatching(/^10\.0\.0\.3:6379 has tls-replication no, so it dials its master in the clear: it is sent 10\.0\.0\.2:6379, /) }]);
  });

  it('an emergency failover and a promote re-point each replica to the port of its transport', () => {
    const down = { reachable: false, error: { code: 'UNREACHABLE' as const, message: 'connection refused' }, offset: null };
    const dead = snapshotOf([nodeState(M, down), replicaState(A, M, { linkStatus: 'down' }), replicaState(B, M, { linkStatus: 'down', offset: 900 })]);
    const failover = planAction({ kind: 'failover', to: A }, factsFor(dead, { [A]: both(false), [B]: both(true) }), META).plan;
    expect(replicaofs(failover)).toEqual([`${A} REPLICAOF NO ONE`, `${B} REPLICAOF 10.0.0.2 6380`]);
    const promote = planAction({ kind: 'promote', node: A, repointSiblings: true }, factsFor(group, { [M]: both(false), [A]: both(false), [B]: both(true) }), META).plan;
    expect(replicaofs(promote)).toContain(`${B} REPLICAOF 10.0.0.2 6380`);
  });

  it('refused when the new master has no port the replica can dial: TLS wanted and no tls-port, or in the clear and TLS only', () => {
    const noTls = planAction({ kind: 'replicaof', node: B, master: A }, factsFor(group, { [A]: { plainPort: 6379, tlsPort: 0, tlsReplication: false }, [B]: both(true) }), META).plan;
    expect(noTls.canRun).toBe(false);
    expect(tlsChecks(noTls)).toEqual([
      {
        code: 'TLS_REPLICATION',
        verdict: 'refused',
        overridable: false,
        nodes: [B, A],
        message:
          `${B} has tls-replication yes, so it dials its master over TLS, but ${A} has no TLS port (tls-port 0: ${A} is ${A}'s plain port, its only one): ${B}'s link would stay down. ` +
          `Give ${A} a tls-port, or set tls-replication no on ${B}, and plan again`,
      },
    ]);
    const tlsOnly = snapshotOf([nodeState(M), replicaState(A_TLS, M), replicaState(B, M)]);
    const plain = planAction({ kind: 'replicaof', node: B, master: A_TLS }, factsFor(tlsOnly, { [A_TLS]: { plainPort: 0, tlsPort: 6380, tlsReplication: true }, [B]: both(false) }), META).plan;
    expect(plain.canRun).toBe(false);
    expect(tlsChecks(plain)).toMatchObject([
      { verdict: 'refused', message: expect.stringContaining(`but ${A_TLS} has no plain port (port 0: ${A_TLS} is ${A_TLS}'s TLS port, its only one): ${B}'s link would stay down. Set tls-replication yes on ${B}, or give ${A_TLS} a plain port`) },
    ]);
  });

  it('a group with no tls-port anywhere plans as it always did: the same steps and checks, no TLS_REPLICATION', () => {
    const unknown = { plainPort: null, tlsPort: null, tlsReplication: null };
    for (const request of [{ kind: 'switchover', to: A }, { kind: 'switchover', to: A, options: { switchoverMethod: 'pause' } }, { kind: 'replicaof', node: B, master: A }] as const) {
      const plain = planAction(request, factsFor(group), META);
      const unread = planAction(request, factsFor(group, { [M]: unknown, [A]: unknown, [B]: unknown }), META);
      expect(tlsChecks(plain.plan)).toEqual([]);
      expect(plain.plan.steps).toEqual(unread.plan.steps);
      expect(plain.plan.checks).toEqual(unread.plan.checks);
      expect(plain.ops).toEqual(unread.ops);
    }
  });

  it('unknown facts keep the address as found: tls-replication or the ports unread, or a port that is not one of the master\'s own (NAT)', () => {
    const found = [`${B} REPLICAOF 10.0.0.2 6379`];
    const unreadSetting = planAction({ kind: 'replicaof', node: B, master: A }, factsFor(group, { [A]: both(false), [B]: both(null) }), META).plan;
    expect([replicaofs(unreadSetting), tlsChecks(unreadSetting)]).toEqual([found, []]);
    const unreadPorts = planAction({ kind: 'replicaof', node: B, master: A }, factsFor(group, { [A]: { plainPort: null, tlsPort: null, tlsReplication: false }, [B]: both(true) }), META).plan;
    expect([replicaofs(unreadPorts), tlsChecks(unreadPorts)]).toEqual([found, []]);
    const natted = planAction({ kind: 'replicaof', node: B, master: A }, factsFor(group, { [A]: { plainPort: 7000, tlsPort: 7001, tlsReplication: false }, [B]: both(true) }), META).plan;
    expect([replicaofs(natted), tlsChecks(natted)]).toEqual([found, []]);
    // Its plain port known and the TLS one unread: which to send cannot be told, and the known mismatch needs an override.
    const noTlsPort = planAction({ kind: 'replicaof', node: B, master: A }, factsFor(group, { [A]: { plainPort: 6379, tlsPort: null, tlsReplication: false }, [B]: both(true) }), META).plan;
    expect(replicaofs(noTlsPort)).toEqual(found);
    expect(tlsChecks(noTlsPort)).toMatchObject([{ verdict: 'warning', overridable: true, message: expect.stringContaining('its TLS port could not be read (CONFIG GET tls-port refused)') }]);
    expect(noTlsPort.needsOverride).toContain('TLS_REPLICATION');
  });

  it('an address the user names is sent as named, and refused when it is the master\'s port of the wrong transport', () => {
    const facts = factsFor(group, { [A]: both(false), [B]: both(true) });
    const wrong = planAction({ kind: 'replicaof', node: B, master: A, options: { masterAddress: A } }, facts, META).plan;
    expect(wrong.canRun).toBe(false);
    expect(tlsChecks(wrong)).toEqual([
      {
        code: 'TLS_REPLICATION',
        verdict: 'refused',
        overridable: false,
        nodes: [B, A],
        message:
          `${B} has tls-replication yes, so it dials its master over TLS, but ${A} is ${A}'s plain port (the address given for replicas to dial): ${B}'s link would stay down there. ` +
          `Give ${A_TLS}, ${A}'s TLS port, or leave the address out and the console picks it`,
      },
    ]);
    const right = planAction({ kind: 'replicaof', node: B, master: A, options: { masterAddress: A_TLS } }, facts, META).plan;
    expect([right.canRun, replicaofs(right), tlsChecks(right)]).toEqual([true, [`${B} REPLICAOF 10.0.0.2 6380`], []]);
    const natted = planAction({ kind: 'replicaof', node: B, master: A, options: { masterAddress: '192.0.2.7:16380' } }, facts, META).plan;
    expect([natted.canRun, replicaofs(natted), tlsChecks(natted)]).toEqual([true, [`${B} REPLICAOF 192.0.2.7 16380`], []]);
  });

  it('a plan stopped before the old master followed: the advice to finish gives the port the plan chose for it', () => {
    const planned = planAction({ kind: 'switchover', to: A }, factsFor(group, { [M]: both(true), [A]: both(false), [B]: both(false) }), META);
    const index = planned.plan.steps.findIndex((s) => s.node === M && s.command.startsWith('REPLICAOF'));
    const steps = planned.plan.steps.map((s, i) => ({ ...s, status: (i < index ? 'ok' : i === index ? 'failed' : 'skipped') as StepResult['status'], startedAt: null, finishedAt: null, message: '' }));
    const report: ExecutionReport = {
      status: 'failed',
      steps,
      cleanup: [],
      handedOver: true,
      failure: { stepIndex: index, message: 'x' },
      unanswered: [],
      notes: [],
      handingOver: null,
      authChanged: [],
    };
    const state = { reachable: true, linkStatus: null, offset: 1000, error: null };
    const out = nextSteps(planned, report, [{ address: M, role: 'master', master: null, ...state }, { address: A, role: 'master', master: null, ...state }, { address: B, role: 'replica', master: M, ...state, linkStatus: 'up' }], group);
    expect(out).toContain(`${M} is a master, but should replicate from ${A}: run REPLICAOF 10.0.0.2 6380 on it.`);
    expect(out).toContain(`${B} still replicates from ${M}: to finish, run REPLICAOF 10.0.0.2 6379 on it.`);
  });
});
