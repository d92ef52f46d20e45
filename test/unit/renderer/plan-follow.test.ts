// A plan this window did not run, as the console reports it ('action:running'): the one a
// reloaded window finds running (shown with its progress, abortable, until its outcome), and the
// one a BUSY refusal waited for (its end seen, and the way on is to plan again).
import { describe, expect, it } from 'vitest';
import type { ActionPlan, PlanRun } from '../../../electron/shared/actions';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { makeOutcome, makePlan, makeProgress, makeStep, PLAN_ID } from './action-fixtures';
import { labSnapshot } from './fixtures';
import { CodedError, ScriptedApi } from './scripted-api';

const OTHER_ID = '22222222-2222-4222-8222-222222222222';

function run(plan: ActionPlan, patch: Partial<PlanRun> = {}): PlanRun {
  return { planId: plan.id, status: 'running', plan, startedAt: 2000, progress: [], stepStartedAt: {}, outcome: null, error: null, writePause: null, ...patch };
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

  it('a window reloaded while the plan is checked before its first command follows it once it runs; not one refused there', async () => {
    const plan = makePlan();
    const api = new ScriptedApi();
    api.topology = labSnapshot(5, 5000);
    api.run = run(plan, { status: 'checking', startedAt: null });
    const session = new Session(api, new Clock(5000), () => 5000);
    session.start();
    const dialog = session.planDialog;
    await expect.poll(() => api.calls).toContain('runningAction');
    await settle();
    expect(dialog.phase).toBe('closed');
    // Before: never asked again, and the plan ran unseen in this window.
    api.run = (planId) => (planId === plan.id ? run(plan) : null);
    api.push({ snapshot: labSnapshot(6, 6000), events: [] });
    await expect.poll(() => dialog.phase).toBe('running');
    expect(dialog.following).toBe(true);

    // Refused at its check: the console keeps no run of it, and names another (or none): nothing shown.
    const refused = new ScriptedApi();
    refused.topology = labSnapshot(5, 5000);
    refused.run = run(plan, { status: 'checking', startedAt: null });
    const other = new Session(refused, new Clock(5000), () => 5000);
    other.start();
    await expect.poll(() => refused.calls).toContain('runningAction');
    await settle();
    refused.run = null;
    refused.push({ snapshot: labSnapshot(6, 6000), events: [] });
    await expect.poll(() => refused.calls.filter((c) => c === 'runningAction').length).toBe(2);
    refused.push({ snapshot: labSnapshot(7, 7000), events: [] });
    await settle();
    expect(refused.calls.filter((c) => c === 'runningAction').length).toBe(2);
    expect(other.planDialog.phase).toBe('closed');
  });

  it('learns how the plan it follows ended by its id, though another plan started since (not "no longer reported")', async () => {
    const plan = makePlan();
    const next = makePlan({ id: OTHER_ID });
    const api = new ScriptedApi();
    api.topology = labSnapshot(5, 5000);
    api.run = run(plan);
    const session = new Session(api, new Clock(5000), () => 5000);
    session.start();
    const dialog = session.planDialog;
    await expect.poll(() => dialog.phase).toBe('running');
    // It ended, and the next plan started before this window's next ask: the console answers for the id asked.
    api.run = (planId) => (planId === plan.id ? run(plan, { status: 'ended', outcome: makeOutcome(plan) }) : run(next));
    api.push({ snapshot: labSnapshot(6, 6000), events: [] });
    await expect.poll(() => dialog.phase).toBe('done');
    expect(dialog.outcome?.planId).toBe(plan.id);
    expect(dialog.runError).toBeNull();
  });

  it('counts down the write pause the console says it holds, from a reload on, and drops it once a report says none holds', async () => {
    const plan = makePlan({ request: { kind: 'switchover', to: '127.0.0.1:7001' } });
    const api = new ScriptedApi();
    api.topology = labSnapshot(5, 5000);
    api.run = run(plan, { writePause: { node: '127.0.0.1:7000', leftMs: 7000 } });
    const session = new Session(api, new Clock(5000), () => 5000);
    session.start();
    const dialog = session.planDialog;
    await expect.poll(() => dialog.phase).toBe('running');
    // Before: nothing until the next running step's report.
    expect(dialog.writePause).toEqual({ node: '127.0.0.1:7000', endsAt: 12_000, seenAt: 5000 });
    api.progress(makeProgress('s1', 'running', { writePause: { node: '127.0.0.1:7000', leftMs: 6000 } }));
    expect(dialog.writePause?.endsAt).toBe(11_000);
    // The UNPAUSE step's own end says no pause: gone at once (it stayed until the outcome).
    api.progress(makeProgress('s1', 'ok'));
    expect(dialog.writePause).toBeNull();
  });
});

