// What one chart draws, independent of Chart.js: a bucketed series per node drawn on its own, the
// band that stands for the nodes not drawn on their own, and the figures the chart reports
// (peak, newest values, how many history points its window covers).
import { ChunkPool, type NodeHistory } from '../../../electron/shared/node-history';
import type { Address, HistorySeries } from '../../../electron/shared/types';
import { BucketedSeries, RawSeries, SeriesBand } from './bucketed-series';

export interface ChartStats {
  /** History points with a value inside the range, over all series (drawn or in the band). */
  count: number;
  low: number | null;
  peak: number | null;
  /** The highest of the series' newest values in the range. */
  latestMax: number | null;
  /** Each series' newest value in the range. */
  latest: Map<Address, number | null>;
}

/**
 * A node drawn on its own has its buckets (BucketedSeries); a node in the band keeps none
 * (RawSeries): at 100 nodes nine in ten are in the band, and building their buckets was most of a
 * chart's first build from the history. A node that comes out of the band (selected, or lagging
 * most) gets its buckets then. While the view is frozen (paused or zoomed) every node keeps its
 * buckets: the history's retention trims the rows of a frozen range's left side while it is
 * looked at, and a band worked out from the rows again (after a click) would lose that side.
 */
type NodeSeries = BucketedSeries | RawSeries;

export class ChartSeries {
  // Loops over #series use forEach: for…of over a Map makes an [address, series] pair per node,
  // and these loops run several times a tick (at 100 nodes, a sixth of what the page allocated
  // while ticks came, and so of its garbage collections).
  readonly band = new SeriesBand();
  readonly #metric: HistorySeries;
  #series = new Map<Address, NodeSeries>();
  #shown: ReadonlySet<Address> | null = null;
  #frozen = false;
  #width = 0;
  /** The window's start as last given (rebuild, sync): where a series made afresh starts. */
  #from = 0;
  /** Where a replaced series' memory goes for the series that replace it (then let go). */
  readonly #pool = new ChunkPool();
  /** Bumped whenever what the series hold may have changed (rebuild, points taken in, another view). */
  #revision = 0;
  /**
   * stats()'s last answer and what it was for. A tick's redraw asks twice (once to see whether
   * the picture changes, once to draw it, a frame later) with nothing changed in between: at 100
   * nodes the second answer was as many objects again, on every tick, for each chart.
   */
  #stats: { revision: number; min: number; max: number; from: number; answer: ChartStats } | null = null;

  constructor(metric: HistorySeries) {
    this.#metric = metric;
  }

  /** Bucket width in ms (0 before the first rebuild). */
  get width(): number {
    return this.#width;
  }

  get size(): number {
    return this.#series.size;
  }

