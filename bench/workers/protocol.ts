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
  /** When set, a V8 CPU profile of the measured window only is written here. */
  profileFile?: string;
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

export function memory(): { rssMb: number; heapUsedMb: number } {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: rss / 2 ** 20, heapUsedMb: heapUsed / 2 ** 20 };
}
