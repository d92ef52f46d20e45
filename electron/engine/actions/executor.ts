// Runs a plan's steps in order over the engine's connections. Each step is verified before
// the next one starts (roles, links, offsets) within a deadline; the first failure stops the
// plan. A switchover's write stop (CLIENT PAUSE or the min-replicas fence) is always released
// when the hand-over did not happen, and deliberately kept when releasing it would let two
// masters take writes.
import type { AbortResult, StepProgress, StepResult } from '../../shared/actions';
import type { ReplicationEngine } from '../engine';
import { toApiError } from '../errors';
import { formatAddress } from '../address';
import type { PlannedAction } from './plan-builder';
import { commandText, type StepOp } from './operations';
import { masterOf, offsetOf, pollUntil, readReplication, readStats } from './probe';

export interface ExecutorOptions {
  pollMs: number;
  stepTimeoutMs: number;
  onProgress: (progress: StepProgress) => void;
}

export interface ExecutionReport {
  status: 'ok' | 'failed' | 'aborted';
  steps: StepResult[];
  /** What the executor did on its own after a failure (released a pause, …). */
  cleanup: string[];
  /** Index of the first step that changes roles and whether it completed. */
  handedOver: boolean;
  failure: { stepIndex: number; message: string } | null;
}

type ReleaseOp = Extract<StepOp, { kind: 'set-config' | 'unpause-writes' }>;

class StepFailure extends Error {}
class StepAborted extends Error {}

/** One running plan; abort() may be called while run() is in progress. */
export class Execution {
  private readonly steps: StepResult[];
  private current = -1;
  private abortRequested = false;
  private finished = false;
  /** Writes stopped on the old master, and how to release them. */
  private writeStop: { node: string; release: ReleaseOp[]; until: number | null } | null = null;
  private readonly promoted = new Set<string>();
  /** Manual switchover: from the promotion until the old master follows, stopping would leave two masters. */
  private readonly critical: { from: number; to: number } | null;

  constructor(
    private readonly engine: ReplicationEngine,
    private readonly planned: PlannedAction,
    private readonly options: ExecutorOptions,
  ) {
    this.steps = planned.plan.steps.map((step) => ({ ...step, status: 'pending', startedAt: null, finishedAt: null, message: '' }));
    this.critical = criticalWindow(planned.ops);
  }

