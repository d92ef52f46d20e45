import type { Clock, TimerHandle } from './clock';

export interface PollSchedulerOptions<N> {
  clock: Clock;
  intervalMs: number;
  /** Reads one node. A rejection is reported to onError; the schedule goes on either way. */
  poll: (node: N) => Promise<void>;
  /** How long after each slot of the grid this node is read (replicas after their masters); clamped to a quarter interval. */
  phaseOf?: (node: N) => number;
  /** Once per interval, half an interval after the slot's polls, when their replies are in. */
  tick?: () => void;
  /**
   * The console itself did not run from `from` to `to` (a machine asleep, a stopped process): its
   * tick came that late. That tick is skipped, so the polls sent on resuming are in before the
   * next: otherwise it showed every node unread for the whole gap, as if each had stalled.
   */
  onStall?: (from: number, to: number) => void;
  /** The clock was set back by `by` ms (see clockSetBack): times taken before it are that much ahead of it now. */
  onClockSetBack?: (by: number) => void;
  /** Every slot as it is served (the bench measures lateness with it). */
  onSlot?: (node: N, slot: SlotTiming) => void;
  /** A poll, tick or observer that threw. */
  onError?: (error: unknown) => void;
}

/** One scheduled poll of one node, as it was served. */
export interface SlotTiming {
  /** When the slot was due: its place on the grid plus the node's phase. */
  scheduledAt: number;
  /**
   * When the reading that serves the slot started: scheduledAt plus the lateness, or earlier
   * when the slot joined a reading already under way (a refresh, discovery, a slow reply).
   */
  startedAt: number;
  /** The slot came due while the node was being read: it waits for that reading instead of sending another. */
  joined: boolean;
  /** Slots that went by unserved just before this one, because its timer fired that late (a blocked event loop). */
  skipped: number;
}

/** What a node's schedule has done so far. */
export interface NodeTiming {
  last: SlotTiming | null;
  slots: number;
  joined: number;
  skipped: number;
}

interface Entry<N> {
  node: N;
  /** Index on the grid of the slot the timer is set for. */
  slot: number;
  dueAt: number;
  /** The wave (nodes due at the same time, one timer) it waits in; null when not armed. */
  wave: Wave<N> | null;
  /** Slots passed over when the timer was last set. */
  skipped: number;
  timing: NodeTiming;
}

/** Every node due at one time: one timer for all of them (a topology has a few phases, not one per node). */
interface Wave<N> {
  dueAt: number;
  timer: TimerHandle | null;
  entries: Set<Entry<N>>;
}

/** A tick this late means the console itself stopped running (asleep, SIGSTOP), not a busy loop. */
const STALL_MS = 5000;
/**
 * A timer that fires this much before its time by the clock: the clock was set back (NTP, an
 * administrator, a VM's clock corrected). Timers run on monotonic time and fire a millisecond
 * early at most; a clock that slews drifts by a fraction of a millisecond per interval.
 */
const CLOCK_BACK_MS = 50;

interface Reading {
  startedAt: number;
  done: Promise<void>;
}

/**
 * Drives every node's polls on one grid of slots, `intervalMs` apart, and one tick half an
 * interval after each slot. A node's next slot is set before its current one is served, and
 * nothing a reading does (hang, throw, fold the node into another) touches the timers: the
 * schedule of a tracked node cannot stop. Every reading of a node, scheduled or not, goes
 * through read(), so there is never more than one in flight per node: a slot that comes due
 * while the node is being read joins that reading. Nodes due at the same time (the same phase)
 * share one timer, a wave: a few timers per interval instead of one per node.
 */
export class PollScheduler<N extends object> {
  private readonly clock: Clock;
  private readonly interval: number;
  private readonly entries = new Map<N, Entry<N>>();
  private readonly waves = new Map<number, Wave<N>>();
  private readonly readings = new Map<N, Reading>();
  private epoch = 0;
  private running = false;
  private stopped = false;
  private tickTimer: TimerHandle | null = null;
  private tickSlot = -1;
  private skippedLast = false;

  constructor(private readonly options: PollSchedulerOptions<N>) {
    if (!(options.intervalMs > 0 && Number.isFinite(options.intervalMs))) {
      throw new RangeError(`the poll interval must be a positive number of ms, not ${options.intervalMs}`);
    }
    this.clock = options.clock;
    this.interval = options.intervalMs;
  }

