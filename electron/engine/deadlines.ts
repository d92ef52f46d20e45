import type { Clock, TimerHandle } from './clock';

/** Milliseconds that never go backwards (a wall-clock step must not stretch or cut a timeout). */
export const monotonicClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

interface Pending {
  at: number;
  expire: (() => void) | null;
}

/**
 * Bounds calls that all have the same timeout with one timer, instead of a timer set and
 * cleared for every call (ClientRegistry.run sends one per node and poll). Calls start in time
 * order, so their deadlines are in order too: the timer waits for the oldest call still under
 * way, and a call that settles is only marked, and passed over when the timer fires. A call
 * that never settles (a SIGSTOPped node) still expires at its own deadline, whatever the others
 * do; with no call under way there is no timer at all.
 */
export class Deadlines {
  private readonly queue: Pending[] = [];
  /** Index of the oldest entry still in the queue (entries before it are gone). */
  private head = 0;
  private underWay = 0;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly ms: number,
    private readonly clock: Clock = monotonicClock,
  ) {}

  /** Calls under way (started, neither settled nor expired). */
  get size(): number {
    return this.underWay;
  }

  /** Whether a timer is set (for tests: one at most, and none when nothing is under way). */
  get armed(): boolean {
    return this.timer !== null;
  }

  /**
   * `promise`, or a rejection with `timeout()` once the deadline passes first. The promise is
   * left to settle on its own (the caller drops the connection it runs on).
   */
  bound<T>(promise: Promise<T>, timeout: () => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending = this.start(() => reject(timeout()));
      promise.then(
        (value) => {
          this.settle(pending);
          resolve(value);
        },
        (error: unknown) => {
          this.settle(pending);
          reject(error);
        },
      );
    });
  }

  private start(expire: () => void): Pending {
    const pending: Pending = { at: this.clock.now() + this.ms, expire };
    this.queue.push(pending);
    this.underWay++;
    if (this.timer === null) this.arm(pending.at);
    return pending;
  }

  private settle(pending: Pending): void {
    if (pending.expire === null) return;
    pending.expire = null;
    if (--this.underWay === 0) this.reset();
  }

  private arm(at: number): void {
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, at - this.clock.now()));
  }

  private fire(): void {
    this.timer = null;
    const now = this.clock.now();
    const expired: (() => void)[] = [];
    while (this.head < this.queue.length) {
      const pending = this.queue[this.head]!;
      if (pending.expire !== null && pending.at > now) break;
      this.head++;
      if (pending.expire !== null) {
        expired.push(pending.expire);
        pending.expire = null;
        this.underWay--;
      }
    }
    this.compact();
    const next = this.queue[this.head];
    if (next) this.arm(next.at);
    else this.reset();
    for (const expire of expired) expire();
  }

  /** Nothing under way: no timer, and the queue starts afresh. */
  private reset(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
