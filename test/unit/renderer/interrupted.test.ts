// The interrupted-plan report in the renderer: loaded when the journal's warnings appear or
// change (never on every tick), matched to its warning, dismissed for every window.
import { describe, expect, it } from 'vitest';
import type { InterruptedPlanReport } from '../../../electron/shared/api';
import type { TopologyWarning } from '../../../electron/shared/types';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { fenceOf, redisCliLine, reportOf } from '../../../renderer/src/state/interrupted-state.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { labSnapshot } from './fixtures';
import { CodedError, ScriptedApi } from './scripted-api';

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

const PLAN = '0f8b3c2e-5d7a-4c1b-9e6f-2a3b4c5d6e7f';
const OTHER = '11111111-2222-4333-8444-555555555555';

function report(planId = PLAN, patch: Partial<InterruptedPlanReport> = {}): InterruptedPlanReport {
  return {
    planId,
    summary: 'Switchover to 127.0.0.1:7001',
    startedAt: 500,
    who: 'ops@host via cli',
    nodes: ['127.0.0.1:7000', '127.0.0.1:7001'],
    cause: 'the console stopped while the plan ran',
    ran: ['1. 127.0.0.1:7000  CONFIG SET min-replicas-to-write 2147483647: ok', '2. 127.0.0.1:7001  WAIT: started, no end recorded (the plan stopped here)'],
    now: ['127.0.0.1:7000: master, FENCED (min-replicas-to-write 2147483647: every write is refused)', '127.0.0.1:7001: replica of 127.0.0.1:7000, link up'],
    direction: 'roll back',
    commands: [{ node: '127.0.0.1:7000', command: 'CONFIG SET min-replicas-to-write 0', why: 'restore min-replicas-to-write to 0' }],
    fenced: [{ node: '127.0.0.1:7000', value: '2147483647', original: '0' }],
    pausedUntil: [],
    settled: false,
    waitingFor: [],
    linking: [],
    notes: [],
    ...patch,
  };
}

function warningsOf(r: InterruptedPlanReport, message = 'What ran: …'): TopologyWarning[] {
  return [
    { code: 'INTERRUPTED_PLAN', message: `INTERRUPTED_PLAN ${r.planId}: "${r.summary}" … ${message}`, nodes: r.nodes },
    ...r.fenced.map((f): TopologyWarning => ({ code: 'FENCED_MASTER', message: `${f.node} refuses every write: … plan ${r.planId.slice(0, 8)}. …`, nodes: [f.node] })),
  ];
}

function snapshotWith(seq: number, warnings: TopologyWarning[]): ReturnType<typeof labSnapshot> {
  return { ...labSnapshot(seq, 1000 + seq), warnings };
}

async function connected(api: ScriptedApi, warnings: TopologyWarning[]): Promise<Session> {
  api.connectResult = snapshotWith(1, warnings);
  const session = new Session(api, new Clock(1000), () => 1000);
  session.start();
  await session.connect({ seeds: ['127.0.0.1:7000'] });
  await flush();
  return session;
}

describe('matching warnings to reports', () => {
  const r = report();
  const [planWarning, fenceWarning] = warningsOf(r) as [TopologyWarning, TopologyWarning];

  it('finds the report of an INTERRUPTED_PLAN warning by the plan id its text opens with', () => {
    expect(reportOf(planWarning, [report(OTHER), r])).toBe(r);
    expect(reportOf({ ...planWarning, message: `Could not check the plan journal: EACCES` }, [r])).toBeUndefined();
    // Another code naming the id is not a plan's report.
    expect(reportOf({ ...planWarning, code: 'FENCED_MASTER' }, [r])).toBeUndefined();
  });

  it('finds the fence of a FENCED_MASTER warning, with the value to restore and its plan', () => {
    expect(fenceOf(fenceWarning, [report(OTHER, { fenced: [] }), r])).toEqual({ fence: { node: '127.0.0.1:7000', value: '2147483647', original: '0' }, report: r });
    expect(fenceOf({ ...fenceWarning, nodes: ['127.0.0.1:7009'] }, [r])).toBeUndefined();
  });

  it('writes each command as a redis-cli line, IPv6 hosts without brackets, no credentials', () => {
    expect(redisCliLine('127.0.0.1:7000', 'CONFIG SET min-replicas-to-write 0')).toBe('redis-cli -h 127.0.0.1 -p 7000 CONFIG SET min-replicas-to-write 0');
    expect(redisCliLine('[::1]:6380', 'REPLICAOF 127.0.0.1 6379')).toBe('redis-cli -h ::1 -p 6380 REPLICAOF 127.0.0.1 6379');
  });
});

