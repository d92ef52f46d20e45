// The one object both adapters (Electron IPC and the web mode's WebSocket) talk to. It owns
// the engine, the action service on that engine and the optional lab, checks every call
// against the schema, and answers with envelopes so nothing thrown here crosses the bridge as
// a raw exception.
import type { ApiChannel, ApiMethods, Envelope, InterruptedPlanList, InterruptedPlanReport, LabInfo } from '../shared/api';
import type { ActionInterface, StepProgress } from '../shared/actions';
import type { CheckResult } from '../engine/actions/interrupted';
import { InterruptedPlans } from '../engine/actions/interrupted';
import type { InterruptedReport } from '../engine/actions/recovery';
import type { ConnectOptions, EventQuery, HistoriesQuery, HistoryColumns, HistoryPoint, HistoryQuery, ReplicationEvent, TickUpdate, TopologySnapshot } from '../shared/types';
import { isApiChannel, parseCall, type TopologyInfo } from '../shared/channels';
import { ReplicationEngine } from '../engine/engine';
import { ActionService, type StopResult } from '../engine/actions/service';
import { dataDir } from '../engine/actions/audit';
import { EngineError, toApiError } from '../engine/errors';
import { SharedLab } from './shared-lab';
import type { ProfileStore } from './profile-store';

export interface ConsoleServiceOptions {
  /** An engine to use instead of a new one (tests, benchmarks). */
  engine?: ReplicationEngine;
  /** Which front end runs the actions, as the audit log records it. Default 'desktop'. */
  interface?: ActionInterface;
  /** Directory of the audit log and the plan journal. Default: ActionService's (the app's data directory). */
  auditDir?: string;
  /** How long a disconnect or shutdown waits for a running plan to reach a safe point. */
  stopWaitMs?: number;
  /** Connect and command timeout of every node (--timeout); default the engine's. */
  timeoutMs?: number;
  /** The app's one lab, shared by every topology (see ConsoleHub); default: a lab of this service's own, stopped by close(). */
  lab?: SharedLab;
  /**
   * Saved connections and their secrets, shared by every topology of the app (see ConsoleHub).
   * Default: the process's store of the data directory (sharedProfileStore), with the web mode's secret
   * storage, loaded on the first call that needs it: a CLI command reads no profile and no secret.
   */
  profiles?: ProfileStore;
}

/** The journal is read again at most this often (ticks drive it), and a reported plan's nodes with it. */
const JOURNAL_RECHECK_MS = 5000;

const NO_INTERRUPTED_PLANS: InterruptedPlanList = { reports: [], problems: [], checkedAt: 0 };

type Handlers = { [C in ApiChannel]: (...args: Parameters<ApiMethods[C]>) => Promise<ReturnType<ApiMethods[C]>> };

export class ConsoleService {
  readonly #engine: ReplicationEngine;
  readonly #actions: ActionService;
  readonly #lab: SharedLab;
  readonly #ownsLab: boolean;
  readonly #stopWatchingLab: () => void;
  #connected = false;
  #connectedSeeds: string[] = [];
  #closed = false;
  readonly #stopWaitMs: number | undefined;
  #profiles: ProfileStore | Promise<ProfileStore> | null;
  readonly #dataDir: string;
  /** `reportedOpen`: plans this session reported not settled (see #checkInterruptedPlans). */
  #journal: { checkedAt: number; checking: boolean; reportedOpen: Set<string> } = { checkedAt: 0, checking: false, reportedOpen: new Set() };
  /** The last check's reports, for 'journal:interrupted' (the warnings carry them as text only). */
  #interrupted: InterruptedPlanList = NO_INTERRUPTED_PLANS;
  // Journal checks run one at a time: a check that read the journal before a dismiss must not
  // publish its warnings after the dismiss's own check.
  #journalChecks: Promise<unknown> = Promise.resolve();
  readonly #stopListeners = new Set<(message: string) => void>();
  // Connect, disconnect and lab changes run one at a time, in call order: a second connect
  // clicked while the first is still discovering must not interleave with it.
  #queue: Promise<unknown> = Promise.resolve();