  /**
   * Which nodes are drawn on their own (null: all of them; the others make up the band), and
   * whether the view is frozen. Given before rebuild() or sync(), so that a rebuild makes each
   * series in the form it is drawn in; a node that changes form is made again from its history.
   */
  setView(shown: ReadonlySet<Address> | null, frozen: boolean): void {
    this.#shown = shown;
    this.#frozen = frozen;
    let changed = false;
    this.#series.forEach((s, address) => {
      if (this.#keepsBuckets(address) === s instanceof BucketedSeries) return;
      s.release();
      this.#series.set(address, this.#make(address, s.raw));
      changed = true;
    });
    if (changed) this.#pool.clear();
    const members = this.#hidden();
    const current = this.band.members;
    if (!changed && members.length === current.length && members.every((s, i) => s === current[i])) return;
    this.#revision += 1;
    this.band.reset(members);
  }

  /** From scratch: new window or bucket width, another node list, or history reloaded. */
  rebuild(addresses: readonly Address[], rawOf: (address: Address) => NodeHistory, from: number, width: number): void {
    this.#width = width;
    this.#from = from;
    this.#revision += 1;
    for (const s of this.#series.values()) s.release();
    this.#series = new Map(addresses.map((a) => [a, this.#make(a, rawOf(a))]));
    this.#pool.clear();
    this.#resetBand();
  }

  /**
   * Takes in new points and drops what left the window (`from` is its start). A series whose
   * history array was replaced starts over.
   */
  sync(rawOf: (address: Address) => NodeHistory, from: number): void {
    this.#from = from;
    let bandFrom = Number.POSITIVE_INFINITY;
    for (const s of this.band.members) bandFrom = Math.min(bandFrom, s.newestIndex);
    let replaced = false;
    this.#series.forEach((s, address) => {
      const raw = rawOf(address);
      if (raw === s.raw) {
        if (s.sync()) this.#revision += 1;
        s.dropBefore(from);
      } else {
        s.release();
        this.#series.set(address, this.#make(address, raw));
        replaced = true;
      }
    });
    if (replaced) {
      this.#revision += 1;
      this.#pool.clear();
      this.#resetBand();
    } else {
      this.band.update(bandFrom);
      this.band.dropBefore();
    }
  }

  /** The series drawn on their own, in node order. */
  individual(): [Address, BucketedSeries][] {
    const out: [Address, BucketedSeries][] = [];
    this.#series.forEach((s, address) => {
      if (this.#isShown(address) && s instanceof BucketedSeries) out.push([address, s]);
    });
    return out;
  }

  /** Counts, extremes and newest values of the raw points in [min, max], over every series (the same object while nothing changed). */
  stats(min: number, max: number): ChartStats {
    const last = this.#stats;
    if (last && last.revision === this.#revision && last.min === min && last.max === max && last.from === this.#from) return last.answer;
    const answer = this.#statsOf(min, max);
    this.#stats = { revision: this.#revision, min, max, from: this.#from, answer };
    return answer;
  }

  #statsOf(min: number, max: number): ChartStats {
    const out: ChartStats = { count: 0, low: null, peak: null, latestMax: null, latest: new Map() };
    const take = (low: number | null, high: number | null): void => {
      if (low !== null && (out.low === null || low < out.low)) out.low = low;
      if (high !== null && (out.peak === null || high > out.peak)) out.peak = high;
    };
    let banded = false;
    this.#series.forEach((s, address) => {
      let r: { count: number; latest: number | null };
      if (s instanceof BucketedSeries) {
        const full = s.stats(min, max);
        take(full.low, full.high);
        r = full;
      } else {
        r = s.countAndLatest(min, max);
        banded = true;
      }
      out.count += r.count;
      if (r.latest !== null && (out.latestMax === null || r.latest > out.latestMax)) out.latestMax = r.latest;
      out.latest.set(address, r.latest);
    });
    if (banded && this.#width > 0) {
      // The band's nodes: their extremes in the buckets wholly inside the range are the band's
      // there; the (at most two) buckets the range's edges cut are read from their points (a
      // point read twice where the two meet changes no extreme).
      const width = this.#width;
      // Band buckets from the one after the window's start on hold only what the nodes hold now
      // (one before may still carry a bucket a node has dropped since).
      const first = Math.max(Math.floor(min / width), Math.floor(this.#from / width)) + 1;
      const last = Math.floor(max / width) - 1;
      if (first <= last) {
        const inside = this.band.extremes(first, last);
        take(inside.low, inside.high);
      }
      for (const s of this.#series.values()) {
        if (s instanceof BucketedSeries) continue;
        if (first > last) {
          const all = s.extremes(min, max);
          take(all.low, all.high);
          continue;
        }
        const left = s.extremes(min, Math.min(max, first * width));
        const right = s.extremes(Math.max(min, (last + 1) * width), max);
        take(left.low, left.high);
        take(right.low, right.high);
      }
    }
    return out;
  }

  #isShown(address: Address): boolean {
    return this.#shown === null || this.#shown.has(address);
  }

  #keepsBuckets(address: Address): boolean {
    return this.#frozen || this.#isShown(address);
  }

  #make(address: Address, raw: NodeHistory): NodeSeries {
    return this.#keepsBuckets(address)
      ? new BucketedSeries(raw, this.#metric, this.#width, this.#from, this.#pool)
      : new RawSeries(raw, this.#metric, this.#width, this.#from);
  }

  #hidden(): NodeSeries[] {
    const out: NodeSeries[] = [];
    this.#series.forEach((s, address) => {
      if (!this.#isShown(address)) out.push(s);
    });
    return out;
  }

  #resetBand(): void {
    this.band.reset(this.#hidden());
  }
}
