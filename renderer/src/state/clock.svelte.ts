// A reactive "now" for everything that ages on screen (stale indicator, "5 s ago").
// Ticking once a second is enough for second-resolution labels and keeps re-renders rare.

export class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(now: number = Date.now()) {
    this.now = now;
  }

  /** Starts ticking; returns a disposer. */
  start(periodMs = 1000): () => void {
    this.stop();
    this.now = Date.now();
    this.#timer = setInterval(() => {
      this.now = Date.now();
    }, periodMs);
    return () => this.stop();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
