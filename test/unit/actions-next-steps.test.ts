// What the end report tells the operator after a plan stopped: above all, a role change that went
// out and got no answer (a stalled node) is never reported as a change that did not happen.
import { describe, expect, it } from 'vitest';
import type { ExecutionReport } from '../../electron/engine/actions/executor';
import { nextSteps } from '../../electron/engine/actions/next-steps';
import type { PlannedAction } from '../../electron/engine/actions/plan-builder';
import { planAction } from '../../electron/engine/actions/planner';
import type { ActionRequest, FinalNodeState, StepResult } from '../../electron/shared/actions';
import { META, factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';
const SNAPSHOT = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 1000 }), replicaState(B, M, { offset: 1000 })]);
const STALLED = `${B} did not answer within 2000 ms (the process may be stalled, overloaded, or not a Redis server)`;

function planned(request: ActionRequest): PlannedAction {
  const p = planAction(request, factsFor(SNAPSHOT), META);
  if (!p.plan.canRun) throw new Error(`plan refused: ${p.plan.checks.map((c) => c.message).join('; ')}`);
  return p;
}

/** The report of a run whose steps ended as given (the rest skipped). */
function report(p: PlannedAction, ended: StepResult['status'][], extra: Partial<ExecutionReport> = {}): ExecutionReport {
  const steps = p.plan.steps.map((s, i) => ({ ...s, status: ended[i] ?? 'skipped', startedAt: null, finishedAt: null, message: '' }));
  const failed = ended.findIndex((s) => s === 'failed');
  return { status: 'failed', steps, cleanup: [], handedOver: false, failure: failed >= 0 ? { stepIndex: failed, message: 'x' } : null, unanswered: [], notes: [], handingOver: null, authChanged: [], ...extra };
}

function final(address: string, state: Partial<FinalNodeState>): FinalNodeState {
  return { address, reachable: true, role: 'replica', master: M, linkStatus: 'up', offset: 1000, error: null, ...state };
}

const stalledB = final(B, { reachable: false, role: 'unknown', master: null, linkStatus: null, offset: null, error: STALLED });

