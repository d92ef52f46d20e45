// The one object the CLI, the Electron main process and the web mode call for topology
// changes: plan (kept by id for a few minutes), execute (re-checked fresh first), abort,
// drag-and-drop candidates, the audit log, and the plan journal: every run is journaled
// before its first command, and a shutdown or disconnect stops a running plan at a safe point
// (stopRunning) instead of cutting it off.
import { randomUUID } from 'node:crypto';
import type {
  AbortResult,
  ActionInterface,
  ActionOutcome,
  ActionPlan,
  ActionRequest,
  AuditEntry,
  AuditList,
  AuditScope,
  MoveCandidate,
  PlanRun,
  SentinelOnItsOwn,
  StepProgress,
} from '../../shared/actions';
import { actionRequestSchema } from '../../shared/action-schema';
import type { ReplicationEngine } from '../engine';
import { EngineError, redact, toApiError, withDetails } from '../errors';
import { AuditLog, auditEntry, dataDir, topologyAddresses, touchesTopology, whoAmI } from './audit';
import { InterruptedPlans } from './interrupted';
import { JournalStore, PlanJournal } from './journal';
import { NodeClaims, type ClaimOwner, type HeldClaims } from './claims';
import { moveCandidates } from './candidates';
import { Execution, type ExecutionReport, type UnansweredCommand } from './executor';
import type { SentinelFacts } from './facts';
import { tryNormalize } from './graph';
import { finalStates, nextSteps, unverified } from './next-steps';
import { askSentinels, sentinelAftermath, wentAroundSentinels } from './sentinel-aftermath';
import { DEFAULT_STEP_TIMEOUT_MS, type PlannedAction } from './plan-builder';
import { checkPermissions } from './permissions';
import { planAction } from './planner';
import { comparedAsReplicas, comparedWithMaster, gatherFacts } from './preflight';
import { scopeOf } from './scope';

const SENTINEL_NAME_TTL_MS = 60_000;

/** Said of every refusal before the journal is written: only reads went out. */
const NOTHING_SENT = { nothingSent: true } as const;

export interface ActionServiceOptions {
  /** Recorded in the audit log. Default 'desktop'. */
  interface?: ActionInterface;
  /** Directory of the audit log and the plan journal. Default: the app's data directory (see dataDir()). */
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

/** How long a shutdown or disconnect waits for a running plan to reach a safe point. */
export const STOP_WAIT_MS = 15_000;

interface RunningPlan {
  planId: string;
  summary: string;
  execution: Execution | null;
  /** Set when a shutdown or disconnect asked the plan to stop: the journal keeps it for the next start. */
  interrupted: string | null;
  /** The step running now (from the progress stream; the first step until one starts), for notices about the stop. */
  currentStep: string | null;
  done: Promise<unknown>;
  /** How the run ended, once its journal is closed: `kept` when a stop had come first (reported at the next start). */
  ended?: { status: string; kept: boolean };
  /** The plan as it runs, for the windows that follow it (see runView). */
  plan: ActionPlan;
}

/** Runs runView keeps (the newest last), for windows that follow one to learn how it ended. */
const RECENT_RUNS = 8;

/** A run as the service keeps it for runView: built up as it goes, copied out whole. */
interface RunRecord {
  plan: ActionPlan;
  startedAt: number;
  progress: Map<string, StepProgress>;
  stepStartedAt: Map<string, number>;
  outcome: ActionOutcome | null;
  error: PlanRun['error'];
  ended: boolean;
}

/** What stopRunning did, in words the front end shows. */
export interface StopResult {
  /** 'idle': nothing ran; 'stopped': the plan ended (aborted at a safe point or finished); 'timeout': still running. */
  status: 'idle' | 'stopped' | 'timeout';
  message: string;
}

export class ActionService {
  private readonly plans = new Map<string, PlannedAction>();
  private running: RunningPlan | null = null;
  /**
   * The runs that went out last, oldest first (running, or ended with their outcome): what runView
   * shows a window that did not start one. More than one: a window following a plan learns how it
   * ended at its next ask, by when another plan may have started.
   */
  private readonly recentRuns: RunRecord[] = [];
  private readonly listeners = new Set<(progress: StepProgress) => void>();
  private readonly log: AuditLog;
  private readonly dir: string;
  /** Per-node claims, so a console in another process cannot run a plan on the same nodes at once. */
  private readonly claims: NodeClaims;
  /** Plans a dead console (or a shutdown) left half-done, and how to settle them. */
  readonly interrupted: InterruptedPlans;
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
    this.dir = options.auditDir ?? dataDir();
    this.log = new AuditLog(this.dir);
    this.claims = new NodeClaims(this.dir);
    this.interrupted = new InterruptedPlans(this.dir);
    this.iface = options.interface ?? 'desktop';
    this.ttlMs = options.planTtlMs ?? 5 * 60_000;
    this.pollMs = options.pollMs ?? 100;
    this.helloMs = options.sentinelHelloMs ?? 2500;
  }

