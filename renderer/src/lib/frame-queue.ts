// Chart redraws at scale cost a few milliseconds each. Run back to back in the task that
// delivered a tick, they would share one frame with the node cards' own updates and blow its
// budget; run here, they get a task of their own right after a frame was presented, so the
// tick's frame and the redraws land in different frames. Cheap jobs (a few nodes) share a task
// while they fit a small budget; an expensive one ends the task and the rest wait a frame. A
// job that turns out to need the expensive part (a redraw that changes pixels, at 100 nodes
// 5-10 ms) hands it on as a job of its own (requestAlone), so two redraws, or a redraw and the
// other charts' bookkeeping, never add up in one task. A caller that knows its job is cheap and
// answers a click can run it at once instead.

type Schedule = (run: () => void) => void;

/** After the next frame is rendered: rAF runs before that frame, a posted message after it. */
function afterNextFrame(run: () => void): void {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      run();
    };
    channel.port2.postMessage(null);
  });
}

/** A task after a frame starts no further job once this much of it is spent. */
export const FRAME_BUDGET_MS = 4;

/** A frame at 60 Hz: a job that ended less than this ago ran in the frame being made now. */
export const FRAME_MS = 16.7;

/**
 * Runs queued jobs after frames, as many per frame as fit FRAME_BUDGET_MS (at least one). A
 * job queued again before it ran keeps its place and runs once.
 */
export class FrameQueue {
  readonly #jobs = new Map<object, () => void>();
  /** Jobs that run in a task of their own, one per frame (requestAlone). */
  readonly #alone = new Map<object, () => void>();
  /** Work that must not share a frame with a job (runApart), in the order it came. */
  readonly #apart: (() => void)[] = [];
  /** When the last queued job ended, by `now`. */
  #lastJobEnd = -Infinity;
  readonly #schedule: Schedule;
  readonly #now: () => number;
  #scheduled = false;

  constructor(schedule: Schedule = afterNextFrame, now: () => number = () => performance.now()) {
    this.#schedule = schedule;
    this.#now = now;
  }

  get pending(): number {
    return this.#jobs.size + this.#alone.size + this.#apart.length;
  }

  /** Queues `job` for `owner`, replacing a job it queued before; with `now`, runs it at once instead. */
  request(owner: object, job: () => void, now = false): void {
    if (now) {
      this.#jobs.delete(owner);
      this.#alone.delete(owner);
      job();
      return;
    }
    this.#jobs.set(owner, job);
    this.#pump();
  }

  /**
   * Queues `job` for `owner` to run alone in a task after a frame, before the other jobs (which
   * wait a frame more); it replaces a job `owner` queued alone before.
   */
  requestAlone(owner: object, job: () => void): void {
    this.#alone.set(owner, job);
    this.#pump();
  }

  /**
   * Runs `work` (a tick's: applying it and Svelte's flush) now, unless a queued job ran in the
   * frame being made: then right after that frame, first and alone, the other jobs waiting one
   * more frame. A tick and a chart redraw never add up in one frame; a tick waits one at most.
   * Work deferred so keeps its order, and runs before any later `runApart` work.
   */
  runApart(work: () => void): void {
    if (this.#apart.length === 0 && this.#now() - this.#lastJobEnd >= FRAME_MS) {
      work();
      return;
    }
    this.#apart.push(work);
    this.#pump();
  }

  cancel(owner: object): void {
    this.#jobs.delete(owner);
    this.#alone.delete(owner);
  }

  #pump(): void {
    if (this.#scheduled || this.pending === 0) return;
    this.#scheduled = true;
    this.#schedule(() => this.#run());
  }

  #run(): void {
    this.#scheduled = false;
    if (this.#apart.length > 0) {
      const apart = this.#apart.splice(0);
      try {
        for (const work of apart) work();
      } finally {
        this.#pump();
      }
      return;
    }
    const alone = this.#alone.entries().next();
    if (!alone.done) {
      const [owner, job] = alone.value;
      this.#alone.delete(owner);
      try {
        job();
      } finally {
        this.#lastJobEnd = this.#now();
        this.#pump();
      }
      return;
    }
    const started = this.#now();
    try {
      for (let next = this.#jobs.entries().next(); !next.done; next = this.#jobs.entries().next()) {
        const [owner, job] = next.value;
        this.#jobs.delete(owner);
        job();
        if (this.#now() - started >= FRAME_BUDGET_MS) break;
      }
    } finally {
      this.#lastJobEnd = this.#now();
      this.#pump();
    }
  }
}

/** The queue the charts share, so that their redraws never pile into one frame (nor into a tick's: runApart). */
export const chartFrames = new FrameQueue();
