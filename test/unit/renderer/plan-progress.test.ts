// The plan dialog while a plan runs, rendered to HTML: offsets and bytes read as the rest of the
// app writes them (1,234,567; 229 KiB), and a write pause (CLIENT PAUSE) says how long it still
// holds, counting down with the window's clock until it is released or runs out.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ActionOutcome } from '../../../electron/shared/actions';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { makePlan, makeProgress, makeStep } from './action-fixtures';
import PlanDialogHarness from './PlanDialogHarness.svelte';
import { ScriptedApi } from './scripted-api';

const M = '127.0.0.1:7000';
const A = '127.0.0.1:7001';

function text(session: Session): string {
  const { body } = render(PlanDialogHarness, { props: { session } });
  return body
    .replace(/<!--[^]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A switchover running in the dialog (its outcome never comes). */
async function running(): Promise<{ session: Session; api: ScriptedApi; clock: Clock }> {
  const api = new ScriptedApi();
  api.plans = makePlan({
    request: { kind: 'switchover', to: A },
    steps: [makeStep('s1', M, 'CLIENT PAUSE 10000 WRITE'), makeStep('s2', A, 'INFO replication'), makeStep('s3', M, 'FAILOVER TO 127.0.0.1 7001 FORCE TIMEOUT 1')],
  });
  api.outcome = () => new Promise<ActionOutcome>(() => undefined);
  const clock = new Clock(1000);
  const session = new Session(api, clock, () => 1000);
  session.start();
  // Still: the test sets the time.
  clock.stop();
  clock.now = 1000;
  await session.connect({ seeds: [M] });
  await session.openPlan({ kind: 'switchover', to: A });
  void session.runPlan();
  expect(session.planDialog.phase).toBe('running');
  return { session, api, clock };
}

describe('the plan dialog while a plan runs', () => {
  it('writes the offsets of a step waiting for a target as the app does, with the bytes still to go', async () => {
    const { session, api } = await running();
    api.progress(makeProgress('s2', 'running', { message: `${A} at offset 1,000,000 of 1,234,567, 229 KiB to go`, detail: { offset: 1_000_000, target: 1_234_567 } }));
    const shown = text(session);
    expect(shown).toContain('offset 1,000,000');
    expect(shown).toContain('target 1,234,567');
    expect(shown).toContain('behind 229 KiB');
    expect(shown).not.toMatch(/1000000|1234567/);
  });

  it('says how long the write pause still holds, counting down, and that it ran out', async () => {
    const { session, api, clock } = await running();
    api.progress(makeProgress('s2', 'running', { writePause: { node: M, leftMs: 8000 } }));
    expect(text(session)).toContain(`Writes held on ${M} : 8 s left (CLIENT PAUSE)`);
    clock.now = 5000;
    expect(text(session)).toContain(`Writes held on ${M} : 4 s left`);
    clock.now = 9500;
    expect(text(session)).toContain(`Writes held on ${M} : the pause has run out`);
  });

  it('marks a step "Stopped" from its live end when a Sentinel failover stopped the plan there, before the outcome comes', async () => {
    const { session, api } = await running();
    api.progress(makeProgress('s2', 'failed', { message: 'Sentinel failed "orders" over on its own', stoppedBy: 'sentinel' }));
    expect(session.planDialog.rows[1]).toMatchObject({ status: 'failed', stoppedBySentinel: true });
    expect(text(session)).toContain('INFO replication Stopped');
    api.progress(makeProgress('s3', 'failed', { message: 'FAILOVER refused' }));
    expect(session.planDialog.rows[2]).toMatchObject({ status: 'failed', stoppedBySentinel: false });
  });

  it('says nothing of a pause once a running step reports none (released)', async () => {
    const { session, api } = await running();
    api.progress(makeProgress('s2', 'running', { writePause: { node: M, leftMs: 8000 } }));
    expect(text(session)).toContain('Writes held on');
    api.progress(makeProgress('s3', 'running', { detail: { master_failover_state: 'failover-in-progress' } }));
    expect(text(session)).not.toContain('Writes held on');
  });
});
