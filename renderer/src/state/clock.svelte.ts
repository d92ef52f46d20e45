// A reactive "now" for everything that ages on screen (stale indicator, "5 s ago").
// Ticking once a second is enough for second-resolution labels and keeps re-renders rare.

/** A clock no one sets: performance.now(), where there is one. */
const monotonicNow = (): number => globalThis.performance?.now() ?? Date.now();

export class Clock {
  now = $state(Date.now());
  /**
   * performance.now() as of the same moment: time going by, which a wall clock set back (NTP, a
   * VM resumed) does not show. What must notice ticks stopping counts on it (ConsoleState.sinceTickMs).
   */
  monotonic = $state(0);
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(now: number = Date.now(), monotonic: number = monotonicNow()) {
    this.now = now;
    this.monotonic = monotonic;
  }

  /** Starts ticking; returns a disposer. */
  start(periodMs = 1000): () => void {
    this.stop();
    const read = (): void => {
      this.now = Date.now();
      this.monotonic = monotonicNow();
    };
    read();
    this.#timer = setInterval(read, periodMs);
    return () => this.stop();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
