// The plan dialog from request to outcome: planning, review (checks, overrides, options, the
// typed confirmation), running (live progress per step, abort) and done (the outcome).
// Answers that belong to an earlier plan (a re-plan, a closed dialog) are ignored by token
// or plan id, so a late reply can never show under the wrong plan.
/* eslint-disable svelte/prefer-svelte-reactivity --
   Maps and Sets here are built whole and assigned to $state.raw; they are never mutated. */
import type {
  AbortResult,
  ActionOptions,
  ActionOutcome,
  ActionPlan,
  ActionRequest,
  CheckCode,
  ExecuteRequest,
  PlanCheck,
  PlanRun,
  PlanStep,
  ResyncPrediction,
  StepProgress,
  StepResult,
} from '../../../electron/shared/actions';
import type { ApiError } from '../../../electron/shared/types';
import { stoppedBySentinel } from '../lib/action-labels';
import { parseSeed } from '../lib/seeds';

export type PlanPhase = 'closed' | 'planning' | 'review' | 'running' | 'done';

/** One step as the dialog shows it: the plan's step plus where it stands. */
export interface StepRow extends PlanStep {
  index: number;
  status: StepResult['status'];
  message: string;
  /** Live figures from the last progress (master_failover_state, link status, sync percent). */
  detail: Record<string, string | number> | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** The step a sentinel-failover stopped at because the Sentinels failed over on their own: "Stopped", not "Failed". */
  stoppedBySentinel: boolean;
}

export type PlanOption = 'persist' | 'setMasterauth' | 'skipWritePause';

export interface AbortState {
  pending: boolean;
  result: AbortResult | null;
  error: ApiError | null;
}

/** True when `typed` is the address to confirm (spaces around and letter case do not matter). */
export function confirms(typed: string, address: string): boolean {
  return typed.trim().toLowerCase() === address.toLowerCase();
}

/**
 * The addresses replicas are told to dial: each `REPLICAOF host port` of the steps, as host:port
 * (IPv6 in brackets), once each in the order of the steps; empty when no step points a replica
 * at a master. Usually one; two where replicas dial the new master over different transports
 * (its plain port and its TLS port, by their tls-replication: TLS_REPLICATION).
 */
export function replicaofTargetsOf(steps: readonly PlanStep[]): string[] {
  const targets: string[] = [];
  for (const step of steps) {
    const match = /^REPLICAOF (\S+) (\d+)$/.exec(step.command);
    if (!match || match[1] === undefined) continue;
    const host = match[1].includes(':') ? `[${match[1]}]` : match[1];
    const target = `${host}:${match[2]}`;
    if (!targets.includes(target)) targets.push(target);
  }
  return targets;
}

/** The first address replicas are told to dial (see replicaofTargetsOf), or null. */
export function replicaofTargetOf(steps: readonly PlanStep[]): string | null {
  return replicaofTargetsOf(steps)[0] ?? null;
}

/**
 * Reads a typed REPLICAOF target: host:port with the port written out (no default port here:
 * a guessed port would point replicas at the wrong server). Empty means the engine's default.
 */
export function parseMasterAddress(text: string): { address: string | null } | { error: string } {
  const token = text.trim();
  if (token === '') return { address: null };
  const hasPort = token.startsWith('[') ? /\]:[^:]*$/.test(token) : token.includes(':');
  if (!hasPort) return { error: `"${token}": give the port too, as host:port` };
  const parsed = parseSeed(token);
  return 'error' in parsed ? parsed : { address: parsed.address };
}

