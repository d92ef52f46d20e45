// The open topology tabs: each its own Session over its own topology's API (its own engine and
// polling in the main process) and its own chart view. Every tab keeps listening while
// another is shown, so switching back finds its history and events complete.
import { untrack } from 'svelte';
import type { ReplicationConsoleApi, ReplicationConsoleBridge, ServerLink } from '../../../electron/shared/api';
import type { TopologyInfo } from '../../../electron/shared/channels';
import { MAIN_TOPOLOGY, MAX_TOPOLOGIES } from '../../../electron/shared/api';
import { tabName, tabStatus, type TabStatus } from '../lib/tab-label';
import { ChartView } from './chart-view.svelte';
import { Session } from './session.svelte';

/** Each session's tab, for the screens below it (they get the session from the context). */
const tabsBySession = new WeakMap<Session, Tab>();

/** The tab showing this session, or null (a session made outside TabsState). */
export function tabOf(session: Session): Tab | null {
  return tabsBySession.get(session) ?? null;
}

/** While serve retries a configured topology's first connect, its tab asks again this often. */
export const INFO_POLL_MS = 2000;

export class Tab {
  readonly id: string;
  readonly session: Session;
  readonly chartView = new ChartView();
  /** Who keeps the topology connected (null until asked, or when the main process cannot say): see 'topology:info'. */
  info = $state.raw<TopologyInfo | null>(null);
  readonly #api: Pick<ReplicationConsoleApi, 'getInfo'> | null;
  #stop: (() => void) | null = null;
  #infoTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(id: string, session: Session, api: Pick<ReplicationConsoleApi, 'getInfo'> | null = null) {
    this.id = id;
    this.session = session;
    this.#api = api;
    tabsBySession.set(session, this);
    session.history.onClockSetBack = (by) => this.chartView.moveBack(by);
  }

  /** What the tab is called: serve's config name, else tabName's; reactive through the session's state. */
  get name(): string {
    if (this.info?.label) return this.info.label;
    const cs = this.session.console;
    return tabName(cs.snapshot, cs.target?.seeds);
  }

  /** The service (serve) keeps this topology and is still trying to connect to it: nothing for a person to fill in. */
  get serviceConnecting(): boolean {
    return this.#serveConnecting && this.session.console.status !== 'connected';
  }

  get #serveConnecting(): boolean {
    return this.info?.managed === true && this.info.status === 'connecting';
  }

  get status(): TabStatus {
    const busy = this.session.busy === 'connect' || this.session.busy === 'lab' || this.serviceConnecting;
    return tabStatus(this.session.console.status, this.session.console.freshness, busy);
  }

  /** Start listening (idempotent). */
  start(): void {
    this.#stop ??= this.session.start();
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
    if (this.#infoTimer !== null) clearTimeout(this.#infoTimer);
    this.#infoTimer = null;
  }

  /** Ask who keeps the topology; while serve is still connecting, ask again every pollMs (for its last reason, then its name once connected). */
  async refreshInfo(pollMs: number = INFO_POLL_MS): Promise<void> {
    if (!this.#api) return;
    const wasConnecting = this.#serveConnecting;
    try {
      this.info = await this.#api.getInfo();
    } catch {
      // A main process that cannot say: the tab stays a window's own, as before.
      return;
    }
    // serve has just connected it: a session takes up a connection it did not make only when it
    // starts (as for a reloaded window), so start it again to show the topology.
    if (wasConnecting && this.info.status === 'connected' && this.#stop !== null && this.session.console.status === 'disconnected') {
      this.#stop();
      this.#stop = this.session.start();
    }
    // Until serve itself says connected: its answer then also has the tab's name once connected.
    if (this.#stop === null || this.#infoTimer !== null || !this.#serveConnecting) return;
    this.#infoTimer = setTimeout(() => {
      this.#infoTimer = null;
      if (this.#stop !== null && this.#serveConnecting) void this.refreshInfo(pollMs);
    }, pollMs);
  }
}

/** A fresh tab id: short, random (two windows of the web mode must not pick the same), and valid on the bridge. */
export function newTabId(): string {
  return `t-${crypto.randomUUID().slice(0, 8)}`;
}

export class TabsState {
  tabs = $state.raw<Tab[]>([]);
  activeId = $state<string>(MAIN_TOPOLOGY);
  /** Web mode: the socket to the console server, once it was open (null until then, and in Electron). */
  server = $state.raw<ServerLink | null>(null);

  readonly active: Tab = $derived(this.tabs.find((t) => t.id === this.activeId) ?? this.#first());
  readonly full: boolean = $derived(this.tabs.length >= MAX_TOPOLOGIES);

  readonly #bridge: ReplicationConsoleBridge;
  readonly #newId: () => string;
  readonly #infoPollMs: number;
  #started = false;

  constructor(bridge: ReplicationConsoleBridge, newId: () => string = newTabId, options: { infoPollMs?: number } = {}) {
    this.#bridge = bridge;
    this.#newId = newId;
    this.#infoPollMs = options.infoPollMs ?? INFO_POLL_MS;
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
    const stopLink = this.#bridge.onServerLink?.((link) => {
      const lost = this.server?.reachable === false;
      this.server = link;
      for (const tab of this.tabs) tab.session.console.followLink(link);
      // Back after it was lost: a restarted server may not have this window's topologies any more.
      // serve's own come back by themselves (their ticks are taken as a new session).
      if (link.reachable && lost) for (const tab of this.tabs) if (tab.info?.managed !== true) void tab.session.resync();
    });
    return () => {
      this.#started = false;
      stopLink?.();
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
    const api = this.#bridge.topology(id);
    const tab = new Tab(id, new Session(api), api);
    tab.session.console.followLink(this.server);
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
    if (!this.#started) return;
    if (missing.length > 0) this.tabs = [...this.tabs, ...missing.map((id) => this.#make(id))];
    await this.#arrangeServed(ids);
  }

  /**
   * serve: the topologies it keeps come first, in its order, and the first is shown; the idle
   * 'main' tab every window starts with goes (a 'main' with a session stays). The desktop app
   * and the web mode keep none: nothing changes for them.
   */
  async #arrangeServed(ids: string[]): Promise<void> {
    const listed = this.tabs.filter((t) => ids.includes(t.id));
    await Promise.all(listed.map((t) => t.refreshInfo(this.#infoPollMs)));
    if (!this.#started) return;
    const managed = this.tabs.filter((t) => t.info?.managed === true);
    const first = managed[0];
    if (!first) return;
    const main = this.tabs.find((t) => t.id === MAIN_TOPOLOGY && t.info?.managed !== true);
    const dropMain = main !== undefined && idle(main);
    const rest = this.tabs.filter((t) => t.info?.managed !== true && !(dropMain && t === main));
    // Unless the person already picked another tab, serve's first topology is the one shown.
    const showFirst = this.activeId === MAIN_TOPOLOGY;
    this.tabs = [...managed, ...rest];
    if (dropMain) main.stop();
    if (showFirst) this.select(first.id);
  }
}

/** Nothing in it: not connected, not connecting, nothing typed into by a running call. */
function idle(tab: Tab): boolean {
  const { console: cs, busy } = tab.session;
  return cs.status === 'disconnected' && cs.snapshot === null && busy === null && (tab.info === null || tab.info.status === 'idle');
}
