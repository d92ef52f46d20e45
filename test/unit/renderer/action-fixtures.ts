// Plain plans, outcomes and audit entries for the renderer's unit tests, shaped like what the
// action engine returns for the lab (master 7000, replicas 7001 and 7002, 7003 under 7001).
import type {
  ActionOutcome,
  ActionPlan,
  ActionRequest,
  AuditEntry,
  PlanCheck,
  PlanStep,
  StepProgress,
} from '../../../electron/shared/actions';

export const PLAN_ID = '11111111-1111-4111-8111-111111111111';

export function makeStep(id: string, node: string, command: string, patch: Partial<PlanStep> = {}): PlanStep {
  return { id, node, command, purpose: `purpose of ${id}`, destructive: false, verify: `verify ${id}`, ...patch };
}

export function makeCheck(code: PlanCheck['code'], verdict: PlanCheck['verdict'], patch: Partial<PlanCheck> = {}): PlanCheck {
  return { code, verdict, message: `${code} says ${verdict}`, overridable: false, nodes: [], ...patch };
}

/** Re-point 7002 under 7001: one step, partial resync, nothing to confirm. */
export function makePlan(patch: Partial<ActionPlan> = {}): ActionPlan {
  const request: ActionRequest = { kind: 'replicaof', node: '127.0.0.1:7002', master: '127.0.0.1:7001' };
  return {
    id: PLAN_ID,
    request,
    createdAt: 1000,
    expiresAt: 301_000,
    summary: 'Make 127.0.0.1:7002 a replica of 127.0.0.1:7001',
    steps: [makeStep('s1', '127.0.0.1:7002', 'REPLICAOF 127.0.0.1 7001')],
    checks: [makeCheck('CYCLE', 'ok')],
    predictions: [{ node: '127.0.0.1:7002', master: '127.0.0.1:7001', expected: 'partial', why: 'same history', flushesData: false }],
    lostBytes: [],
    canRun: true,
    needsOverride: [],
    confirmAddress: null,
    nodes: ['127.0.0.1:7002', '127.0.0.1:7001'],
    ...patch,
  };
}

/** Promote 7001 and re-point 7002: destructive, asks for the address, one overridable warning. */
export function makePromotePlan(patch: Partial<ActionPlan> = {}): ActionPlan {
  return makePlan({
    request: { kind: 'promote', node: '127.0.0.1:7001', repointSiblings: true },
    summary: 'Promote 127.0.0.1:7001 and re-point 127.0.0.1:7002',
    steps: [
      makeStep('s1', '127.0.0.1:7001', 'REPLICAOF NO ONE', { destructive: true }),
      makeStep('s2', '127.0.0.1:7002', 'REPLICAOF 127.0.0.1 7001'),
    ],
    checks: [
      makeCheck('REPLICA_BEHIND', 'warning', { overridable: true, message: '127.0.0.1:7001 is 120 bytes behind 127.0.0.1:7002' }),
      makeCheck('OLD_MASTER_STAYS', 'warning'),
      makeCheck('CYCLE', 'ok'),
    ],
    needsOverride: ['REPLICA_BEHIND'],
    confirmAddress: '127.0.0.1:7001',
    lostBytes: [{ node: '127.0.0.1:7001', bytes: 120, note: 'behind 127.0.0.1:7002' }],
    ...patch,
  });
}

export function makeProgress(stepId: string, status: StepProgress['status'], patch: Partial<StepProgress> = {}): StepProgress {
  return { planId: PLAN_ID, stepId, status, message: `${stepId} ${status}`, at: 2000, ...patch };
}

export function makeOutcome(plan: ActionPlan, patch: Partial<ActionOutcome> = {}): ActionOutcome {
  return {
    planId: plan.id,
    ok: true,
    status: 'ok',
    startedAt: 2000,
    finishedAt: 2400,
    steps: plan.steps.map((s, i) => ({ ...s, status: 'ok', startedAt: 2000 + i * 100, finishedAt: 2100 + i * 100, message: `${s.id} done` })),
    nodes: [{ address: '127.0.0.1:7002', reachable: true, role: 'replica', master: '127.0.0.1:7001', linkStatus: 'up', offset: 5000, error: null }],
    nextSteps: [],
    auditFile: '/tmp/audit.jsonl',
    ...patch,
  };
}

export function makeAuditEntry(planId: string, startedAt: string, patch: Partial<AuditEntry> = {}): AuditEntry {
  return {
    v: 1,
    planId,
    startedAt,
    finishedAt: startedAt,
    durationMs: 420,
    who: { user: 'ops', host: 'console-1', interface: 'web' },
    request: { kind: 'replicaof', node: '127.0.0.1:7002', master: '127.0.0.1:7001' },
    summary: 'Make 127.0.0.1:7002 a replica of 127.0.0.1:7001',
    nodes: ['127.0.0.1:7002', '127.0.0.1:7001'],
    overrides: [],
    checks: [],
    steps: [{ id: 's1', node: '127.0.0.1:7002', command: 'REPLICAOF 127.0.0.1 7001', status: 'ok', startedAt, durationMs: 400, message: 'link up' }],
    outcome: 'ok',
    finalNodes: [],
    nextSteps: [],
    ...patch,
  };
}
