// Where the engine's polling CPU goes: the same 50-node polling measured layer by layer, from
// bare ioredis up to the full engine (see workers/poll-layers.ts). Run it by name:
// `npm run bench -- layer`.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { measureSide, sanityNotes, startFlatLab, type PollRun, type PollSettings, type Side } from './lib/polling';
import { median, round } from './lib/stats';
import type { BenchResult, Figure } from './types';

const SETTINGS: PollSettings = { pollIntervalMs: 250, warmupRounds: 12, rounds: 40 };
const CYCLES = 2;
const ALL_SIDES: Side[] = ['info', 'pipeline', 'registry', 'pollNode', 'engine'];
/** BENCH_LAYERS=info,pollNode measures only those layers (the first is the baseline); BENCH_CPU_PROF=dir profiles each run. */
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
  const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const lab = await startFlatLab();
  try {
    const runs: PollRun[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      for (const side of SIDES) {
        const profileFile = profileDir && path.join(profileDir, `${side}-${cycle}.cpuprofile`);
        const run = await measureSide(lab, side, { ...SETTINGS, profileFile });
        runs.push(run);
        console.log(`  ${side.padEnd(8)} run ${cycle}: ${run.cpuMsPerPoll.toFixed(4)} ms CPU per node-poll`);
      }
    }
    const perPoll = (side: Side): number => median(runs.filter((r) => r.side === side).map((r) => r.cpuMsPerPoll));
    const base = perPoll(SIDES[0]!);
    const figures: Figure[] = SIDES.map((side, i) => {
      const previous = i === 0 ? 0 : perPoll(SIDES[i - 1]!);
      return {
        name: `${LABELS[side]}: ${round(perPoll(side) / base, 2)} × bare`,
        value: round((perPoll(side) - previous) * 1000, 1),
        unit: 'µs/poll',
      };
    });
    return {
      figures,
      details: { nodes: lab.nodeNames.length, ...SETTINGS, runs },
      notes: [
        'Each layer figure is the CPU per node-poll it adds over the layer above it (µs); its name says the running total as a multiple of bare.',
        ...sanityNotes(runs, lab.nodeNames.length * SETTINGS.rounds),
      ],
    };
  } finally {
    await lab.close();
  }
}