export class PlanDialogState {
  phase = $state<PlanPhase>('closed');
  request = $state.raw<ActionRequest | null>(null);
  plan = $state.raw<ActionPlan | null>(null);
  /** planAction failed: nothing to review. */
  planError = $state.raw<ApiError | null>(null);
  /** executeAction refused or failed before an outcome (e.g. the topology changed: plan again). */
  runError = $state.raw<ApiError | null>(null);
  overrides = $state.raw<ReadonlySet<CheckCode>>(new Set());
  confirmText = $state('');
  /** The latest progress of each step of the running plan, by step id. */
  progress = $state.raw<ReadonlyMap<string, StepProgress>>(new Map());
  /** When each step was first seen running (progress time). */
  stepStartedAt = $state.raw<ReadonlyMap<string, number>>(new Map());
  outcome = $state.raw<ActionOutcome | null>(null);
  abort = $state.raw<AbortState>({ pending: false, result: null, error: null });
  /**
   * The dialog shows a plan this window did not run: one still running in the console when the
   * window was (re)loaded. Its progress comes as pushes and its end from the console (followed()).
   */
  following = $state(false);
  /** The plan a BUSY refusal named (this console's, another window's) has ended since: plan again. */
  busyEnded = $state(false);
  /** The write pause (CLIENT PAUSE) the running plan holds, as its last progress said: on which node, and until when by this window's clock. */
  writePause = $state.raw<{ node: string; endsAt: number; seenAt: number } | null>(null);

  #token = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  readonly open: boolean = $derived(this.phase !== 'closed');
  readonly options: ActionOptions = $derived(this.request?.options ?? {});
  /** Where the plan's replicas will dial their new master (from its REPLICAOF step), or null. */
  readonly replicaofTargets: string[] = $derived(this.plan ? replicaofTargetsOf(this.plan.steps) : []);
  readonly replicaofTarget: string | null = $derived(this.replicaofTargets[0] ?? null);

  /** Non-ok checks the operator may accept: each gets a "run anyway" checkbox. */
  readonly overridable: PlanCheck[] = $derived(
    this.plan ? this.plan.checks.filter((c) => c.overridable && c.verdict !== 'ok') : [],
  );

  /**
   * Overrides the last run's refusal asked for that the reviewed plan did not (a check that only
   * the fresh read before running found): each gets a "run anyway" checkbox beside the refusal.
   */
  readonly refusalOverrides: CheckCode[] = $derived.by(() => {
    const error = this.runError;
    if (error?.code !== 'NEEDS_OVERRIDE' || !this.plan) return [];
    const known: readonly string[] = this.plan.needsOverride;
    return ((error.details?.overrides ?? []) as CheckCode[]).filter((code) => !known.includes(code));
  });

  /** Every override the next run needs: the plan's and the last refusal's. */
  readonly neededOverrides: CheckCode[] = $derived(this.plan ? [...this.plan.needsOverride, ...this.refusalOverrides] : []);

  readonly missingOverrides: CheckCode[] = $derived(this.neededOverrides.filter((code) => !this.overrides.has(code)));

  /** The address to type back: the plan's, or the one the last refusal asked for (the fresh read made the plan destructive). */
  readonly confirmAddress: string | null = $derived(
    this.plan?.confirmAddress ?? (this.runError?.code === 'NEEDS_CONFIRMATION' ? (this.runError.details?.confirm ?? null) : null),
  );

  readonly confirmed: boolean = $derived(this.plan !== null && (this.confirmAddress === null || confirms(this.confirmText, this.confirmAddress)));

  /**
   * After a refusal that the same plan can get past (wait, override, confirm), Run stays offered;
   * after any other run error the way on is to plan again, or to look first.
   */
  readonly retryable: boolean = $derived(
    this.runError !== null &&
      this.runError.details?.nothingSent === true &&
      ['BUSY', 'NEEDS_OVERRIDE', 'NEEDS_CONFIRMATION'].includes(this.runError.code) &&
      // The plan it waited for has changed the nodes: run as reviewed, it was refused PLAN_STALE.
      !this.busyEnded,
  );

  /** The console's running plan to ask after on each tick: one this dialog follows, or one a BUSY refusal waits for. */
  readonly watchedRun: string | null = $derived.by(() => {
    if (this.following && this.phase === 'running') return this.plan?.id ?? null;
    return this.#busyWith;
  });

