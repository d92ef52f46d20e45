// Wires the API to the state classes: connect and disconnect, the lab, one listener that
// feeds every tick to the topology, the history and the events, the topology changes (drag
// candidates, plan, run, abort, progress, audit) and a node's raw INFO. The only place that
// calls the API besides the charts' history load and the alerts' own calls (alerts-state.svelte.ts).
import type { ActionRequest, PlanRun } from '../../../electron/shared/actions';
import type { Address, ApiError, ConnectOptions, RawReplication, TickUpdate } from '../../../electron/shared/types';
import type { LabInfo, ReplicationConsoleApi } from '../../../electron/shared/api';
import { toApiError } from '../lib/errors';
import { chartFrames } from '../lib/frame-queue';
import { isNeverReached } from '../lib/unreached-fold';
import { AlertsState, type AlertNotifier } from './alerts-state.svelte';
import { AUDIT_SHOWN, AuditState } from './audit-state.svelte';
import { Clock } from './clock.svelte';
import { ConsoleState } from './console-state.svelte';
import { EventsState } from './events-state.svelte';
import { HistoryState } from './history-state.svelte';
import { InterruptedState } from './interrupted-state.svelte';
import { MoveState, type DropResult } from './move-state.svelte';
import { NodeMenuState, type MenuAnchor } from './node-menu.svelte';
import { parseMasterAddress, PlanDialogState, type PlanOption } from './plan-dialog.svelte';
import { windowNotifications } from './web-notifications.svelte';

export type BusyWith = 'connect' | 'lab' | 'disconnect' | null;

export class Session {
  readonly clock: Clock;
  readonly console: ConsoleState;
  readonly history: HistoryState;
  readonly events: EventsState;
  readonly moves = new MoveState();
  readonly menu = new NodeMenuState();
  readonly planDialog: PlanDialogState;
  readonly audit = new AuditState();
  readonly interrupted = new InterruptedState();
  readonly alerts: AlertsState;

  busy = $state<BusyWith>(null);
  lab = $state.raw<LabInfo | null>(null);

  readonly #api: ReplicationConsoleApi;
  readonly #now: () => number;
  /** A clock no one sets (performance.now()): tells the wall clock's steps from time going by. */
  readonly #monotonic: () => number = () => globalThis.performance.now();
  #attempt = 0;
  #candidates: Promise<void> | null = null;
  /** The 'action:running' calls in flight, by what asks (#askOnce): ticks and pushes ask at most one each at a time. */
  readonly #asking = { dialog: false, elsewhere: false };
  /** A plan the console runs on this topology that this window does not show (#askElsewhere): said in a strip, with Show. */
  elsewhere = $state.raw<PlanRun | null>(null);
  /** The plan a (re)loaded window found being checked before its first command: followed once it runs (#attach). */
  #checking: string | null = null;

  constructor(
    api: ReplicationConsoleApi,
    clock: Clock = new Clock(),
    now: () => number = Date.now,
    notifier: AlertNotifier | null = windowNotifications(),
  ) {
    this.#api = api;
    this.alerts = new AlertsState(api, notifier);
    this.#now = now;
    this.planDialog = new PlanDialogState(now);
    this.clock = clock;
    this.console = new ConsoleState(clock);
    this.history = new HistoryState();
    this.events = new EventsState();
  }

