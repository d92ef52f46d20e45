// Per-node time series for the charts: loaded once from the engine's history, then extended
// by one point per node and tick. Each node's is a NodeHistory, typed-array columns as the
// engine keeps them (not reactive), that only grows at the end and is cut at the front; two
// counters tell the charts whether to append (`version`) or rebuild (`epoch`).
/* eslint-disable svelte/prefer-svelte-reactivity --
   The series map is deliberately not reactive: charts follow the `epoch`/`version` counters instead,
   so thousands of points never become signals. */
import type { Address, HistoryColumns, HistorySeries, TopologySnapshot } from '../../../electron/shared/types';
import type { ReplicationConsoleApi } from '../../../electron/shared/api';
import { historyPointOf } from '../../../electron/shared/history-point';
import { NodeHistory } from '../../../electron/shared/node-history';
import { isNeverReached } from '../lib/unreached-fold';

/** The longest chart window; older points are dropped. */
export const HISTORY_RETENTION_MS = 60 * 60_000;
/** Points asked per node on the initial load (the engine decimates keeping min/max shape). */
export const HISTORY_LOAD_MAX_POINTS = 1800;
/** What a page loads first: the shortest chart window (the one a page opens on). */
export const FIRST_LOAD_MS = 5 * 60_000;

/** Resolves once the page is idle (or soon after, when it never is), or at once where there is no page. */
function whenIdle(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 1000 });
    else setTimeout(resolve, 0);
  });
}

/**
 * A tick taken this much before the newest tick says the engine's clock was set back (NTP, an
 * administrator, a VM resumed). Less is left alone: its points are dropped as old until the clock
 * has caught up, a second at most. Ticks come in order (ConsoleState drops one older than the
 * last), each taken later than the one before unless the clock went back.
 */
export const CLOCK_SET_BACK_MS = 1000;

/** The charts wait at most this long for a load's first answer before drawing what the ticks brought. */
const FIRST_ANSWER_WAIT_MS = 3000;

/**
 * Rows a node's history holds at most: an hour at the fastest poll interval (100 ms) and a
 * loaded hour besides. The time retention cuts it long before.
 */
const HISTORY_ROWS = 1 << 16;

/** The history of a node that has none: never appended to. */
const NO_HISTORY = new NodeHistory(1);

/** The point a tick contributes for one of its nodes: the engine's own rule (shared). */
export const pointFromNode = historyPointOf;

/** The series every chart set draws; a load figure is added while its chart is shown. */
export const ALWAYS_CHARTED: readonly HistorySeries[] = ['offset', 'lagBytes', 'lagSeconds'];

type HistoryApi = Pick<ReplicationConsoleApi, 'getHistories'>;

export class HistoryState {
  /** Bumped when series are replaced wholesale: charts rebuild their datasets. */
  epoch = $state(0);
  /** Bumped on every append: charts push the points they have not seen. */
  version = $state(0);
  /** Nodes that have a series, in first-seen order. */
  addresses = $state.raw<Address[]>([]);
  /** The newest t of any point. */
  latest = $state<number | null>(null);
  /**
   * A load's first answer is awaited (for FIRST_ANSWER_WAIT_MS at most): the charts hold their
   * first draw for it. Drawn before it came, a 100-node page's charts took the main thread for
   * a tick's single point, and the answer, already sent, waited behind that work.
   */
  awaitingFirst = $state(false);

  /**
   * Told how far the clock went back when a tick shows it was (to within a poll interval: the
   * newest tick before it, and one interval, against the tick's time). A paused or zoomed chart
   * view moves with it, else it would show a range an hour ahead of every point.
   */
  onClockSetBack: ((by: number) => void) | null = null;