describe('nextSteps: a role change sent but not answered', () => {
  const move = planned({ kind: 'replicaof', node: B, master: A });
  const index = move.plan.steps.findIndex((s) => s.command === 'REPLICAOF 10.0.0.2 6379');
  const unanswered = [{ stepIndex: index, node: B, command: 'REPLICAOF 10.0.0.2 6379', error: STALLED }];
  const released = [`Done for you: CLIENT UNPAUSE on ${M}: it takes writes again`];
  const ran = move.plan.steps.map((_, i): StepResult['status'] => (i < index ? 'ok' : i === index ? 'failed' : 'skipped'));

  it('(the plan under test holds the root\'s writes for the move)', () => {
    expect(move.plan.steps.map((s) => s.command)).toEqual(['CLIENT PAUSE 2000 WRITE', 'INFO replication', 'REPLICAOF 10.0.0.2 6379', 'CLIENT UNPAUSE']);
  });

  it('a node still stalled: may have taken effect or may still; check its role once it answers, and what each role means', () => {
    const out = nextSteps(move, report(move, ran, { cleanup: released, unanswered }), [final(M, { role: 'master', master: null }), final(A, {}), stalledB], SNAPSHOT);
    expect(out.join('\n')).not.toMatch(/before its main change took effect/);
    expect(out).toEqual([
      ...released,
      `The plan stopped at a role change that got no answer and may still take effect. Where the nodes stand now: ${M} is a master; ${A} replicates from ${M} (link up); ${B} cannot be reached (${STALLED}).`,
      `REPLICAOF 10.0.0.2 6379 on ${B} got no answer (${STALLED}): it may have taken effect, or may still when ${B} runs again. ` +
        `${B} cannot be reached (${STALLED}): when it is back, check its role then. ` +
        `A replica of ${A} means the change took effect without the write pause held for it (released when no answer came), so it may have needed a full sync; to go back instead: REPLICAOF 10.0.0.1 6379 on ${B}; ` +
        `still a replica of ${M} means nothing changed: fix what stopped it, then plan again. Until then, do not re-point it or plan again.`,
    ]);
  });

  it('a node that answered again by the final read: its role says which, once', () => {
    const tookEffect = nextSteps(move, report(move, ran, { cleanup: released, unanswered }), [final(M, { role: 'master', master: null }), final(A, {}), final(B, { master: A })], SNAPSHOT);
    expect(tookEffect.at(-1)).toMatch(new RegExp(`${B} replicates from ${A} \\(link up\\) now: the change took effect without the write pause .*; to go back instead: REPLICAOF 10.0.0.1 6379 on ${B}\\.$`));
    // Said once: not again as an undo of its own.
    expect(tookEffect.filter((l) => l.includes('To go back'))).toEqual([]);
    const nothing = nextSteps(move, report(move, ran, { cleanup: released, unanswered }), [final(M, { role: 'master', master: null }), final(A, {}), final(B, {})], SNAPSHOT);
    expect(nothing.at(-1)).toMatch(new RegExp(`${B} replicates from ${M} \\(link up\\) now, as before the plan: nothing changed: fix what stopped it, then plan again\\.$`));
  });

  it('an unanswered REPLICAOF NO ONE: a master once it answers means it was promoted', () => {
    const promote = planned({ kind: 'promote', node: B, repointSiblings: false });
    const i = promote.plan.steps.findIndex((s) => s.command === 'REPLICAOF NO ONE');
    const out = nextSteps(
      promote,
      report(promote, promote.plan.steps.map((_, j) => (j < i ? 'ok' : j === i ? 'failed' : 'skipped')), { unanswered: [{ stepIndex: i, node: B, command: 'REPLICAOF NO ONE', error: STALLED }] }),
      [final(M, { role: 'master', master: null }), final(A, {}), stalledB],
      SNAPSHOT,
    );
    expect(out.join('\n')).not.toMatch(/before its main change took effect/);
    expect(out.join('\n')).toContain(`when it is back, check its role then. A master means the change took effect; to go back instead: REPLICAOF 10.0.0.1 6379 on ${B}; still a replica of ${M} means nothing changed`);
  });

  it('a command that was answered (refused) still stops the plan before its main change', () => {
    const out = nextSteps(move, report(move, ran, { cleanup: released }), [final(M, { role: 'master', master: null }), final(A, {}), final(B, {})], SNAPSHOT);
    expect(out[1]).toMatch(/^The plan stopped before its main change took effect/);
  });

  it('after the hand-over, a sibling whose re-point got no answer keeps its wording: when it is back, what it should be', () => {
    const sw = planned({ kind: 'switchover', to: A, options: { switchoverMethod: 'paused-failover' } });
    const i = sw.plan.steps.findIndex((s) => s.node === B && s.command.startsWith('REPLICAOF'));
    const out = nextSteps(
      sw,
      report(sw, sw.plan.steps.map((_, j) => (j < i ? 'ok' : 'failed')), { handedOver: true, unanswered: [{ stepIndex: i, node: B, command: 'REPLICAOF 10.0.0.2 6379', error: STALLED }] }),
      [final(M, { master: A }), final(A, { role: 'master', master: null }), stalledB],
      SNAPSHOT,
    );
    expect(out).toContain(`${B} cannot be reached (${STALLED}): when it is back, it should be a replica of ${A}; check its role then.`);
  });
});

const REFUSED = (address: string): string => `${address}: connection refused (nothing is listening on that port)`;
const down = (address: string, state: Partial<FinalNodeState> = {}): FinalNodeState =>
  final(address, { reachable: false, role: 'unknown', master: null, linkStatus: null, offset: null, error: REFUSED(address), ...state });