  /** Full (or unknown) syncs: the replica's data is replaced. Shown first and loud. */
  readonly flushes: ResyncPrediction[] = $derived(this.plan ? this.plan.predictions.filter((p) => p.flushesData) : []);

  /** Why Run is disabled, in the order the operator should deal with them; empty when it can run. */
  readonly blockers: string[] = $derived.by(() => {
    const plan = this.plan;
    if (this.phase !== 'review' || plan === null) return ['no plan to run'];
    const out: string[] = [];
    if (!plan.canRun) {
      const refused = plan.checks.filter((c) => c.verdict === 'refused' && !c.overridable).map((c) => c.code);
      out.push(refused.length > 0 ? `refused by ${refused.join(', ')}` : 'refused: nothing to run');
      return out;
    }
    if (plan.steps.length === 0) out.push('nothing to run');
    if (this.missingOverrides.length > 0) out.push(`tick "run anyway" for ${this.missingOverrides.join(', ')}`);
    if (!this.confirmed && this.confirmAddress !== null) out.push(`type ${this.confirmAddress} to confirm`);
    return out;
  });

  readonly canRun: boolean = $derived(this.blockers.length === 0);

  readonly rows: StepRow[] = $derived.by(() => {
    const plan = this.plan;
    if (!plan) return [];
    const results = new Map((this.outcome?.steps ?? []).map((s) => [s.id, s]));
    const own = this.outcome?.sentinelOnItsOwn;
    return plan.steps.map((step, index) => {
      const result = results.get(step.id);
      const live = this.progress.get(step.id);
      if (result) {
        return {
          ...step,
          index,
          status: result.status,
          message: result.message,
          detail: live?.detail ?? null,
          startedAt: result.startedAt,
          finishedAt: result.finishedAt,
          stoppedBySentinel: stoppedBySentinel(result, own),
        };
      }
      const ended = live && live.status !== 'running';
      return {
        ...step,
        index,
        status: live?.status ?? 'pending',
        message: live?.message ?? '',
        detail: live?.detail ?? null,
        startedAt: this.stepStartedAt.get(step.id) ?? null,
        finishedAt: ended ? live.at : null,
        // Said by its live end already, before the outcome arrives.
        stoppedBySentinel: live?.status === 'failed' && live.stoppedBy === 'sentinel',
      };
    });
  });

  readonly runningStep: StepRow | null = $derived(this.rows.find((r) => r.status === 'running') ?? null);

  /** Abort is offered for switchovers, where writes are stopped and a hand-over can be called off. */
  readonly canAbort: boolean = $derived(
    this.phase === 'running' && this.request?.kind === 'switchover' && this.abort.result?.accepted !== true,
  );

