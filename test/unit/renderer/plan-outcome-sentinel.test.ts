// A sentinel-failover that the Sentinels made pointless by failing the master over on their own
// (its master died while the plan waited before SENTINEL FAILOVER), as the plan dialog shows its
// outcome, rendered to HTML: "Stopped — Sentinel failed over on its own" in the warning tone with
// what Sentinel did, not "Failed" in the failure tone; the next steps as the engine wrote them.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ActionOutcome, ActionRequest, SentinelOnItsOwn } from '../../../electron/shared/actions';
import { OUTCOME_LABELS, outcomeLabel } from '../../../renderer/src/lib/action-labels';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { makeOutcome, makePlan, makeStep } from './action-fixtures';
import PlanDialogHarness from './PlanDialogHarness.svelte';
import { ScriptedApi } from './scripted-api';

const M = '127.0.0.1:7000';
const PREFER = '127.0.0.1:7001';
const OTHER = '127.0.0.1:7002';
const S1 = '127.0.0.1:26379';
const REQUEST: ActionRequest = { kind: 'sentinel-failover', masterName: 'orders', prefer: PREFER };
const PLAN = makePlan({
  request: REQUEST,
  summary: `SENTINEL FAILOVER orders on ${S1}, steered to ${PREFER}`,
  steps: [
    makeStep('s1', PREFER, 'CONFIG SET replica-priority 1'),
    makeStep('s2', S1, 'SENTINEL REPLICAS orders'),
    makeStep('s3', S1, 'SENTINEL FAILOVER orders', { destructive: true }),
    makeStep('s4', PREFER, 'CONFIG SET replica-priority 100'),
  ],
  nodes: [M, PREFER, OTHER],
});
const ADVICE = [
  `Sentinel failed "orders" over on its own to ${PREFER}, the replica this plan preferred (${S1} names ${PREFER}), while the plan waited before SENTINEL FAILOVER: the console did not send SENTINEL FAILOVER.`,
  `The replica priorities the plan changed to steer Sentinel are back: CONFIG SET replica-priority 100 on ${PREFER}.`,
];

function stoppedBySentinel(own: Partial<SentinelOnItsOwn> = {}): ActionOutcome {
  const base = makeOutcome(PLAN);
  const status = ['ok', 'failed', 'skipped', 'ok'] as const;
  return {
    ...base,
    ok: false,
    status: 'failed',
    startedAt: 2000,
    finishedAt: 14_000,
    steps: base.steps.map((s, i) => ({ ...s, status: status[i] ?? 'ok' })),
    nextSteps: ADVICE,
    sentinelOnItsOwn: { masterName: 'orders', master: PREFER, prefer: PREFER, toPreferred: true, oldMaster: M, stepId: 's2', ...own },
  };
}

/** The dialog's state and HTML once the plan has run to `outcome`. */
async function ran(outcome: ActionOutcome): Promise<{ session: Session; html: string }> {
  const api = new ScriptedApi();
  api.plans = PLAN;
  api.outcome = outcome;
  const clock = new Clock(1000);
  const session = new Session(api, clock, () => 1000);
  const stop = session.start();
  clock.stop();
  await session.connect({ seeds: [M] });
  await session.openPlan(REQUEST);
  await session.runPlan();
  expect(session.planDialog.phase).toBe('done');
  const { body } = render(PlanDialogHarness, { props: { session } });
  stop();
  return { session, html: body };
}

const shown = async (outcome: ActionOutcome): Promise<string> => (await ran(outcome)).html;

