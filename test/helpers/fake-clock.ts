// A clock for schedulers under test: time moves only when the test says, and every timer due
// on the way fires at its own time, with promises settled in between. Hours run in milliseconds.
import type { Clock, TimerHandle } from '../../electron/engine/clock';

interface Timer {
  at: number;
  /** Order of creation: timers due at the same time fire in the order they were set, as Node's do. */
  seq: number;
  callback: () => void;
}

export class FakeClock implements Clock {
  /** Monotonic time: what timers run on. */
  private time: number;
  /** How far the wall clock (now()) was set away from monotonic time (see setWall). */
  private offset = 0;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now = (): number => this.time + this.offset;

  setTimeout = (callback: () => void, ms: number): TimerHandle => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), seq: id, callback });
    return id;
  };

  clearTimeout = (handle: TimerHandle): void => {
    if (typeof handle === 'number') this.timers.delete(handle);
  };

  /** Timers set and not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way, each at its own time. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const next = this.earliest(target);
      if (!next) break;
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.timer.at);
      next.timer.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Move time forward without firing anything, as a blocked event loop does; the next advance fires what is overdue. */
  jump(ms: number): void {
    this.time += ms;
  }

  /**
   * Set the wall clock by `ms` (negative: back), as NTP or an administrator does: now() moves at
   * once, while timers, which run on monotonic time as Node's do, still fire after their delay.
   */
  setWall(ms: number): void {
    this.offset += ms;
  }

  private earliest(until: number): { id: number; timer: Timer } | null {
    let best: { id: number; timer: Timer } | null = null;
    for (const [id, timer] of this.timers) {
      if (timer.at > until) continue;
      if (!best || timer.at < best.timer.at || (timer.at === best.timer.at && timer.seq < best.timer.seq)) best = { id, timer };
    }
    return best;
  }
}

/** Let every promise chain that can settle now do so (microtasks drain before the next macrotask). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