describe('nextSteps: no master left after the hand-over', () => {
  it('emergency failover, the promoted replica killed after REPLICAOF NO ONE: no master first, then the replica with the most data, never the dead one', () => {
    const dead = snapshotOf([nodeState(M, { reachable: false, offset: null }), replicaState(A, M, { offset: 1000 }), replicaState(B, M, { offset: 900 })]);
    const p = planAction({ kind: 'failover', to: A }, factsFor(dead), META);
    expect(p.plan.steps.map((s) => `${s.node} ${s.command}`)).toEqual([`${A} REPLICAOF NO ONE`, `${B} REPLICAOF 10.0.0.2 6379`]);
    const out = nextSteps(
      p,
      report(p, ['ok', 'failed'], { handedOver: true }),
      [down(M), down(A), final(B, { master: A, linkStatus: 'down', offset: 900 })],
      dead,
    );
    expect(out[0]).toMatch(/^No master now: nothing takes writes\. 10\.0\.0\.2:6379 cannot be reached .*, though this plan made it a master\.$/);
    expect(out[1]).toBe(`The way out: make ${B} the master (it answers with the most data: offset 900): REPLICAOF NO ONE on ${B}.`);
    expect(out[2]).toMatch(new RegExp(`^When ${M}, ${A} are back, make each a replica of ${B} \\(REPLICAOF 10\\.0\\.0\\.3 6379\\) before clients reach it, and do not promote any`));
    const text = out.join('\n');
    expect(text).not.toMatch(/should be a master|masterauth|REPLICAOF 10\.0\.0\.2 6379/);
  });

  it('fence switchover, the target killed after its promotion: the old master is the way out, its replicas already follow it', () => {
    const sw = planned({ kind: 'switchover', to: A, options: { switchoverMethod: 'fence' } });
    const released = [`Done for you: CONFIG SET min-replicas-to-write 0 on ${M}: its held writes now get READONLY`];
    const out = nextSteps(
      sw,
      report(sw, sw.plan.steps.map((s) => (s.command === 'REPLICAOF NO ONE' ? 'ok' : s.node === M && s.command.startsWith('REPLICAOF') ? 'failed' : 'ok')), { handedOver: true, cleanup: released }),
      [final(M, { master: A, linkStatus: 'down', offset: 1200 }), down(A), final(B, { master: M, offset: 1200 })],
      SNAPSHOT,
    );
    expect(out[0]).toMatch(/^No master now: nothing takes writes\./);
    expect(out[1]).toBe(released[0]);
    expect(out[2]).toBe(`The way out: make ${M} the master again (the old master: it has every byte it took, offset 1200): REPLICAOF NO ONE on ${M}.`);
    expect(out[3]).toMatch(new RegExp(`^When ${A} is back, make it a replica of ${M} \\(REPLICAOF 10\\.0\\.0\\.1 6379\\)`));
  });

  it('a node that answers ahead of the old master is the one to promote; a node back empty never is', () => {
    const sw = planned({ kind: 'switchover', to: A, options: { switchoverMethod: 'paused-failover' } });
    const out = nextSteps(
      sw,
      report(sw, ['ok', 'ok', 'ok', 'ok', 'failed'], { handedOver: true }),
      [final(M, { master: A, linkStatus: 'down', offset: 1200 }), final(A, { master: M, linkStatus: 'down', offset: 0 }), final(B, { master: A, linkStatus: 'down', offset: 1300 })],
      SNAPSHOT,
    );
    expect(out[1]).toBe(`The way out: make ${B} the master (it answers with the most data: offset 1300; the others: ${M} at 1200): REPLICAOF NO ONE on ${B}, then REPLICAOF 10.0.0.3 6379 on ${M}, ${A}.`);
  });

  it('a promoted node that only does not answer (stalled) may resume as a master: stop it for good first', () => {
    const sw = planned({ kind: 'switchover', to: A, options: { switchoverMethod: 'fence' } });
    const out = nextSteps(
      sw,
      report(sw, sw.plan.steps.map(() => 'ok'), { status: 'failed', handedOver: true }),
      [final(M, { master: A, linkStatus: 'down', offset: 1200 }), final(A, { reachable: false, role: 'unknown', master: null, error: STALLED.replace(B, A) }), final(B, { master: M, offset: 1200 })],
      SNAPSHOT,
    );
    expect(out[1]).toMatch(new RegExp(`^First make sure ${A} is stopped for good .* Then the way out: make ${M} the master again`));
  });
});

