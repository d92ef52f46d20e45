// The open topology tabs: each its own Session over its own topology's API (its own engine and
// polling in the main process) and its own chart view. Every tab keeps listening while
// another is shown, so switching back finds its history and events complete.
import { untrack } from 'svelte';
import type { ReplicationConsoleBridge } from '../../../electron/shared/api';
import { MAIN_TOPOLOGY, MAX_TOPOLOGIES } from '../../../electron/shared/api';
import { tabName, tabStatus, type TabStatus } from '../lib/tab-label';
import { ChartView } from './chart-view.svelte';
import { Session } from './session.svelte';

export class Tab {
  readonly id: string;
  readonly session: Session;
  readonly chartView = new ChartView();
  #stop: (() => void) | null = null;

  constructor(id: string, session: Session) {
    this.id = id;
    this.session = session;
  }

  /** What the tab is called (see tabName); reactive through the session's state. */
  get name(): string {
    const cs = this.session.console;
    return tabName(cs.snapshot, cs.target?.seeds);
  }

  get status(): TabStatus {
    const busy = this.session.busy === 'connect' || this.session.busy === 'lab';
    return tabStatus(this.session.console.status, this.session.console.freshness, busy);
  }

  /** Start listening (idempotent). */
  start(): void {
    this.#stop ??= this.session.start();
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }
}

/** A fresh tab id: short, random (two windows of the web mode must not pick the same), and valid on the bridge. */
export function newTabId(): string {
  return `t-${crypto.randomUUID().slice(0, 8)}`;
}

export class TabsState {
  tabs = $state.raw<Tab[]>([]);
  activeId = $state<string>(MAIN_TOPOLOGY);

  readonly active: Tab = $derived(this.tabs.find((t) => t.id === this.activeId) ?? this.#first());
  readonly full: boolean = $derived(this.tabs.length >= MAX_TOPOLOGIES);

  readonly #bridge: ReplicationConsoleBridge;
  readonly #newId: () => string;
  #started = false;

  constructor(bridge: ReplicationConsoleBridge, newId: () => string = newTabId) {
    this.#bridge = bridge;
    this.#newId = newId;
    // The first tab is the one --seed and --lab open: with no "+" pressed, the app is as it always was.
    this.tabs = [this.#make(MAIN_TOPOLOGY)];
  }

  /**
   * Start every tab's session, and show again the tabs a reloaded window had open. Returns a
   * disposer. Reads the tab list untracked: run from an $effect, opening or closing a tab must
   * not restart every session.
   */
  start(): () => void {
    untrack(() => {
      this.#started = true;
      for (const tab of this.tabs) tab.start();
    });
    void this.#restore();
    return () => {
      this.#started = false;
      for (const tab of untrack(() => this.tabs)) tab.stop();
    };
  }

  /** "+": a new tab on the connect screen, shown at once. Null when MAX_TOPOLOGIES are open. */
  open(): Tab | null {
    if (this.full) return null;
    const tab = this.#make(this.#newId());
    this.tabs = [...this.tabs, tab];
    this.select(tab.id);
    return tab;
  }

  select(id: string): void {
    const tab = this.tabs.find((t) => t.id === id);
    if (!tab) return;
    this.activeId = id;
    // The lab is the app's, not the tab's: another tab may have started it meanwhile.
    void tab.session.refreshLab();
  }

  /** Disconnects the tab's topology, stops its polling and drops it; the last tab is replaced by a fresh one. */
  async close(id: string): Promise<void> {
    const index = this.tabs.findIndex((t) => t.id === id);
    const tab = this.tabs[index];
    if (!tab) return;
    let rest = this.tabs.filter((t) => t !== tab);
    if (rest.length === 0) rest = [this.#make(this.#newId())];
    this.tabs = rest;
    if (this.activeId === id) this.select((rest[Math.min(index, rest.length - 1)] ?? rest[0] ?? tab).id);
    tab.stop();
    try {
      await this.#bridge.closeTopology(id);
    } catch {
      // The tab is gone either way; a topology the main process could not close now is closed at shutdown.
    }
  }

  #make(id: string): Tab {
    const tab = new Tab(id, new Session(this.#bridge.topology(id)));
    if (this.#started) tab.start();
    return tab;
  }

  #first(): Tab {
    const first = this.tabs[0];
    if (!first) throw new Error('no tab open');
    return first;
  }

  async #restore(): Promise<void> {
    let ids: string[];
    try {
      ids = await this.#bridge.openTopologies();
    } catch {
      return;
    }
    const known = this.tabs.map((t) => t.id);
    const missing = ids.filter((id) => !known.includes(id)).slice(0, Math.max(0, MAX_TOPOLOGIES - this.tabs.length));
    if (missing.length > 0 && this.#started) this.tabs = [...this.tabs, ...missing.map((id) => this.#make(id))];
  }
}
