// The CLI's outcome of a plan, as printed: a sentinel-failover the Sentinels made pointless by
// failing the master over on their own (its master died while the plan waited before SENTINEL
// FAILOVER) is "Stopped" with what they did, not "Failed" like a plan that broke something.
import { describe, expect, it } from 'vitest';
import { formatOutcome, ProgressPrinter } from '../../electron/cli/action-output';
import type { ActionOutcome, ActionPlan, SentinelOnItsOwn } from '../../electron/shared/actions';

const OLD = '10.0.0.1:6379';
const PREFER = '10.0.0.2:6379';
const OTHER = '10.0.0.3:6379';
const ADVICE = `Sentinel failed "orders" over on its own to ${PREFER}, the replica this plan preferred (10.0.0.9:26379 names ${PREFER}), while the plan waited before SENTINEL FAILOVER: the console did not send SENTINEL FAILOVER.`;

function outcome(patch: Partial<ActionOutcome> = {}): ActionOutcome {
  return {
    planId: '00000000-0000-4000-8000-000000000001',
    ok: false,
    status: 'failed',
    startedAt: 1000,
    finishedAt: 5200,
    steps: [],
    nodes: [{ address: PREFER, reachable: true, role: 'master', master: null, linkStatus: null, offset: 4200, error: null }],
    nextSteps: [ADVICE],
    auditFile: '/tmp/audit.jsonl',
    ...patch,
  };
}

const own = (patch: Partial<SentinelOnItsOwn> = {}): SentinelOnItsOwn => ({ masterName: 'orders', master: PREFER, prefer: PREFER, toPreferred: true, oldMaster: OLD, stepId: 's2', ...patch });
const headline = (o: ActionOutcome, color = false): string => formatOutcome(o, { color }).split('\n')[1] ?? '';

describe('formatOutcome', () => {
  it('heads a sentinel-failover stopped by Sentinel\'s own failover to the preferred replica with what Sentinel did, not "Failed"', () => {
    const printed = formatOutcome(outcome({ sentinelOnItsOwn: own() }), { color: false });
    expect(printed.split('\n')[1]).toBe(
      `■ Stopped after 4200 ms: Sentinel failed "orders" over on its own to ${PREFER} (the replica this plan preferred); the console sent no SENTINEL FAILOVER.`,
    );
    expect(printed).not.toContain('Failed');
    // The next steps stay as they were.
    expect(printed).toContain(`What to do now:\n  • ${ADVICE}`);
  });

  it('says so when Sentinel picked another replica than the preferred one, or the plan preferred none', () => {
    expect(headline(outcome({ sentinelOnItsOwn: own({ master: OTHER, toPreferred: false }) }))).toBe(
      `■ Stopped after 4200 ms: Sentinel failed "orders" over on its own to ${OTHER} (not ${PREFER}, the replica this plan preferred); the console sent no SENTINEL FAILOVER.`,
    );
    expect(headline(outcome({ sentinelOnItsOwn: own({ prefer: null, toPreferred: null }) }))).toBe(
      `■ Stopped after 4200 ms: Sentinel failed "orders" over on its own to ${PREFER} (Sentinel's own pick: this plan preferred none); the console sent no SENTINEL FAILOVER.`,
    );
  });

  it('paints it yellow (a warning), not red; a plan that broke stays "✗ Failed" in red', () => {
    expect(headline(outcome({ sentinelOnItsOwn: own() }), true).startsWith('\x1b[33m■ Stopped after 4200 ms: ')).toBe(true);
    expect(headline(outcome(), true)).toBe('\x1b[31m✗ Failed after 4200 ms.\x1b[0m');
    expect(headline(outcome({ status: 'aborted' }))).toBe('✗ Aborted after 4200 ms.');
  });

  it('cleans a master name the servers gave of control characters', () => {
    expect(headline(outcome({ sentinelOnItsOwn: own({ masterName: 'ord\x1b[2Jers' }) }))).toContain('Sentinel failed "ord?[2Jers" over');
  });
});

describe('ProgressPrinter', () => {
  const plan = { steps: [{ id: 's1', node: PREFER, command: 'CONFIG SET replica-priority 1' }, { id: 's2', node: '10.0.0.9:26379', command: 'SENTINEL REPLICAS orders' }] } as unknown as ActionPlan;
  const printed = (stoppedBy: 'sentinel' | undefined): string[] => {
    const lines: string[] = [];
    const printer = new ProgressPrinter(plan, { color: false }, (line) => lines.push(line));
    printer.print({ planId: 'p', stepId: 's2', status: 'running', message: 'waiting', at: 0 });
    printer.print({ planId: 'p', stepId: 's2', status: 'failed', message: 'Sentinel failed "orders" over on its own', at: 10, ...(stoppedBy ? { stoppedBy } : {}) });
    return lines;
  };

  it('ends the step a Sentinel\'s own failover stopped the plan at with ■, not ✗ like a step that broke', () => {
    expect(printed('sentinel').at(-1)).toBe('      ■ Sentinel failed "orders" over on its own (10 ms)');
    expect(printed(undefined).at(-1)).toBe('      ✗ Sentinel failed "orders" over on its own (10 ms)');
  });
});