describe('nextSteps: a FAILOVER still handing over', () => {
  it('says the hand-over completes when the target answers, never that the old master takes writes, never REPLICAOF NO ONE', () => {
    const sw = planned({ kind: 'switchover', to: A, options: { switchoverMethod: 'paused-failover' } });
    const out = nextSteps(
      sw,
      report(sw, ['ok', 'ok', 'failed'], { handingOver: { node: M, target: A } }),
      [final(M, { master: A, linkStatus: 'down' }), final(A, { reachable: false, role: 'unknown', master: null, error: STALLED.replace(B, A) }), final(B, {})],
      SNAPSHOT,
    );
    const text = out.join('\n');
    expect(out[0]).toMatch(new RegExp(`^${M} is handing over to ${A}: it completes when ${A} answers; writes on ${M} are held by FAILOVER until then`));
    expect(text).toContain(`FAILOVER ABORT on ${M} cancels it`);
    expect(text).toContain(`Once ${A} is the master, re-point ${B} to it (REPLICAOF 10.0.0.2 6379 on each)`);
    expect(text).not.toMatch(/before its main change took effect|REPLICAOF NO ONE|takes writes again/);
  });
});

describe('nextSteps: the old master down after the promotion', () => {
  it('restarted it is a master with no pause: make it a replica of the new master before clients reach it', () => {
    const sw = planned({ kind: 'switchover', to: A, options: { switchoverMethod: 'pause' } });
    const out = nextSteps(
      sw,
      report(sw, ['ok', 'ok', 'ok', 'failed', 'skipped', 'ok'], { handedOver: true }),
      [down(M), final(A, { role: 'master', master: null }), final(B, { master: A })],
      SNAPSHOT,
    );
    expect(out).toEqual([`${M} is down (${REFUSED(M)}); restarted, it comes back a master with no pause: make it a replica of ${A} (REPLICAOF 10.0.0.2 6379) before clients reach it.`]);
  });
});

describe('nextSteps: a replica given the console\'s credentials', () => {
  it('the way back sets its previous masterauth and masteruser first, naming the password, never printing it', () => {
    const facts = factsFor(SNAPSHOT, { [A]: { requiresAuth: true, authBasis: 'requirepass' }, [B]: { masterauth: 'unset' } }, { console: { user: 'admin', hasPassword: true } });
    const move = planAction({ kind: 'replicaof', node: B, master: A, options: { setMasterauth: true, skipWritePause: true } }, facts, META);
    expect(move.plan.steps.map((s) => s.command)).toEqual(['CONFIG SET masterauth ***', 'CONFIG SET masteruser admin', 'REPLICAOF 10.0.0.2 6379']);
    const ran = report(move, ['ok', 'ok', 'failed'], { authChanged: [{ node: B, masteruser: '' }] });
    const out = nextSteps(move, ran, [final(M, { role: 'master', master: null }), final(A, {}), final(B, { master: A, linkStatus: 'down' })], SNAPSHOT);
    expect(out.at(-1)).toBe(
      `${B} replicates from ${A} (link down), instead of a replica of ${M} before. To go back: CONFIG SET masterauth <its previous masterauth (the one it had before the plan)> ` +
        `and CONFIG SET masteruser "" (the plan gave it the console's credentials, which its old master may refuse), then REPLICAOF 10.0.0.1 6379 on ${B}.`,
    );
    // Without credentials changed, the way back is the REPLICAOF alone.
    const plain = nextSteps(move, report(move, ['ok', 'ok', 'failed']), [final(M, { role: 'master', master: null }), final(A, {}), final(B, { master: A, linkStatus: 'down' })], SNAPSHOT);
    expect(plain.at(-1)).toMatch(/To go back: REPLICAOF 10\.0\.0\.1 6379 on /);
  });
});
