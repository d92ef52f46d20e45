// Shared by the polling benchmarks: a 50-node lab and one measured run of one side in its own process.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { Layer, PollingInput, PollingOutput, WindowFigures } from '../workers/protocol';
import { runWorker } from './worker';

export const REPLICAS = 49;

/** BENCH_CPU_PROF=dir: where the polling benchmarks write CPU profiles (they slow the runs). */
export const PROFILE_DIR = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;

/**
 * How long the polling benches poll before they measure, for a figure of what a console that
 * runs for hours spends (BENCH_WARMUP_MS overrides it: 3000 measures the start). Timelines of one
 * engine at 4 Hz, CPU per 5 s over 200 s: 0.13-0.16 ms per poll from 60 to 110 s, 0.09-0.10 ms
 * from 150 s on. Its per-tick code runs four times a second and reaches its optimized form late,
 * and V8's memory reducer shrinks the heap once within the first two minutes (at 75 s or 115 s in
 * those runs), after which frequent scavenges and code compiled again cost 100-200 ms of CPU over
 * 10-15 s. Bare ioredis settles within 30 s.
 */
export function warmupMs(pollIntervalMs: number): number {
  const ms = Number(process.env.BENCH_WARMUP_MS ?? 150_000);
  if (!(Number.isInteger(ms) && ms >= pollIntervalMs)) throw new Error('BENCH_WARMUP_MS must be a whole number of ms, at least one poll interval');
  return ms;
}

/** The engine, or one of the layers of workers/poll-layers.ts ('info' is the baseline). */
export type Side = 'engine' | Layer;

export interface PollRun extends PollingOutput {
  side: Side;
  cpuMsPerPoll: number;
}

export type PollSettings = Omit<PollingInput, 'layer' | 'addresses' | 'seed'>;

/** A master with REPLICAS replicas: wide enough that its INFO replication lists them all. */
export function startFlatLab(): Promise<Lab> {
  return Lab.start({ nodes: masterWithReplicas(REPLICAS) });
}

/** Run one side in a fresh process against the lab and return its figures. */
export async function measureSide(
  lab: Pick<Lab, 'nodeNames' | 'address'>,
  side: Side,
  settings: PollSettings,
  timeoutMs = (settings.warmupRounds + settings.rounds * (settings.windows ?? 1)) * settings.pollIntervalMs + 30_000,
): Promise<PollRun> {
  const input: PollingInput = {
    ...settings,
    addresses: lab.nodeNames.map((name) => lab.address(name)),
    seed: lab.address('master'),
    ...(side === 'engine' ? {} : { layer: side }),
  };
  const script = side === 'engine' ? 'bench/workers/poll-engine.ts' : 'bench/workers/poll-layers.ts';
  const output = await runWorker<PollingInput, PollingOutput>(script, input, timeoutMs);
  if (output.nodePolls === 0) throw new Error(`${side}: no polls inside the measured window`);
  return { side, ...output, cpuMsPerPoll: cpuPerPoll(output) };
}

/**
 * Run every side at once against the lab, each in a process of its own, and measure them over
 * the same seconds: `windows` consecutive windows of `rounds` rounds, the first opening once
 * `warmupMs` have passed (with `profileDir`, a CPU profile of each side's first window is written
 * there). Side by side, whatever the machine does meanwhile (a busy neighbour,
 * a slower core, the servers' own timers) weighs on every side alike, so their ratio holds
 * still where runs one after the other vary by half; and a long warm-up measures what a console
 * that runs for hours spends, not its JIT compiling the first ticks.
 */
export async function measureTogether(
  lab: Pick<Lab, 'nodeNames' | 'address'>,
  sides: Side[],
  settings: Omit<PollSettings, 'openAt' | 'warmupRounds' | 'profileFile'> & { warmupMs: number; profileDir?: string },
): Promise<PollRun[]> {
  const { warmupMs, profileDir, ...rest } = settings;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const openAt = Date.now() + warmupMs;
  const timeoutMs = warmupMs + (rest.windows ?? 1) * rest.rounds * rest.pollIntervalMs + 60_000;
  return Promise.all(
    sides.map((side) => {
      const profileFile = profileDir && path.join(profileDir, `${side}.cpuprofile`);
      return measureSide(lab, side, { ...rest, warmupRounds: 1, openAt, ...(profileFile ? { profileFile } : {}) }, timeoutMs);
    }),
  );
}

/** CPU per node-poll of one window, or of a run's windows summed. */
export function cpuPerPoll(window: Pick<WindowFigures, 'cpuUserMs' | 'cpuSystemMs' | 'nodePolls'>): number {
  return window.nodePolls === 0 ? Number.NaN : (window.cpuUserMs + window.cpuSystemMs) / window.nodePolls;
}

/** Warnings about runs that did not poll what they should have. */
export function sanityNotes(runs: PollRun[], expectedPolls: number): string[] {
  const notes: string[] = [];
  const failed = runs.filter((r) => r.failedPolls > 0);
  if (failed.length > 0) notes.push(`polls failed inside the measured window (${failed.map((r) => `${r.side}: ${r.failedPolls}`).join(', ')}): figures suspect.`);
  const off = runs.filter((r) => Math.abs(r.nodePolls - expectedPolls) > expectedPolls * 0.02);
  if (off.length > 0) {
    notes.push(`expected ${expectedPolls} polls per run, got ${off.map((r) => `${r.side}: ${r.nodePolls}`).join(', ')} (a loaded machine?).`);
  }
  const extraTicks = runs.reduce((sum, r) => sum + (r.extraTicks ?? 0), 0);
  if (extraTicks > 0) {
    notes.push(
      `the engine published ${extraTicks} extra ticks, each 1–2 ms after a regular one (${runs.filter((r) => r.side === 'engine').length} runs); ` +
        'their cost is in the engine figures.',
    );
  }
  return notes;
}
