// Where the engine's polling CPU goes: the same 50-node polling measured layer by layer, from
// bare ioredis up to the full engine (see workers/poll-layers.ts), every layer at once and over
// the same seconds after a warm-up, as `engine polling CPU` measures (lib/polling.ts
// measureTogether). Run it by name: `npm run bench -- layer`.
import { cpuPerPoll, measureTogether, PROFILE_DIR, sanityNotes, startFlatLab, warmupMs, type Side } from './lib/polling';
import { median, round } from './lib/stats';
import type { BenchResult, Figure } from './types';

const POLL_MS = 250;
const ROUNDS = 40;
const WINDOWS = 3;
const ALL_SIDES: Side[] = ['info', 'pipeline', 'registry', 'pollNode', 'engine'];
/** BENCH_LAYERS=info,pollNode measures only those layers (the first is the baseline); BENCH_CPU_PROF=dir profiles each one's first window. */
const SIDES: Side[] = process.env.BENCH_LAYERS ? ALL_SIDES.filter((side) => process.env.BENCH_LAYERS!.split(',').includes(side)) : ALL_SIDES;
const LABELS: Record<Side, string> = {
  info: 'bare client.info()',
  pipeline: '+ pipeline().exec()',
  registry: '+ ClientRegistry.run()',
  pollNode: '+ pollNode() (INFO mix, parsing)',
  engine: '+ Session (timers, ticks, snapshots)',
};

export async function enginePollingLayers(): Promise<BenchResult> {
  if (SIDES.length === 0) throw new Error(`BENCH_LAYERS names none of ${ALL_SIDES.join(', ')}`);
  const warmup = warmupMs(POLL_MS);
  const profileDir = PROFILE_DIR;
  const lab = await startFlatLab();
  try {
    const runs = await measureTogether(lab, SIDES, {
      pollIntervalMs: POLL_MS,
      warmupMs: warmup,
      rounds: ROUNDS,
      windows: WINDOWS,
      ...(profileDir ? { profileDir } : {}),
    });
    // Each layer's CPU per poll, window by window, as a multiple of the baseline's in the same window.
    const relative = (i: number): number[] => runs[i]!.windows.map((w, k) => cpuPerPoll(w) / cpuPerPoll(runs[0]!.windows[k]!));
    for (const [i, run] of runs.entries()) {
      console.log(`  ${SIDES[i]!.padEnd(8)}: ${run.windows.map((w) => cpuPerPoll(w).toFixed(4)).join(', ')} ms CPU per node-poll`);
    }
    const base = median(runs[0]!.windows.map(cpuPerPoll));
    const figures: Figure[] = SIDES.map((side, i) => {
      const times = median(relative(i));
      const previous = i === 0 ? 0 : median(relative(i - 1));
      return {
        name: `${LABELS[side]}: ${round(times, 2)} × bare`,
        value: round((times - previous) * base * 1000, 1),
        unit: 'µs/poll',
      };
    });
    return {
      figures,
      details: { nodes: lab.nodeNames.length, pollIntervalMs: POLL_MS, warmupMs: warmup, rounds: ROUNDS, windows: WINDOWS, runs },
      notes: [
        `Every layer polled the ${lab.nodeNames.length} nodes at once, each in a process of its own; ${WINDOWS} windows of ${ROUNDS} rounds after ${warmup / 1000} s of warm-up.`,
        "Each layer figure is the CPU per node-poll it adds over the layer above it (µs, from the median of its per-window ratios to the baseline's); its name says the running total as a multiple of bare.",
        ...sanityNotes(runs, lab.nodeNames.length * ROUNDS * WINDOWS),
      ],
    };
  } finally {
    await lab.close();
  }
}