  /**
   * Subscribes to ticks and picks up a session the engine already has (a reloaded window, or
   * web mode started with --lab). Returns a disposer.
   */
  start(): () => void {
    // A tick is applied at once unless a chart redraw ran in the frame being made: then right
    // after that frame, so the two never add up in one frame (lib/frame-queue.ts).
    const stopTicks = this.#api.onTick((update) => chartFrames.runApart(() => this.handleTick(update)));
    const stopProgress = this.#api.onActionProgress((progress) => {
      this.planDialog.applyProgress(progress);
      if (progress.planId !== this.planDialog.plan?.id && progress.planId !== this.elsewhere?.planId) void this.#askElsewhere(progress.planId);
    });
    const stopClock = this.clock.start();
    void this.#resume();
    return () => {
      stopTicks();
      stopProgress();
      stopClock();
    };
  }

  handleTick(update: TickUpdate): void {
    const applied = this.console.applySnapshot(update.snapshot, this.#now(), this.#monotonic());
    if (!applied) return;
    // Another engine session: the server restarted (serve reconnects its topologies), its ticks
    // start again at 1, and were all dropped as older than the last one shown, the page frozen on
    // STALE until the new count passed the old one. Taken as a fresh connection: its history and
    // events are the new engine's.
    if (applied === 'new-session') this.#takeOver(update.snapshot);
    else this.history.appendSnapshot(update.snapshot);
    this.events.add(update.events);
    if (update.alerts) this.alerts.applyTick(update.alerts);
    if (this.interrupted.track(update.snapshot.warnings)) void this.loadInterrupted();
    const watched = this.planDialog.watchedRun ?? this.#checking;
    if (watched !== null) void this.#askRun(watched);
    if (this.elsewhere !== null) void this.#askElsewhere(this.elsewhere.planId);
  }

  /**
   * A plan this topology's console runs that this window does not show: another window's (or
   * tab's, or another operator's on the same `serve`), or one this window followed and closed.
   * Learnt from its progress pushes, asked after at each tick until it ends. Before, such a plan
   * showed only as nodes changing roles, until this window's own Run was refused BUSY.
   */
  #askElsewhere(planId: string): Promise<void> {
    return this.#askOnce('elsewhere', planId, (run) => {
      const shown = this.planDialog.plan?.id === planId && this.planDialog.phase !== 'closed';
      this.elsewhere = run !== null && run.planId === planId && run.status === 'running' && !shown ? run : null;
    });
  }

  /** Show the plan running elsewhere in the plan dialog, following it (only over a closed dialog). */
  showElsewhere(): void {
    const run = this.elsewhere;
    if (run === null || !this.planDialog.follow(run)) return;
    this.elsewhere = null;
  }

  /** The console's running (or last) plan, for the plan dialog that follows one or waits for one to end. */
  #askRun(planId: string): Promise<void> {
    return this.#askOnce('dialog', planId, (run) => {
      if (planId === this.#checking) this.#attach(run);
      else this.planDialog.runSeen(run);
    });
  }

  /** Ask the console after `planId`'s run and hand the answer to `seen`, unless `who` asks already; a failure is asked again at the next tick. */
  async #askOnce(who: 'dialog' | 'elsewhere', planId: string, seen: (run: PlanRun | null) => void): Promise<void> {
    if (this.#asking[who]) return;
    this.#asking[who] = true;
    try {
      seen(await this.#api.runningAction(planId));
    } catch {
      // Asked again at the next tick (or push).
    } finally {
      this.#asking[who] = false;
    }
  }

  /** A (re)loaded window: a plan the console runs now on this topology (started here before a reload) is shown running. */
  async #attachRunning(attempt: number): Promise<void> {
    try {
      const run = await this.#api.runningAction();
      if (attempt === this.#attempt && this.console.status === 'connected') this.#attach(run);
    } catch {
      // Not known: the audit log will tell once it ends.
    }
  }

  /**
   * Follow `run` once it runs. One still being checked (its nodes read again before the first
   * command) is asked after at each tick until it runs, or turns out refused (nothing sent: not
   * kept, the console names another) or over: a window reloaded in that second showed nothing of it.
   */
  #attach(run: PlanRun | null): void {
    const waiting = this.#checking;
    this.#checking = null;
    if (run === null || (waiting !== null && run.planId !== waiting)) return;
    if (run.status === 'checking') this.#checking = run.planId;
    else this.planDialog.follow(run);
  }

  /**
   * The console server is back after the page lost it (web mode): take what it has for this tab
   * now. A server restarted since has another engine session, or none for this tab at all (the web
   * mode keeps no topology across a restart): then the tab says so instead of waiting on ticks that
   * never come.
   */
  async resync(): Promise<void> {
    if (this.console.status !== 'connected') return;
    const attempt = this.#attempt;
    let snapshot: TickUpdate['snapshot'] | null;
    try {
      snapshot = await this.#api.getTopology();
    } catch {
      return;
    }
    if (attempt !== this.#attempt || this.console.status !== 'connected') return;
    if (snapshot === null) {
      this.#leave();
      this.console.failed({
        code: 'NOT_CONNECTED',
        message: 'The console server restarted and is not connected to this topology any more: connect again',
      });
    } else if (snapshot.session !== this.console.snapshot?.session) {
      this.#takeOver(snapshot);
    }
  }

  /** The saved-connection calls, for the connect screen's profile list (RENDERER, issue 9). */
  get profileApi(): Pick<
    ReplicationConsoleApi,
    'listProfiles' | 'saveProfile' | 'deleteProfile' | 'exportProfiles' | 'importProfiles' | 'setSecretStorage'
  > {
    return this.#api;
  }

  /** Connects; on failure the error is in console.error. Returns whether it worked. */
  async connect(options: ConnectOptions): Promise<boolean> {
    const attempt = ++this.#attempt;
    this.busy = 'connect';
    this.console.beginConnect({ seeds: options.seeds, user: options.user ?? null });
    try {
      const snapshot = await this.#api.connect(options);
      if (attempt !== this.#attempt) return false;
      this.#adopt(snapshot);
      return true;
    } catch (thrown) {
      if (attempt === this.#attempt) this.console.failed(toApiError(thrown));
      return false;
    } finally {
      if (attempt === this.#attempt) this.busy = null;
    }
  }

  /** Starts the local lab and connects to its seeds with the given credentials. */
  async startLabAndConnect(credentials: Pick<ConnectOptions, 'user' | 'password'>): Promise<boolean> {
    this.busy = 'lab';
    let lab: LabInfo;
    try {
      lab = await this.#api.startLab();
      this.lab = lab;
    } catch (thrown) {
      this.console.failed(toApiError(thrown));
      this.busy = null;
      return false;
    }
    return this.connect({ ...credentials, seeds: lab.seeds });
  }

  async disconnect(): Promise<void> {
    this.#attempt += 1;
    this.busy = 'disconnect';
    try {
      await this.#api.disconnect();
    } catch {
      // Leaving the session is what the user asked for; the engine drops it on its side too.
    } finally {
      this.#leave();
      this.busy = null;
    }
  }

  /** Everything of the session shown goes: its view, history, events, dialogs and alerts. */
  #leave(): void {
    this.console.reset();
    this.history.reset();
    this.events.reset();
    this.moves.reset();
    this.menu.close();
    this.planDialog.close();
    this.audit.reset();
    this.interrupted.reset();
    this.alerts.reset();
  }

  /** A card is picked up: ask the engine (instantly, from its snapshot) where it may go. */
  async startMove(node: Address): Promise<void> {
    this.menu.close();
    const token = this.moves.begin(node);
    const pending = this.#api.moveCandidates(node).then(
      (candidates) => this.moves.loaded(token, candidates),
      (thrown: unknown) => this.moves.failed(token, toApiError(thrown)),
    );
    this.#candidates = pending;
    await pending;
  }

  /** The card is dropped on `target` (null: on nothing). A valid target opens the plan dialog. */
  async endMove(target: Address | null): Promise<DropResult> {
    const moves = this.moves;
    // A very quick drop: decide with the engine's answer, not without it.
    if (moves.dragging !== null && target !== null && moves.candidates === null && moves.error === null) await this.#candidates;
    const result = moves.drop(target);
    if (result.kind === 'plan') void this.openPlan({ kind: 'replicaof', node: result.node, master: result.master });
    return result;
  }

  /** Opens the node menu and reads (instantly, from the engine's snapshot) where the node could move. */
  async openMenu(address: Address, anchor: MenuAnchor): Promise<void> {
    const token = this.menu.show(address, anchor);
    if (!this.console.nodeByAddress.get(address)?.reachable) return;
    try {
      this.menu.loaded(token, await this.#api.moveCandidates(address));
    } catch (thrown) {
      this.menu.failed(token, toApiError(thrown));
    }
  }

  /**
   * A node's INFO replication as last read, for the details panel (ticks leave it out), or the
   * error that kept it away (the node was forgotten, the console disconnected).
   */
  async rawReplication(address: Address): Promise<RawReplication | { address: Address; error: ApiError }> {
    try {
      return await this.#api.getRawReplication(address);
    } catch (thrown) {
      return { address, error: toApiError(thrown) };
    }
  }

  /** The user's explicit act: drop a remembered node from the graph and the console's memory. Returns the error, if any. */
  async forgetNode(address: Address): Promise<ApiError | null> {
    try {
      await this.#api.forgetNode(address);
      this.menu.close();
      return null;
    } catch (thrown) {
      return toApiError(thrown);
    }
  }

  /** Opens the plan dialog and asks the engine for the plan (it reads the nodes fresh first). */
  async openPlan(request: ActionRequest): Promise<void> {
    this.menu.close();
    await this.#plan(this.planDialog.begin(request), request);
  }

  /** An option changes the steps: plan again with it, keeping what the operator ticked and typed. */
  async setPlanOption(option: PlanOption, value: boolean): Promise<void> {
    await this.#replan(this.planDialog.withOption(option, value), true);
  }

  /**
   * Re-plans with replicas told to dial `text` (empty: the default address). A malformed address
   * is refused here, nothing sent: returns its message, or null when the re-plan went out.
   */
  async setMasterAddress(text: string): Promise<string | null> {
    const parsed = parseMasterAddress(text);
    if ('error' in parsed) return parsed.error;
    await this.#replan(this.planDialog.withMasterAddress(parsed.address), true);
    return null;
  }

  async setRepointSiblings(value: boolean): Promise<void> {
    await this.#replan(this.planDialog.withRepointSiblings(value), true);
  }

  /** After a refusal (the topology changed, the plan expired): a fresh plan, reviewed from scratch. */
  async planAgain(): Promise<void> {
    await this.#replan(this.planDialog.request, false);
  }

  /** Runs the reviewed plan; progress arrives as pushes meanwhile. The audit view is read again after. */
  async runPlan(): Promise<void> {
    const dialog = this.planDialog;
    const request = dialog.executeRequest();
    if (!request) return;
    dialog.beginRun(request.planId);
    try {
      dialog.finished(await this.#api.executeAction(request));
    } catch (thrown) {
      dialog.runFailed(request.planId, toApiError(thrown));
    }
    await this.loadAudit();
  }

  /** Aborts the dialog's running plan, or the other plan a BUSY refusal named. */
  async abortPlan(): Promise<void> {
    const dialog = this.planDialog;
    const planId = dialog.abortTarget;
    if (!planId) return;
    dialog.abortRequested();
    try {
      dialog.abortAnswered(planId, await this.#api.abortAction(planId));
    } catch (thrown) {
      dialog.abortFailed(planId, toApiError(thrown));
    }
  }

  async loadAudit(): Promise<void> {
    this.audit.beginLoad();
    try {
      this.audit.loadedEntries(await this.#api.listAudit(AUDIT_SHOWN, this.audit.scope));
    } catch (thrown) {
      this.audit.failed(toApiError(thrown));
    }
  }

  /** The interrupted plans in full, for the warnings banner. */
  async loadInterrupted(): Promise<void> {
    const token = this.interrupted.beginLoad();
    try {
      this.interrupted.loaded(token, await this.#api.interruptedPlans());
    } catch (thrown) {
      this.interrupted.failed(token, toApiError(thrown));
    }
  }

  /** "I have dealt with it": the engine stops reporting the plan, in every window. */
  async dismissInterrupted(planId: string): Promise<void> {
    if (!this.interrupted.beginDismiss(planId)) return;
    try {
      await this.#api.dismissInterruptedPlan(planId);
      this.interrupted.dismissDone(planId);
    } catch (thrown) {
      this.interrupted.dismissFailed(planId, toApiError(thrown));
    }
  }

  async #replan(request: ActionRequest | null, keep: boolean): Promise<void> {
    const token = this.planDialog.replan(request, keep);
    if (token !== null && request) await this.#plan(token, request);
  }

  async #plan(token: number, request: ActionRequest): Promise<void> {
    try {
      this.planDialog.planned(token, await this.#api.planAction(request));
    } catch (thrown) {
      this.planDialog.planFailed(token, toApiError(thrown));
    }
  }

  /** Reads whether the lab runs: it is the app's, and another tab may have started or stopped it. */
  async refreshLab(): Promise<void> {
    try {
      this.lab = await this.#api.labStatus();
    } catch {
      this.lab = null;
    }
  }

  async #resume(): Promise<void> {
    const attempt = this.#attempt;
    await this.refreshLab();
    try {
      const snapshot = await this.#api.getTopology();
      if (snapshot && attempt === this.#attempt && this.console.status === 'disconnected') {
        this.#takeOver(snapshot);
        await this.#attachRunning(attempt);
      }
    } catch {
      // No session yet: the connect screen is what the user needs.
    }
  }

  /**
   * A session this window did not connect itself (a reloaded window, a restarted server, another
   * window's reconnect of the tab): its seeds are not known here, so the nodes that answered stand
   * in for them (not a thousand addresses a hostile master lists), never the old session's.
   */
  #takeOver(snapshot: TickUpdate['snapshot']): void {
    this.console.beginConnect({ seeds: snapshot.nodes.filter((n) => !isNeverReached(n)).map((n) => n.address), user: null });
    this.#adopt(snapshot);
  }

  #adopt(snapshot: TickUpdate['snapshot']): void {
    this.console.connected(snapshot, this.#now(), this.#monotonic());
    this.history.reset();
    this.history.appendSnapshot(snapshot);
    this.events.reset();
    this.interrupted.reset();
    if (this.interrupted.track(snapshot.warnings)) void this.loadInterrupted();
    // A node that never answered has no history: no request for each of a thousand of them.
    const addresses = snapshot.nodes.filter((n) => !isNeverReached(n)).map((n) => n.address);
    void this.history.load(this.#api, addresses, snapshot.takenAt);
    void this.events.load(this.#api);
    this.alerts.reset();
    void this.alerts.load();
  }
}
