// Wires the API to the state classes: connect and disconnect, the lab, and one listener that
// feeds every tick to the topology, the history and the events. The only place that calls
// the API besides the charts' history load.
import type { ConnectOptions, TickUpdate } from '../../../electron/shared/types';
import type { LabInfo, ReplicationConsoleApi } from '../../../electron/shared/api';
import { toApiError } from '../lib/errors';
import { Clock } from './clock.svelte';
import { ConsoleState } from './console-state.svelte';
import { EventsState } from './events-state.svelte';
import { HistoryState } from './history-state.svelte';

export type BusyWith = 'connect' | 'lab' | 'disconnect' | null;

export class Session {
  readonly clock: Clock;
  readonly console: ConsoleState;
  readonly history: HistoryState;
  readonly events: EventsState;

  busy = $state<BusyWith>(null);
  lab = $state.raw<LabInfo | null>(null);

  readonly #api: ReplicationConsoleApi;
  readonly #now: () => number;
  #attempt = 0;

  constructor(api: ReplicationConsoleApi, clock: Clock = new Clock(), now: () => number = Date.now) {
    this.#api = api;
    this.#now = now;
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
    const stopTicks = this.#api.onTick((update) => this.handleTick(update));
    const stopClock = this.clock.start();
    void this.#resume();
    return () => {
      stopTicks();
      stopClock();
    };
  }

  handleTick(update: TickUpdate): void {
    if (!this.console.applySnapshot(update.snapshot, this.#now())) return;
    this.history.appendSnapshot(update.snapshot);
    this.events.add(update.events);
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
      this.console.reset();
      this.history.reset();
      this.events.reset();
      this.busy = null;
    }
  }

  async #resume(): Promise<void> {
    const attempt = this.#attempt;
    try {
      this.lab = await this.#api.labStatus();
    } catch {
      this.lab = null;
    }
    try {
      const snapshot = await this.#api.getTopology();
      if (snapshot && attempt === this.#attempt && this.console.status === 'disconnected') {
        this.console.beginConnect({ seeds: snapshot.nodes.map((n) => n.address), user: null });
        this.#adopt(snapshot);
      }
    } catch {
      // No session yet: the connect screen is what the user needs.
    }
  }

  #adopt(snapshot: TickUpdate['snapshot']): void {
    this.console.connected(snapshot, this.#now());
    this.history.reset();
    this.history.appendSnapshot(snapshot);
    this.events.reset();
    const addresses = snapshot.nodes.map((n) => n.address);
    void this.history.load(this.#api, addresses, snapshot.takenAt);
    void this.events.load(this.#api);
  }
}
