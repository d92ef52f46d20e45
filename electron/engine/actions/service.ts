// The one object the CLI, the Electron main process and the web mode call for topology
// changes: plan (kept by id for a few minutes), execute (re-checked fresh first), abort,
// drag-and-drop candidates, and the audit log.
import { randomUUID } from 'node:crypto';
import type {
  AbortResult,
  ActionInterface,
  ActionOutcome,
  ActionPlan,
  ActionRequest,
  AuditEntry,
  MoveCandidate,
  StepProgress,
} from '../../shared/actions';
import { actionRequestSchema } from '../../shared/action-schema';
import type { ReplicationEngine } from '../engine';
import { EngineError, toApiError } from '../errors';
import { AuditLog, auditEntry, dataDir, whoAmI } from './audit';
import { moveCandidates } from './candidates';
import { Execution } from './executor';
import type { SentinelFacts } from './facts';
import { tryNormalize } from './graph';
import { finalStates, nextSteps } from './next-steps';
import { DEFAULT_STEP_TIMEOUT_MS, type PlannedAction } from './plan-builder';
import { planAction } from './planner';
import { gatherFacts } from './preflight';
import { scopeOf } from './scope';

const SENTINEL_NAME_TTL_MS = 60_000;

export interface ActionServiceOptions {
  /** Recorded in the audit log. Default 'desktop'. */
  interface?: ActionInterface;
  /** Directory of the audit log. Default: the app's data directory (see dataDir()). */
  auditDir?: string;
  /** How long a plan can be executed after it was made. Default 5 minutes. */
  planTtlMs?: number;
  /** Verification poll interval. Default 100 ms. */
  pollMs?: number;
  /** How long planning listens for a Sentinel hello to learn the group's name. Default 2500 ms. */
  sentinelHelloMs?: number;
}

export interface ExecuteOptions {
  /** Required when the plan has a confirmAddress: the operator typed it. */
  confirmAddress?: string;
  /** Codes of overridable checks the operator accepts. */
  overrides?: string[];
  onProgress?: (progress: StepProgress) => void;
}

export class ActionService {
  private readonly plans = new Map<string, PlannedAction>();
  private running: { planId: string; execution: Execution | null } | null = null;
  private readonly listeners = new Set<(progress: StepProgress) => void>();
  private readonly log: AuditLog;
  private readonly iface: ActionInterface;
  private readonly ttlMs: number;
  private readonly pollMs: number;
  private readonly helloMs: number;
  /** The last Sentinel name learnt from a hello message, so each plan need not wait for one. */
  private sentinelSeen: { facts: SentinelFacts; at: number } | null = null;

  constructor(
    private readonly engine: ReplicationEngine,
    options: ActionServiceOptions = {},
  ) {
    this.log = new AuditLog(options.auditDir ?? dataDir());
    this.iface = options.interface ?? 'desktop';
    this.ttlMs = options.planTtlMs ?? 5 * 60_000;
    this.pollMs = options.pollMs ?? 100;
    this.helloMs = options.sentinelHelloMs ?? 2500;
  }

  get auditFile(): string {
    return this.log.file;
  }