describe('Session and interrupted plans', () => {
  it('loads the reports on connecting to a topology that has one, and again only when its warnings change', async () => {
    const api = new ScriptedApi();
    const r = report();
    api.interrupted = { reports: [r], problems: [], checkedAt: 900 };
    const session = await connected(api, warningsOf(r));
    expect(session.interrupted.reports).toEqual([r]);
    expect(api.calls.filter((c) => c === 'interruptedPlans')).toHaveLength(1);

    // Same warnings on the next ticks: nothing to load.
    api.push({ snapshot: snapshotWith(2, warningsOf(r)), events: [] });
    api.push({ snapshot: snapshotWith(3, warningsOf(r)), events: [] });
    await flush();
    expect(api.calls.filter((c) => c === 'interruptedPlans')).toHaveLength(1);

    // The engine read the nodes again and the report says something new: load it.
    const moved = report(PLAN, { now: ['127.0.0.1:7000: master', '127.0.0.1:7001: replica of 127.0.0.1:7000, link up'], fenced: [], commands: [] });
    api.interrupted = { reports: [moved], problems: [], checkedAt: 5900 };
    api.push({ snapshot: snapshotWith(4, warningsOf(moved, 'now settled')), events: [] });
    await flush();
    expect(api.calls.filter((c) => c === 'interruptedPlans')).toHaveLength(2);
    expect(session.interrupted.reports).toEqual([moved]);

    // Gone from the warnings: gone from the screen, without asking.
    api.push({ snapshot: snapshotWith(5, []), events: [] });
    await flush();
    expect(session.interrupted.reports).toEqual([]);
    expect(api.calls.filter((c) => c === 'interruptedPlans')).toHaveLength(2);
  });

  it('never asks for reports when no journal warning is shown', async () => {
    const api = new ScriptedApi();
    const session = await connected(api, [{ code: 'TOO_MANY_NODES', message: 'capped', nodes: [] }]);
    api.push({ snapshot: snapshotWith(2, []), events: [] });
    await flush();
    expect(api.calls).not.toContain('interruptedPlans');
    expect(session.interrupted.reports).toEqual([]);
  });

  it('dismisses a plan only after the confirmation, and hides its warnings until the engine drops them', async () => {
    const api = new ScriptedApi();
    const r = report();
    const other = report(OTHER, { fenced: [] });
    api.interrupted = { reports: [r, other], problems: [], checkedAt: 900 };
    const warnings = [...warningsOf(r), ...warningsOf(other)];
    const session = await connected(api, warnings);
    const plans = session.interrupted;

    plans.ask(PLAN);
    expect(plans.confirming).toBe(PLAN);
    plans.cancel();
    expect(plans.confirming).toBeNull();
    expect(api.dismissed).toEqual([]);

    plans.ask(PLAN);
    await session.dismissInterrupted(PLAN);
    expect(api.dismissed).toEqual([PLAN]);
    expect(plans.confirming).toBeNull();
    expect(plans.dismissing).toBeNull();
    expect(plans.reports).toEqual([other]);
    // Its plan and fence warnings are hidden here; the other plan's stays.
    expect(warnings.filter((w) => plans.hides(w)).map((w) => w.code)).toEqual(['INTERRUPTED_PLAN', 'FENCED_MASTER']);
    expect(warnings.filter((w) => !plans.hides(w))).toEqual(warningsOf(other));
  });

  it('says why a dismiss failed and keeps the report', async () => {
    const api = new ScriptedApi();
    const r = report();
    api.interrupted = { reports: [r], problems: [], checkedAt: 900 };
    api.dismissResult = new CodedError('INTERNAL', 'EACCES: permission denied, open journal');
    const session = await connected(api, warningsOf(r));
    await session.dismissInterrupted(PLAN);
    expect(session.interrupted.error).toEqual({ code: 'INTERNAL', message: 'EACCES: permission denied, open journal' });
    expect(session.interrupted.reports).toEqual([r]);
    expect(session.interrupted.dismissing).toBeNull();
  });

  it('keeps only the latest load, and forgets everything on disconnect', async () => {
    const api = new ScriptedApi();
    const r = report();
    let release: (() => void) | null = null;
    const first = report(PLAN, { summary: 'stale answer' });
    api.interrupted = () => new Promise((resolve) => (release = () => resolve({ reports: [first], problems: [], checkedAt: 1 })));
    const session = await connected(api, warningsOf(r));
    api.interrupted = { reports: [r], problems: ['INTERRUPTED_PLAN: the journal x.jsonl has no readable start record'], checkedAt: 2 };
    api.push({ snapshot: snapshotWith(2, warningsOf(r, 'changed')), events: [] });
    await flush();
    (release as (() => void) | null)?.();
    await flush();
    expect(session.interrupted.reports).toEqual([r]);
    expect(session.interrupted.problems).toHaveLength(1);

    await session.disconnect();
    expect(session.interrupted.reports).toEqual([]);
    expect(session.interrupted.problems).toEqual([]);
  });
});
