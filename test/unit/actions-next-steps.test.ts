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
  return { status: 'failed', steps, cleanup: [], handedOver: false, failure: failed >= 0 ? { stepIndex: failed, message: 'x' } : null, unanswered: [], notes: [], handingOver: null, ...extra };
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
