// What the plan dialog says when a run fails: "nothing was sent" only when the error's details
// say so, the way forward per code, and "not known" (with where to look) otherwise. The real
// PlanDialog is rendered to HTML under a Session driven by a scripted bridge.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ActionPlan } from '../../../electron/shared/actions';
import type { ApiError, ErrorDetails } from '../../../electron/shared/types';
import { runErrorView } from '../../../renderer/src/lib/run-error';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { makeOutcome, makePlan, makePromotePlan, makeStep, PLAN_ID } from './action-fixtures';
import PlanDialogHarness from './PlanDialogHarness.svelte';
import { CodedError, ScriptedApi } from './scripted-api';

const OTHER_PLAN = '22222222-2222-4222-8222-222222222222';

/** A session whose dialog ran `plan` and got `error` back. */
async function refused(error: Error, plan: ActionPlan = makePlan()): Promise<{ session: Session; api: ScriptedApi }> {
  const api = new ScriptedApi();
  api.plans = plan;
  api.outcome = error;
  const session = new Session(api, new Clock(1000), () => 1000);
  session.start();
  await session.connect({ seeds: ['127.0.0.1:7000'] });
  await session.openPlan(plan.request);
  await session.runPlan();
  return { session, api };
}

/** The dialog as a person reads it: the text, without markup. */
function shown(session: Session): { html: string; text: string } {
  const { body } = render(PlanDialogHarness, { props: { session } });
  const text = body
    .replace(/<!--[^]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { html: body, text };
}

function coded(code: string, message: string, details?: ErrorDetails): CodedError {
  return new CodedError(code, message, details);
}

describe('PlanDialog after a failed run', () => {
  it('says "nothing was sent" for a refusal that says so, and offers to plan again', async () => {
    const { session } = await refused(coded('PLAN_STALE', 'the topology changed since this plan was made and the steps would now be different: plan again', { nothingSent: true }));
    const { html, text } = shown(session);
    expect(html).toContain('data-code="PLAN_STALE"');
    expect(html).toContain('data-sent="nothing"');
    expect(text).toContain('Not run: nothing was sent');
    expect(text).toMatch(/no longer fit\. Plan again and review the new steps/);
    expect(html).toContain('data-testid="plan-again"');
    // The stale plan is not offered to run again.
    expect(html).not.toContain('data-testid="plan-run"');
  });

  it('does NOT say "nothing was sent" when the answer was lost, and points to the topology and the audit log', async () => {
    const { session } = await refused(
      coded('UNREACHABLE', 'Lost the connection to the console server while the plan ran: it may have finished or still be running. Check the topology and the audit log before trying again'),
    );
    const { html, text } = shown(session);
    expect(html).toContain('data-sent="unknown"');
    expect(text).not.toMatch(/nothing was sent/i);
    expect(text).toContain('Not known whether the plan ran');
    expect(text).toMatch(/Check the topology graph and the audit log before running anything again/);
    expect(html).not.toContain('data-testid="plan-run"');
  });

  it('does not read "nothing was sent" into a code: BAD_ARGUMENT without details is an unknown outcome', async () => {
    const { session } = await refused(coded('BAD_ARGUMENT', 'something the console did not expect'));
    expect(shown(session).text).not.toMatch(/nothing was sent/i);
  });

  it('PLAN_EXPIRED: nothing was sent, plan again', async () => {
    const { session } = await refused(coded('PLAN_EXPIRED', 'this plan has expired: plan again so the checks are current', { nothingSent: true }));
    const { text } = shown(session);
    expect(text).toContain('Not run: nothing was sent');
    expect(text).toMatch(/too old to run .* Plan again and review it/);
  });

  it('BUSY: wait and run again, or abort the running plan, which aborts that plan', async () => {
    const { session, api } = await refused(coded('BUSY', `another plan is running (${OTHER_PLAN}): wait for it or abort it`, { nothingSent: true, runningPlanId: OTHER_PLAN }));
    const { html, text } = shown(session);
    expect(text).toContain('Not run: nothing was sent');
    expect(text).toMatch(/Another plan \(22222222\) is running on this topology\. Wait for it to finish, then run this one again; or abort it\./);
    expect(html).toContain('data-testid="abort-running"');
    // The same plan can run once the other is done.
    expect(html).toContain('data-testid="plan-run"');
    expect(session.planDialog.canRun).toBe(true);

    api.abortResult = (planId) => ({ accepted: true, message: `stopping ${planId.slice(0, 8)} at its next safe point` });
    await session.abortPlan();
    expect(api.calls.filter((c) => c === 'abortAction')).toHaveLength(1);
    expect(session.planDialog.abort.result?.message).toBe('stopping 22222222 at its next safe point');
    expect(shown(session).text).toContain('Abort accepted');
  });

  it('NEEDS_OVERRIDE for a check only the fresh read found: its "run anyway" box, and Run sends the override', async () => {
    const { session, api } = await refused(
      coded('NEEDS_OVERRIDE', 'needs an explicit override for REPLICA_BEHIND (REPLICA_BEHIND: 127.0.0.1:7002 is 900 bytes behind)', { nothingSent: true, overrides: ['REPLICA_BEHIND'] }),
    );
    const { html, text } = shown(session);
    expect(text).toContain('Not run: nothing was sent');
    expect(text).toMatch(/need an override \(REPLICA_BEHIND\)\. Tick "Run anyway"/);
    expect(html).toContain('data-testid="refusal-override-REPLICA_BEHIND"');
    expect(html).toContain('data-testid="plan-run"');
    expect(session.planDialog.blockers).toEqual(['tick "run anyway" for REPLICA_BEHIND']);

    session.planDialog.setOverride('REPLICA_BEHIND', true);
    api.outcome = (request) => makeOutcome(makePlan({ id: request.planId }));
    await session.runPlan();
    expect(api.executeRequests.at(-1)).toEqual({ planId: PLAN_ID, overrides: ['REPLICA_BEHIND'] });
    expect(session.planDialog.phase).toBe('done');
  });

  it('NEEDS_CONFIRMATION: the confirm field for the address the refusal names, and Run sends it', async () => {
    const { session, api } = await refused(
      coded('NEEDS_CONFIRMATION', 'this plan changes roles or flushes data: type 127.0.0.1:7002 to confirm', { nothingSent: true, confirm: '127.0.0.1:7002' }),
    );
    const { html, text } = shown(session);
    expect(text).toContain('Not run: nothing was sent');
    expect(text).toMatch(/type 127\.0\.0\.1:7002 in the confirm field, then run again/);
    expect(html).toContain('data-testid="plan-confirm-input"');
    expect(html).toContain('data-confirm-address="127.0.0.1:7002"');
    expect(session.planDialog.canRun).toBe(false);

    session.planDialog.setConfirmText('127.0.0.1:7002');
    api.outcome = (request) => makeOutcome(makePlan({ id: request.planId }));
    await session.runPlan();
    expect(api.executeRequests.at(-1)).toEqual({ planId: PLAN_ID, confirmAddress: '127.0.0.1:7002' });
  });

  it('keeps the plan\'s own overrides and confirmation when a refusal asks for them again', async () => {
    const plan = makePromotePlan();
    const { session } = await refused(coded('NEEDS_CONFIRMATION', 'type 127.0.0.1:7001 to confirm', { nothingSent: true, confirm: '127.0.0.1:7001' }), plan);
    // Run was disabled until both were given, so the scripted refusal came from a run that had them.
    expect(session.planDialog.refusalOverrides).toEqual([]);
    expect(session.planDialog.neededOverrides).toEqual(['REPLICA_BEHIND']);
    expect(session.planDialog.confirmAddress).toBe('127.0.0.1:7001');
  });
});

describe('runErrorView', () => {
  const nothing = { nothingSent: true } as const;
  it.each<[ApiError, RegExp, string]>([
    [{ code: 'PLAN_STALE', message: 'm', details: nothing }, /Plan again and review the new steps/, 'plan-again'],
    [{ code: 'PLAN_EXPIRED', message: 'm', details: nothing }, /Plan again/, 'plan-again'],
    [{ code: 'PLAN_REFUSED', message: 'm', details: { nothingSent: true, checks: ['CYCLE'] } }, /cannot be overridden \(CYCLE\)/, 'plan-again'],
    [{ code: 'BUSY', message: 'm', details: { nothingSent: true, runningPlanId: OTHER_PLAN } }, /Wait for it to finish/, 'wait-or-abort'],
    [{ code: 'NEEDS_OVERRIDE', message: 'm', details: { nothingSent: true, overrides: ['FULL_SYNC'] } }, /override \(FULL_SYNC\)/, 'override'],
    [{ code: 'NEEDS_CONFIRMATION', message: 'm', details: { nothingSent: true, confirm: 'h:1' } }, /type h:1 in the confirm field/, 'confirm'],
    [{ code: 'STOPPING', message: 'm', details: nothing }, /was stopping/, 'plan-again'],
    [{ code: 'JOURNAL_UNWRITABLE', message: 'm', details: nothing }, /recorded on disk before its first command/, 'plan-again'],
    [{ code: 'READ_ONLY', message: 'm', details: nothing }, /monitoring only/, 'none'],
  ])('%j: nothing was sent, and what to do', (error, advice, remedy) => {
    const view = runErrorView(error);
    expect(view).toMatchObject({ title: 'Not run: nothing was sent', sent: 'nothing', remedy });
    expect(view.advice).toMatch(advice);
  });

  it.each<ApiError>([
    { code: 'UNREACHABLE', message: 'Lost the connection to the console server while the plan ran' },
    { code: 'TIMEOUT', message: 'The console server did not answer' },
    { code: 'INTERNAL', message: 'Internal error: x' },
    { code: 'PLAN_STALE', message: 'no details: not claimed' },
  ])('$code without nothingSent: not known, look at the topology and the audit log', (error) => {
    const view = runErrorView(error);
    expect(view).toMatchObject({ title: 'Not known whether the plan ran', sent: 'unknown', remedy: 'check' });
    expect(view.advice).toMatch(/topology graph and the audit log/);
    expect(`${view.title} ${view.advice}`).not.toMatch(/nothing was sent/i);
  });

  it('says commands went out when the details say so', () => {
    const view = runErrorView({ code: 'INTERNAL', message: 'x', details: { nothingSent: false } });
    expect(view).toMatchObject({ title: 'Stopped after sending commands', sent: 'unknown', remedy: 'check' });
  });
});

describe('PlanDialog and a plan of another process', () => {
  it('BUSY for a plan the CLI runs offers no Abort (it can be stopped only where it runs): "Abort refused: this plan is not running"', async () => {
    const { session } = await refused(coded('BUSY', 'another console is running a plan on these nodes: "Switch over" (plan 33333333, by ops@box, cli, pid 15534)', { nothingSent: true, runningPlanId: OTHER_PLAN, elsewhere: true }));
    const { html, text } = shown(session);
    expect(html).not.toContain('data-testid="abort-running"');
    expect(text).toMatch(/Another console runs a plan \(22222222\) on these nodes .* it can be stopped only where it runs\./);
  });
});

describe('PlanDialog steps', () => {
  it('a command carrying the password (shown as ***) has no copy button: pasted, it set masterauth to "***"', async () => {
    const api = new ScriptedApi();
    api.plans = makePlan({
      steps: [makeStep('s1', '127.0.0.1:7002', 'CONFIG SET masterauth ***'), makeStep('s2', '127.0.0.1:7002', 'REPLICAOF 127.0.0.1 7001')],
    });
    const session = new Session(api, new Clock(1000), () => 1000);
    session.start();
    await session.connect({ seeds: ['127.0.0.1:7000'] });
    await session.openPlan(api.plans.request);
    const { html, text } = shown(session);
    expect(html).not.toContain('aria-label="Copy command: CONFIG SET masterauth ***"');
    expect(html).toContain('data-testid="step-no-copy"');
    expect(text).toContain('password hidden: not copied');
    // The other steps still copy.
    expect(html).toContain('aria-label="Copy command: REPLICAOF 127.0.0.1 7001"');
  });
});