  /** Read the nodes involved fresh and compute the plan. Sends nothing that changes anything. */
  async plan(request: ActionRequest): Promise<ActionPlan> {
    const parsed = actionRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineError('BAD_ARGUMENT', `invalid action request: ${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'malformed'}`);
    }
    const planned = await this.compute(parsed.data, randomUUID(), null);
    this.prune();
    this.plans.set(planned.plan.id, planned);
    return planned.plan;
  }

  /**
   * Run a plan made by plan(). The nodes are read again first: if the steps would now be
   * different, or a new check needs an override, nothing runs and the caller must re-plan.
   */
  async execute(planId: string, options: ExecuteOptions = {}): Promise<ActionOutcome> {
    const shown = this.plans.get(planId);
    if (!shown) throw new EngineError('BAD_ARGUMENT', 'unknown or expired plan: plan again');
    if (Date.now() > shown.plan.expiresAt) {
      this.plans.delete(planId);
      throw new EngineError('BAD_ARGUMENT', 'this plan has expired: plan again so the checks are current');
    }
    if (this.running) throw new EngineError('BAD_ARGUMENT', `another plan is running (${this.running.planId}): wait for it or abort it`);
    // Read now: the audit must be redacted even if the session is gone by the end.
    const { password } = this.engine.credentials();
    // Taken before the re-check, so two calls cannot both pass the line above.
    const slot: { planId: string; execution: Execution | null } = { planId, execution: null };
    this.running = slot;
    let report;
    let fresh: PlannedAction;
    const startedAt = Date.now();
    try {
      fresh = await this.compute(shown.plan.request, planId, shown);
      const gate = refusal(shown.plan, fresh.plan, options);
      if (gate) throw new EngineError('BAD_ARGUMENT', gate);
      this.plans.delete(planId);
      slot.execution = new Execution(this.engine, fresh, {
        pollMs: this.pollMs,
        stepTimeoutMs: fresh.plan.request.options?.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        onProgress: (progress) => this.publish(progress, options.onProgress),
      });
      report = await slot.execution.run();
    } finally {
      this.running = null;
    }
    const snapshot = await this.engine.refresh().catch(() => this.engine.snapshot());
    const addresses = [...new Set([...fresh.plan.nodes, ...fresh.expected.map((e) => e.address)])];
    const nodes = finalStates(snapshot, addresses);
    const outcome: Omit<ActionOutcome, 'auditFile'> = {
      planId,
      ok: report.status === 'ok',
      status: report.status,
      startedAt,
      finishedAt: Date.now(),
      steps: report.steps,
      nodes,
      nextSteps: nextSteps(fresh, report, nodes, snapshot),
    };
    const needed: readonly string[] = fresh.plan.needsOverride;
    const overrides = (options.overrides ?? []).filter((code) => needed.includes(code));
    try {
      await this.log.append(auditEntry(fresh, outcome, whoAmI(this.iface), overrides, [password]));
    } catch (error) {
      outcome.nextSteps.push(`The audit log ${this.log.file} could not be written: ${toApiError(error).message}`);
    }
    return { ...outcome, auditFile: this.log.file };
  }

  /** Ask a running plan to stop: safe at once, at the next safe point, or refused with the reason. */
  async abort(planId: string): Promise<AbortResult> {
    if (!this.running || this.running.planId !== planId) return { accepted: false, message: 'this plan is not running' };
    if (!this.running.execution) return { accepted: false, message: 'the plan is being re-checked and nothing has been sent yet: try again in a moment' };
    return this.running.execution.abort();
  }

  /** For drag-and-drop: every other node as a new master for `node`, from the current snapshot (no network). */
  candidates(node: string): MoveCandidate[] {
    const snapshot = this.engine.snapshot();
    if (!snapshot) throw new EngineError('NOT_CONNECTED', 'not connected to a topology: connect first');
    return moveCandidates(snapshot, node);
  }

  /** The most recent audit entries, newest last. */
  audit(limit = 100): Promise<AuditEntry[]> {
    return this.log.read(limit);
  }

  /** Every step progress of every plan (for the bridge's pushes); returns a disposer. */
  onProgress(listener: (progress: StepProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async compute(request: ActionRequest, id: string, previous: PlannedAction | null): Promise<PlannedAction> {
    if (!this.engine.connected) throw new EngineError('NOT_CONNECTED', 'not connected to a topology: connect first');
    // A fresh poll first: a master that died a second ago must not look alive to the planner.
    const snapshot = await this.engine.refresh();
    const scope = scopeOf(request, snapshot);
    const seen = this.sentinelSeen;
    const recent = seen && Date.now() - seen.at < SENTINEL_NAME_TTL_MS && seen.facts.managedNodes.some((a) => scope.includes(a)) ? seen.facts : null;
    const facts = await gatherFacts(this.engine, snapshot, scope, { helloMs: this.helloMs, knownSentinel: previous?.sentinel ?? recent });
    if (facts.sentinel?.masterName) this.sentinelSeen = { facts: facts.sentinel, at: Date.now() };
    return planAction(request, facts, { id, now: previous?.plan.createdAt ?? Date.now(), ttlMs: this.ttlMs });
  }

  private publish(progress: StepProgress, direct: ((p: StepProgress) => void) | undefined): void {
    for (const listener of [direct, ...this.listeners]) {
      try {
        listener?.(progress);
      } catch {
        // A broken listener must not stop the plan.
      }
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, planned] of this.plans) if (planned.plan.expiresAt < now) this.plans.delete(id);
  }
}

/** Why a plan may not run now, or null. */
function refusal(shown: ActionPlan, fresh: ActionPlan, options: ExecuteOptions): string | null {
  const sig = (plan: ActionPlan): string => plan.steps.map((s) => `${s.node} ${s.command}`).join('\n');
  if (sig(shown) !== sig(fresh)) {
    return 'the topology changed since this plan was made and the steps would now be different: plan again and review the new plan';
  }
  if (!fresh.canRun) {
    const refused = fresh.checks.filter((c) => c.verdict === 'refused' && !c.overridable);
    return `refused: ${refused.map((c) => `${c.code}: ${c.message}`).join('; ') || 'nothing to run'}`;
  }
  const given = new Set(options.overrides ?? []);
  const missing = fresh.needsOverride.filter((code) => !given.has(code));
  if (missing.length > 0) {
    const why = fresh.checks.filter((c) => missing.includes(c.code) && c.verdict !== 'ok').map((c) => `${c.code}: ${c.message}`);
    return `needs an explicit override for ${missing.join(', ')} (${why.join('; ')})`;
  }
  if (fresh.confirmAddress !== null && tryNormalize(options.confirmAddress ?? '') !== fresh.confirmAddress) {
    return `this plan changes roles or flushes data: type ${fresh.confirmAddress} to confirm`;
  }
  return null;
}