  readonly #handlers: Handlers = {
    'topology:connect': (options) => this.connect(options),
    'topology:disconnect': () => this.disconnect(),
    'topology:get': async () => this.#engine.snapshot(),
    'topology:info': async () => this.info(),
    'topology:forget': async (address) => this.#engine.forget(address),
    'node:raw-replication': async (address) => this.#engine.rawReplication(address),
    'history:get': async (query) => this.history(query),
    'history:all': async (query) => this.histories(query),
    'alerts:get': async () => this.#engine.alerts(),
    'alerts:acknowledge': async (id) => this.#engine.acknowledgeAlert(id),
    'alerts:mute': async ({ node, minutes, reason }) => this.#engine.muteAlerts(node, minutes, reason ?? null),
    'alerts:unmute': async (node) => this.#engine.unmuteAlerts(node),
    'alerts:thresholds': async (change) => this.#engine.setAlertThresholds(change),
    'events:list': async (query?) => this.events(query),
    'lab:start': () => this.startLab(),
    'lab:stop': () => this.stopLab(),
    'lab:status': async () => this.labStatus(),
    'action:plan': (request) => this.#actions.plan(request),
    // The progress callback travels as 'action:progress' pushes (see onActionProgress).
    'action:execute': ({ planId, confirmAddress, overrides }) => this.#actions.execute(planId, { confirmAddress, overrides }),
    'action:abort': (planId) => this.#actions.abort(planId),
    'action:running': async (planId?) => this.#actions.runView(planId),
    'action:candidates': async (node) => this.#actions.candidates(node),
    'audit:list': (limit?, scope?) => this.#actions.auditList(limit, scope),
    'journal:interrupted': async () => this.#interrupted,
    'journal:dismiss': (planId) => this.dismissInterruptedPlan(planId),
    'profile:list': async () => (await this.profiles()).list(),
    'profile:save': async (profile) => (await this.profiles()).save(profile),
    'profile:delete': async (id) => (await this.profiles()).delete(id),
    'profile:export': async (ids?) => (await this.profiles()).export(ids),
    'profile:import': async (text) => (await this.profiles()).import(text),
    'profile:secret-storage': async (storage) => (await this.profiles()).setSecretStorage(storage),
  };

  constructor(options: ConsoleServiceOptions = {}) {
    // The engine remembers topologies in the same data directory as the audit log.
    const timeouts = options.timeoutMs === undefined ? {} : { connectTimeoutMs: options.timeoutMs, commandTimeoutMs: options.timeoutMs };
    this.#engine = options.engine ?? new ReplicationEngine({ memoryDir: options.auditDir ?? dataDir(), ...timeouts });
    this.#actions = new ActionService(this.#engine, {
      interface: options.interface ?? 'desktop',
      ...(options.auditDir === undefined ? {} : { auditDir: options.auditDir }),
    });
    this.#stopWaitMs = options.stopWaitMs;
    this.#profiles = options.profiles ?? null;
    this.#dataDir = options.auditDir ?? dataDir();
    this.#lab = options.lab ?? new SharedLab();
    this.#ownsLab = options.lab === undefined;
    // Stopping the lab from any topology disconnects this one first if it watches the lab.
    this.#stopWatchingLab = this.#lab.onStopping((addresses) => this.#labStopping(addresses));
    // Read the journal again now and then: a plan another process (a CLI, another window's
    // server) left half-done while this console watched is reported within seconds, not at the
    // next connect (serve ran for hours without INTERRUPTED_PLAN while `watch` fired it); and a
    // reported one's nodes are read again, so the warning goes once its commands have been run.
    // The journal's directory holds only the plans not yet settled: a readdir when there are none.
    this.#engine.onTick(() => {
      const j = this.#journal;
      if (!j.checking && Date.now() - j.checkedAt >= JOURNAL_RECHECK_MS) void this.checkInterruptedPlans(true);
    });
  }

  /** Saved connections and their secrets (shared when the hub gave one), loaded on first use. */
  profiles(): Promise<ProfileStore> {
    this.#profiles ??= import('./profile-store').then(({ sharedProfileStore }) => (this.#profiles = sharedProfileStore(this.#dataDir)));
    return Promise.resolve(this.#profiles);
  }

  /** Plans a dead console or a shutdown left half-done (journal), with where their nodes stand. */
  get interruptedPlans(): InterruptedPlans {
    return this.#actions.interrupted;
  }

  /**
   * Report the interrupted plans touching the connected topology as INTERRUPTED_PLAN and
   * FENCED_MASTER warnings (and close the settled ones). Resolves with what was found.
   */
  checkInterruptedPlans(periodic = false): Promise<CheckResult> {
    const run = this.#journalChecks.then(() => this.#checkInterruptedPlans(periodic));
    this.#journalChecks = run.catch(() => undefined);
    return run;
  }

  /**
   * `periodic`: the check ticks run, not a connect or a dismiss. It closes a settled plan only
   * once this session reported it unsettled (the operator ran its commands): one it finds
   * settled at once stays open, so the next connect reports it too, as before such checks ran.
   */
  async #checkInterruptedPlans(periodic: boolean): Promise<CheckResult> {
    const snapshot = this.#engine.snapshot();
    if (!snapshot) return { reports: [], problems: [] };
    this.#journal.checking = true;
    try {
      const result = await this.#actions.interrupted.check(this.#engine.commands(), snapshot, Date.now(), (planId) => !periodic || this.#journal.reportedOpen.has(planId));
      // Disconnected meanwhile: nothing to show these on.
      if (!this.#engine.connected) return result;
      for (const report of result.reports) {
        if (report.settled) this.#journal.reportedOpen.delete(report.planId);
        else this.#journal.reportedOpen.add(report.planId);
      }
      const warnings = InterruptedPlans.warnings(result);
      this.#engine.setWarnings('journal', warnings);
      this.#interrupted = { reports: result.reports.map(planReport), problems: result.problems, checkedAt: Date.now() };
      return result;
    } catch (error) {
      this.#engine.setWarnings('journal', [
        { code: 'INTERRUPTED_PLAN', message: `Could not check the plan journal for interrupted plans: ${toApiError(error).message}`, nodes: [] },
      ]);
      this.#interrupted = NO_INTERRUPTED_PLANS;
      return { reports: [], problems: [] };
    } finally {
      this.#journal.checking = false;
      this.#journal.checkedAt = Date.now();
    }
  }

  /**
   * The operator dealt with an interrupted plan: stop reporting it, and tell every window now.
   * False when the record was already closed (seen settled, or dismissed elsewhere): the check
   * still runs, so a warning left from a settled report goes too.
   */
  async dismissInterruptedPlan(planId: string): Promise<boolean> {
    const closed = await this.#actions.interrupted.dismiss(planId);
    if (this.#engine.connected) {
      await this.checkInterruptedPlans();
      // Publish the warnings without waiting for the next poll (every window and tab gets the tick).
      await this.#engine.refresh().catch(() => undefined);
    }
    return closed;
  }

  /** Called with a line to show whenever a disconnect or shutdown has to stop a running plan. */
  onStopNotice(listener: (message: string) => void): () => void {
    this.#stopListeners.add(listener);
    return () => this.#stopListeners.delete(listener);
  }

  /** The plan running now (a shutdown has to wait for it), or null. */
  get runningPlan(): { planId: string; summary: string } | null {
    return this.#actions.runningPlan;
  }

  /**
   * Ask a running plan to stop at its next safe point and wait for it (bounded); the plan
   * stays in the journal for the next start, unless it ended before the stop reached it (the
   * message says which). Said through onStopNotice.
   */
  async stopRunningPlan(reason: string): Promise<StopResult> {
    if (!this.#actions.runningPlan) return { status: 'idle', message: 'no plan is running' };
    this.#notice(`${reason} while "${this.#actions.runningPlan.summary}" runs: stopping it at a safe point first…`);
    const result = await this.#actions.stopRunning(reason, this.#stopWaitMs);
    this.#notice(result.message);
    return result;
  }

  #notice(message: string): void {
    for (const listener of this.#stopListeners) {
      try {
        listener(message);
      } catch {
        // A broken listener must not stop the shutdown.
      }
    }
  }

  /** Where executed plans are logged. */
  get auditFile(): string {
    return this.#actions.auditFile;
  }

  /** Validate a call from the bridge, run it, and wrap the outcome in an envelope. Never throws. */
  async invoke(channel: string, rawArgs: unknown): Promise<Envelope<unknown>> {
    const call = parseCall(channel, rawArgs);
    if (!call.ok) return { ok: false, error: call.error };
    return this.invokeChecked(call.channel, call.args);
  }

  /** Run a call parseCall has checked already (the hub checks every call before it picks the topology); an envelope, never a throw. */
  async invokeChecked(channel: string, args: unknown[]): Promise<Envelope<unknown>> {
    if (!isApiChannel(channel)) return { ok: false, error: { code: 'BAD_ARGUMENT', message: `${channel}: an app call, not one topology's` } };
    try {
      const handler = this.#handlers[channel] as (...args: unknown[]) => Promise<unknown>;
      const value = await handler(...args);
      // IPC can carry undefined, JSON cannot: void results travel as null.
      return { ok: true, value: value ?? null };
    } catch (error) {
      return { ok: false, error: toApiError(error) };
    }
  }

  /** One call per poll tick; returns a disposer. */
  onTick(listener: (update: TickUpdate) => void): () => void {
    return this.#engine.onTick((update) => {
      try {
        listener(update);
      } catch (error) {
        // A broken listener (a closed socket, a destroyed window) must not stop the others.
        console.error(`tick listener failed: ${toApiError(error).message}`);
      }
    });
  }

  /** One call per step progress of any running plan; returns a disposer. */
  onActionProgress(listener: (progress: StepProgress) => void): () => void {
    return this.#actions.onProgress((progress) => {
      try {
        listener(progress);
      } catch (error) {
        console.error(`action progress listener failed: ${toApiError(error).message}`);
      }
    });
  }

  connect(options: ConnectOptions): Promise<TopologySnapshot> {
    return this.#serial(async () => {
      // Through a saved connection: its fields and stored secrets fill the options (a bad id changes nothing).
      const { options: resolved, profileName } = options.profileId === undefined ? { options, profileName: null } : (await this.profiles()).connectOptions(options);
      if (this.#connected) await this.#disconnectNow('Connecting to another topology');
      const snapshot = await this.#engine.connect(resolved, { profileName });
      this.#connected = true;
      this.#connectedSeeds = [...resolved.seeds];
      const { reports } = await this.checkInterruptedPlans();
      // Publish the warnings now rather than at the next poll.
      return reports.length > 0 ? this.#engine.refresh() : snapshot;
    });
  }

  disconnect(): Promise<void> {
    return this.#serial(() => this.#disconnectNow('Disconnect was asked'));
  }

  history(query: HistoryQuery): HistoryPoint[] {
    return this.#engine.history(query);
  }

  histories(query: HistoriesQuery): Record<string, HistoryColumns> {
    return this.#engine.histories(query);
  }

  events(query: EventQuery = {}): ReplicationEvent[] {
    return this.#engine.events(query);
  }

  #describe: (() => TopologyInfo) | null = null;

  /** serve: the service, not a window, keeps this topology connected; what its tab says about it. */
  describeWith(describe: () => TopologyInfo): void {
    this.#describe = describe;
  }

  /** 'topology:info': a window's own topology unless serve said otherwise. */
  info(): TopologyInfo {
    if (this.#describe) return this.#describe();
    return { label: null, managed: false, status: this.#engine.snapshot() ? 'connected' : 'idle', lastError: null };
  }

  snapshot(): TopologySnapshot | null {
    return this.#engine.snapshot();
  }

  /** The lab this service starts and stops (shared with every topology when a ConsoleHub made it). */
  get lab(): SharedLab {
    return this.#lab;
  }

  /** Start the documentation lab (master, two replicas, one cascaded replica); idempotent. */
  startLab(): Promise<LabInfo> {
    return this.#serial(() => this.#lab.start());
  }

  /** Stop the lab, first disconnecting every topology (this one included) that was watching it. */
  stopLab(): Promise<LabInfo> {
    if (this.#closed) return Promise.reject(new EngineError('NOT_CONNECTED', 'The console is shutting down'));
    return this.#lab.stop();
  }

  labStatus(): LabInfo {
    return this.#lab.status();
  }

  #labStopping(addresses: ReadonlySet<string>): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#serial(async () => {
      if (this.#connected && this.#connectedSeeds.some((seed) => addresses.has(seed))) await this.#disconnectNow('Stopping the lab');
    });
  }

  /** Stop a running plan at a safe point (bounded), disconnect the engine and stop the lab if it is this service's own. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stopRunningPlan('The console is shutting down');
    // A connect still discovering (a silent seed, a Ctrl-C during watch's first poll) is cut short, not waited for.
    await this.#engine.disconnect();
    await this.#queue.catch(() => undefined);
    try {
      await this.#engine.disconnect();
    } finally {
      this.#connected = false;
      this.#stopWatchingLab();
      if (this.#ownsLab) await this.#lab.close();
    }
  }

  async #disconnectNow(reason: string): Promise<void> {
    // A plan runs over this connection: cutting it mid-plan is what leaves a fenced master behind.
    await this.stopRunningPlan(reason);
    this.#journal = { checkedAt: 0, checking: false, reportedOpen: new Set() };
    this.#interrupted = NO_INTERRUPTED_PLANS;
    this.#connected = false;
    this.#connectedSeeds = [];
    await this.#engine.disconnect();
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new EngineError('NOT_CONNECTED', 'The console is shutting down'));
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** The engine's report as the bridge carries it, field by field (nothing else rides along). */
function planReport(r: InterruptedReport): InterruptedPlanReport {
  return {
    planId: r.planId,
    summary: r.summary,
    startedAt: r.startedAt,
    who: r.who,
    nodes: [...r.nodes],
    cause: r.cause,
    ran: [...r.ran],
    now: [...r.now],
    direction: r.direction,
    commands: r.commands.map(({ node, command, why }) => ({ node, command, why })),
    fenced: r.fenced.map(({ node, value, original }) => ({ node, value, original })),
    pausedUntil: r.pausedUntil.map(({ node, until }) => ({ node, until })),
    settled: r.settled,
    waitingFor: [...r.waitingFor],
    linking: r.linking.map(({ node, master, syncing }) => ({ node, master, syncing })),
    notes: r.note ? r.note.split('\n') : [],
  };
}
