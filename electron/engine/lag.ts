// Replication lag, computed as ../shared/REDIS-REPLICATION.md says: offsets of two nodes
// are compared only inside one replication history, and only with the master's offset as it
// was at or before the instant the replica was read. That last rule is what keeps idle
// topologies at zero: a master's PINGs move its offset between two INFO calls, but a master
// offset read *before* the replica's can never be ahead of a caught-up replica.
import { RingSeries } from '../shared/node-history';

export interface OffsetSample {
  /** When the INFO request was written (ms). The node's real reading time is after this… */
  sentAt: number;
  /** …and before this, when its reply arrived. */
  receivedAt: number;
  offset: number;
}

const SENT = 0;
const RECEIVED = 1;
const OFFSET = 2;

/** A node's recent (time, offset) readings, bounded, for time-aligned lag and seconds-behind. */
export class OffsetHistory {
  private readonly rows: RingSeries;
  /** The row push() fills and hands to the ring (which copies it): one array for every poll. */
  private readonly row: [number, number, number] = [0, 0, 0];

  constructor(capacity: number) {
    this.rows = new RingSeries(capacity, 3);
  }

  get length(): number {
    return this.rows.length;
  }

  push(sample: OffsetSample): void {
    const row = this.row;
    row[SENT] = sample.sentAt;
    row[RECEIVED] = sample.receivedAt;
    row[OFFSET] = sample.offset;
    this.rows.push(row);
  }

  /** Every reading's times move `by` ms (negative: back), as the clock they were read by was set. */
  moveTimes(by: number): void {
    this.rows.shiftColumn(SENT, by);
    this.rows.shiftColumn(RECEIVED, by);
  }

  latest(): OffsetSample | null {
    return this.rows.length === 0 ? null : this.at(this.rows.length - 1);
  }

  /** The newest reading whose reply had arrived by `time`: certainly taken before `time`. */
  readBefore(time: number): OffsetSample | null {
    const i = this.rows.lastAtOrBefore(RECEIVED, time);
    return i < 0 ? null : this.at(i);
  }

  /** readBefore's offset alone (lag asks it for every replica and tick: no sample object to build). */
  offsetReadBefore(time: number): number | null {
    const i = this.rows.lastAtOrBefore(RECEIVED, time);
    return i < 0 ? null : (this.rows.get(i, OFFSET) ?? 0);
  }

  /**
   * The two readings around `offset`: the newest at or below it, and the oldest already past it
   * (either null when there is none). Scans from the newest backwards: offsets only grow inside
   * one history (the caller clears this on a new replid), and a lagging replica is usually close
   * to the end.
   */
  around(offset: number): { atOrBelow: OffsetSample | null; past: OffsetSample | null; before: OffsetSample | null } {
    let past: OffsetSample | null = null;
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const s = this.at(i);
      if (s.offset <= offset) return { atOrBelow: s, past, before: i > 0 ? this.at(i - 1) : null };
      past = s;
    }
    return { atOrBelow: null, past, before: null };
  }

  clear(): void {
    this.rows.clear();
  }

  private at(i: number): OffsetSample {
    return {
      sentAt: this.rows.get(i, SENT) ?? 0,
      receivedAt: this.rows.get(i, RECEIVED) ?? 0,
      offset: this.rows.get(i, OFFSET) ?? 0,
    };
  }
}

// Which offsets can be compared at all is one of the replication rules, shared with the
// preflight, resync prediction and the planner.
export { sameHistory, type HistoryIdentity } from './replication-rules';

/** Bytes the upstream node had that `sample` did not, using an upstream reading certainly taken earlier. */
export function bytesBehind(sample: OffsetSample, upstream: OffsetHistory): number | null {
  const before = upstream.offsetReadBefore(sample.sentAt);
  return before === null ? null : Math.max(0, before - sample.offset);
}

/** Seconds behind an upstream node; `lowerBound` when only "at least" that many can be told. */
export interface SecondsBehind {
  seconds: number;
  /**
   * The replica's offset is older than every reading of the upstream the console holds (it
   * started watching, or the replid changed, after the upstream passed it): the figure is the
   * history's age, and the real one is larger by an unknown amount.
   */
  lowerBound: boolean;
}

/**
 * Seconds since the upstream node moved past the replica's offset: how old the replica's view
 * is. The upstream passed it between two of its readings, the last at or below the offset and
 * the first past it. Under a write load (the offset grew into that first reading too) those are a
 * poll and megabytes apart, so the moment is interpolated by offset between them, writes taken as
 * steady: the later reading alone said "6 ms" for a replica half a second of writes behind.
 * Otherwise (a lone write, a PING) it may have come at the very end, and the later reading is the
 * bound: interpolated, a replica one PING behind an idle master read a whole poll behind. When the
 * replica is older than all history, the history's age is all that can be said: a lower bound,
 * flagged so (a replica cut off 75 s before the console started read "10 ms" as if exact).
 *
 * A replica's master_link_down_since_seconds does not tighten that bound: the link going down is
 * not when the master passed the replica's offset. A replica caught up when its link dropped
 * falls behind only at the master's next write (or PING, and an idle master with no other
 * replica sends none), so the link's age overstates the lag, by however long the master stayed
 * idle: a lower bound built on it would be false.
 */
export function secondsBehind(sample: OffsetSample, upstream: OffsetHistory): SecondsBehind | null {
  const { atOrBelow, past, before } = upstream.around(sample.offset);
  if (!past) return upstream.length === 0 ? null : { seconds: 0, lowerBound: false };
  const steady = atOrBelow !== null && before !== null && before.offset < atOrBelow.offset;
  if (!atOrBelow || !steady) return { seconds: Math.max(0, (sample.sentAt - past.receivedAt) / 1000), lowerBound: atOrBelow === null };
  const share = (sample.offset - atOrBelow.offset) / (past.offset - atOrBelow.offset);
  const passedAt = readAt(atOrBelow) + share * (readAt(past) - readAt(atOrBelow));
  return { seconds: Math.max(0, (readAt(sample) - passedAt) / 1000), lowerBound: false };
}

/** A reading's moment: the server read itself somewhere between the request and the reply. */
function readAt(sample: OffsetSample): number {
  return (sample.sentAt + sample.receivedAt) / 2;
}
