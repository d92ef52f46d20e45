// What the polling workers are told and what they answer, and the small harness they share.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { usageNow, usageSince, type Usage } from '../lib/stats';

/** The environment variable that carries a worker's input (JSON). */
export const WORKER_INPUT = 'BENCH_WORKER_INPUT';

export type WorkerReply<O> = { ok: true; value: O } | { ok: false; error: string };

/** What a polling worker runs: the engine, or one of the layers of poll-layers.ts. */
export type Layer = 'info' | 'pipeline' | 'registry' | 'pollNode';

export interface PollingInput {
  /** For poll-layers.ts only. */
  layer?: Layer;
  /** Every node of the topology; the bare worker polls these, the engine discovers them from `seed`. */
  addresses: string[];
  seed: string;
  pollIntervalMs: number;
  /** Rounds polled before the measured window opens (connect, first reads, JIT warm-up). */
  warmupRounds: number;
  /** Rounds inside the measured window. */
  rounds: number;
  /** When set, a V8 CPU profile of the (first) measured window only is written here. */
  profileFile?: string;
  /**
   * A time (Date.now()) before which no window opens: the first opens at the end of the first
   * round at or after it, once the warm-up rounds are done. Sides measured side by side are given
   * the same one, so their windows cover the same seconds (whichever side started faster).
   */
  openAt?: number;
  /** Consecutive windows of `rounds` rounds each (default 1). */
  windows?: number;
}

/** One measured window. */
export interface WindowFigures {
  cpuUserMs: number;
  cpuSystemMs: number;
  wallMs: number;
  nodePolls: number;
  failedPolls: number;
  /** Date.now() when it opened: windows of two sides measured side by side are paired by it. */
  openedAt: number;
}

export interface PollingOutput {
  cpuUserMs: number;
  cpuSystemMs: number;
  wallMs: number;
  rounds: number;
  /** Node polls (one pipeline, or one INFO for the baseline) sent inside the window. */
  nodePolls: number;
  /** Polls inside the window that failed. */
  failedPolls: number;
  /** Engine only: ticks that came less than half an interval after the previous one. */
  extraTicks?: number;
  rssMb: number;
  heapUsedMb: number;
  /** Each window's own figures (the fields above sum them). */
  windows: WindowFigures[];
}

/**
 * Run `work` on the input from the parent (lib/worker.ts), send back its result and exit. A
 * worker whose parent goes away exits too, so nothing outlives an interrupted bench.
 */
export function serveWorker<I, O>(work: (input: I) => Promise<O>): void {
  if (!process.send) throw new Error('a bench worker runs under lib/worker.ts runWorker(), with an IPC channel');
  process.on('disconnect', () => process.exit(1));
  const reply = (message: WorkerReply<O>): void => {
    process.send?.(message, () => process.exit(message.ok ? 0 : 1));
  };
  const input = JSON.parse(process.env[WORKER_INPUT] ?? 'null') as I;
  work(input).then(
    (value) => reply({ ok: true, value }),
    (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
}

/** Opens and closes the measured window: CPU and wall time, and optionally a CPU profile. */
export class Window {
  private start: Usage | null = null;
  private session: Session | null = null;

  constructor(private readonly profileFile: string | undefined) {}

  async open(): Promise<void> {
    if (this.profileFile) {
      this.session = new Session();
      this.session.connect();
      await this.session.post('Profiler.enable');
      await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
      await this.session.post('Profiler.start');
    }
    this.start = usageNow();
  }

  get isOpen(): boolean {
    return this.start !== null;
  }

  async close(): Promise<{ cpuUserMs: number; cpuSystemMs: number; wallMs: number }> {
    if (!this.start) throw new Error('the measured window was never opened');
    const usage = usageSince(this.start);
    if (this.session && this.profileFile) {
      const { profile } = await this.session.post('Profiler.stop');
      await writeFile(this.profileFile, JSON.stringify(profile));
      this.session.disconnect();
    }
    return usage;
  }
}

/**
 * The measured windows of a polling worker, driven by its rounds: the first opens after the
 * warm-up (warmupRounds rounds, and not before openAt), each closes after `rounds` rounds and
 * the next opens at once. `counts` gives the polls sent and failed so far.
 */
export class WindowSequence {
  readonly figures: WindowFigures[] = [];
  private window: Window | null = null;
  private openedRound = 0;
  private openedAt = 0;
  private countsAtOpen = { polls: 0, failed: 0 };

  constructor(
    private readonly input: PollingInput,
    private readonly counts: () => { polls: number; failed: number },
  ) {}

  get isOpen(): boolean {
    return this.window !== null;
  }

  get done(): boolean {
    return this.figures.length >= (this.input.windows ?? 1);
  }

  /** Call at the end of every round (1-based); resolves true once the last window has closed. */
  async roundEnded(round: number): Promise<boolean> {
    if (this.done) return true;
    if (this.window && round - this.openedRound >= this.input.rounds) {
      const usage = await this.window.close();
      const counts = this.counts();
      this.figures.push({
        ...usage,
        nodePolls: counts.polls - this.countsAtOpen.polls,
        failedPolls: counts.failed - this.countsAtOpen.failed,
        openedAt: this.openedAt,
      });
      this.window = null;
      if (this.done) return true;
    }
    if (!this.window && round >= this.input.warmupRounds && Date.now() >= (this.input.openAt ?? 0)) {
      // Only the first window is profiled.
      this.window = new Window(this.figures.length === 0 ? this.input.profileFile : undefined);
      await this.window.open();
      this.openedRound = round;
      this.openedAt = Date.now();
      this.countsAtOpen = this.counts();
    }
    return false;
  }

  /** The windows summed, with the per-window figures, the process's memory and the rounds. */
  output(extra: Partial<PollingOutput> = {}): PollingOutput {
    const sum = (key: 'cpuUserMs' | 'cpuSystemMs' | 'wallMs' | 'nodePolls' | 'failedPolls'): number => this.figures.reduce((total, w) => total + w[key], 0);
    return {
      cpuUserMs: sum('cpuUserMs'),
      cpuSystemMs: sum('cpuSystemMs'),
      wallMs: sum('wallMs'),
      nodePolls: sum('nodePolls'),
      failedPolls: sum('failedPolls'),
      rounds: this.input.rounds * this.figures.length,
      ...memory(),
      ...extra,
      windows: this.figures,
    };
  }
}

export function memory(): { rssMb: number; heapUsedMb: number } {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: rss / 2 ** 20, heapUsedMb: heapUsed / 2 ** 20 };
}