  async run(): Promise<ExecutionReport> {
    let failure: ExecutionReport['failure'] = null;
    let status: ExecutionReport['status'] = 'ok';
    const ops = this.planned.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const step = this.steps[i];
      if (!op || !step) continue;
      if (this.abortRequested && !this.inCritical(i)) {
        status = 'aborted';
        this.skipFrom(i, 'skipped: the plan was aborted');
        break;
      }
      if (failure && op.kind !== 'config-rewrite') {
        this.skipFrom(i, 'skipped: an earlier step failed');
        break;
      }
      this.current = i;
      step.status = 'running';
      step.startedAt = Date.now();
      this.emit(step, 'running', `sending ${step.command} to ${step.node}`);
      try {
        const message = await this.runOp(op, i);
        this.complete(step, 'ok', message);
      } catch (error) {
        if (error instanceof StepAborted) {
          this.complete(step, 'aborted', error.message);
          status = 'aborted';
          this.skipFrom(i + 1, 'skipped: the plan was aborted');
          break;
        }
        const message = error instanceof StepFailure ? error.message : toApiError(error).message;
        this.complete(step, 'failed', message);
        // Persistence steps are independent of each other: try the others, then report.
        failure ??= { stepIndex: i, message };
        status = 'failed';
        if (op.kind !== 'config-rewrite') {
          this.skipFrom(i + 1, 'skipped: an earlier step failed');
          break;
        }
      }
    }
    this.current = -1;
    const cleanup = status === 'ok' ? [] : await this.cleanUp();
    this.finished = true;
    return { status, steps: this.steps, cleanup, handedOver: this.handedOver(), failure };
  }

  /** Ask the running plan to stop; says whether (and how) that can be done safely now. */
  async abort(): Promise<AbortResult> {
    if (this.finished) return { accepted: false, message: 'the plan has already finished' };
    const op = this.planned.ops[this.current];
    if (op?.kind === 'failover') {
      let state: string | null = null;
      try {
        state = (await readReplication(this.engine, op.node)).failoverState;
      } catch (error) {
        return { accepted: false, message: `could not read ${op.node}'s failover state (${toApiError(error).message}): not aborting blind` };
      }
      if (state === 'waiting-for-sync') {
        try {
          await this.engine.run(op.node, (client) => client.call('FAILOVER', 'ABORT'));
        } catch (error) {
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
    if (this.inCritical(this.current)) {
      return { accepted: true, message: 'will stop once the old master replicates from the new one: stopping in between would leave two masters' };
    }
    return { accepted: true, message: 'stopping before the next step' };
  }

  private inCritical(index: number): boolean {
    return this.critical !== null && index >= this.critical.from && index <= this.critical.to && this.promoted.size > 0;
  }

  private handedOver(): boolean {
    const decisive = this.planned.ops.findIndex((op) => op.kind === 'promote' || op.kind === 'failover' || op.kind === 'replicaof');
    return decisive >= 0 && this.steps[decisive]?.status === 'ok';
  }

  private emit(step: StepResult, status: StepProgress['status'], message: string, detail?: StepProgress['detail']): void {
    this.options.onProgress({ planId: this.planned.plan.id, stepId: step.id, status, message, at: Date.now(), ...(detail ? { detail } : {}) });
  }

  private complete(step: StepResult, status: 'ok' | 'failed' | 'aborted', message: string): void {
    step.status = status;
    step.finishedAt = Date.now();
    step.message = message;
    this.emit(step, status, message);
  }

  private skipFrom(index: number, message: string): void {
    for (const step of this.steps.slice(index)) {
      if (step.status !== 'pending') continue;
      step.status = 'skipped';
      step.message = message;
      this.emit(step, 'skipped', message);
    }
  }

  private send(address: string, ...args: string[]): Promise<unknown> {
    const [command, ...rest] = args;
    return this.engine.run(address, (client) => client.call(command ?? '', ...rest));
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
      case 'set-masterauth': {
        const password = this.engine.credentials().password;
        if (!password) throw new StepFailure('the console has no password to give as masterauth');
        await this.send(op.node, 'CONFIG', 'SET', 'masterauth', password);
        const reply = (await this.engine.run(op.node, (client) => client.call('CONFIG', 'GET', 'masterauth'))) as unknown[];
        if (reply[1] !== password) throw new StepFailure(`${op.node}: masterauth did not take the new value`);
        return 'masterauth set';
      }
      case 'set-masteruser': {
        await this.send(op.node, 'CONFIG', 'SET', 'masteruser', op.user);
        return `masteruser set to ${op.user}`;
      }
      case 'set-config': {
        await this.send(op.node, 'CONFIG', 'SET', op.parameter, op.value);
        if (op.fence === 'on') {
          const release = this.planned.ops.filter((o): o is ReleaseOp => o.kind === 'set-config' && o.node === op.node && o.fence === 'off');
          const lagFix = this.planned.ops.find((o, i) => i < index && o.kind === 'set-config' && o.parameter === 'min-replicas-max-lag');
          const restoreLag: ReleaseOp[] = lagFix ? [{ kind: 'set-config', node: op.node, parameter: 'min-replicas-max-lag', value: '0' }] : [];
          this.writeStop = { node: op.node, release: [...release, ...restoreLag], until: null };
          return `writes on ${op.node} are now refused (NOREPLICAS)`;
        }
        if (op.fence === 'off' && this.writeStop?.node === op.node) this.writeStop = null;
        return `${op.parameter} = ${op.value}`;
      }
      case 'pause-writes': {
        const sentAt = Date.now();
        await this.send(op.node, 'CLIENT', 'PAUSE', String(op.ms), 'WRITE');
        this.writeStop = { node: op.node, release: [{ kind: 'unpause-writes', node: op.node }], until: sentAt + op.ms };
        return `writes on ${op.node} wait (for at most ${op.ms} ms)`;
      }
      case 'unpause-writes': {
        await this.send(op.node, 'CLIENT', 'UNPAUSE');
        if (this.writeStop?.node === op.node) this.writeStop = null;
        return 'paused clients released';
      }
      case 'wait-caught-up':
        return this.waitCaughtUp(op, progress);
      case 'promote': {
        await this.send(op.node, 'REPLICAOF', 'NO', 'ONE');
        this.promoted.add(op.node);
        const result = await pollUntil(() => readReplication(this.engine, op.node), (r) => r.role === 'master', {
          timeoutMs: this.options.stepTimeoutMs,
          intervalMs: this.interval(),
        });
        if (result.status !== 'done') throw new StepFailure(`${op.node} did not report role master (${result.error ?? `role ${result.value?.role ?? '?'}`})`);
        return `${op.node} is a master (replid ${result.value.replid?.slice(0, 8) ?? '?'}…, offset ${offsetOf(result.value) ?? '?'})`;
      }
      case 'replicaof':
        return this.replicaof(op, progress);
      case 'failover':
        return this.failover(op, progress);
      case 'config-rewrite': {
        await this.send(op.node, 'CONFIG', 'REWRITE');
        return 'config file rewritten';
      }
    }
  }

  private async waitCaughtUp(op: Extract<StepOp, { kind: 'wait-caught-up' }>, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    // Read after the write stop: every acknowledged write is at or below this offset.
    const master = await readReplication(this.engine, op.master);
    const target = offsetOf(master);
    if (target === null) throw new StepFailure(`${op.master} reports no replication offset`);
    const until = this.writeStop?.until;
    // Leave time for the promotion and the old master's REPLICAOF before a pause runs out.
    const budget = until ? Math.min(this.options.stepTimeoutMs, until - Date.now() - 1500) : this.options.stepTimeoutMs;
    const result = await pollUntil(
      () => readReplication(this.engine, op.node),
      (r) => (offsetOf(r) ?? -1) >= target,
      {
        timeoutMs: Math.max(0, budget),
        intervalMs: Math.min(this.interval(), 50),
        onValue: (r) => progress(`${op.node} at offset ${offsetOf(r) ?? '?'} of ${target}`, { offset: offsetOf(r) ?? -1, target }),
        stop: this.stopWanted,
      },
    );
    if (result.status === 'stopped') throw new StepAborted(`stopped while waiting for ${op.node} to catch up`);
    if (result.status === 'timeout') {
      const at = result.value ? offsetOf(result.value) : null;
      throw new StepFailure(`${op.node} did not catch up in time: offset ${at ?? '?'} of ${target}${result.error ? ` (${result.error})` : ''}`);
    }
    return `${op.node} has every byte up to offset ${target}`;
  }

  private async replicaof(op: Extract<StepOp, { kind: 'replicaof' }>, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    const before = await readStats(this.engine, op.master);
    const reply = await this.send(op.node, 'REPLICAOF', op.host, String(op.port));
    const wanted = formatAddress(op.host, op.port);
    const linked = await pollUntil(
      () => readReplication(this.engine, op.node),
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
      goal = offsetOf(await readReplication(this.engine, op.master));
    } catch {
      goal = null;
    }
    let reached = offsetOf(linked.value);
    if (goal !== null) {
      const converged = await pollUntil(
        () => readReplication(this.engine, op.node),
        (r) => (offsetOf(r) ?? -1) >= (goal ?? 0),
        { timeoutMs: this.options.stepTimeoutMs, intervalMs: this.interval(), stop: this.stopWanted },
      );
      if (converged.status === 'stopped') throw new StepAborted(`${op.node}'s link is up; stopped before its offset caught up`);
      if (converged.status === 'timeout') {
        throw new StepFailure(`${op.node}'s link is up but it did not reach ${op.master}'s offset ${goal} in time (at ${converged.value ? offsetOf(converged.value) : '?'})`);
      }
      reached = offsetOf(converged.value);
    }
    const after = await readStats(this.engine, op.master);
    const kind =
      before && after
        ? after.syncFull > before.syncFull
          ? 'full sync'
          : after.syncPartialOk > before.syncPartialOk
            ? 'partial resync'
            : String(reply).includes('Already') ? 'already connected' : 'resync'
        : 'resync';
    return `link up (${kind}), offset ${reached ?? '?'}${goal !== null ? ` ≥ ${op.master}'s ${goal}` : ''}`;
  }

  private async failover(op: Extract<StepOp, { kind: 'failover' }>, progress: (m: string, d?: StepProgress['detail']) => void): Promise<string> {
    await this.send(op.node, 'FAILOVER', 'TO', op.host, String(op.port), 'TIMEOUT', String(op.timeoutMs));
    let lastState = 'waiting-for-sync';
    progress(`${op.node}: ${lastState}`, { master_failover_state: lastState });
    const ended = await pollUntil(
      () => readReplication(this.engine, op.node),
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
    if (ended.status !== 'done') {
      const stuck = ended.value?.failoverState ?? 'unknown';
      throw new StepFailure(
        `FAILOVER did not finish: ${op.node} is still ${stuck}${ended.error ? ` (${ended.error})` : ''}. ` +
          (stuck === 'failover-in-progress'
            ? `Writes stay paused there. If ${op.target} is down, FAILOVER ABORT on ${op.node} makes it a master again; if ${op.target} is up, it may already be the master: check before aborting`
            : `Check ${op.target}`),
      );
    }
    const oldInfo = ended.value;
    if (oldInfo.role !== 'replica') {
      if (this.abortRequested) throw new StepAborted(`FAILOVER aborted: ${op.node} is still the master and takes writes again`);
      throw new StepFailure(
        `FAILOVER did not complete: ${op.node} is still the master and takes writes again (Redis aborted it: ${op.target} ` +
          `did not catch up within ${op.timeoutMs} ms, went away, or refused the hand-over)`,
      );
    }
    this.promoted.add(op.target);
    progress(`${op.node} is now a replica of ${masterOf(oldInfo) ?? '?'}`, { master_failover_state: 'no-failover' });
    let targetRole: string;
    try {
      targetRole = (await readReplication(this.engine, op.target)).role;
    } catch (error) {
      throw new StepFailure(`${op.node} handed over, but ${op.target} cannot be read: ${toApiError(error).message}`);
    }
    if (targetRole !== 'master') throw new StepFailure(`${op.node} became a replica, but ${op.target} reports role ${targetRole}`);
    const linked = await pollUntil(
      () => readReplication(this.engine, op.node),
      (r) => r.linkStatus === 'up' && !r.syncInProgress,
      { timeoutMs: this.options.stepTimeoutMs, intervalMs: this.interval() },
    );
    if (linked.status !== 'done') throw new StepFailure(`${op.target} is the master, but ${op.node}'s link to it is not up (${linked.error ?? linked.value?.linkStatus ?? '?'})`);
    return `${op.target} is the master; ${op.node} replicates from it (link up, offset ${offsetOf(linked.value) ?? '?'})`;
  }

  /** After a failure or abort: release a write stop when no other node took over. */
  private async cleanUp(): Promise<string[]> {
    const stop = this.writeStop;
    if (!stop) return [];
    if (this.promoted.size > 0) {
      return [
        `Writes on ${stop.node} are still stopped ON PURPOSE: ${[...this.promoted].join(', ')} was promoted, and releasing ${stop.node} now would let two masters take writes. ` +
          `Make ${stop.node} a replica of ${[...this.promoted][0]} first, then release it (${stop.release.map(commandText).join(', ')})` +
          (stop.until ? `; the pause runs out by itself at ${new Date(stop.until).toISOString()}` : ''),
      ];
    }
    const done: string[] = [];
    for (const op of stop.release) {
      try {
        if (op.kind === 'unpause-writes') await this.send(op.node, 'CLIENT', 'UNPAUSE');
        else await this.send(op.node, 'CONFIG', 'SET', op.parameter, op.value);
        done.push(`Done for you: ${commandText(op)} on ${op.node}: it takes writes again`);
      } catch (error) {
        done.push(`Could not release writes on ${op.node} (${toApiError(error).message}): run ${commandText(op)} there yourself`);
      }
    }
    this.writeStop = null;
    return done;
  }
}

/** In a manual switchover: the promotion step up to the old master's REPLICAOF. */
function criticalWindow(ops: StepOp[]): { from: number; to: number } | null {
  const wait = ops.find((op) => op.kind === 'wait-caught-up');
  if (!wait || wait.kind !== 'wait-caught-up') return null;
  const from = ops.findIndex((op) => op.kind === 'promote');
  const to = ops.findIndex((op) => op.kind === 'replicaof' && op.node === wait.master);
  return from >= 0 && to > from ? { from, to } : null;
}
