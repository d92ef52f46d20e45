/** What a timer call hands back: Node's Timeout, or a number from a test's clock. */
export type TimerHandle = ReturnType<typeof setTimeout> | number;

/**
 * Time for the poll schedule and everything that compares against it (ticks, staleness,
 * reading times). Injectable so that tests can run hours of schedule in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};
