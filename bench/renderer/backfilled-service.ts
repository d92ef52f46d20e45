// The real ConsoleService (real engine, real snapshots and ticks), except that 'history:get'
// and 'history:all' also answer for the hour before the session began. The engine keeps history only from its
// own polls and has no way to take more in, and a benchmark cannot wait an hour; so the hour
// is synthesized, ending at the real offsets of the first snapshot, and put in front of the
// engine's own points. The renderer asks and decimates exactly as it would against an engine
// that had been polling for an hour.
import { ConsoleService } from '../../electron/app/service';
import { decimateHistory } from '../../electron/shared/history-decimate';
import { NodeHistory } from '../../electron/shared/node-history';
import type { Address, HistoriesQuery, HistoryColumns, HistoryPoint, HistoryQuery, TopologySnapshot } from '../../electron/shared/types';

/** Rows a node's history holds in the engine (an hour at 1 Hz). */
const HOUR_POINTS = 3600;

export class BackfilledService extends ConsoleService {
  #before = new Map<Address, HistoryPoint[]>();
  /** How many history queries came in, the longest span one asked for (ms before it came), and the engine's time on the last history:all. */
  readonly asked = { queries: 0, longestSpanMs: 0, lastAllMs: 0 };

  /** Synthesizes `seconds` of 1 Hz history for every node of the snapshot, ending just before it. */
  backfill(snapshot: TopologySnapshot, seconds: number): void {
    this.#before = synthesizeHistory(snapshot, seconds);
  }

  override history(query: HistoryQuery): HistoryPoint[] {
    this.asked.queries += 1;
    this.#noteSpan(query.since);
    const points = this.#points(query.node, query.since);
    // The same decimation the engine applies to its own history.
    return query.maxPoints === undefined ? points : decimateHistory(points, query.maxPoints);
  }

  override histories(query: HistoriesQuery): Record<string, HistoryColumns> {
    this.asked.queries += 1;
    this.#noteSpan(query.since);
    const out: Record<string, HistoryColumns> = {};
    this.asked.lastAllMs = 0;
    for (const node of query.nodes ?? [...this.#before.keys()]) {
      // The engine's own columns and decimation, over the synthesized hour and the live points.
      const history = new NodeHistory(2 * HOUR_POINTS);
      for (const point of this.#points(node, query.since)) history.append(point);
      const started = performance.now();
      out[node] = history.columns(query.since, query.maxPoints, query.series);
      this.asked.lastAllMs += performance.now() - started;
    }
    return out;
  }

  #noteSpan(since: number | undefined): void {
    if (since !== undefined) this.asked.longestSpanMs = Math.max(this.asked.longestSpanMs, Date.now() - since);
  }

  /** The synthesized points before the engine's first, then the engine's. */
  #points(node: Address, sinceOrUndefined: number | undefined): HistoryPoint[] {
    const live = super.history({ node, since: sinceOrUndefined });
    const firstLive = live[0]?.t ?? Number.POSITIVE_INFINITY;
    const since = sinceOrUndefined ?? 0;
    const before = (this.#before.get(node) ?? []).filter((p) => p.t >= since && p.t < firstLive);
    return [...before, ...live];
  }
}

const STEP_MS = 1000;

/**
 * One point per second per node. Roots grow their offset at a wavering rate up to their real
 * current offset; replicas follow their master's curve minus a lag that is mostly zero with a
 * decaying spike every few minutes (seeded per node, so every run draws the same history).
 */
export function synthesizeHistory(snapshot: TopologySnapshot, seconds: number): Map<Address, HistoryPoint[]> {
  const times = Array.from({ length: seconds }, (_, k) => snapshot.takenAt - (seconds - k) * STEP_MS);
  const offsets = new Map<Address, number[]>();
  const result = new Map<Address, HistoryPoint[]>();
  const known = new Set(snapshot.nodes.map((n) => n.address));
  // Masters before their replicas: a replica's curve is drawn from its master's.
  const ordered = [...snapshot.nodes].sort((a, b) => (a.depth ?? 0) - (b.depth ?? 0));
  for (const node of ordered) {
    const rng = mulberry32(hash(node.address));
    const master = node.master !== null && known.has(node.master) ? offsets.get(node.master) : undefined;
    const current = node.offset ?? 0;
    const lag = master ? lagCurve(seconds, rng) : times.map(() => 0);
    const curve = master
      ? master.map((offset, k) => Math.max(0, Math.min(current, offset - (lag[k] ?? 0))))
      : rootCurve(seconds, current, rng);
    offsets.set(node.address, curve);
    result.set(
      node.address,
      times.map((t, k) => {
        const bytes = master ? Math.min(lag[k] ?? 0, master[k] ?? 0) : null;
        return {
          t,
          offset: curve[k] ?? null,
          lagBytes: bytes,
          lagSeconds: bytes === null ? null : Math.round((bytes / 32_768) * 10) / 10,
        };
      }),
    );
  }
  return result;
}

function rootCurve(seconds: number, current: number, rng: () => number): number[] {
  const rates = Array.from({ length: seconds + 1 }, (_, k) => 1 + 0.6 * Math.sin((2 * Math.PI * k) / 900) + 0.3 * rng());
  const total = rates.reduce((sum, r) => sum + r, 0);
  const curve: number[] = [];
  let sum = 0;
  for (let k = 0; k < seconds; k++) {
    sum += rates[k] ?? 0;
    curve.push(Math.floor((current * sum) / total));
  }
  return curve;
}

function lagCurve(seconds: number, rng: () => number): number[] {
  const lag = new Array<number>(seconds).fill(0);
  let k = Math.floor(rng() * 300);
  while (k < seconds) {
    const peak = 4096 + rng() * 120_000;
    for (let d = 0; d < 12 && k + d < seconds; d++) lag[k + d] = Math.round(peak * 0.6 ** d);
    k += 120 + Math.floor(rng() * 360);
  }
  return lag;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