/** The opening tag of the step row `n` (1-based). */
const stepTag = (html: string, n: number): string => [...html.matchAll(/<li class="step [^>]*>/g)][n - 1]?.[0] ?? '';
/** The opening tag of the message of step row `n` (every row here has one). */
const messageTag = (html: string, n: number): string => [...html.matchAll(/<div class="message [^>]*>/g)][n - 1]?.[0] ?? '';

const text = (html: string): string =>
  html
    .replace(/<!--[^]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([.;,)])/g, '$1')
    .trim();

/** The outcome banner's opening tag. */
const banner = (html: string): string => /<div class="outcome[^>]*>/.exec(html)?.[0] ?? '';

describe('the outcome of a sentinel-failover stopped by Sentinel\'s own failover', () => {
  it('is labelled "Stopped — Sentinel failed over on its own" in the warning tone; any other failure stays "Failed"', () => {
    expect(outcomeLabel(stoppedBySentinel())).toEqual({ label: 'Stopped — Sentinel failed over on its own', icon: 'stop', tone: 'warn' });
    expect(outcomeLabel({ status: 'failed' })).toBe(OUTCOME_LABELS.failed);
    expect(outcomeLabel({ status: 'aborted' })).toBe(OUTCOME_LABELS.aborted);
  });

  it('heads the dialog with what Sentinel did (to the preferred replica), in the warning tone, and keeps the next steps', async () => {
    const html = await shown(stoppedBySentinel());
    expect(banner(html)).toMatch(/class="outcome warn[ "]/);
    expect(banner(html)).toContain('data-status="failed"');
    expect(banner(html)).toContain('data-stopped-by="sentinel"');
    const said = text(html);
    expect(said).toContain(
      `Stopped — Sentinel failed over on its own Sentinel failed "orders" over on its own to ${PREFER} (the replica this plan preferred); the console sent no SENTINEL FAILOVER. The plan stopped after 12 s;`,
    );
    // The banner, not the step rows (the wait step's own row says it failed, with Sentinel's doing in its message).
    const head = said.slice(0, said.indexOf('Steps ·'));
    expect(head).not.toMatch(/Failed|steps completed/);
    expect(said).toContain(`What to do now ${ADVICE[0]} ${ADVICE[1]}`);
  });

  it('marks the step it stopped at "Stopped" in the warning tone, not "Failed" (its status failed all the same)', async () => {
    const { session, html } = await ran(stoppedBySentinel());
    expect(session.planDialog.rows.map((r) => [r.status, r.stoppedBySentinel])).toEqual([
      ['ok', false],
      ['failed', true],
      ['skipped', false],
      ['ok', false],
    ]);
    expect(stepTag(html, 2)).toMatch(/class="step stopped[ "]/);
    expect(stepTag(html, 2)).toContain('data-status="failed"');
    expect(stepTag(html, 2)).toContain('data-stopped-by="sentinel"');
    expect(text(html)).toContain('2 127.0.0.1:26379 SENTINEL REPLICAS orders Stopped 100 ms');
    expect(messageTag(html, 2)).toMatch(/class="message [^"]*\bwarn\b/);
    expect(messageTag(html, 2)).not.toMatch(/\bbad\b/);
    // A plain failure's step stays "Failed".
    const { sentinelOnItsOwn: _, ...failed } = stoppedBySentinel();
    const plain = await ran(failed);
    expect(plain.session.planDialog.rows[1]?.stoppedBySentinel).toBe(false);
    expect(stepTag(plain.html, 2)).toMatch(/class="step failed[ "]/);
    expect(messageTag(plain.html, 2)).toMatch(/class="message [^"]*\bbad\b/);
    expect(text(plain.html)).toContain('SENTINEL REPLICAS orders Failed 100 ms');
  });

  it('says when Sentinel picked another replica than the preferred one', async () => {
    const said = text(await shown(stoppedBySentinel({ master: OTHER, toPreferred: false })));
    expect(said).toContain(`Sentinel failed "orders" over on its own to ${OTHER} (not ${PREFER}, the replica this plan preferred); the console sent no SENTINEL FAILOVER.`);
  });

  it('leaves a plain failure "Failed" in the failure tone', async () => {
    const { sentinelOnItsOwn: _, ...failed } = stoppedBySentinel();
    const html = await shown(failed);
    expect(banner(html)).toMatch(/class="outcome bad[ "]/);
    expect(banner(html)).not.toContain('data-stopped-by');
    expect(text(html)).toContain('Failed in 12 s. 2 of 4 steps completed');
  });
});
