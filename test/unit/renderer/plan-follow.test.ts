// A plan this window did not run, as the console reports it ('action:running'): the one a
// reloaded window finds running, shown with its progress, abortable, until its outcome.
import { describe, expect, it } from 'vitest';
import type { ActionPlan, PlanRun } from '../../../electron/shared/actions';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { makeOutcome, makePlan, makeProgress, makeStep, PLAN_ID } from './action-fixtures';
import { labSnapshot } from './fixtures';
import { ScriptedApi } from './scripted-api';

function run(plan: ActionPlan, patch: Partial<PlanRun> = {}): PlanRun {
  return { planId: plan.id, status: 'running', plan, startedAt: 2000, progress: [], stepStartedAt: {}, outcome: null, error: null, ...patch };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('a plan the console runs that this window did not start', () => {
  it('a reloaded window shows it running with its progress so far, offers Abort, and shows its outcome', async () => {
    const plan = makePlan({
      request: { kind: 'switchover', to: '127.0.0.1:7001' },
      steps: [makeStep('s1', '127.0.0.1:7000', 'CLIENT PAUSE 10000 WRITE'), makeStep('s2', '127.0.0.1:7000', 'FAILOVER TO 127.0.0.1 7001 FORCE TIMEOUT 1')],
    });
    const api = new ScriptedApi();
    api.topology = labSnapshot(5, 5000);
    api.run = run(plan, { progress: [makeProgress('s1', 'ok', { at: 2100 }), makeProgress('s2', 'running', { at: 2200 })], stepStartedAt: { s1: 2000, s2: 2200 } });
    const session = new Session(api, new Clock(5000), () => 5000);
    session.start();
    const dialog = session.planDialog;
    await expect.poll(() => dialog.phase).toBe('running');
    expect(dialog.following).toBe(true);
    expect(dialog.rows.map((r) => r.status)).toEqual(['ok', 'running']);
    expect(dialog.rows[1]?.startedAt).toBe(2200);
    expect(dialog.canAbort).toBe(true);
    expect(dialog.abortTarget).toBe(PLAN_ID);

    // Pushes go on as for a plan run here.
    api.progress(makeProgress('s2', 'running', { at: 2300, detail: { master_failover_state: 'failover-in-progress' } }));
    expect(dialog.rows[1]?.detail).toEqual({ master_failover_state: 'failover-in-progress' });
    await session.abortPlan();
    expect(api.calls).toContain('abortAction');
    expect(dialog.abort.result?.accepted).toBe(true);

    // Still running at the next tick; ended at the one after.
    const asked = (): number => api.calls.filter((c) => c === 'runningAction').length;
    const before = asked();
    api.push({ snapshot: labSnapshot(6, 6000), events: [] });
    await expect.poll(asked).toBe(before + 1);
    expect(dialog.phase).toBe('running');
    api.run = run(plan, { status: 'ended', outcome: makeOutcome(plan) });
    api.push({ snapshot: labSnapshot(7, 7000), events: [] });
    await expect.poll(() => dialog.phase).toBe('done');
    expect(dialog.outcome?.status).toBe('ok');
  });

  it('is not shown when the console runs none, nor for one that has ended', async () => {
    const api = new ScriptedApi();
    api.topology = labSnapshot(5, 5000);
    api.run = run(makePlan(), { status: 'ended', outcome: makeOutcome(makePlan()) });
    const session = new Session(api, new Clock(5000), () => 5000);
    session.start();
    await expect.poll(() => api.calls).toContain('runningAction');
    await settle();
    expect(session.planDialog.phase).toBe('closed');
  });

  it('can be closed (it runs on without this window)', async () => {
    const api = new ScriptedApi();
    api.topology = labSnapshot(5, 5000);
    api.run = run(makePlan());
    const session = new Session(api, new Clock(5000), () => 5000);
    session.start();
    await expect.poll(() => session.planDialog.phase).toBe('running');
    expect(session.planDialog.close()).toBe(true);
    expect(session.planDialog.phase).toBe('closed');
  });
});