  get auditFile(): string {
    return this.log.file;
  }

  /**
   * Read the nodes involved fresh and compute the plan. Sends nothing that changes anything: the
   * permission probes are commands Redis refuses (permissions.ts), seen only in ACL LOG, the error
   * counts of INFO commandstats/errorstats and, for PSYNC, one line of the master's log.
   */
  async plan(request: ActionRequest): Promise<ActionPlan> {
    this.refuseReadOnly();
    const parsed = actionRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineError('BAD_ARGUMENT', `invalid action request: ${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'malformed'}`, NOTHING_SENT);
    }
    let planned: PlannedAction;
    try {
      planned = await this.compute(parsed.data, randomUUID(), null);
    } catch (error) {
      // Planning only reads (and probes with commands Redis refuses): whatever failed, nothing was changed.
      throw withDetails(error, NOTHING_SENT);
    }
    // Another console on this machine is changing these nodes: what was just read is mid-change.
    const other = await this.claims.holder(claimedNodes(planned), process.pid).catch(() => null);
    if (other) throw busyElsewhere(other);
    this.prune();
    this.plans.set(planned.plan.id, planned);
    return planned.plan;
  }

  /**
   * Run a plan made by plan(). The nodes are read again first: if the steps would now be
   * different, or a new check needs an override, nothing runs and the caller must re-plan.
   */
  async execute(planId: string, options: ExecuteOptions = {}): Promise<ActionOutcome> {
    this.refuseReadOnly();
    const shown = this.plans.get(planId);
    if (!shown) throw new EngineError('PLAN_EXPIRED', 'unknown or expired plan: plan again', NOTHING_SENT);
    if (Date.now() > shown.plan.expiresAt) {
      this.plans.delete(planId);
      throw new EngineError('PLAN_EXPIRED', 'this plan has expired: plan again so the checks are current', NOTHING_SENT);
    }
    if (this.running) {
      throw new EngineError('BUSY', `another plan is running (${this.running.planId}): wait for it or abort it`, { nothingSent: true, runningPlanId: this.running.planId });
    }
    // Read now: the audit must be redacted even if the session is gone by the end.
    const { password } = this.engine.credentials();
    // Taken before the re-check, so two calls cannot both pass the line above.
    let settle: () => void = () => undefined;
    const slot: RunningPlan = {
      planId,
      summary: shown.plan.summary,
      execution: null,
      interrupted: null,
      currentStep: shown.plan.steps[0]?.id ?? null,
      done: new Promise<void>((resolve) => (settle = resolve)),
      plan: shown.plan,
    };
    this.running = slot;
    let held: HeldClaims | null = null;
    const release = async (): Promise<void> => {
      await held?.release().catch(() => undefined);
      this.running = null;
      settle();
    };
    let fresh: PlannedAction;
    let journal: PlanJournal;
    try {
      // Claimed before the re-check: a console in another process that changes these nodes
      // either holds them now (busy) or is done, and then the re-check reads its result.
      held = await this.claim(shown);
      fresh = await this.compute(shown.plan.request, planId, shown);
      if (slot.interrupted) throw notStarted(slot.interrupted);
      const gate = refusal(shown.plan, fresh.plan, options);
      if (gate) throw gate;
      this.plans.delete(planId);
      // On disk before the first command: a console that dies from here on leaves a trace.
      try {
        journal = await PlanJournal.begin(this.dir, fresh, whoAmI(this.iface), [password]);
      } catch (error) {
        throw new EngineError('JOURNAL_UNWRITABLE', `the plan journal could not be written (${toApiError(error).message}): not started, nothing was sent`);
      }
    } catch (error) {
      await release();
      // Up to here only reads went out. A re-check cut short by a stop is the stop's doing.
      const cause = slot.interrupted && !(error instanceof EngineError && error.code === 'JOURNAL_UNWRITABLE') ? notStarted(slot.interrupted) : error;
      throw withDetails(cause, NOTHING_SENT);
    }
    let report;
    const startedAt = Date.now();
    slot.plan = fresh.plan;
    const record: RunRecord = { plan: fresh.plan, startedAt, progress: new Map(), stepStartedAt: new Map(), outcome: null, error: null, ended: false };
    this.recentRuns.push(record);
    if (this.recentRuns.length > RECENT_RUNS) this.recentRuns.shift();
    try {
      slot.execution = new Execution(this.engine.commands(), fresh, {
        pollMs: this.pollMs,
        stepTimeoutMs: fresh.plan.request.options?.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        onProgress: (progress) => {
          if (progress.status === 'running') slot.currentStep = progress.stepId;
          record.progress.set(progress.stepId, progress);
          if (progress.status === 'running' && !record.stepStartedAt.has(progress.stepId)) record.stepStartedAt.set(progress.stepId, progress.at);
          this.publish(progress, options.onProgress);
        },
        journal,
      });
      report = await slot.execution.run();
      // Read once: a stop that comes after this line finds the plan ended, not kept for the next start.
      // A role change that got no answer may still take effect: the journal keeps the plan as
      // half-done, reported (`interrupted`) until its nodes are read settled.
      const interrupted = slot.interrupted ?? unansweredCause(report.unanswered);
      await journal.finish(report.status, interrupted).catch(() => undefined);
      slot.ended = { status: report.status, kept: interrupted !== null };
    } catch (error) {
      // The run started: what reached the nodes is not known here, so nothing is claimed.
      const cause = withoutNothingSent(error);
      record.error = toApiError(cause);
      record.ended = true;
      throw cause;
    } finally {
      await release();
    }
    const snapshot = await this.engine.refresh().catch(() => this.engine.snapshot());
    const addresses = [...new Set([...fresh.plan.nodes, ...fresh.expected.map((e) => e.address)])];
    const nodes = finalStates(snapshot, addresses, fresh.ops);
    // Every step passed, but the fresh read afterwards is what counts: a plan whose end state
    // is not there is not done (another change may have happened meanwhile).
    const contradicted = report.status === 'ok' ? unverified(fresh, nodes) : [];
    const status = contradicted.length > 0 ? 'failed' : report.status;
    const advice = nextSteps(fresh, report, nodes, snapshot, contradicted);
    // A master changed, or a replica moved or detached, around the group's Sentinels: what they name
    // now decides what happens next, first of the notes when the plan is done (it ends "done", and
    // they are about to undo it).
    if (report.handedOver && wentAroundSentinels(fresh)) {
      const note = sentinelAftermath(fresh, await askSentinels(this.engine.commands(), fresh), nodes, snapshot);
      if (note !== null) {
        if (status === 'ok') advice.unshift(note);
        else advice.push(note);
      }
    }
    const outcome: Omit<ActionOutcome, 'auditFile'> = {
      planId,
      ok: status === 'ok',
      status,
      startedAt,
      finishedAt: Date.now(),
      steps: report.steps,
      nodes,
      nextSteps: advice,
      // The facts only: what each Sentinel said is in the step's message and the next steps.
      ...(report.sentinelOnItsOwn ? { sentinelOnItsOwn: onItsOwnFacts(report.sentinelOnItsOwn) } : {}),
    };
    const needed: readonly string[] = fresh.plan.needsOverride;
    const overrides = (options.overrides ?? []).filter((code) => needed.includes(code));
    try {
      await this.log.append(auditEntry(fresh, outcome, whoAmI(this.iface), overrides, [password]));
    } catch (error) {
      outcome.nextSteps.push(`The audit log ${this.log.file} could not be written: ${toApiError(error).message}`);
    }
    const done = { ...outcome, auditFile: this.log.file };
    record.outcome = done;
    record.ended = true;
    return done;
  }

  /**
   * Claim the plan's nodes against consoles in other processes on this machine; BUSY (nothing
   * sent) when one runs a plan on any of them, named with its summary, who and since when.
   */
  private async claim(shown: PlannedAction): Promise<HeldClaims> {
    const nodes = claimedNodes(shown);
    const who = whoAmI(this.iface);
    const summary = redact(shown.plan.summary, [this.engine.credentials().password]);
    const owner: ClaimOwner = { planId: shown.plan.id, summary, pid: process.pid, host: who.host, user: who.user, interface: who.interface, at: Date.now() };
    let result;
    try {
      result = await this.claims.take(nodes, owner);
    } catch (error) {
      throw new EngineError('JOURNAL_UNWRITABLE', `the plan journal could not be written (its node claims in ${this.claims.dir}: ${toApiError(error).message}): not started, nothing was sent`);
    }
    if (result.busy) throw busyElsewhere(result.busy);
    // A console of an older version (or one whose claims were removed) still shows in the journal.
    const open = await new JournalStore(this.dir).openElsewhere(nodes).catch(() => null);
    if (open) {
      await result.held.release();
      throw busyElsewhere({ ...open, at: open.at });
    }
    return result.held;
  }

  /**
   * A read-only connection (--read-only, a read-only profile) plans and runs nothing: every front
   * end (app, web, CLI) is refused here, whatever its UI shows. Abort and reads keep working.
   */
  private refuseReadOnly(): void {
    if (this.engine.readOnly) {
      throw new EngineError(
        'READ_ONLY',
        'This connection is read-only (monitoring only): topology changes are refused. Connect without --read-only (or through a profile that is not read-only) to plan one.',
        NOTHING_SENT,
      );
    }
  }

  /** Ask a running plan to stop: safe at once, at the next safe point, or refused with the reason. */
  async abort(planId: string): Promise<AbortResult> {
    if (!this.running || this.running.planId !== planId) return { accepted: false, message: 'this plan is not running' };
    if (!this.running.execution) return { accepted: false, message: 'the plan is being re-checked and nothing has been sent yet: try again in a moment' };
    return this.running.execution.abort();
  }

  /**
   * For a shutdown or a disconnect: ask the running plan (if any) to stop at its next safe
   * point and wait for it, at most `waitMs`. The plan stays in the journal, reported at the
   * next start. Says what happened, for the front end to show.
   */
  async stopRunning(reason: string, waitMs = STOP_WAIT_MS): Promise<StopResult> {
    const slot = this.running;
    if (!slot) return { status: 'idle', message: 'no plan is running' };
    slot.interrupted ??= reason;
    // Said at once, before the abort is even asked: the plan may end while it is, and every window
    // following it must hear why before its outcome arrives.
    this.publishNotice(slot, `${reason}: stopping the plan at its next safe point…`);
    let asked = 'it had not sent anything yet and will not start';
    if (slot.ended) {
      asked = `it had already ended (${slot.ended.status})`;
    } else if (slot.execution) {
      const result = await slot.execution.abort().catch((error: unknown) => ({ accepted: false, message: toApiError(error).message }));
      asked = result.accepted ? `stopping at the next safe point (${result.message})` : `it cannot stop safely right now, so it goes on to the end (${result.message})`;
    }
    this.publishNotice(slot, `${reason}: ${asked}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      slot.done.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      return { status: 'timeout', message: `"${slot.summary}" did not reach a safe point within ${Math.round(waitMs / 1000)} s (${asked}); the journal keeps it for the next start` };
    }
    // A plan that ended before the stop reached it has nothing left for the next start: say so.
    if (slot.ended && !slot.ended.kept) return { status: 'stopped', message: `"${slot.summary}" had ended (${slot.ended.status}) before the stop reached it: nothing is left for the next start` };
    return { status: 'stopped', message: `"${slot.summary}" stopped: ${asked}; the journal keeps it, reported at the next start` };
  }

  /** The summary of the running plan, or null. */
  get runningPlan(): { planId: string; summary: string } | null {
    return this.running ? { planId: this.running.planId, summary: this.running.summary } : null;
  }

  /**
   * The plan running now (being re-checked, or sending), else the last one that ran, with its
   * progress so far and, once ended, its outcome: what a window that did not start it shows (one
   * reloaded mid-run; one refused BUSY, to see it end). Null when no plan has run.
   */
  runView(planId?: string): PlanRun | null {
    const slot = this.running;
    const asked = planId === undefined ? undefined : this.recentRuns.find((r) => r.plan.id === planId);
    if (asked) return this.viewOf(asked);
    const record = this.recentRuns.at(-1) ?? null;
    // Claimed and being read again: nothing sent yet, and it may still be refused.
    if (slot && slot.execution === null && (record === null || record.plan.id !== slot.planId)) {
      return { planId: slot.planId, status: 'checking', plan: slot.plan, startedAt: null, progress: [], stepStartedAt: {}, outcome: null, error: null, writePause: null };
    }
    return record ? this.viewOf(record) : null;
  }

  private viewOf(record: RunRecord): PlanRun {
    const execution = this.running?.planId === record.plan.id ? this.running.execution : null;
    return {
      planId: record.plan.id,
      status: record.ended ? 'ended' : 'running',
      plan: record.plan,
      startedAt: record.startedAt,
      progress: [...record.progress.values()],
      stepStartedAt: Object.fromEntries(record.stepStartedAt),
      outcome: record.outcome,
      error: record.error,
      writePause: record.ended ? null : (execution?.writePause(Date.now()) ?? null),
    };
  }

  /** For drag-and-drop: every other node as a new master for `node`, from the current snapshot (no network). */
  candidates(node: string): MoveCandidate[] {
    const snapshot = this.engine.snapshot();
    if (!snapshot) throw new EngineError('NOT_CONNECTED', 'not connected to a topology: connect first', NOTHING_SENT);
    try {
      return moveCandidates(snapshot, node);
    } catch (error) {
      throw withDetails(error, NOTHING_SENT);
    }
  }

  /** The most recent audit entries of every topology, newest last. */
  async audit(limit = 100): Promise<AuditEntry[]> {
    return (await this.log.read(limit)).entries;
  }

  /**
   * The audit view: 'topology' (the default) keeps the entries touching the connected
   * topology's nodes (all of them when not connected); unreadable lines are reported.
   */
  async auditList(limit = 100, scope: AuditScope = 'topology'): Promise<AuditList> {
    const snapshot = scope === 'topology' ? this.engine.snapshot() : null;
    if (!snapshot) {
      const { entries, unreadable } = await this.log.read(limit);
      return { entries, unreadable, scope: 'all', otherTopologies: 0 };
    }
    const addresses = topologyAddresses(snapshot);
    let others = 0;
    const { entries, unreadable } = await this.log.read(limit, (entry) => {
      const mine = touchesTopology(entry, addresses);
      if (!mine) others++;
      return mine;
    });
    return { entries, unreadable, scope, otherTopologies: others };
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
    const facts = await gatherFacts(this.engine, snapshot, scope, {
      helloMs: this.helloMs,
      knownSentinel: previous?.sentinel ?? recent,
      readFirst: comparedAsReplicas(request),
      catchUpToMaster: comparedWithMaster(request),
      ...(request.kind === 'sentinel-failover' && request.masterName ? { masterName: request.masterName } : {}),
    });
    if (facts.sentinel?.masterName) this.sentinelSeen = { facts: facts.sentinel, at: Date.now() };
    const planned = planAction(request, facts, { id, now: previous?.plan.createdAt ?? Date.now(), ttlMs: this.ttlMs });
    // Here, so the plan shown and its re-check before running both ask.
    return checkPermissions(this.engine.commands(), planned, facts);
  }

  /** Tell every window why the running plan is being stopped, as a progress line of its current step. */
  private publishNotice(slot: RunningPlan, message: string): void {
    const stepId = slot.currentStep;
    if (stepId === null) return;
    const at = Date.now();
    // As every report does: whether a write pause still holds (without it the countdown went, the pause held on).
    const writePause = slot.execution?.writePause(at) ?? null;
    this.publish({ planId: slot.planId, stepId, status: 'running', message, at, ...(writePause ? { writePause } : {}) }, undefined);
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

/** What the outcome carries of Sentinel's own failover: the report's fields, not what each Sentinel said. */
function onItsOwnFacts(own: NonNullable<ExecutionReport['sentinelOnItsOwn']>): SentinelOnItsOwn {
  const { said: _said, ...facts } = own;
  return facts;
}

/** Why a plan whose role change got no answer stays in the journal, or null when every one was answered. */
function unansweredCause(unanswered: readonly UnansweredCommand[]): string | null {
  if (unanswered.length === 0) return null;
  return unanswered.map((u) => `${u.command} on ${u.node} got no answer (${u.error}): ${u.node} may still carry it out when it runs again`).join('; ');
}

/** Every node a plan changes or expects something of. */
function claimedNodes(planned: PlannedAction): string[] {
  return [...new Set([...planned.plan.nodes, ...planned.expected.map((e) => e.address)])];
}

/** Refused because a console in another process runs a plan on some of the same nodes. */
function busyElsewhere(other: Pick<ClaimOwner, 'planId' | 'summary' | 'user' | 'host' | 'pid' | 'interface' | 'at'>): EngineError {
  const since = new Date(other.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return new EngineError(
    'BUSY',
    `another console is running a plan on these nodes: "${other.summary}" (plan ${other.planId}, by ${other.user}@${other.host}, ${other.interface}, pid ${other.pid}, since ${since}). ` +
      'Wait for it to finish, then plan again; nothing was sent.',
    { nothingSent: true, runningPlanId: other.planId, elsewhere: true },
  );
}

/** A plan not started because the console (or its tab) is stopping. */
function notStarted(reason: string): EngineError {
  return new EngineError('STOPPING', `not started: ${reason}; nothing was sent`, NOTHING_SENT);
}

/** The error without a nothingSent claim: once the run has begun, only its report can say what was sent. */
function withoutNothingSent(error: unknown): EngineError {
  const { code, message, details } = toApiError(error);
  if (!details) return new EngineError(code, message);
  const { nothingSent: _dropped, ...rest } = details;
  return new EngineError(code, message, Object.keys(rest).length > 0 ? rest : undefined);
}

/**
 * What a check says, as far as an override answers it: its messages for `code`, figures and their
 * units left out (a replica's bytes behind move with every write; the reason does not).
 */
function reasons(plan: ActionPlan, code: string): string {
  return plan.checks
    .filter((c) => c.code === code && c.verdict !== 'ok')
    .map((c) => c.message.replace(/\d[\d,.]*(\s*(B|KiB|MiB|GiB|TiB|bytes|ms|s)\b)?/g, '#'))
    .sort()
    .join('\n');
}

/** Why a plan may not run now (each reason its own code; nothing is sent), or null. */
function refusal(shown: ActionPlan, fresh: ActionPlan, options: ExecuteOptions): EngineError | null {
  const sig = (plan: ActionPlan): string => plan.steps.map((s) => `${s.node} ${s.command}`).join('\n');
  if (sig(shown) !== sig(fresh)) {
    // What changed, when a check says it: "the steps would now be different" over a target that stopped answering named nothing.
    const now = fresh.checks.filter((c) => c.verdict === 'refused').map((c) => `${c.code}: ${c.message}`);
    return new EngineError(
      'PLAN_STALE',
      `the topology changed since this plan was made and the steps would now be different${now.length > 0 ? ` (now ${now.join('; ')})` : ''}: plan again and review the new plan`,
      NOTHING_SENT,
    );
  }
  if (!fresh.canRun) {
    const refused = fresh.checks.filter((c) => c.verdict === 'refused' && !c.overridable);
    return new EngineError('PLAN_REFUSED', `refused: ${refused.map((c) => `${c.code}: ${c.message}`).join('; ') || 'nothing to run'}`, {
      nothingSent: true,
      checks: refused.map((c) => c.code),
    });
  }
  const given = new Set(options.overrides ?? []);
  const missing = fresh.needsOverride.filter((code) => !given.has(code));
  if (missing.length > 0) {
    const why = fresh.checks.filter((c) => missing.includes(c.code) && c.verdict !== 'ok').map((c) => `${c.code}: ${c.message}`);
    return new EngineError('NEEDS_OVERRIDE', `needs an explicit override for ${missing.join(', ')} (${why.join('; ')})`, { nothingSent: true, overrides: [...missing] });
  }
  // An override answers the reason the operator read, not the code: given for "its replicas still
  // have their link up", it ran a failover over a master that answered again (two masters, "Done").
  const changedReasons = fresh.needsOverride.filter((code) => given.has(code) && reasons(shown, code) !== reasons(fresh, code));
  if (changedReasons.length > 0) {
    const now = fresh.checks.filter((c) => changedReasons.includes(c.code) && c.verdict !== 'ok').map((c) => `${c.code} now says: ${c.message}`);
    return new EngineError('PLAN_STALE', `what you overrode changed since you reviewed the plan (${now.join('; ')}): plan again and review the new plan`, {
      nothingSent: true,
      overrides: changedReasons,
    });
  }
  if (shown.confirmAddress === null && fresh.confirmAddress !== null) {
    // Reviewed as harmless, harmful now (a replica that got keys meanwhile would be flushed): the
    // operator was never asked to confirm, so "type the address" would answer a question never put.
    const why = fresh.checks.filter((c) => (c.code === 'FULL_SYNC' || c.code === 'MASTER_DEMOTED') && c.verdict !== 'ok').map((c) => c.message);
    return new EngineError(
      'PLAN_STALE',
      `the nodes changed since this plan was made and it now flushes data or changes roles (${why.join('; ') || 'a step became destructive'}): plan again, review the new plan and confirm it`,
      NOTHING_SENT,
    );
  }
  if (fresh.confirmAddress !== null && tryNormalize(options.confirmAddress ?? '') !== fresh.confirmAddress) {
    return new EngineError('NEEDS_CONFIRMATION', `this plan changes roles or flushes data: type ${fresh.confirmAddress} to confirm`, {
      nothingSent: true,
      confirm: fresh.confirmAddress,
    });
  }
  return null;
}
