// What one chart draws, independent of Chart.js: a bucketed series per node, the band that
// stands for the nodes not drawn on their own, and the figures the chart reports (peak,
// newest values, how many history points its window covers).
import { ChunkPool, type NodeHistory } from '../../../electron/shared/node-history';
import type { Address, HistorySeries } from '../../../electron/shared/types';
import { BucketedSeries, SeriesBand } from './bucketed-series';

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

export class ChartSeries {
  readonly band = new SeriesBand();
  readonly #metric: HistorySeries;
  #series = new Map<Address, BucketedSeries>();
  #shown: ReadonlySet<Address> | null = null;
  #width = 0;
  /** Where a replaced series' memory goes for the series that replace it (then let go). */
  readonly #pool = new ChunkPool();

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

  /** From scratch: new window or bucket width, another node list, or history reloaded. */
  rebuild(addresses: readonly Address[], rawOf: (address: Address) => NodeHistory, from: number, width: number): void {
    this.#width = width;
    for (const s of this.#series.values()) s.release();
    this.#series = new Map(addresses.map((a) => [a, new BucketedSeries(rawOf(a), this.#metric, width, from, this.#pool)]));
    this.#pool.clear();
    this.#resetBand();
  }

  /**
   * Takes in new points and drops what left the window (`from` is its start). A series whose
   * history array was replaced starts over.
   */
  sync(rawOf: (address: Address) => NodeHistory, from: number): void {
    let bandFrom = Number.POSITIVE_INFINITY;
    for (const s of this.band.members) bandFrom = Math.min(bandFrom, s.newestIndex);
    let replaced = false;
    for (const [address, s] of this.#series) {
      const raw = rawOf(address);
      if (raw === s.raw) {
        s.sync();
        s.dropBefore(from);
      } else {
        s.release();
        this.#series.set(address, new BucketedSeries(raw, this.#metric, this.#width, from, this.#pool));
        replaced = true;
      }
    }
    if (replaced) {
      this.#pool.clear();
      this.#resetBand();
    } else {
      this.band.update(bandFrom);
      this.band.dropBefore();
    }
  }

  /** Which nodes are drawn on their own (null: all of them); the others make up the band. */
  setShown(shown: ReadonlySet<Address> | null): void {
    this.#shown = shown;
    const members = this.#hidden();
    const current = this.band.members;
    if (members.length === current.length && members.every((s, i) => s === current[i])) return;
    this.band.reset(members);
  }

  /** The series drawn on their own, in node order. */
  individual(): [Address, BucketedSeries][] {
    const shown = this.#shown;
    return [...this.#series].filter(([address]) => shown === null || shown.has(address));
  }

  /** Counts, extremes and newest values of the raw points in [min, max], over every series. */
  stats(min: number, max: number): ChartStats {
    const out: ChartStats = { count: 0, low: null, peak: null, latestMax: null, latest: new Map() };
    for (const [address, s] of this.#series) {
      const r = s.stats(min, max);
      out.count += r.count;
      if (r.low !== null && (out.low === null || r.low < out.low)) out.low = r.low;
      if (r.high !== null && (out.peak === null || r.high > out.peak)) out.peak = r.high;
      if (r.latest !== null && (out.latestMax === null || r.latest > out.latestMax)) out.latestMax = r.latest;
      out.latest.set(address, r.latest);
    }
    return out;
  }

  #hidden(): BucketedSeries[] {
    const shown = this.#shown;
    if (shown === null) return [];
    return [...this.#series].filter(([address]) => !shown.has(address)).map(([, s]) => s);
  }

  #resetBand(): void {
    this.band.reset(this.#hidden());
  }
}
