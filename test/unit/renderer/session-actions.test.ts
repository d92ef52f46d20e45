// The Session's side of topology changes: drag candidates, plan, run with progress pushes,
// abort, "plan again" and the audit refresh, against a scripted bridge.
import { describe, expect, it } from 'vitest';
import type { ActionOutcome, MoveCandidate } from '../../../electron/shared/actions';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { makeAuditEntry, makeOutcome, makePlan, makeProgress, makePromotePlan, PLAN_ID } from './action-fixtures';
import { labSnapshot } from './fixtures';
import { CodedError, ScriptedApi } from './scripted-api';

const CANDIDATES: MoveCandidate[] = [
  { address: '127.0.0.1:7000', valid: false, reason: 'already its master', warning: null },
  { address: '127.0.0.1:7001', valid: true, reason: null, warning: null },
];

async function connected(api: ScriptedApi): Promise<Session> {
  const session = new Session(api, new Clock(1000), () => 1000);
  session.start();
  await session.connect({ seeds: ['127.0.0.1:7000'] });
  return session;
}

describe('Session actions', () => {
  it('drags a replica onto a valid node, plans, runs with live progress and refreshes the audit', async () => {
    const api = new ScriptedApi();
    api.candidates = CANDIDATES;
    const plan = makePlan();
    api.plans = plan;
    api.audit = [makeAuditEntry(PLAN_ID, '2026-01-01T10:00:00.000Z')];
    const session = await connected(api);

    await session.startMove('127.0.0.1:7002');
    expect(session.moves.targetFor('127.0.0.1:7001')?.verdict).toBe('valid');
    const drop = await session.endMove('127.0.0.1:7001');
    expect(drop).toEqual({ kind: 'plan', node: '127.0.0.1:7002', master: '127.0.0.1:7001' });
    await Promise.resolve();
    expect(api.planRequests).toEqual([{ kind: 'replicaof', node: '127.0.0.1:7002', master: '127.0.0.1:7001' }]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(session.planDialog.phase).toBe('review');

    let finish: (outcome: ActionOutcome) => void = () => undefined;
    api.outcome = () => new Promise<ActionOutcome>((resolve) => (finish = resolve));
    const run = session.runPlan();
    expect(session.planDialog.phase).toBe('running');
    api.progress(makeProgress('s1', 'running', { detail: { master_link_status: 'down' } }));
    expect(session.planDialog.rows[0]).toMatchObject({ status: 'running', detail: { master_link_status: 'down' } });
    finish(makeOutcome(plan));
    await run;
    expect(session.planDialog.phase).toBe('done');
    expect(api.executeRequests).toEqual([{ planId: PLAN_ID }]);
    expect(session.audit.rows).toHaveLength(1);
    expect(api.calls.filter((c) => c === 'listAudit')).toHaveLength(1);
  });

  it('refuses a drop on an invalid node with its reason and plans nothing', async () => {
    const api = new ScriptedApi();
    api.candidates = CANDIDATES;
    const session = await connected(api);
    await session.startMove('127.0.0.1:7002');
    const drop = await session.endMove('127.0.0.1:7000');
    expect(drop).toMatchObject({ kind: 'refused', reason: 'already its master' });
    expect(session.moves.notice?.reason).toBe('already its master');
    expect(api.calls).not.toContain('planAction');
    expect(session.planDialog.open).toBe(false);
  });

  it('waits for the candidates when the card is dropped before they arrive', async () => {
    const api = new ScriptedApi();
    let release: (c: MoveCandidate[]) => void = () => undefined;
    api.candidates = () => new Promise<MoveCandidate[]>((resolve) => (release = resolve));
    const session = await connected(api);
    void session.startMove('127.0.0.1:7002');
    const dropped = session.endMove('127.0.0.1:7000');
    release(CANDIDATES);
    expect(await dropped).toMatchObject({ kind: 'refused' });
  });

  it('re-plans when an option changes, keeping what was ticked and typed', async () => {
    const api = new ScriptedApi();
    api.plans = (request) => makePromotePlan({ request });
    const session = await connected(api);
    await session.openPlan({ kind: 'promote', node: '127.0.0.1:7001', repointSiblings: true });
    session.planDialog.setOverride('REPLICA_BEHIND', true);
    session.planDialog.setConfirmText('127.0.0.1:7001');
    await session.setPlanOption('persist', true);
    expect(api.planRequests.at(-1)).toEqual({ kind: 'promote', node: '127.0.0.1:7001', repointSiblings: true, options: { persist: true } });
    expect(session.planDialog.canRun).toBe(true);
    await session.setRepointSiblings(false);
    expect(api.planRequests.at(-1)).toMatchObject({ repointSiblings: false, options: { persist: true } });
  });

  it('shows a refused run and plans again from scratch', async () => {
    const api = new ScriptedApi();
    api.plans = makePlan();
    api.outcome = new CodedError('PLAN_STALE', 'the topology changed since this plan was made: plan again', { nothingSent: true });
    const session = await connected(api);
    await session.openPlan(makePlan().request);
    await session.runPlan();
    expect(session.planDialog.phase).toBe('review');
    expect(session.planDialog.runError).toEqual({ code: 'PLAN_STALE', message: 'the topology changed since this plan was made: plan again', details: { nothingSent: true } });
    await session.planAgain();
    expect(api.calls.filter((c) => c === 'planAction')).toHaveLength(2);
    expect(session.planDialog.runError).toBeNull();
    expect(session.planDialog.phase).toBe('review');
  });

  it('aborts a running switchover and shows the answer', async () => {
    const api = new ScriptedApi();
    const plan = makePlan({ request: { kind: 'switchover', to: '127.0.0.1:7001' } });
    api.plans = plan;
    api.outcome = () => new Promise<ActionOutcome>(() => undefined);
    api.abortResult = { accepted: false, message: 'too late to abort safely' };
    const session = await connected(api);
    await session.openPlan(plan.request);
    void session.runPlan();
    await session.abortPlan();
    expect(api.calls).toContain('abortAction');
    expect(session.planDialog.abort.result?.message).toBe('too late to abort safely');
  });

  it('opens the node menu with the nodes it could replicate from, valid ones first', async () => {
    const api = new ScriptedApi();
    const lone = labSnapshot(1, 1000, { '127.0.0.1:7002': { role: 'master', master: null }, '127.0.0.1:7003': { reachable: false } });
    api.connectResult = { ...lone, edges: lone.edges.filter((e) => e.replica !== '127.0.0.1:7002') };
    api.candidates = CANDIDATES;
    const session = await connected(api);
    await session.openMenu('127.0.0.1:7003', { left: 0, top: 0, bottom: 10, right: 10 });
    expect(session.menu.address).toBe('127.0.0.1:7003');
    expect(session.menu.candidates).toBeNull();
    expect(api.calls).not.toContain('moveCandidates');
    await session.openMenu('127.0.0.1:7002', { left: 0, top: 0, bottom: 10, right: 10 });
    expect(session.menu.candidates?.map((c) => c.address)).toEqual(['127.0.0.1:7001', '127.0.0.1:7000']);
    await session.openPlan({ kind: 'replicaof', node: '127.0.0.1:7002', master: '127.0.0.1:7001' });
    expect(session.menu.open).toBe(false);
  });

  it('forgets the dialog, the drag and the audit on disconnect', async () => {
    const api = new ScriptedApi();
    api.plans = makePlan();
    api.audit = [makeAuditEntry(PLAN_ID, '2026-01-01T10:00:00.000Z')];
    const session = await connected(api);
    await session.openPlan(makePlan().request);
    await session.loadAudit();
    await session.disconnect();
    expect(session.planDialog.open).toBe(false);
    expect(session.audit.rows).toEqual([]);
  });
});