  /** The plan of this console a BUSY refusal names, while it is not known to have ended. */
  get #busyWith(): string | null {
    const error = this.runError;
    if (this.phase !== 'review' || this.busyEnded || error?.code !== 'BUSY' || error.details?.elsewhere === true) return null;
    return error.details?.runningPlanId ?? null;
  }

  /**
   * Show a plan the console is running that this window did not start (reloaded mid-run): its
   * steps, progress so far and, from there on, the pushes. Only over a closed dialog.
   */
  follow(run: PlanRun): boolean {
    if (this.phase !== 'closed' || run.status !== 'running') return false;
    this.#reset('planning', run.plan.request);
    this.plan = run.plan;
    this.phase = 'running';
    this.following = true;
    this.#merge(run);
    return true;
  }

  /**
   * What the console says of the plan watched (watchedRun): a followed plan's progress and end,
   * or the end of the one a BUSY refusal waited for. `run` null: the console has run none.
   */
  runSeen(run: PlanRun | null): void {
    const watched = this.watchedRun;
    if (watched === null) return;
    const same = run !== null && run.planId === watched;
    if (!this.following) {
      // Another plan in its place, or none: the one named has ended (or was refused, nothing sent).
      if (!same || run.status === 'ended') this.busyEnded = true;
      return;
    }
    if (!same) {
      // The console no longer knows it (restarted): how it ended was not seen here.
      this.runError = {
        code: 'INTERNAL',
        message: 'The console no longer reports this plan, so how it ended was not seen here.',
      };
      this.phase = 'review';
      return;
    }
    this.#merge(run);
    if (run.status !== 'ended') return;
    if (run.outcome) {
      this.outcome = run.outcome;
      this.phase = 'done';
    } else {
      this.runError = run.error ?? { code: 'INTERNAL', message: 'The plan ended without an outcome.' };
      this.phase = 'review';
    }
  }

  /** A write pause as the console said it (null: none holds), counted down from now. */
  #pauseSeen(pause: { node: string; leftMs: number } | null): void {
    const seenAt = this.#now();
    this.writePause = pause ? { node: pause.node, endsAt: seenAt + pause.leftMs, seenAt } : null;
  }

  /** The console's record of a followed run: each step's newer progress, when each started, and the write pause it holds now. */
  #merge(run: PlanRun): void {
    this.#pauseSeen(run.writePause);
    const progress = new Map(this.progress);
    for (const p of run.progress) {
      const known = progress.get(p.stepId);
      if (!known || known.at <= p.at) progress.set(p.stepId, p);
    }
    this.progress = progress;
    this.stepStartedAt = new Map([...Object.entries(run.stepStartedAt), ...this.stepStartedAt]);
  }

  /** Opens the dialog for a request; returns the token planned()/planFailed() must present. */
  begin(request: ActionRequest): number {
    this.#reset('planning', request);
    return this.#token;
  }

  planned(token: number, plan: ActionPlan): void {
    if (token !== this.#token || this.phase !== 'planning') return;
    this.plan = plan;
    this.phase = 'review';
    // Overrides ticked for the previous plan carry over only where the new plan still asks for them.
    this.overrides = new Set([...this.overrides].filter((code) => plan.needsOverride.includes(code)));
  }

  planFailed(token: number, error: ApiError): void {
    if (token !== this.#token || this.phase !== 'planning') return;
    this.planError = error;
    this.phase = 'review';
  }

  /**
   * The same request with one option changed, to plan again (options change the steps).
   * Returns null when there is nothing to re-plan.
   */
  withOption(option: PlanOption, value: boolean): ActionRequest | null {
    const request = this.request;
    if (!request || this.phase === 'running') return null;
    const options: ActionOptions = { ...request.options };
    if (value) options[option] = true;
    else delete options[option];
    return { ...request, options } as ActionRequest;
  }

  /** The same request with replicas told to dial `address` (null: the engine's default). */
  withMasterAddress(address: string | null): ActionRequest | null {
    const request = this.request;
    if (!request || this.phase === 'running') return null;
    const options: ActionOptions = { ...request.options };
    if (address === null) delete options.masterAddress;
    else options.masterAddress = address;
    return { ...request, options } as ActionRequest;
  }

  /** Promote only: the same request with siblings re-pointed or not. */
  withRepointSiblings(value: boolean): ActionRequest | null {
    const request = this.request;
    if (!request || request.kind !== 'promote' || this.phase === 'running') return null;
    return { ...request, repointSiblings: value };
  }

  /**
   * Plan again. After an option change the ticked overrides and the typed confirmation stay
   * (planned() drops overrides the new plan no longer asks for); after "the topology changed"
   * (keep false) the operator reviews the new plan from scratch.
   */
  replan(request: ActionRequest | null, keep: boolean): number | null {
    if (!request || this.phase === 'running' || this.phase === 'closed') return null;
    const overrides = this.overrides;
    const confirmText = this.confirmText;
    const token = this.begin(request);
    if (keep) {
      this.overrides = overrides;
      this.confirmText = confirmText;
    }
    return token;
  }

  setOverride(code: CheckCode, on: boolean): void {
    const next = new Set(this.overrides);
    if (on) next.add(code);
    else next.delete(code);
    this.overrides = next;
  }

  setConfirmText(text: string): void {
    this.confirmText = text;
  }

  /** What to send to executeAction, or null when Run must stay disabled. */
  executeRequest(): ExecuteRequest | null {
    const plan = this.plan;
    if (!plan || !this.canRun) return null;
    const overrides = this.neededOverrides.filter((code) => this.overrides.has(code));
    return {
      planId: plan.id,
      ...(this.confirmAddress !== null ? { confirmAddress: this.confirmText.trim() } : {}),
      ...(overrides.length > 0 ? { overrides } : {}),
    };
  }

  /** Run pressed: progress for this plan is shown from now on. */
  beginRun(planId: string): void {
    if (this.plan?.id !== planId) return;
    this.phase = 'running';
    this.runError = null;
    this.busyEnded = false;
    this.outcome = null;
    this.#clearRun();
  }

  applyProgress(progress: StepProgress): void {
    if (this.phase !== 'running' || this.plan?.id !== progress.planId) return;
    const next = new Map(this.progress);
    next.set(progress.stepId, progress);
    this.progress = next;
    // Said by every report while it holds (time left when sent, counted down here from receipt); absent once released.
    this.#pauseSeen(progress.writePause ?? null);
    if (progress.status === 'running' && !this.stepStartedAt.has(progress.stepId)) {
      this.stepStartedAt = new Map(this.stepStartedAt).set(progress.stepId, progress.at);
    }
  }

  finished(outcome: ActionOutcome): void {
    if (this.plan?.id !== outcome.planId || this.phase !== 'running') return;
    this.outcome = outcome;
    this.phase = 'done';
  }

  /** executeAction rejected: refused with nothing sent, or the answer was lost (details say which). Back to review. */
  runFailed(planId: string, error: ApiError): void {
    if (this.plan?.id !== planId || this.phase !== 'running') return;
    this.runError = error;
    this.phase = 'review';
  }

  abortRequested(): void {
    this.abort = { pending: true, result: null, error: null };
  }

  /** The plan an Abort button stops: this dialog's while it runs, or the one a BUSY refusal named. */
  get abortTarget(): string | null {
    if (this.phase === 'running') return this.plan?.id ?? null;
    // A plan of another process (the CLI) is stopped there: "Abort" here was refused as "not running".
    return this.runError?.code === 'BUSY' && this.runError.details?.elsewhere !== true ? (this.runError.details?.runningPlanId ?? null) : null;
  }

  abortAnswered(planId: string, result: AbortResult): void {
    if (this.plan?.id !== planId && this.abortTarget !== planId) return;
    this.abort = { pending: false, result, error: null };
  }

  abortFailed(planId: string, error: ApiError): void {
    if (this.plan?.id !== planId && this.abortTarget !== planId) return;
    this.abort = { pending: false, result: null, error };
  }

  /**
   * Closing while a plan runs is refused: the outcome must be seen. One this window only follows
   * runs on without it (its outcome is in the audit log). Returns whether it closed.
   */
  close(): boolean {
    if (this.phase === 'running' && !this.following) return false;
    this.#reset('closed', null);
    return true;
  }

  /** A fresh dialog: a new token makes answers to any earlier plan or run stale. */
  #reset(phase: 'planning' | 'closed', request: ActionRequest | null): void {
    this.#token += 1;
    this.phase = phase;
    this.request = request;
    this.plan = null;
    this.planError = null;
    this.runError = null;
    this.outcome = null;
    this.overrides = new Set();
    this.confirmText = '';
    this.following = false;
    this.busyEnded = false;
    this.#clearRun();
  }

  #clearRun(): void {
    this.writePause = null;
    this.progress = new Map();
    this.stepStartedAt = new Map();
    this.abort = { pending: false, result: null, error: null };
  }
}
