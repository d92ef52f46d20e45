import { describe, expect, it } from 'vitest';
import { confirms, PlanDialogState } from '../../../renderer/src/state/plan-dialog.svelte';
import { makeCheck, makeOutcome, makePlan, makeProgress, makePromotePlan, PLAN_ID } from './action-fixtures';

function reviewing(plan = makePlan()): PlanDialogState {
  const dialog = new PlanDialogState();
  const token = dialog.begin(plan.request);
  dialog.planned(token, plan);
  return dialog;
}

describe('PlanDialogState', () => {
  it('goes planning → review and can run a plan that needs nothing more', () => {
    const dialog = new PlanDialogState();
    expect(dialog.open).toBe(false);
    const plan = makePlan();
    const token = dialog.begin(plan.request);
    expect(dialog.phase).toBe('planning');
    expect(dialog.canRun).toBe(false);
    dialog.planned(token, plan);
    expect(dialog.phase).toBe('review');
    expect(dialog.blockers).toEqual([]);
    expect(dialog.canRun).toBe(true);
    expect(dialog.executeRequest()).toEqual({ planId: PLAN_ID });
  });

  it('ignores a plan that answers an earlier request', () => {
    const dialog = new PlanDialogState();
    const first = dialog.begin(makePlan().request);
    const second = dialog.begin(makePromotePlan().request);
    dialog.planned(first, makePlan());
    expect(dialog.phase).toBe('planning');
    dialog.planned(second, makePromotePlan());
    expect(dialog.plan?.request.kind).toBe('promote');
  });

  it('keeps Run disabled until every override is ticked and the address is typed', () => {
    const dialog = reviewing(makePromotePlan());
    expect(dialog.overridable.map((c) => c.code)).toEqual(['REPLICA_BEHIND']);
    expect(dialog.blockers).toEqual(['tick "run anyway" for REPLICA_BEHIND', 'type 127.0.0.1:7001 to confirm']);
    dialog.setOverride('REPLICA_BEHIND', true);
    expect(dialog.blockers).toEqual(['type 127.0.0.1:7001 to confirm']);
    dialog.setConfirmText('127.0.0.1:700');
    expect(dialog.canRun).toBe(false);
    expect(dialog.executeRequest()).toBeNull();
    dialog.setConfirmText('  127.0.0.1:7001 ');
    expect(dialog.canRun).toBe(true);
    expect(dialog.executeRequest()).toEqual({ planId: PLAN_ID, confirmAddress: '127.0.0.1:7001', overrides: ['REPLICA_BEHIND'] });
    dialog.setOverride('REPLICA_BEHIND', false);
    expect(dialog.canRun).toBe(false);
  });

  it('refuses to run a plan with a refused check, whatever is ticked', () => {
    const dialog = reviewing(makePlan({ canRun: false, checks: [makeCheck('CYCLE', 'refused')] }));
    expect(dialog.blockers).toEqual(['refused by CYCLE']);
    expect(dialog.executeRequest()).toBeNull();
  });

  it('puts full syncs first', () => {
    const dialog = reviewing(
      makePlan({
        predictions: [
          { node: 'a:1', master: 'b:1', expected: 'partial', why: 'same history', flushesData: false },
          { node: 'c:1', master: 'b:1', expected: 'full', why: 'different history', flushesData: true },
        ],
      }),
    );
    expect(dialog.flushes.map((p) => p.node)).toEqual(['c:1']);
  });

  it('builds option changes as new requests and keeps ticks across that re-plan', () => {
    const dialog = reviewing(makePromotePlan());
    dialog.setOverride('REPLICA_BEHIND', true);
    dialog.setConfirmText('127.0.0.1:7001');
    const persisted = dialog.withOption('persist', true);
    expect(persisted).toMatchObject({ kind: 'promote', options: { persist: true } });
    const token = dialog.replan(persisted, true);
    expect(token).not.toBeNull();
    expect(dialog.phase).toBe('planning');
    dialog.planned(token ?? 0, makePromotePlan({ request: persisted ?? undefined }));
    expect(dialog.options.persist).toBe(true);
    expect(dialog.canRun).toBe(true);
    expect(dialog.withOption('persist', false)?.options).toEqual({});
    expect(dialog.withRepointSiblings(false)).toMatchObject({ kind: 'promote', repointSiblings: false });
  });

  it('drops overrides the new plan no longer asks for, and starts from scratch after "plan again"', () => {
    const dialog = reviewing(makePromotePlan());
    dialog.setOverride('REPLICA_BEHIND', true);
    dialog.setConfirmText('127.0.0.1:7001');
    let token = dialog.replan(dialog.request, true) ?? 0;
    dialog.planned(token, makePromotePlan({ needsOverride: [], checks: [makeCheck('REPLICA_BEHIND', 'ok')] }));
    expect([...dialog.overrides]).toEqual([]);
    expect(dialog.confirmText).toBe('127.0.0.1:7001');
    token = dialog.replan(dialog.request, false) ?? 0;
    dialog.planned(token, makePromotePlan());
    expect(dialog.confirmText).toBe('');
    expect(dialog.canRun).toBe(false);
  });

  it('shows live progress per step, then the outcome', () => {
    const plan = makePromotePlan({ needsOverride: [], confirmAddress: null });
    const dialog = reviewing(plan);
    dialog.beginRun(PLAN_ID);
    expect(dialog.phase).toBe('running');
    expect(dialog.rows.map((r) => r.status)).toEqual(['pending', 'pending']);
    dialog.applyProgress(makeProgress('s1', 'running', { at: 2000 }));
    dialog.applyProgress(makeProgress('other', 'running', { planId: '22222222-2222-4222-8222-222222222222' }));
    expect(dialog.runningStep?.id).toBe('s1');
    dialog.applyProgress(makeProgress('s1', 'ok', { at: 2300, message: 'master now' }));
    dialog.applyProgress(makeProgress('s2', 'running', { at: 2310, detail: { master_link_status: 'down' } }));
    expect(dialog.rows[0]).toMatchObject({ status: 'ok', message: 'master now', startedAt: 2000, finishedAt: 2300 });
    expect(dialog.rows[1]).toMatchObject({ status: 'running', detail: { master_link_status: 'down' } });
    expect(dialog.close()).toBe(false);

    dialog.finished(makeOutcome(plan));
    expect(dialog.phase).toBe('done');
    expect(dialog.rows.map((r) => [r.status, r.message])).toEqual([
      ['ok', 's1 done'],
      ['ok', 's2 done'],
    ]);
    // Late progress after the outcome changes nothing.
    dialog.applyProgress(makeProgress('s2', 'failed'));
    expect(dialog.rows[1]?.status).toBe('ok');
    expect(dialog.close()).toBe(true);
    expect(dialog.phase).toBe('closed');
  });

  it('goes back to review with the error when the run is refused', () => {
    const dialog = reviewing();
    dialog.beginRun(PLAN_ID);
    dialog.runFailed(PLAN_ID, { code: 'PLAN_STALE', message: 'the topology changed since this plan was made: plan again', details: { nothingSent: true } });
    expect(dialog.phase).toBe('review');
    expect(dialog.runError?.message).toMatch(/plan again/);
    // A stale plan is not run again as it is.
    expect(dialog.retryable).toBe(false);
  });

  it('offers Abort for a running switchover only, and keeps the answer', () => {
    const switchover = makePlan({ request: { kind: 'switchover', to: '127.0.0.1:7001' } });
    const dialog = reviewing(switchover);
    expect(dialog.canAbort).toBe(false);
    dialog.beginRun(PLAN_ID);
    expect(dialog.canAbort).toBe(true);
    dialog.abortRequested();
    expect(dialog.abort.pending).toBe(true);
    dialog.abortAnswered(PLAN_ID, { accepted: false, message: 'too late to abort safely' });
    expect(dialog.abort).toEqual({ pending: false, result: { accepted: false, message: 'too late to abort safely' }, error: null });
    expect(dialog.canAbort).toBe(true);
    dialog.abortAnswered(PLAN_ID, { accepted: true, message: 'FAILOVER ABORT sent' });
    expect(dialog.canAbort).toBe(false);

    const other = reviewing();
    other.beginRun(PLAN_ID);
    expect(other.canAbort).toBe(false);
  });

  it('keeps a planning error for the dialog to show', () => {
    const dialog = new PlanDialogState();
    const token = dialog.begin(makePlan().request);
    dialog.planFailed(token, { code: 'NOT_CONNECTED', message: 'not connected to a topology: connect first' });
    expect(dialog.phase).toBe('review');
    expect(dialog.planError?.code).toBe('NOT_CONNECTED');
    expect(dialog.canRun).toBe(false);
  });
});

describe('confirms', () => {
  it('accepts the address with spaces around and any letter case', () => {
    expect(confirms(' Redis-A:6379 ', 'redis-a:6379')).toBe(true);
    expect(confirms('redis-a:637', 'redis-a:6379')).toBe(false);
    expect(confirms('', 'redis-a:6379')).toBe(false);
  });
});