  readonly retentionMs: number;
  #series = new Map<Address, NodeHistory>();
  /** When the newest tick was taken (null: none since the history started). */
  #newestTickAt: number | null = null;
  /** Time of each node's first point that a tick brought (with every series). */
  #liveFrom = new Map<Address, number>();
  /** Where the engine's history comes from, once a load has been asked for. */
  #source: HistoryApi | null = null;
  /** The series the last load brought, and the load figure charted besides the offset and lag. */
  #loaded: ReadonlySet<HistorySeries> = new Set();
  #extra: HistorySeries | null = null;
  /** Bumped by every load and reset: an answer to an older one is dropped. */
  #generation = 0;

  constructor(retentionMs: number = HISTORY_RETENTION_MS) {
    this.retentionMs = retentionMs;
  }

  series(address: Address): NodeHistory {
    return this.#series.get(address) ?? NO_HISTORY;
  }

  /**
   * Adds one point per node of a tick, and drops points older than the retention. A tick from a
   * clock set back starts the history again from the engine's (see #clockSetBack).
   */
  appendSnapshot(snapshot: TopologySnapshot): void {
    const newestTick = this.#newestTickAt;
    const setBack = newestTick !== null && snapshot.takenAt < newestTick - CLOCK_SET_BACK_MS;
    if (setBack) this.#forgetAll();
    this.#newestTickAt = Math.max(this.#newestTickAt ?? Number.NEGATIVE_INFINITY, snapshot.takenAt);
    let added = false;
    let newAddress = setBack;
    for (const node of snapshot.nodes) {
      // A node never reached has nothing to chart; a churning list brings new ones every poll,
      // and a series each would grow this map without end.
      if (isNeverReached(node)) continue;
      const point = pointFromNode(node, snapshot.takenAt);
      let rows = this.#series.get(node.address);
      if (!rows) {
        rows = new NodeHistory(HISTORY_ROWS);
        this.#series.set(node.address, rows);
        newAddress = true;
      }
      if (rows.length > 0 && point.t <= rows.t(rows.length - 1)) continue;
      if (!this.#liveFrom.has(node.address)) this.#liveFrom.set(node.address, point.t);
      rows.append(point);
      added = true;
      if (this.latest === null || point.t > this.latest) this.latest = point.t;
    }
    if (added) {
      if (this.#trim()) newAddress = true;
      this.version += 1;
    }
    if (newAddress) this.addresses = [...this.#series.keys()];
    if (setBack) {
      this.#clockSetBack(snapshot.takenAt);
      this.onClockSetBack?.(newestTick + snapshot.pollIntervalMs - snapshot.takenAt);
    }
  }

  /**
   * The engine's clock was set back: the engine moved its history back with it (its
   * clockSetBack), while the points here stayed ahead of every tick to come, each new one dropped
   * as older than the last. The charts drew no new point, for as long as the clock had gone
   * back, unless the page was loaded again. Now what the engine has is loaded again, in one call,
   * in front of the points ticks bring from the step on (the engine keeps the same ones, at the
   * same times): one source of truth, which knows by how much its clock went back.
   */
  #clockSetBack(takenAt: number): void {
    this.epoch += 1;
    void this.#fetch(this.addresses, takenAt - this.retentionMs, 'replace');
  }

  /** Every series goes, and what ticks and loads brought with them. */
  #forgetAll(): void {
    this.#newestTickAt = null;
    this.#liveFrom.clear();
    this.#series.clear();
    this.latest = null;
  }

  /**
   * Loads what the engine remembers for these nodes, in one call for all of them, and puts it
   * in front of the points that ticks have already added: first the last FIRST_LOAD_MS (what a
   * chart shows on a page's first render), then, once the page is idle, the rest of the
   * retention. An hour of 100 nodes is ~180,000 points: building them all at once held the
   * first render, and collecting them after it, for a few hundred milliseconds. Only the
   * charted series are asked for (see chart()). A failure leaves every node with what it had.
   */
  async load(api: HistoryApi, addresses: readonly Address[], now: number): Promise<void> {
    this.#source = api;
    const generation = this.#generation + 1;
    // Nothing asked for (no node): nothing to wait for. Otherwise #fetch ends the wait.
    this.awaitingFirst = addresses.length > 0;
    const giveUp = setTimeout(() => (this.awaitingFirst = false), FIRST_ANSWER_WAIT_MS);
    const answered = await this.#fetch(addresses, now - FIRST_LOAD_MS, 'replace');
    clearTimeout(giveUp);
    if (!answered) return;
    await whenIdle();
    // A reset, a reload or another load since: theirs is the newer answer.
    if (this.#generation !== generation) return;
    await this.#fetch(addresses, now - this.retentionMs, 'prepend');
  }

  /**
   * A chart of this load figure is shown (null: none): its series is asked for from now on,
   * and loaded again for what the ticks did not bring (the first load asked only for what was
   * charted then, so an hour of memory reads arrives at once, not an hour later).
   */
  chart(series: HistorySeries | null): void {
    this.#extra = series;
    if (series === null || this.#loaded.has(series) || this.#source === null) return;
    const now = this.latest ?? Date.now();
    void this.#fetch(this.addresses, now - this.retentionMs, 'replace');
  }

  /**
   * Asks the engine for the charted series since `since`. 'replace': the answer replaces what
   * earlier loads brought (what ticks brought stays); 'prepend': it only goes in front of what
   * is there. True when the answer was taken in (not failed, nor out of date).
   */
  async #fetch(addresses: readonly Address[], since: number, mode: 'replace' | 'prepend'): Promise<boolean> {
    const api = this.#source;
    if (addresses.length === 0 || api === null) return false;
    const series = this.#extra === null ? [...ALWAYS_CHARTED] : [...ALWAYS_CHARTED, this.#extra];
    const generation = ++this.#generation;
    let answer: Record<string, HistoryColumns>;
    try {
      answer = await api.getHistories({ nodes: [...addresses], since, maxPoints: HISTORY_LOAD_MAX_POINTS, series });
    } catch {
      return false;
    } finally {
      // Before the answer is taken in: the charts draw it in the same task (the epoch effect).
      this.awaitingFirst = false;
    }
    // A reset, or a newer load, since this one was asked: it is out of date.
    if (generation !== this.#generation) return false;
    this.#loaded = new Set(series);
    let changed = false;
    for (const address of addresses) {
      const columns = Object.hasOwn(answer, address) ? answer[address] : undefined;
      if (!columns || !Array.isArray(columns.t) || columns.t.length === 0) continue;
      const current = this.#series.get(address) ?? NO_HISTORY;
      const keepFrom = mode === 'prepend' ? (current.length > 0 ? current.t(0) : Number.POSITIVE_INFINITY) : (this.#liveFrom.get(address) ?? Number.POSITIVE_INFINITY);
      const kept = current.firstAtOrAfter(keepFrom);
      const before = kept < current.length ? current.t(kept) : Number.POSITIVE_INFINITY;
      // A history of its own: the charts see by its identity that it was replaced.
      const rows = NodeHistory.fromColumns(columns, HISTORY_ROWS, before);
      if (rows.length === 0) continue;
      rows.appendFrom(current, kept);
      this.#series.set(address, rows);
      const last = rows.t(rows.length - 1);
      if (this.latest === null || last > this.latest) this.latest = last;
      changed = true;
    }
    if (changed) {
      this.#trim();
      this.addresses = [...this.#series.keys()];
      this.epoch += 1;
    }
    return true;
  }

  reset(): void {
    this.#generation += 1;
    this.#source = null;
    this.#loaded = new Set();
    this.#forgetAll();
    this.addresses = [];
    this.epoch += 1;
  }

  /** Drops points older than the retention, and the series left empty (nodes gone for that long). True when a series went. */
  #trim(): boolean {
    if (this.latest === null) return false;
    const cutoff = this.latest - this.retentionMs;
    let removed = false;
    for (const [address, rows] of this.#series) {
      const drop = rows.firstAtOrAfter(cutoff);
      if (drop > 0 && drop === rows.length) {
        this.#series.delete(address);
        this.#liveFrom.delete(address);
        removed = true;
      } else if (drop > 0) rows.dropBefore(cutoff);
    }
    return removed;
  }
}
