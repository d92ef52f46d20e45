// Runs a plan's steps in order through NodeCommands. Each step is verified before the next one
// starts (roles, links, offsets) within a deadline; the first failure stops the plan, save the
// few steps runsAfterStop() names. A
// switchover's write stop (CLIENT PAUSE or the min-replicas fence) is always released when the
// hand-over did not happen, and deliberately kept when releasing it would let two masters take
// writes. Every step start and end, and every change that needs undoing, is written to the
// plan journal before the command goes out, so a console that dies leaves a trace.
import type { AbortResult, SentinelOnItsOwn as SharedSentinelOnItsOwn, StepProgress, StepResult } from '../../shared/actions';
import type { ApiError } from '../../shared/types';
import { toApiError, unreachableKind } from '../errors';
import { formatAddress, parseAddress } from '../address';
import type { ReplicationInfo } from '../info-parser';
import { sameAddress, tryNormalize as tryNormalizeAddress } from './graph';
import type { NodeCommands } from '../node-commands';
import { PAUSE_MARGIN_MS, type PlannedAction } from './plan-builder';
import { commandText, movedBySentinel, type StepOp } from './operations';
import { masterOf, offsetOf, pollUntil, readReplication, readStats } from './probe';
import { NO_JOURNAL, type StepJournal } from './step-journal';
import { groupState, lookAtGroup, onItsOwnText, prioritiesProgress, saidText, stillDownText, type GroupState, type SentinelLook } from './sentinel-watch';
import { formatBytes, formatOffset } from '../../shared/format';

export interface ExecutorOptions {
  pollMs: number;
  stepTimeoutMs: number;
  onProgress: (progress: StepProgress) => void;
  /** Where step starts, ends and undo records go before the commands (default: nowhere). */
  journal?: StepJournal;
  /** How long the Sentinels get to report a new master after SENTINEL FAILOVER (default 30 s: Sentinel works at its own pace). */
  sentinelFailoverWaitMs?: number;
}

export interface ExecutionReport {
  status: 'ok' | 'failed' | 'aborted';
  steps: StepResult[];
  /** What the executor did on its own after a failure (released a pause, …). */
  cleanup: string[];
  /** Index of the first step that changes roles and whether it completed. */
  handedOver: boolean;
  failure: { stepIndex: number; message: string } | null;
  /** Role changes sent that got no answer: each may have taken effect, or still may when its node runs again. */
  unanswered: UnansweredCommand[];
  /** What the operator must still do about a step that ended without stopping the plan (a config file left holding a steer). */
  notes: string[];
  /**
   * A FAILOVER the old master accepted and is still carrying out (failover-in-progress) when its
   * step gave up: it completes by itself once the target answers. Null otherwise.
   */
  handingOver: { node: string; target: string } | null;
  /**
   * Replicas left with the masterauth/masteruser the plan gave them (the console's credentials),
   * with their masteruser before the plan ('' for none, null when it could not be read). Their
   * previous masterauth is a password: kept in memory only, never in a report or the journal.
   */
  authChanged: { node: string; masteruser: string | null }[];
  /** Sentinel failed the group over on its own while the plan waited before SENTINEL FAILOVER (absent otherwise). */
  sentinelOnItsOwn?: SentinelOnItsOwn;
}

/** What the outcome says of a failover the Sentinels made on their own, and what each Sentinel said (GET-MASTER-ADDR-BY-NAME) for the step's message. */
export interface SentinelOnItsOwn extends SharedSentinelOnItsOwn {
  said: string;
}

/** A role-changing command (REPLICAOF, REPLICAOF NO ONE, FAILOVER) that got no answer. */
export interface UnansweredCommand {
  stepIndex: number;
  node: string;
  command: string;
  /** Why no answer came (a timeout, a connection lost). */
  error: string;
}

type ReleaseOp = Extract<StepOp, { kind: 'set-config' | 'unpause-writes' }>;
type SentinelFailoverOp = Extract<StepOp, { kind: 'sentinel-failover' }>;

/** Why the plan stopped: a step failed, the operator aborted, or the journal could not be written. */
type StopCause = 'failed' | 'aborted' | 'journal';

/**
 * Whether a command that failed may still have reached the node and taken effect: no answer (a
 * timeout, or a connection lost with the command perhaps in the node's socket: a stalled process
 * runs it when it resumes). Not a reply, even an error one (ERR, NOPERM, BUSY: refused at once),
 * nor a connection refused or never made (NOT_CONNECTED): nothing got there. The one rule for a
 * pause to release, a fence to take down and a role change to report as unanswered.
 */
function mayHaveTakenEffect(error: ApiError): boolean {
  if (error.code === 'TIMEOUT') return !/\(BUSY\)/.test(error.message);
  return error.code === 'UNREACHABLE' && unreachableKind(error.message) !== 'refused';
}

// Sentinel works at its own pace, whatever the step timeout: it reads a replica's INFO every 10 s,
// elects a leader and promotes within seconds, and turns an old master into a replica once it
// has seen it as one of the new master's replicas for a while.
const SENTINEL_INFO_WAIT_MS = 25_000;
const SENTINEL_FAILOVER_WAIT_MS = 30_000;
const SENTINEL_RECONFIGURE_WAIT_MS = 60_000;
/**
 * With its master down, Sentinel picks no replica it read more than 5 s ago, and reads each every
 * 10 s until one reports its link down (then every second): within seconds of the master's death
 * SENTINEL FAILOVER gets NOGOODSLAVE for readings that are only old. One INFO period and a
 * margin of asking again, and the refusal is real.
 */
const SENTINEL_STALE_REPLICAS_MS = 12_000;

function noGoodReplica(error: unknown): boolean {
  return /NOGOODSLAVE/.test(toApiError(error).message);
}