  /** Start the grid one interval from now (everything was just read) with every tracked node, and the ticks. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.epoch = this.clock.now() + this.interval;
    for (const [node, entry] of this.entries) this.arm(node, entry, 0);
    this.armTick(0);
  }

  /** Stop every timer for good. Readings under way finish; nothing is scheduled after them. */
  stop(): void {
    this.stopped = true;
    this.running = false;
    if (this.tickTimer !== null) this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    for (const entry of this.entries.values()) this.disarm(entry);
    this.entries.clear();
  }

  has(node: N): boolean {
    return this.entries.has(node);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Give a node a schedule (no-op if it has one): from the next slot of the grid once started. */
  add(node: N): void {
    if (this.stopped || this.entries.has(node)) return;
    const entry: Entry<N> = { node, slot: -1, dueAt: 0, wave: null, skipped: 0, timing: { last: null, slots: 0, joined: 0, skipped: 0 } };
    this.entries.set(node, entry);
    if (this.running) this.arm(node, entry, 0);
  }

  /** Drop a node's schedule (it vanished, or was folded into another node). */
  remove(node: N): void {
    const entry = this.entries.get(node);
    if (!entry) return;
    this.disarm(entry);
    this.entries.delete(node);
  }

  /** Make the schedules match `nodes` exactly: add the missing, drop the rest. Linear in both. */
  track(nodes: Iterable<N>): void {
    const keep = new Set<N>();
    for (const node of nodes) {
      keep.add(node);
      this.add(node);
    }
    for (const node of [...this.entries.keys()]) if (!keep.has(node)) this.remove(node);
  }

  /**
   * Read a node now, or wait for the reading already under way: whoever asks (a slot, a
   * refresh, discovery) gets a reading that ends after the call. Never rejects.
   */
  read(node: N): Promise<void> {
    const current = this.readings.get(node);
    if (current) return current.done;
    const reading: Reading = { startedAt: this.clock.now(), done: Promise.resolve() };
    let polled: Promise<void>;
    try {
      polled = this.options.poll(node);
    } catch (error) {
      polled = Promise.reject(error);
    }
    reading.done = polled.then(
      () => this.finish(node, reading),
      (error: unknown) => {
        this.finish(node, reading);
        this.report(error);
      },
    );
    // Settled callbacks run later (a microtask at the earliest), so this comes before finish().
    this.readings.set(node, reading);
    return reading.done;
  }

  /** Whether a reading of the node is under way. */
  inFlight(node: N): boolean {
    return this.readings.has(node);
  }

  /** What the node's schedule has done, if it has one. */
  timing(node: N): NodeTiming | undefined {
    const entry = this.entries.get(node);
    return entry ? { ...entry.timing } : undefined;
  }

  private finish(node: N, reading: Reading): void {
    if (this.readings.get(node) === reading) this.readings.delete(node);
  }

  /** Set the node's timer for the first slot from `minSlot` on whose time has not passed. */
  private arm(node: N, entry: Entry<N>, minSlot: number): void {
    const now = this.clock.now();
    const phase = this.phaseOf(node);
    // A node whose timer fired late rejoins the grid instead of catching up: no pile-up of missed polls.
    const slot = Math.max(minSlot, Math.ceil((now - this.epoch - phase) / this.interval));
    entry.skipped = entry.slot < 0 ? 0 : slot - minSlot;
    entry.slot = slot;
    entry.dueAt = this.epoch + slot * this.interval + phase;
    let wave = this.waves.get(entry.dueAt);
    if (!wave) {
      const created: Wave<N> = { dueAt: entry.dueAt, timer: null, entries: new Set() };
      created.timer = this.clock.setTimeout(() => this.fireWave(created), Math.max(0, entry.dueAt - now));
      this.waves.set(entry.dueAt, created);
      wave = created;
    }
    wave.entries.add(entry);
    entry.wave = wave;
  }

  private disarm(entry: Entry<N>): void {
    const wave = entry.wave;
    entry.wave = null;
    if (!wave) return;
    wave.entries.delete(entry);
    if (wave.entries.size > 0) return;
    if (wave.timer !== null) this.clock.clearTimeout(wave.timer);
    wave.timer = null;
    if (this.waves.get(wave.dueAt) === wave) this.waves.delete(wave.dueAt);
  }

  /** Serve every node of the wave, in the order they joined it (each arms its next slot first). */
  private fireWave(wave: Wave<N>): void {
    wave.timer = null;
    if (this.waves.get(wave.dueAt) === wave) this.waves.delete(wave.dueAt);
    const back = wave.dueAt - this.clock.now();
    if (back > CLOCK_BACK_MS) this.clockSetBack(back, wave);
    for (const entry of [...wave.entries]) {
      // A node removed by an earlier one's reading or observer has left the wave already.
      if (entry.wave !== wave) continue;
      entry.wave = null;
      this.fire(entry.node, entry);
    }
    wave.entries.clear();
  }

  private fire(node: N, entry: Entry<N>): void {
    if (!this.running || this.entries.get(node) !== entry) return;
    const scheduledAt = entry.dueAt;
    const skipped = entry.skipped;
    // The next slot first: nothing the reading does can keep it from coming.
    this.arm(node, entry, entry.slot + 1);
    const under = this.readings.get(node);
    const startedAt = under ? under.startedAt : this.clock.now();
    if (!under) void this.read(node);
    const slot: SlotTiming = { scheduledAt, startedAt, joined: under !== undefined, skipped };
    const timing = entry.timing;
    timing.last = slot;
    timing.slots++;
    if (slot.joined) timing.joined++;
    timing.skipped += skipped;
    if (this.options.onSlot) {
      try {
        this.options.onSlot(node, slot);
      } catch (error) {
        this.report(error);
      }
    }
  }

  private armTick(minSlot: number): void {
    const now = this.clock.now();
    const half = this.interval / 2;
    // A timer can fire a millisecond early by the clock: the slot index, not the time, rules out a second tick.
    const slot = Math.max(minSlot, Math.ceil((now - this.epoch - half) / this.interval));
    this.tickSlot = slot;
    const at = this.epoch + slot * this.interval + half;
    this.tickTimer = this.clock.setTimeout(() => this.fireTick(), Math.max(1, at - now));
  }

  private fireTick(): void {
    this.tickTimer = null;
    if (!this.running) return;
    let dueAt = this.epoch + this.tickSlot * this.interval + this.interval / 2;
    const now = this.clock.now();
    if (dueAt - now > CLOCK_BACK_MS) {
      this.clockSetBack(dueAt - now, null);
      dueAt = now;
    }
    this.armTick(this.tickSlot + 1);
    // Late by this much, the event loop did not run: not load (a tick is never skipped twice in a row).
    if (now - dueAt >= Math.max(2 * this.interval, STALL_MS) && !this.skippedLast) {
      this.skippedLast = true;
      try {
        this.options.onStall?.(dueAt, now);
      } catch (error) {
        this.report(error);
      }
      return;
    }
    this.skippedLast = false;
    if (!this.options.tick) return;
    try {
      this.options.tick();
    } catch (error) {
      this.report(error);
    }
  }

  /**
   * The clock was set back by `by` ms: the grid moves back with it, and every timer is set again on
   * it. Each timer still fires after its delay (monotonic time), but the next slot and tick were
   * set for their grid time by the clock that moved: an hour back, the console stopped reading
   * and ticking for an hour, and a page on the same machine, whose clock moved too, said LIVE.
   * `firing`'s nodes are being served (their next slot is set then, on the new grid).
   */
  private clockSetBack(by: number, firing: Wave<N> | null): void {
    this.epoch -= by;
    for (const entry of this.entries.values()) {
      if (entry.wave === null) continue;
      if (entry.wave === firing) {
        entry.dueAt -= by;
        continue;
      }
      const { slot, skipped } = entry;
      this.disarm(entry);
      this.arm(entry.node, entry, slot);
      entry.skipped = skipped;
    }
    if (this.tickTimer !== null) {
      this.clock.clearTimeout(this.tickTimer);
      this.armTick(this.tickSlot);
    }
    try {
      this.options.onClockSetBack?.(by);
    } catch (error) {
      this.report(error);
    }
  }

  private phaseOf(node: N): number {
    const phase = this.options.phaseOf?.(node) ?? 0;
    return Number.isFinite(phase) ? Math.min(Math.max(0, phase), this.interval / 4) : 0;
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // An error reporter that throws must not stop the schedule either.
    }
  }
}
