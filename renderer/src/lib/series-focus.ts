// Which nodes the charts draw as lines of their own once there are too many to read: the
// masters, the selected node and the replicas with the most lag; the rest share a grey band.
import type { NodeHistory } from '../../../electron/shared/node-history';
import type { Address } from '../../../electron/shared/types';

/** At most this many lines per chart: one colour each, no dashes needed. */
export const FOCUS_LIMIT = 10;
/** Replicas drawn on their own, worst lag first. */
export const TOP_LAGGING = 8;

export interface FocusCandidate {
  address: Address;
  master: boolean;
  /** Highest lag in the window (bytes, seconds), and the newest. */
  peakBytes: number | null;
  peakSeconds: number | null;
  latestBytes: number | null;
  latestSeconds: number | null;
}

export type LagFigures = Pick<FocusCandidate, 'peakBytes' | 'peakSeconds' | 'latestBytes' | 'latestSeconds'>;

/** Lag figures of one node's history inside [min, max]. */
export function lagInRange(points: NodeHistory, min: number, max: number): LagFigures {
  return scanLag(points, min, max, Number.NEGATIVE_INFINITY).figures;
}

interface Scan {
  figures: LagFigures;
  /** When each figure was taken: once one of them leaves the window, it must be rescanned. */
  taken: { peakBytes: number; peakSeconds: number; latestBytes: number; latestSeconds: number };
  /** The newest point read. */
  lastT: number;
}

/** Folds the points in [min, max] newer than `after` into `scan` (a new one when not given). */
function scanLag(points: NodeHistory, min: number, max: number, after: number, scan?: Scan): Scan {
  const out: Scan = scan ?? {
    figures: { peakBytes: null, peakSeconds: null, latestBytes: null, latestSeconds: null },
    taken: { peakBytes: Number.NaN, peakSeconds: Number.NaN, latestBytes: Number.NaN, latestSeconds: Number.NaN },
    lastT: Number.NEGATIVE_INFINITY,
  };
  // Ties go to the newest point: a peak slides out of the window as late as possible.
  for (let i = points.firstAtOrAfter(Math.max(min, after)); i < points.length; i += 1) {
    const t = points.t(i);
    if (t <= after) continue;
    if (t > max) break;
    out.lastT = t;
    fold(out, 'latestBytes', 'peakBytes', points.value('lagBytes', i), t);
    fold(out, 'latestSeconds', 'peakSeconds', points.value('lagSeconds', i), t);
  }
  return out;
}

/** Takes a value read at `t` as the latest of its figure, and as its peak when it is at least as high. */
function fold(scan: Scan, latest: 'latestBytes' | 'latestSeconds', peak: 'peakBytes' | 'peakSeconds', value: number | null, t: number): void {
  if (value === null) return;
  const { figures, taken } = scan;
  figures[latest] = value;
  taken[latest] = t;
  const high = figures[peak];
  if (high === null || value >= high) {
    figures[peak] = value;
    taken[peak] = t;
  }
}

/**
 * Lag figures of many nodes over a window that slides with the ticks. Each call reads only the
 * points that arrived since the last one; a node is rescanned when its history was replaced,
 * the window moved back, or one of its figures slid out of the window.
 */
export class LagWindow {
  readonly #scans = new Map<Address, { points: NodeHistory; min: number; max: number; scan: Scan }>();
  #fullScans = 0;

  /** How many times a node's whole window was read (the rest were reads of new points only). */
  get fullScans(): number {
    return this.#fullScans;
  }

  read(address: Address, points: NodeHistory, min: number, max: number): LagFigures {
    const cached = this.#scans.get(address);
    if (cached && cached.points === points && min >= cached.min && max >= cached.max) {
      const { scan } = cached;
      // NaN (never taken) compares false: only figures taken before the window count.
      const { taken } = scan;
      const slid = taken.peakBytes < min || taken.peakSeconds < min || taken.latestBytes < min || taken.latestSeconds < min;
      if (!slid) {
        scanLag(points, min, max, scan.lastT, scan);
        cached.min = min;
        cached.max = max;
        return scan.figures;
      }
    }
    this.#fullScans += 1;
    const scan = scanLag(points, min, max, Number.NEGATIVE_INFINITY);
    this.#scans.set(address, { points, min, max, scan });
    return scan.figures;
  }

  /** Forgets nodes no longer asked about. */
  retain(addresses: readonly Address[]): void {
    if (this.#scans.size <= addresses.length) return;
    const keep = new Set(addresses);
    for (const address of this.#scans.keys()) if (!keep.has(address)) this.#scans.delete(address);
  }
}

const worse = (a: number | null, b: number | null): number => (b ?? -1) - (a ?? -1);

/** The replica with the highest non-zero value of `key`, if any. */
function worstBy(replicas: readonly FocusCandidate[], key: 'latestBytes' | 'latestSeconds'): FocusCandidate | undefined {
  let worst: FocusCandidate | undefined;
  for (const c of replicas) {
    const v = c[key];
    if (v !== null && v > 0 && (worst === undefined || v > (worst[key] ?? 0))) worst = c;
  }
  return worst;
}

/**
 * The nodes drawn as lines, sorted by address. Up to `limit` candidates are all drawn. Beyond
 * that: the selected node, the replicas lagging most right now (bytes and seconds: the worst
 * lag is always visible), the masters, the stale nodes (their legend entry says how old their
 * reading is: in the band, nothing would), then replicas by their peak lag in the window, up
 * to `top` replicas and `limit` lines. Replicas that never lagged in the window stay in the band.
 */
export function chooseShown(
  candidates: readonly FocusCandidate[],
  selected: Address | null,
  limit: number = FOCUS_LIMIT,
  top: number = TOP_LAGGING,
  stale: readonly Address[] = [],
): Address[] {
  if (candidates.length <= limit) return candidates.map((c) => c.address).sort();
  const replicas = candidates.filter((c) => !c.master);
  const ranked = replicas
    .filter((c) => (c.peakBytes ?? 0) > 0 || (c.peakSeconds ?? 0) > 0)
    .sort(
      (a, b) =>
        worse(a.peakBytes, b.peakBytes) ||
        worse(a.peakSeconds, b.peakSeconds) ||
        worse(a.latestBytes, b.latestBytes) ||
        (a.address < b.address ? -1 : a.address > b.address ? 1 : 0),
    );
  const forced = [worstBy(replicas, 'latestBytes'), worstBy(replicas, 'latestSeconds')]
    .filter((c): c is FocusCandidate => c !== undefined)
    .map((c) => c.address);
  const rest = ranked.map((c) => c.address).filter((address) => !forced.includes(address));
  const lagging = [...new Set(forced), ...rest].slice(0, top);
  const masters = candidates
    .filter((c) => c.master)
    .map((c) => c.address)
    .sort();
  const chosen = candidates.some((c) => c.address === selected) ? [selected as Address] : [];
  const known = new Set(candidates.map((c) => c.address));
  const late = stale.filter((address) => known.has(address));
  const order = [...chosen, ...forced, ...masters, ...late, ...lagging];
  return [...new Set(order)].slice(0, limit).sort();
}