class StepFailure extends Error {}
class StepAborted extends Error {}
/** A step that ends without stopping the plan: nothing was needed (skipped), or what failed leaves the plan's result as it is. */
class StepSet extends Error {
  constructor(
    readonly status: 'skipped' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** One running plan; abort() may be called while run() is in progress. */
export class Execution {
  private readonly steps: StepResult[];
  private readonly journal: StepJournal;
  private current = -1;
  private abortRequested = false;
  /** A FAILOVER ABORT is on its way: a master that stays one is the abort, not a failure. */
  private failoverAborting = false;
  private finished = false;
  /** Writes stopped on the old master, and how to release them. */
  /** Writes stopped on `node`: how to release them, when a pause runs out by itself, and its length (to hold it longer). */
  private writeStop: { node: string; release: ReleaseOp[]; until: number | null; ms?: number } | null = null;
  /** SENTINEL FAILOVER was accepted: Sentinel may promote a replica at any moment from then on. */
  private sentinelAsked = false;
  private readonly promoted = new Set<string>();
  /** A FAILOVER accepted and still under way inside Redis when its step gave up. */
  private handingOver: ExecutionReport['handingOver'] = null;
  private readonly unanswered: UnansweredCommand[] = [];
  private readonly notes: string[] = [];
  /**
   * masterauth and masteruser as each replica had them before the plan set its own: what it
   * replicated from its old master with. In memory only (a password is never journaled).
   */
  private readonly authBefore = new Map<string, { masterauth: string | null; masteruser: string | null }>();
  /** Nodes whose role change was accepted, or got no answer and may have been. */
  private readonly roleSent = new Set<string>();
  /** Old masters that now replicate from the new one: releasing their writes is safe (they answer READONLY). */
  private readonly demoted = new Set<string>();
  /** The master Sentinel chose, in its form and the console's. */
  private sentinelMaster: { sentinel: string; console: string } | null = null;
  /** The Sentinels failed over on their own before this plan asked them to. */
  private onItsOwn: SentinelOnItsOwn | null = null;
  /** Manual switchover: from the promotion until the old master follows, stopping would leave two masters. */
  private readonly critical: { from: number; to: number } | null;

  constructor(
    private readonly commands: NodeCommands,
    private readonly planned: PlannedAction,
    private readonly options: ExecutorOptions,
  ) {
    this.steps = planned.plan.steps.map((step) => ({ ...step, status: 'pending', startedAt: null, finishedAt: null, message: '' }));
    this.critical = criticalWindow(planned.ops);
    this.journal = options.journal ?? NO_JOURNAL;
  }

  async run(): Promise<ExecutionReport> {
    let failure: ExecutionReport['failure'] = null;
    let status: ExecutionReport['status'] = 'ok';
    // Set once the plan stops: later steps are skipped with this message, except those
    // runsAfterStop() names.
    const halt: { message: string | null; cause: StopCause } = { message: null, cause: 'failed' };
    const stop = (cause: StopCause, message: string): void => {
      if (halt.message !== null) return;
      halt.message = message;
      halt.cause = cause;
    };
    const ops = this.planned.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const step = this.steps[i];
      if (!op || !step) continue;
      if (halt.message === null && this.abortRequested && !this.inCritical(i)) {
        status = 'aborted';
        stop('aborted', 'skipped: the plan was aborted');
      }
      if (halt.message === null && failure && op.kind !== 'config-rewrite') stop('failed', this.skippedAfterFailure());
      if (halt.message !== null && !(await this.runsAfterStop(i, halt.cause))) {
        await this.skipFrom(i, halt.message, i + 1);
        continue;
      }
      this.current = i;
      step.status = 'running';
      step.startedAt = Date.now();
      try {
        await this.journal.step(i, step);
      } catch (error) {
        // Nothing of this step was sent: a plan that cannot leave a trace does not go on.
        const message = `the plan journal could not be written, so ${step.command} was not sent: ${toApiError(error).message}`;
        failure ??= { stepIndex: i, message };
        status = 'failed';
        await this.complete(i, 'failed', message).catch(() => undefined);
        stop('journal', 'skipped: an earlier step failed');
        continue;
      }
      this.emit(step, 'running', `sending ${step.command} to ${step.node}`);
      let outcome: { status: 'ok' | 'failed' | 'aborted' | 'skipped'; message: string; stops: boolean };
      try {
        outcome = { status: 'ok', message: await this.runOp(op, i), stops: false };
      } catch (error) {
        outcome =
          error instanceof StepAborted
            ? { status: 'aborted', message: error.message, stops: true }
            : error instanceof StepSet
              ? { status: error.status, message: error.message, stops: false }
              : { status: 'failed', message: error instanceof StepFailure ? error.message : toApiError(error).message, stops: true };
      }
      try {
        await this.complete(i, outcome.status, outcome.message);
      } catch (error) {
        // The step ran; its end could not be recorded. Stop here rather than go on untraced.
        failure ??= { stepIndex: i, message: `the plan journal could not be written after ${step.command} on ${step.node}: ${toApiError(error).message}` };
        status = outcome.status === 'aborted' ? 'aborted' : 'failed';
        stop('journal', 'skipped: the plan journal could not be written');
        continue;
      }
      if (outcome.status === 'aborted') {
        status = 'aborted';
        stop('aborted', 'skipped: the plan was aborted');
        continue;
      }
      if (outcome.status === 'failed' && outcome.stops) {
        // Persistence steps are independent of each other: try the others, then report.
        failure ??= { stepIndex: i, message: outcome.message };
        status = 'failed';
        if (op.kind !== 'config-rewrite') stop('failed', this.skippedAfterFailure());
      }
    }
    this.current = -1;
    const cleanup = status === 'ok' ? [] : [...(await this.cleanUp()), ...(await this.restoreAuth())];
    this.finished = true;
    return {
      status,
      steps: this.steps,
      cleanup,
      handedOver: this.handedOver(),
      failure,
      unanswered: this.unanswered,
      notes: this.notes,
      handingOver: this.handingOver,
      authChanged: status === 'ok' ? [] : this.authLeft(),
      ...(this.onItsOwn ? { sentinelOnItsOwn: this.onItsOwn } : {}),
    };
  }

  /**
   * The one rule for which steps still run once the plan has stopped; every other step is
   * skipped. Whatever stopped it: a Sentinel steer's restore and its CONFIG REWRITE (a priority
   * left changed steers every later failover), and the old master's demotion once Sentinel
   * promoted. After a failure only (not an abort, not a journal that cannot be written): a
   * replica's re-point to the node this plan promoted, once a fresh read shows that node a master.
   * It is then the master the plan made, and the replica would otherwise stay under a master that
   * is down or on its way to being a replica (a manual switchover whose old master died after the
   * promotion left its replicas to full-sync from it, restarted empty). Never the old master's own
   * REPLICAOF, nor a re-point to a promoted node that does not answer as a master.
   */
  private async runsAfterStop(index: number, cause: StopCause): Promise<boolean> {
    if (this.restoreDue(index) || this.rewriteDue(index) || this.demoteDue(index)) return true;
    return cause === 'failed' && (await this.repointDue(index));
  }

  /**
   * A replica (before the plan) re-pointed to a node this plan promoted, which reads as a master
   * now, while the master it follows takes no writes: down or stalled, no longer a master, or held
   * by this plan's write stop. A live master that takes writes keeps its replicas (review: a failed
   * promote of a live master's replica would otherwise move them to a master nobody writes to).
   */
  private async repointDue(index: number): Promise<boolean> {
    const op = this.planned.ops[index];
    if (op?.kind !== 'replicaof' || ![...this.promoted].some((p) => sameAddress(p, op.master))) return false;
    const before = this.planned.before.find((b) => sameAddress(b.address, op.node));
    if (before?.role !== 'replica') return false;
    try {
      if ((await readReplication(this.commands, op.master)).role !== 'master') return false;
    } catch {
      return false;
    }
    const old = before.master;
    if (old === null || (this.writeStop !== null && sameAddress(this.writeStop.node, old))) return true;
    try {
      return (await readReplication(this.commands, old)).role !== 'master';
    } catch {
      return true;
    }
  }

  /** A Sentinel steer's restore whose change was sent (or may have been): it runs even after a failure or an abort. */
  private restoreDue(index: number): boolean {
    const op = this.planned.ops[index];
    if (op?.kind !== 'set-config' || op.steer !== 'off') return false;
    return this.planned.ops.some(
      (o, i) => i < index && o.kind === 'set-config' && o.steer === 'on' && o.node === op.node && o.parameter === op.parameter && !['pending', 'skipped'].includes(this.steps[i]?.status ?? 'pending'),
    );
  }

  /** The CONFIG REWRITE after a steer's restore that ran: it runs whenever the restore did. */
  private rewriteDue(index: number): boolean {
    const op = this.planned.ops[index];
    if (op?.kind !== 'steer-rewrite') return false;
    const restore = this.restoreOf(op, index);
    return restore >= 0 && !['pending', 'skipped'].includes(this.steps[restore]?.status ?? 'pending');
  }

  /** The index of the restore a steer-rewrite follows (-1: none). */
  private restoreOf(op: Extract<StepOp, { kind: 'steer-rewrite' }>, index: number): number {
    return this.planned.ops.findLastIndex((o, i) => i < index && o.kind === 'set-config' && o.steer === 'off' && o.node === op.node && o.parameter === op.parameter);
  }

  /**
   * The old master's demotion once Sentinel promoted a replica, even one the plan did not prefer
   * (a failed step after the promotion): left a master, it takes writes until Sentinel's next
   * look, and its resync drops them.
   */
  private demoteDue(index: number): boolean {
    return this.planned.ops[index]?.kind === 'sentinel-demote' && this.sentinelMaster !== null;
  }

  /** Ask the running plan to stop; says whether (and how) that can be done safely now. */
  async abort(): Promise<AbortResult> {
    if (this.finished) return { accepted: false, message: 'the plan has already finished' };
    const op = this.planned.ops[this.current];
    if (op?.kind === 'failover' && this.steps[this.current]?.status === 'running') {
      let state: string | null = null;
      try {
        state = (await readReplication(this.commands, op.node)).failoverState;
      } catch (error) {
        return { accepted: false, message: `could not read ${op.node}'s failover state (${toApiError(error).message}): not aborting blind` };
      }
      if (state === 'waiting-for-sync') {
        // Set first: the step's own poll may see the master again before this call returns.
        this.failoverAborting = true;
        try {
          await this.commands.failoverAbort(op.node);
        } catch (error) {
          this.failoverAborting = false;
          return { accepted: false, message: `FAILOVER ABORT failed on ${op.node}: ${toApiError(error).message}` };
        }
        this.abortRequested = true;
        return { accepted: true, message: `FAILOVER ABORT sent while ${op.node} was still waiting for ${op.target}: ${op.node} stays the master and writes resume` };
      }
      if (state === 'failover-in-progress') {
        return {
          accepted: false,
          message:
            `too late to abort safely: ${op.node} is handing over to ${op.target} (failover-in-progress). ` +
            `FAILOVER ABORT now could leave two masters; the switchover goes on`,
        };
      }
    }
    this.abortRequested = true;
    if (op?.kind === 'sentinel-failover' && this.steps[this.current]?.status === 'running') {
      return { accepted: true, message: `SENTINEL FAILOVER ${op.masterName} was sent: Sentinel finishes it on its own; the plan stops after this step and puts the replica priorities back` };
    }
    if (this.inCritical(this.current)) {
      return { accepted: true, message: 'will stop once the old master replicates from the new one: stopping in between would leave two masters' };
    }
    return { accepted: true, message: 'stopping before the next step' };
  }

  private inCritical(index: number): boolean {
    return this.critical !== null && index >= this.critical.from && index <= this.critical.to && this.promoted.size > 0;
  }

  /**
   * Whether the plan's main change took effect: its first role change passed, or its node was
   * seen to take the new role before the step's later checks failed (a promoted node killed as its
   * role was read back; an old master that became a replica while its new master then did not
   * answer). A promotion sent without an answer is not counted: it may not have happened.
   */
  private handedOver(): boolean {
    const decisive = this.planned.ops.findIndex((op) => op.kind === 'promote' || op.kind === 'failover' || op.kind === 'replicaof' || op.kind === 'sentinel-failover');
    if (decisive < 0) return false;
    if (this.steps[decisive]?.status === 'ok') return true;
    const op = this.planned.ops[decisive];
    const made = op?.kind === 'promote' ? op.node : op?.kind === 'failover' ? op.target : null;
    return made !== null && this.promoted.has(made) && !this.unanswered.some((u) => u.stepIndex === decisive);
  }

  private emit(step: StepResult, status: StepProgress['status'], message: string, detail?: StepProgress['detail']): void {
    const at = Date.now();
    // Every report says whether a write pause still holds, and for how long (a fence has no end):
    // said only by running steps, the last step's UNPAUSE (or the clean-up's) left it shown held.
    const writePause = this.writePause(at);
    // The step a Sentinel's own failover stopped the plan at: its end says so (the CLI's line is not a ✗).
    const stoppedBy = status === 'failed' && this.onItsOwn?.stepId === step.id ? { stoppedBy: 'sentinel' as const } : {};
    this.options.onProgress({ planId: this.planned.plan.id, stepId: step.id, status, message, at, ...(detail ? { detail } : {}), ...(writePause ? { writePause } : {}), ...stoppedBy });
  }

  /** The write pause (CLIENT PAUSE) the run holds at `at`: on which node, and for how much longer; null when none holds. */
  writePause(at: number): StepProgress['writePause'] | null {
    const stop = this.writeStop;
    return stop !== null && stop.until !== null ? { node: stop.node, leftMs: Math.max(0, stop.until - at) } : null;
  }

  /** End a step: recorded in the journal (awaited, may throw), then reported. */
  private async complete(index: number, status: 'ok' | 'failed' | 'aborted' | 'skipped', message: string): Promise<void> {
    const step = this.steps[index];
    if (!step) return;
    step.status = status;
    step.finishedAt = Date.now();
    step.message = message;
    this.emit(step, status, message);
    await this.journal.step(index, step);
  }

  private async skipFrom(index: number, message: string, end = this.steps.length): Promise<void> {
    for (let i = index; i < end; i++) {
      const step = this.steps[i];
      if (!step || step.status !== 'pending') continue;
      step.status = 'skipped';
      step.message = message;
      this.emit(step, 'skipped', message);
      // Best effort: the plan is stopping anyway, and a skipped step sent nothing.
      await this.journal.step(i, step).catch(() => undefined);
    }
  }

  /** Poll fast while writes are stopped: every millisecond there is a millisecond of unavailability. */
  private interval(): number {
    return this.writeStop ? Math.min(this.options.pollMs, 10) : this.options.pollMs;
  }

  private stopWanted = (): boolean => this.abortRequested && !this.inCritical(this.current);

  private async runOp(op: StepOp, index: number): Promise<string> {
    const step = this.steps[index];
    if (!step) throw new StepFailure('internal: no such step');
    const progress = (message: string, detail?: StepProgress['detail']): void => this.emit(step, 'running', message, detail);
    switch (op.kind) {
      case 'set-masterauth':
        await this.rememberAuth(op.node);
        await this.commands.setMasterauth(op.node);
        return 'masterauth set';
      case 'set-masteruser':
        await this.rememberAuth(op.node);
        await this.commands.configSet(op.node, 'masteruser', op.user);
        return `masteruser set to ${op.user}`;
      case 'set-config':
        return this.setConfig(op, index);
      case 'pause-writes': {
        // Journaled first: a console that dies now leaves the time writes come back on their own.
        await this.journal.undo({ kind: 'pause-ends', node: op.node, until: Date.now() + op.ms });
        // Timed from before the send: the server's pause ends no earlier than this.
        const sentAt = Date.now();
        this.writeStop = { node: op.node, release: [{ kind: 'unpause-writes', node: op.node }], until: sentAt + op.ms, ms: op.ms };
        try {
          await this.commands.clientPause(op.node, op.ms, 'WRITE');
        } catch (error) {
          const failure = toApiError(error);
          // No pause took: nothing to release. One that may have is released in clean-up.
          if (!mayHaveTakenEffect(failure)) this.writeStop = null;
          throw new StepFailure(`CLIENT PAUSE on ${op.node} failed: ${failure.message}`);
        }
        return `writes on ${op.node} wait (for at most ${op.ms} ms)`;
      }
      case 'unpause-writes': {
        await this.commands.clientUnpause(op.node);
        if (this.writeStop?.node === op.node) this.writeStop = null;
        return this.demoted.has(op.node) ? 'paused clients released: their writes now get READONLY' : 'paused clients released';
      }
      case 'wait-caught-up':
        return this.waitCaughtUp(op, progress);
      case 'promote': {
        // Counted as promoted even without an answer: releasing the old master's writes then could make two masters.
        await this.roleChange(index, op.node, () => this.commands.replicaofNoOne(op.node), () => this.promoted.add(op.node));
        this.promoted.add(op.node);
        const result = await pollUntil(() => readReplication(this.commands, op.node), (r) => r.role === 'master', {
          timeoutMs: this.options.stepTimeoutMs,
          intervalMs: this.interval(),
        });
        if (result.status !== 'done') throw new StepFailure(`${op.node} did not report role master (${result.error ?? `role ${result.value?.role ?? '?'}`})`);
        return `${op.node} is a master (replid ${result.value.replid?.slice(0, 8) ?? '?'}…, offset ${offsetOf(result.value) ?? '?'})`;
      }
      case 'replicaof':
        return this.replicaof(op, index, progress);
      case 'failover':
        return this.failover(op, index, progress);
      case 'config-rewrite':
        await this.commands.configRewrite(op.node);
        return 'config file rewritten';
      case 'steer-rewrite':
        return this.steerRewrite(op, index);
      case 'sentinel-priorities':
        return this.sentinelPriorities(op, progress);
      case 'sentinel-failover':
        return this.sentinelFailover(op, progress);
      case 'sentinel-demote':
        return this.sentinelDemote(op, index);
      case 'sentinel-followers':
        return this.sentinelFollowers(op, progress);
    }
  }

  /**
   * Wait until the Sentinel reports the steered priorities. Meanwhile the group may fail over
   * without the plan: every Sentinel the SENTINEL FAILOVER step would ask is asked for its master
   * too (one stalled must not hide the others' failover). A master down for them holds the wait
   * (they fail it over on their own); a new master named ends it at once, and the plan with it.
   */
  private async sentinelPriorities(op: Extract<StepOp, { kind: 'sentinel-priorities' }>, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    const failover = this.planned.ops.find((o): o is SentinelFailoverOp => o.kind === 'sentinel-failover');
    const sentinels = failover ? [op.node, ...failover.sentinels.filter((s) => !sameAddress(s, op.node))] : [];
    const oldMaster = failover?.oldMaster ?? null;
    const pendingOf = (replicas: Record<string, string>[]): string[] =>
      op.priorities
        .filter((p) => {
          const listed = replicas.find((r) => r.ip !== undefined && r.port !== undefined && sameAddress(formatAddress(r.ip, Number(r.port)), p.address));
          return listed?.['slave-priority'] !== String(p.priority);
        })
        .map((p) => p.address);
    const read = async (): Promise<{ pending: string[] | null; error: string | null; looks: SentinelLook[]; state: GroupState }> => {
      const [listed, looks] = await Promise.all([
        this.commands.sentinelReplicas(op.node, op.masterName).then(
          (replicas) => ({ pending: pendingOf(replicas), error: null }),
          (error: unknown) => ({ pending: null, error: toApiError(error).message }),
        ),
        lookAtGroup(this.commands, sentinels, op.masterName),
      ]);
      return { ...listed, looks, state: oldMaster === null ? { kind: 'steady' } : groupState(looks, oldMaster) };
    };
    const startedAt = Date.now();
    const result = await pollUntil(read, (r) => r.state.kind === 'switched' || (r.state.kind === 'steady' && r.pending?.length === 0), {
      timeoutMs: Math.max(this.options.stepTimeoutMs, SENTINEL_INFO_WAIT_MS),
      intervalMs: Math.max(this.options.pollMs, 200),
      onValue: (r) => {
        if (r.state.kind !== 'switched') progress(prioritiesProgress(op.node, r.pending, r.error, r.state, oldMaster));
      },
      stop: this.stopWanted,
    });
    if (result.status === 'done' && result.value.state.kind === 'switched' && failover) return this.failedOverOnItsOwn(op, failover, result.value.state.master, result.value.looks);
    if (result.status === 'stopped') throw new StepAborted(`stopped before ${op.node} read the new priorities; SENTINEL FAILOVER was not sent`);
    if (result.status === 'timeout') {
      const last = result.value;
      if (last?.state.kind === 'down' && oldMaster !== null) throw new StepFailure(stillDownText(last.state, oldMaster, op.masterName, Date.now() - startedAt, last.looks));
      const why = result.error ?? (last === null ? 'no answer' : last.pending === null ? (last.error ?? 'no answer') : `still old for ${last.pending.join(', ')}`);
      throw new StepFailure(`${op.node} did not report the new priorities in time (${why}): SENTINEL FAILOVER was not sent`);
    }
    return `${op.node} sees ${op.priorities.map((p) => `${p.address} at priority ${p.priority}`).join(', ')}`;
  }

  /** What the steps after a failed one say: a Sentinel's own failover stopped the plan, it broke nothing. */
  private skippedAfterFailure(): string {
    return this.onItsOwn ? 'skipped: the plan stopped (Sentinel failed over on its own)' : 'skipped: an earlier step failed';
  }

  /**
   * The Sentinels named a new master before the plan sent SENTINEL FAILOVER: the plan stops (its
   * priorities are put back, runsAfterStop), saying what Sentinel did. An old master still
   * answering as a master is made a replica by the plan's own step, as after its own SENTINEL FAILOVER.
   */
  private async failedOverOnItsOwn(op: Extract<StepOp, { kind: 'sentinel-priorities' }>, failover: SentinelFailoverOp, chosen: string, looks: SentinelLook[]): Promise<never> {
    const known = (address: string): string => failover.consoleAddress[tryNormalizeAddress(address)] ?? address;
    const target = known(chosen);
    const old = known(failover.oldMaster);
    const [now, before] = await Promise.all([readReplication(this.commands, target).catch(() => null), readReplication(this.commands, old).catch(() => null)]);
    const demotes = this.planned.ops.some((o) => o.kind === 'sentinel-demote');
    let oldState: string;
    if (before === null) oldState = `${old} does not answer: Sentinel makes it a replica of ${chosen} when it is back (+convert-to-slave)`;
    else if (before.role === 'master' && demotes) {
      this.sentinelMaster = { sentinel: chosen, console: target };
      oldState = `${old} still answers as a master: the plan makes it a replica of ${chosen} next, as Sentinel would at its next look`;
    } else if (before.role === 'master') oldState = `${old} still answers as a master: Sentinel makes it a replica of ${chosen} at its next look (+convert-to-slave)`;
    else oldState = `${old} replicates from ${masterOf(before) ?? '?'}`;
    // The one that made it names it first; the others take it from the hello channel within seconds.
    const behind = looks.filter((l) => l.master !== null && sameAddress(l.master, failover.oldMaster)).map((l) => l.sentinel);
    const said = saidText(looks) + (behind.length > 0 ? `; ${behind.join(', ')} learn${behind.length === 1 ? 's' : ''} the new master from the others within seconds` : '');
    const prefer = failover.prefer === null ? null : known(failover.prefer);
    this.onItsOwn = { masterName: failover.masterName, master: target, prefer, toPreferred: prefer === null ? null : sameAddress(target, prefer), oldMaster: old, stepId: this.steps[this.current]?.id ?? '', said };
    throw new StepFailure(
      `${onItsOwnText(failover.masterName, target, prefer)} (${said}${now === null ? '' : `; ${target} reports role ${now.role}`}) while the plan waited for ${op.node} to read the new priorities: ` +
        `the console did not send SENTINEL FAILOVER, and the plan stops here. ${oldState}. The priorities the plan changed are put back next`,
    );
  }

  private async sentinelFailover(op: Extract<StepOp, { kind: 'sentinel-failover' }>, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    await this.askSentinelFailover(op, progress);
    this.sentinelAsked = true;
    progress(`${op.node} accepted SENTINEL FAILOVER ${op.masterName}: waiting for the Sentinels to report a new master`);
    const others = op.sentinels.filter((s) => !sameAddress(s, op.node));
    const read = async (): Promise<{ sentinel: string; master: string | null }[]> => {
      await this.holdWrites();
      return Promise.all([op.node, ...others].map(async (sentinel) => ({ sentinel, master: await this.commands.sentinelMasterAddress(sentinel, op.masterName).catch(() => null) })));
    };
    const switched = await pollUntil(
      read,
      (answers) => {
        const mine = answers[0]?.master ?? null;
        if (mine === null || sameAddress(mine, op.oldMaster)) return false;
        // The others learn it from the hello channel within seconds; one that does not answer is not waited for.
        return answers.every((a) => a.master === null || sameAddress(a.master, mine));
      },
      {
        timeoutMs: Math.max(this.options.stepTimeoutMs, this.options.sentinelFailoverWaitMs ?? SENTINEL_FAILOVER_WAIT_MS),
        intervalMs: Math.max(this.options.pollMs, 100),
        onValue: (answers) => progress(answers.map((a) => `${a.sentinel}: ${a.master ?? '?'}`).join(', ')),
      },
    );
    if (switched.status !== 'done') {
      const seen = switched.value?.map((a) => `${a.sentinel} gives ${a.master ?? 'no answer'}`).join(', ') ?? switched.error ?? 'no answer';
      throw new StepFailure(`the Sentinels did not all report a new master of "${op.masterName}" in time (${seen}). Sentinel may still be working on it: check SENTINEL MASTER ${op.masterName} (failover-state) before doing anything by hand`);
    }
    const chosen = switched.value[0]?.master ?? '';
    const target = op.consoleAddress[tryNormalizeAddress(chosen)] ?? chosen;
    this.promoted.add(target);
    if (op.prefer !== null && !sameAddress(chosen, op.prefer)) {
      // Sentinel's pick is the master all the same: the old master is still made its replica.
      this.sentinelMaster = { sentinel: chosen, console: target };
      throw new StepFailure(`Sentinel chose ${chosen}, not ${op.prefer}: the steer did not hold (another replica's priority or state changed in between). ${chosen} is the master now; Sentinel owns that choice`);
    }
    const role = await pollUntil(() => readReplication(this.commands, target), (r) => r.role === 'master', { timeoutMs: this.options.stepTimeoutMs, intervalMs: this.interval() });
    if (role.status !== 'done') throw new StepFailure(`the Sentinels report ${chosen} as the master, but it reports role ${role.value?.role ?? '?'}${role.error ? ` (${role.error})` : ''}`);
    this.sentinelMaster = { sentinel: chosen, console: target };
    return `the Sentinels report ${chosen} as the master of "${op.masterName}", and it reports role master`;
  }

  /**
   * SENTINEL FAILOVER, asked again while the refusal is NOGOODSLAVE from readings that are only old:
   * only with the old master down (up, Sentinel takes replicas read within 30 s, and its refusal
   * is real; and a master whose writes are held must not be held longer than planned).
   */
  private async askSentinelFailover(op: Extract<StepOp, { kind: 'sentinel-failover' }>, progress: (m: string) => void): Promise<void> {
    const ask = (): Promise<{ refusal: unknown }> =>
      this.commands.sentinelFailover(op.node, op.masterName).then(
        () => ({ refusal: null }),
        (error: unknown) => ({ refusal: error }),
      );
    const first = await ask();
    if (first.refusal === null) return;
    if (!op.masterDown || !noGoodReplica(first.refusal)) throw first.refusal;
    progress(`${op.node} answers NOGOODSLAVE: it takes none of the replicas it last read as fit to promote; asking again while it reads them anew (every 10 s, every second once one reports its link down)`);
    const again = await pollUntil(ask, (r) => r.refusal === null || !noGoodReplica(r.refusal), { timeoutMs: SENTINEL_STALE_REPLICAS_MS, intervalMs: 1000, stop: this.stopWanted });
    const refusal = again.value ? again.value.refusal : first.refusal;
    if (again.status === 'done' && refusal === null) return;
    // Meanwhile its own failover started (o_down): that is the failover asked for, under way.
    if (again.status === 'done' && /INPROG/.test(toApiError(refusal).message)) {
      progress(`${op.node} answers INPROG: the Sentinels are failing "${op.masterName}" over on their own now`);
      return;
    }
    if (again.status === 'done') throw refusal;
    if (again.status === 'stopped') throw new StepAborted(`stopped while ${op.node} answered NOGOODSLAVE; SENTINEL FAILOVER was not accepted`);
    throw new StepFailure(
      `${op.node} still answers NOGOODSLAVE after ${SENTINEL_STALE_REPLICAS_MS / 1000} s: it finds no replica to promote. It takes none with replica-priority 0, none it cannot reach or read within the last seconds, and none whose link to the master has been down for more than ten times down-after-milliseconds: check SENTINEL REPLICAS ${op.masterName}`,
    );
  }

  /**
   * Keep the old master's writes held while Sentinel works at its own pace (the Sentinels report
   * the new master once it has reconfigured replicas: more than the pause with several, or one
   * that stalls): paused again before it runs out, journaled first, as a pause is. Redis keeps
   * the later end. Run out, it would take writes its resync then drops.
   */
  private async holdWrites(): Promise<void> {
    const stop = this.writeStop;
    if (!stop?.ms || stop.until === null || stop.until - Date.now() > 2 * PAUSE_MARGIN_MS) return;
    const until = Date.now() + stop.ms;
    await this.journal.undo({ kind: 'pause-ends', node: stop.node, until });
    await this.commands.clientPause(stop.node, stop.ms, 'WRITE');
    stop.until = until;
  }

  /**
   * The old master made a replica of the master Sentinel promoted, as Sentinel does at its next
   * look: given by Sentinel's address for it (the one other servers use). Already done by
   * Sentinel: nothing to send.
   */
  private async sentinelDemote(op: Extract<StepOp, { kind: 'sentinel-demote' }>, index: number): Promise<string> {
    const chosen = this.sentinelMaster;
    if (!chosen) throw new StepFailure('internal: no new master was recorded');
    const stop = this.writeStop;
    const lapsed = stop !== null && stop.node === op.node && stop.until !== null && stop.until < Date.now();
    const late = lapsed ? ` The write pause had run out before the new master was reported: writes ${op.node} took after that were lost at its resync` : '';
    if (replicatesFrom(await readReplication(this.commands, op.node), chosen)) {
      this.demoted.add(op.node);
      return `${op.node} already replicates from ${chosen.sentinel} (Sentinel was first).${late}`;
    }
    const { host, port } = parseAddress(chosen.sentinel);
    await this.roleChange(index, op.node, () => this.commands.replicaof(op.node, host, port));
    this.demoted.add(op.node);
    return `${op.node} replicates from ${chosen.sentinel}: it takes no more writes (READONLY).${late}`;
  }

  private async sentinelFollowers(op: Extract<StepOp, { kind: 'sentinel-followers' }>, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    const chosen = this.sentinelMaster;
    if (!chosen) throw new StepFailure('internal: no new master was recorded');
    const members = op.members.filter((m) => !sameAddress(m, chosen.console) && !sameAddress(m, chosen.sentinel));
    const follows = (r: ReplicationInfo | null): boolean => r !== null && replicatesFrom(r, chosen) && r.linkStatus === 'up' && !r.syncInProgress;
    const result = await pollUntil(
      () => Promise.all(members.map((m) => readReplication(this.commands, m).catch(() => null))),
      (all) => all.every(follows),
      {
        timeoutMs: Math.max(this.options.stepTimeoutMs, SENTINEL_RECONFIGURE_WAIT_MS),
        intervalMs: Math.max(this.options.pollMs, 200),
        onValue: (all) => progress(`following ${chosen.sentinel}: ${members.filter((_, i) => follows(all[i] ?? null)).length} of ${members.length}`),
      },
    );
    if (result.status !== 'done') {
      const behind = members.filter((_, i) => !follows(result.value?.[i] ?? null));
      throw new StepFailure(
        `${behind.join(', ')} ${behind.length === 1 ? 'does' : 'do'} not follow ${chosen.sentinel} yet. Sentinel reconfigures them at its own pace (an old master within seconds of being seen); do not re-point them by hand: check SENTINEL REPLICAS`,
      );
    }
    return `${members.join(', ')} replicate from ${chosen.sentinel}`;
  }

  /**
   * CONFIG REWRITE after a steer's restore, on a node Sentinel re-pointed or promoted during the
   * plan: Sentinel's SLAVEOF goes with a CONFIG REWRITE, which wrote the steered value into its
   * config file. A node that still follows the master it followed was not rewritten by Sentinel:
   * it is sent nothing. Never stops the plan; what is left to do goes to the outcome's notes.
   */
  private async steerRewrite(op: Extract<StepOp, { kind: 'steer-rewrite' }>, index: number): Promise<string> {
    const holds = `${op.file} still says ${op.parameter} ${op.steered}`;
    const steer = `the steer (${op.parameter} ${op.steered})`;
    let now: ReplicationInfo;
    try {
      now = await readReplication(this.commands, op.node);
    } catch (error) {
      const message = `${op.node} cannot be read (${toApiError(error).message}), so whether Sentinel re-pointed it, and rewrote ${op.file} with ${steer}, cannot be told`;
      this.notes.push(`${cap(message)}. When it answers: if it replicates from another master than ${op.master ?? 'before'}, or is a master, run CONFIG REWRITE on it once its ${op.parameter} is ${op.restored}.`);
      throw new StepSet('skipped', `not sent: ${message}`);
    }
    const master = masterOf(now);
    const promoted = now.role === 'master';
    const moved = movedBySentinel({ role: now.role, master }, op.master);
    const how = promoted ? 'promoted' : 're-pointed';
    if (!moved) {
      const where = master === null ? 'is neither a master nor a replica of another master' : `still replicates from ${master}`;
      throw new StepSet('skipped', `not needed: ${op.node} ${where}, so Sentinel did not rewrite ${op.file}: it holds what it held before the plan`);
    }
    if (this.steps[this.restoreOf(op, index)]?.status !== 'ok') {
      this.notes.push(
        `Once ${op.node}'s ${op.parameter} is back to ${op.restored}, run CONFIG REWRITE on it: Sentinel ${how} it during the plan, and its CONFIG REWRITE left ${holds}, which a restart brings back.`,
      );
      throw new StepSet('skipped', `not sent: the restore before it did not pass, and a rewrite now would keep ${steer} in ${op.file}`);
    }
    try {
      await this.commands.configRewrite(op.node);
    } catch (error) {
      const { code, message: reason } = toApiError(error);
      if (/without a config file/i.test(reason)) {
        throw new StepSet('failed', `${op.node} runs without a config file now (${reason}): no file holds the steer; its startup configuration decides after a restart`);
      }
      const message =
        `CONFIG REWRITE failed on ${op.node} (${reason}): its ${op.parameter} is ${op.restored} again, but ${holds}, as Sentinel's own CONFIG REWRITE wrote it when it ${how} ${op.node} (unless that one failed too), ` +
        `and a restart brings ${op.steered} back, which steers Sentinel's next pick. ` +
        (code === 'NOPERM'
          ? `Run CONFIG REWRITE on ${op.node} as a user allowed to (or allow the console's user, as the error says); `
          : `Fix what stops the rewrite (the server must be able to write ${op.file} and its directory), then run CONFIG REWRITE on ${op.node}; `) +
        `or change that line to "${op.parameter} ${op.restored}" by hand`;
      this.notes.push(`${message}.`);
      throw new StepSet('failed', message);
    }
    return `${op.file} says ${op.parameter} ${op.restored} again (Sentinel's CONFIG REWRITE had written ${op.steered} there when it ${how} ${op.node})`;
  }

  private async setConfig(op: Extract<StepOp, { kind: 'set-config' }>, index: number): Promise<string> {
    // A later step of the plan puts this setting back: that value is the original, and it is
    // journaled before the change so an interrupted plan can still be rolled back.
    const restore = this.planned.ops.find(
      (o, i): o is Extract<StepOp, { kind: 'set-config' }> => i > index && o.kind === 'set-config' && o.node === op.node && o.parameter === op.parameter,
    );
    if (restore && op.fence !== 'off') await this.journal.undo({ kind: 'restore-config', node: op.node, parameter: op.parameter, value: restore.value });
    if (op.fence === 'on') {
      const release = this.planned.ops.filter((o): o is ReleaseOp => o.kind === 'set-config' && o.node === op.node && o.fence === 'off');
      const lagFix = this.planned.ops.find((o, i) => i < index && o.kind === 'set-config' && o.parameter === 'min-replicas-max-lag');
      const restoreLag: ReleaseOp[] = lagFix ? [{ kind: 'set-config', node: op.node, parameter: 'min-replicas-max-lag', value: '0' }] : [];
      // Set before sending: a CONFIG SET that times out may still have taken.
      this.writeStop = { node: op.node, release: [...release, ...restoreLag], until: null };
      try {
        await this.commands.configSet(op.node, op.parameter, op.value);
      } catch (error) {
        if (!mayHaveTakenEffect(toApiError(error))) this.writeStop = null;
        throw error;
      }
      return `writes on ${op.node} are now refused (NOREPLICAS)`;
    }
    await this.commands.configSet(op.node, op.parameter, op.value);
    if (op.fence === 'off' && this.writeStop?.node === op.node) this.writeStop = null;
    return `${op.parameter} = ${op.value}`;
  }

  private async waitCaughtUp(op: Extract<StepOp, { kind: 'wait-caught-up' }>, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    const until = this.writeStop?.until;
    // Leave time for the hand-over before a pause runs out.
    const budget = Math.min(until ? Math.min(this.options.stepTimeoutMs, until - Date.now() - PAUSE_MARGIN_MS) : this.options.stepTimeoutMs, op.withinMs ?? Infinity);
    const deadline = Date.now() + Math.max(0, budget);
    let target = -1;
    // Read after the write stop: every acknowledged write is at or below the master's offset.
    // The master's own PINGs to its replicas still move it, so it is read again once the
    // replica got there, until the two agree.
    for (;;) {
      const master = await readReplication(this.commands, op.master);
      const offset = offsetOf(master);
      if (offset === null) throw new StepFailure(`${op.master} reports no replication offset`);
      if (offset <= target) return `${op.node} has every byte up to offset ${formatOffset(target)}`;
      target = offset;
      const goal = target;
      const result = await pollUntil(
        () => readReplication(this.commands, op.node),
        (r) => (offsetOf(r) ?? -1) >= goal,
        {
          timeoutMs: Math.max(0, deadline - Date.now()),
          intervalMs: Math.min(this.interval(), 50),
          onValue: (r) => progress(`${op.node} at offset ${offsetText(offsetOf(r))} of ${formatOffset(goal)}${behindText(offsetOf(r), goal)}`, { offset: offsetOf(r) ?? -1, target: goal }),
          stop: this.stopWanted,
        },
      );
      if (result.status === 'stopped') throw new StepAborted(`stopped while waiting for ${op.node} to catch up`);
      if (result.status === 'timeout') {
        const at = result.value ? offsetOf(result.value) : null;
        throw new StepFailure(`${op.node} did not catch up in time: offset ${offsetText(at)} of ${formatOffset(goal)}${behindText(at, goal)}${result.error ? ` (${result.error})` : ''}`);
      }
    }
  }

  private async replicaof(op: Extract<StepOp, { kind: 'replicaof' }>, index: number, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    const before = await readStats(this.commands, op.master);
    const reply = await this.roleChange(index, op.node, () => this.commands.replicaof(op.node, op.host, op.port));
    // The old master of a manual switchover now refuses writes (READONLY): releasing its stop is safe.
    if (this.writeStop?.node === op.node && this.promoted.size > 0) this.demoted.add(op.node);
    const wanted = formatAddress(op.host, op.port);
    const linked = await pollUntil(
      () => readReplication(this.commands, op.node),
      (r) => r.role === 'replica' && masterOf(r) === wanted && r.linkStatus === 'up' && !r.syncInProgress,
      {
        timeoutMs: this.options.stepTimeoutMs,
        intervalMs: this.interval(),
        onValue: (r) =>
          progress(r.syncInProgress ? `${op.node} full sync ${r.sync?.percent === null || r.sync?.percent === undefined ? '…' : `${r.sync.percent.toFixed(0)}%`}` : `${op.node} link ${r.linkStatus ?? '?'}`, {
            master_link_status: r.linkStatus ?? 'none',
            ...(r.syncInProgress ? { master_sync_in_progress: 1 } : {}),
            ...(r.sync?.percent != null ? { sync_percent: Math.round(r.sync.percent) } : {}),
          }),
        stop: this.stopWanted,
      },
    );
    if (linked.status === 'stopped') throw new StepAborted(`REPLICAOF was sent; stopped before ${op.node}'s link came up`);
    if (linked.status === 'timeout') {
      const r = linked.value;
      const state = r
        ? `role ${r.role}, master ${masterOf(r) ?? 'none'}, link ${r.linkStatus ?? '?'}${r.syncInProgress ? ', sync in progress' : ''}${r.linkDownSinceSeconds !== null ? `, down for ${r.linkDownSinceSeconds} s` : ''}`
        : (linked.error ?? 'no answer');
      throw new StepFailure(
        `${op.node}'s link to ${wanted} is not up after ${this.options.stepTimeoutMs / 1000} s (${state}). ` +
          `A wrong masterauth/masteruser, a firewall, or ${op.master} refusing PSYNC only shows in ${op.node}'s log`,
      );
    }
    // Offsets: read the master now; the replica must reach it.
    let goal: number | null = null;
    try {
      goal = offsetOf(await readReplication(this.commands, op.master));
    } catch {
      goal = null;
    }
    let reached = offsetOf(linked.value);
    if (goal !== null) {
      const converged = await pollUntil(
        () => readReplication(this.commands, op.node),
        (r) => (offsetOf(r) ?? -1) >= (goal ?? 0),
        { timeoutMs: this.options.stepTimeoutMs, intervalMs: this.interval(), stop: this.stopWanted },
      );
      if (converged.status === 'stopped') throw new StepAborted(`${op.node}'s link is up; stopped before its offset caught up`);
      if (converged.status === 'timeout') {
        throw new StepFailure(`${op.node}'s link is up but it did not reach ${op.master}'s offset ${goal} in time (at ${converged.value ? offsetOf(converged.value) : '?'})`);
      }
      reached = offsetOf(converged.value);
    }
    const after = await readStats(this.commands, op.master);
    const kind =
      before && after
        ? after.syncFull > before.syncFull
          ? 'full sync'
          : after.syncPartialOk > before.syncPartialOk
            ? 'partial resync'
            : reply.includes('Already') ? 'already connected' : 'resync'
        : 'resync';
    return `link up (${kind}), offset ${reached ?? '?'}${goal !== null ? ` ≥ ${op.master}'s ${goal}` : ''}`;
  }

  private async failover(op: Extract<StepOp, { kind: 'failover' }>, index: number, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    const until = this.writeStop?.node === op.node ? this.writeStop.until : null;
    if (op.force && until !== null && until - Date.now() < PAUSE_MARGIN_MS) {
      // FORCE hands over whatever the target has: writes resumed in between would be lost.
      throw new StepFailure(`the write pause on ${op.node} runs out in ${Math.max(0, until - Date.now())} ms: not handing over with FORCE`);
    }
    await this.roleChange(index, op.node, () => this.commands.failover(op.node, { to: { host: op.host, port: op.port }, force: op.force, timeoutMs: op.timeoutMs }));
    let lastState = 'waiting-for-sync';
    progress(`${op.node}: ${lastState}`, { master_failover_state: lastState });
    const ended = await pollUntil(
      () => readReplication(this.commands, op.node),
      (r) => r.failoverState === 'no-failover' || r.failoverState === null,
      {
        // Redis gives up by itself after TIMEOUT while waiting for sync; the hand-over itself is quick.
        timeoutMs: op.timeoutMs + this.options.stepTimeoutMs,
        intervalMs: Math.min(this.interval(), 50),
        onValue: (r) => {
          const state = r.failoverState ?? 'unknown';
          if (state === lastState) return;
          lastState = state;
          progress(`${op.node}: ${state}`, { master_failover_state: state });
        },
      },
    );
    let oldInfo: ReplicationInfo;
    if (ended.status === 'done') oldInfo = ended.value;
    else {
      // Read once more: what Redis is doing now decides the report. FAILOVER, once accepted, goes
      // on inside Redis: a target stalled (SIGSTOP, DEBUG SLEEP) past the step's deadline left the
      // old master a replica in failover-in-progress, its writes held, and the hand-over completed
      // by itself when the target ran again.
      const now = await readReplication(this.commands, op.node).catch(() => null);
      if (now !== null && (now.failoverState === 'no-failover' || now.failoverState === null)) oldInfo = now;
      else {
        const stuck = now?.failoverState ?? ended.value?.failoverState ?? 'unknown';
        const seen = now === null ? ' (as last read)' : '';
        if (stuck === 'failover-in-progress') {
          this.handingOver = { node: op.node, target: op.target };
          throw new StepFailure(
            `FAILOVER did not finish: ${op.node} is still failover-in-progress${seen}, handing over to ${op.target}${ended.error ? ` (${ended.error})` : ''}. ` +
              `It completes by itself when ${op.target} answers; writes on ${op.node} are held by FAILOVER until then. ` +
              `FAILOVER ABORT on ${op.node} cancels it, but check before aborting that ${op.target} is not a master already: that would leave two masters`,
          );
        }
        throw new StepFailure(`FAILOVER did not finish: ${op.node} is still ${stuck}${seen}${ended.error ? ` (${ended.error})` : ''}. Check ${op.target}`);
      }
    }
    if (oldInfo.role !== 'replica') {
      if (this.abortRequested || this.failoverAborting) throw new StepAborted(`FAILOVER aborted: ${op.node} is still the master and takes writes again`);
      throw new StepFailure(
        `FAILOVER did not complete: ${op.node} is still the master and takes writes again (Redis aborted it: ${op.target} ` +
          `did not catch up within ${op.timeoutMs} ms, went away, or refused the hand-over)`,
      );
    }
    this.promoted.add(op.target);
    // A replica now: its paused writes, once released, get READONLY instead of landing on a second master.
    this.demoted.add(op.node);
    progress(`${op.node} is now a replica of ${masterOf(oldInfo) ?? '?'}`, { master_failover_state: 'no-failover' });
    let targetRole: string;
    try {
      targetRole = (await readReplication(this.commands, op.target)).role;
    } catch (error) {
      throw new StepFailure(`${op.node} handed over, but ${op.target} cannot be read: ${toApiError(error).message}`);
    }
    if (targetRole !== 'master') throw new StepFailure(`${op.node} became a replica, but ${op.target} reports role ${targetRole}`);
    const linked = await pollUntil(
      () => readReplication(this.commands, op.node),
      (r) => r.linkStatus === 'up' && !r.syncInProgress,
      { timeoutMs: this.options.stepTimeoutMs, intervalMs: this.interval() },
    );
    if (linked.status !== 'done') throw new StepFailure(`${op.target} is the master, but ${op.node}'s link to it is not up (${linked.error ?? linked.value?.linkStatus ?? '?'})`);
    return `${op.target} is the master; ${op.node} replicates from it (link up, offset ${offsetOf(linked.value) ?? '?'})`;
  }

  /**
   * Send a command that changes a node's role. No answer is no proof it was not carried out: a
   * stalled process (SIGSTOP, a long fork, a slow disk) runs it once it resumes. Such a command is
   * recorded as unanswered, and the step fails saying so, never as if nothing had been sent.
   */
  private async roleChange<T>(index: number, node: string, send: () => Promise<T>, mayHave?: () => void): Promise<T> {
    try {
      const reply = await send();
      this.roleSent.add(node);
      return reply;
    } catch (error) {
      const failure = toApiError(error);
      if (!mayHaveTakenEffect(failure)) throw error;
      this.roleSent.add(node);
      const command = this.steps[index]?.command ?? 'the command';
      this.unanswered.push({ stepIndex: index, node, command, error: failure.message });
      mayHave?.();
      throw new StepFailure(`${command} on ${node} got no answer (${failure.message}): it may have taken effect, or may still when ${node} runs again`);
    }
  }

  /** Down for sure now (refused, or dropped as it died); a node that does not answer in time may be stalled, and resume. */
  private async isDown(node: string): Promise<boolean> {
    try {
      await readReplication(this.commands, node);
      return false;
    } catch (error) {
      return downError(error);
    }
  }

  /**
   * The plan's own step for a release the clean-up sent: still "skipped", but saying it was sent.
   * "Skipped: the plan was aborted" beside "Done for you: CLIENT UNPAUSE" read as writes still held.
   */
  private sentByCleanUp(op: ReleaseOp): void {
    this.planned.ops.forEach((planned, i) => {
      const step = this.steps[i];
      const same = planned.kind === op.kind && planned.node === op.node && (planned.kind !== 'set-config' || (op.kind === 'set-config' && planned.parameter === op.parameter && planned.value === op.value));
      if (same && step?.status === 'skipped') step.message = `${step.message}; sent by the clean-up instead (see what was done for you)`;
    });
  }

  /** Read a replica's masterauth and masteruser before the plan first changes them (null: unreadable). */
  private async rememberAuth(node: string): Promise<void> {
    if (this.authBefore.has(node)) return;
    const read = (parameter: string): Promise<string | null> => this.commands.configGet(node, parameter).catch(() => null);
    this.authBefore.set(node, { masterauth: await read('masterauth'), masteruser: await read('masteruser') });
  }

  /** Whether a role change on `node` was accepted (or may have been): its credentials then serve its new master. */
  private roleChangeSent(node: string): boolean {
    return this.roleSent.has(node);
  }

  /**
   * After a failure or an abort: a replica given the console's credentials whose REPLICAOF was
   * never sent still follows its old master, and needs what it had to reconnect to it. The console
   * put them there, so it puts the old ones back itself.
   */
  private async restoreAuth(): Promise<string[]> {
    const done: string[] = [];
    for (const [node, before] of this.authBefore) {
      if (this.roleChangeSent(node)) continue;
      const restored: string[] = [];
      try {
        if (before.masterauth !== null) {
          await this.commands.configSet(node, 'masterauth', before.masterauth);
          restored.push('masterauth');
        }
        if (before.masteruser !== null) {
          await this.commands.configSet(node, 'masteruser', before.masteruser);
          restored.push('masteruser');
        }
        if (restored.length > 0) done.push(`Done for you: ${restored.join(' and ')} on ${node} put back as before the plan (its REPLICAOF was not sent: it still follows its old master)`);
        if (restored.length < 2) done.push(`${node}: its ${before.masterauth === null ? 'masterauth' : 'masteruser'} could not be read before the plan, so it was not put back: set it as it was`);
      } catch (error) {
        done.push(`Could not put back masterauth and masteruser on ${node} (${toApiError(error).message}): set them as they were before the plan, or it cannot reconnect to its master`);
      }
      this.authBefore.delete(node);
    }
    return done;
  }

  /** Replicas whose REPLICAOF went out with the console's credentials: the way back must restore theirs. */
  private authLeft(): ExecutionReport['authChanged'] {
    return [...this.authBefore].filter(([node]) => this.roleChangeSent(node)).map(([node, before]) => ({ node, masteruser: before.masteruser }));
  }

  /** After a failure or abort: release a write stop unless that would leave two masters taking writes. */
  private async cleanUp(): Promise<string[]> {
    const stop = this.writeStop;
    if (!stop) return [];
    if (this.sentinelAsked && this.promoted.size === 0 && !this.demoted.has(stop.node)) {
      // Sentinel may still promote: released now, the old master takes writes its resync then drops.
      return [
        `Writes on ${stop.node} stay held ON PURPOSE: SENTINEL FAILOVER was accepted, and Sentinel may still promote a replica; released now, ${stop.node} would take writes that its resync then drops. ` +
          `The pause runs out by itself${stop.until ? ` at ${new Date(stop.until).toISOString()}` : ''}; check SENTINEL MASTER (failover-state) meanwhile`,
      ];
    }
    if (this.promoted.size > 0 && !this.demoted.has(stop.node)) {
      // Held on purpose only while a process holds them: a node that is down holds nothing, and
      // restarted it is a master with no pause or fence (the outcome's advice says what to do then).
      if (await this.isDown(stop.node)) {
        this.writeStop = null;
        return [];
      }
      return [
        `Writes on ${stop.node} are still stopped ON PURPOSE: ${[...this.promoted].join(', ')} ${this.unanswered.some((u) => this.promoted.has(u.node)) ? 'may have been promoted (it did not answer)' : 'was promoted'}, and releasing ${stop.node} now would let two masters take writes. ` +
          `Make ${stop.node} a replica of ${[...this.promoted][0]} first, then release it (${stop.release.map(commandText).join(', ')})` +
          (stop.until ? `; the pause runs out by itself at ${new Date(stop.until).toISOString()}` : ''),
      ];
    }
    const done: string[] = [];
    const handing = this.handingOver?.node === stop.node ? this.handingOver.target : null;
    const outcome = this.demoted.has(stop.node)
      ? 'its held writes now get READONLY'
      : handing !== null
        ? `its writes stay refused: it is a replica of ${handing} handing over to it, and FAILOVER holds its writes until that ends (READONLY after)`
        : 'it takes writes again';
    for (const op of stop.release) {
      try {
        if (op.kind === 'unpause-writes') await this.commands.clientUnpause(op.node);
        else await this.commands.configSet(op.node, op.parameter, op.value);
        done.push(`Done for you: ${commandText(op)} on ${op.node}: ${outcome}`);
        this.sentByCleanUp(op);
      } catch (error) {
        done.push(
          `Could not release writes on ${op.node} (${toApiError(error).message}): run ${commandText(op)} there yourself` +
            (stop.until ? ` (the pause runs out by itself at ${new Date(stop.until).toISOString()})` : ''),
        );
      }
    }
    this.writeStop = null;
    return done;
  }
}

/** A node whose connection is refused or was dropped as it died: no process holds anything there. */
function downError(error: unknown): boolean {
  const { code, message } = toApiError(error);
  return code === 'UNREACHABLE' && unreachableKind(message) !== 'unknown';
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A replica of the master Sentinel chose, named in Sentinel's form or the console's. */
function replicatesFrom(r: ReplicationInfo, chosen: { sentinel: string; console: string }): boolean {
  const master = masterOf(r);
  return master !== null && (sameAddress(master, chosen.sentinel) || sameAddress(master, chosen.console));
}

/** In a manual switchover: the promotion step up to the old master's REPLICAOF. */
function criticalWindow(ops: StepOp[]): { from: number; to: number } | null {
  const wait = ops.find((op) => op.kind === 'wait-caught-up');
  if (!wait || wait.kind !== 'wait-caught-up') return null;
  const from = ops.findIndex((op) => op.kind === 'promote');
  const to = ops.findIndex((op) => op.kind === 'replicaof' && op.node === wait.master);
  return from >= 0 && to > from ? { from, to } : null;
}

/** An offset as read ("?" when the node gave none), with thousands separators. */
function offsetText(offset: number | null): string {
  return offset === null ? '?' : formatOffset(offset);
}

/** ", 1.2 MiB to go" while a node is short of `goal`, nothing otherwise. */
function behindText(offset: number | null, goal: number): string {
  return offset !== null && offset < goal ? `, ${formatBytes(goal - offset)} to go` : '';
}