describe('a plan another window runs, seen from a window open all along', () => {
  it('is said in a strip from its first report, can be shown (followed), and goes once it ends', async () => {
    const plan = makePlan({ id: OTHER_ID });
    const api = new ScriptedApi();
    api.run = null;
    const session = new Session(api, new Clock(1000), () => 1000);
    session.start();
    await session.connect({ seeds: ['127.0.0.1:7000'] });
    expect(session.elsewhere).toBeNull();
    // Before: its reports were dropped here (not this dialog's plan), and nothing said a plan ran.
    api.run = (planId) => (planId === OTHER_ID ? run(plan, { progress: [makeProgress('s1', 'running', { planId: OTHER_ID })] }) : null);
    api.progress(makeProgress('s1', 'running', { planId: OTHER_ID }));
    await expect.poll(() => session.elsewhere?.planId).toBe(OTHER_ID);
    session.showElsewhere();
    expect(session.planDialog.following).toBe(true);
    expect(session.planDialog.phase).toBe('running');
    expect(session.elsewhere).toBeNull();
    // Closed while it runs: said again at its next report; gone once the console says it ended.
    expect(session.planDialog.close()).toBe(true);
    api.progress(makeProgress('s2', 'running', { planId: OTHER_ID }));
    await expect.poll(() => session.elsewhere?.planId).toBe(OTHER_ID);
    api.run = run(plan, { status: 'ended', outcome: makeOutcome(plan) });
    api.push({ snapshot: labSnapshot(2, 2000), events: [] });
    await expect.poll(() => session.elsewhere).toBeNull();
  });

  it('is not said in the window that runs it', async () => {
    const plan = makePlan();
    const api = new ScriptedApi();
    api.plans = plan;
    api.outcome = () => new Promise(() => undefined);
    api.run = run(plan);
    const session = new Session(api, new Clock(1000), () => 1000);
    session.start();
    await session.connect({ seeds: ['127.0.0.1:7000'] });
    await session.openPlan({ kind: 'replicaof', node: '127.0.0.1:7002', master: '127.0.0.1:7001' });
    void session.runPlan();
    await expect.poll(() => session.planDialog.phase).toBe('running');
    api.progress(makeProgress('s1', 'running'));
    await settle();
    expect(session.elsewhere).toBeNull();
    expect(api.calls.filter((c) => c === 'runningAction')).toEqual([]);
  });
});

describe('a Run refused BUSY by another window’s plan', () => {
  async function refusedBusy(api: ScriptedApi): Promise<Session> {
    api.plans = makePlan();
    api.outcome = new CodedError('BUSY', `another plan is running (${OTHER_ID}): wait for it or abort it`, { nothingSent: true, runningPlanId: OTHER_ID });
    const session = new Session(api, new Clock(1000), () => 1000);
    session.start();
    await session.connect({ seeds: ['127.0.0.1:7000'] });
    await session.openPlan({ kind: 'replicaof', node: '127.0.0.1:7002', master: '127.0.0.1:7001' });
    await session.runPlan();
    expect(session.planDialog.runError?.code).toBe('BUSY');
    return session;
  }

  it('sees the other plan end at a tick: no Run of the stale plan, plan again instead', async () => {
    const api = new ScriptedApi();
    const other = makePlan({ id: OTHER_ID });
    api.run = run(other);
    const session = await refusedBusy(api);
    const dialog = session.planDialog;
    expect(dialog.retryable).toBe(true);
    expect(dialog.watchedRun).toBe(OTHER_ID);

    api.push({ snapshot: labSnapshot(2, 2000), events: [] });
    await expect.poll(() => api.calls.filter((c) => c === 'runningAction').length).toBe(1);
    expect(dialog.busyEnded).toBe(false);

    api.run = run(other, { status: 'ended', outcome: makeOutcome(other) });
    api.push({ snapshot: labSnapshot(3, 3000), events: [] });
    await expect.poll(() => dialog.busyEnded).toBe(true);
    expect(dialog.retryable).toBe(false);
    expect(dialog.watchedRun).toBeNull();

    // Planning again clears it.
    await session.planAgain();
    expect(dialog.busyEnded).toBe(false);
    expect(dialog.runError).toBeNull();
  });

  it('takes a plan refused before it started (none running now) as ended too', async () => {
    const api = new ScriptedApi();
    api.run = null;
    const session = await refusedBusy(api);
    api.push({ snapshot: labSnapshot(2, 2000), events: [] });
    await expect.poll(() => session.planDialog.busyEnded).toBe(true);
  });

  it('does not watch a plan of another process (the CLI): its end is not the console’s to see', async () => {
    const api = new ScriptedApi();
    api.plans = makePlan();
    api.outcome = new CodedError('BUSY', 'another console is running a plan on these nodes', { nothingSent: true, runningPlanId: OTHER_ID, elsewhere: true });
    const session = new Session(api, new Clock(1000), () => 1000);
    session.start();
    await session.connect({ seeds: ['127.0.0.1:7000'] });
    await session.openPlan({ kind: 'replicaof', node: '127.0.0.1:7002', master: '127.0.0.1:7001' });
    await session.runPlan();
    expect(session.planDialog.watchedRun).toBeNull();
    api.push({ snapshot: labSnapshot(2, 2000), events: [] });
    await settle();
    expect(api.calls).not.toContain('runningAction');
  });
});
