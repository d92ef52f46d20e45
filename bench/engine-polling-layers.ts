// Where the engine's polling CPU goes: the same 50-node polling measured layer by layer, from
// bare ioredis up to the full engine (see workers/poll-layers.ts). Run it by name:
// `npm run bench -- layers`.
import { measureSide, sanityNotes, startFlatLab, type PollRun, type PollSettings, type Side } from './lib/polling';
import { median, round } from './lib/stats';
import type { BenchResult, Figure } from './types';

const SETTINGS: PollSettings = { pollIntervalMs: 250, warmupRounds: 12, rounds: 40 };
const CYCLES = 2;
const SIDES: Side[] = ['info', 'pipeline', 'registry', 'pollNode', 'engine'];
const LABELS: Record<Side, string> = {
  info: 'bare client.info()',
  pipeline: '+ pipeline().exec()',
  registry: '+ ClientRegistry.run()',
  pollNode: '+ pollNode() (INFO mix, parsing)',
  engine: '+ Session (timers, ticks, snapshots)',
};

export async function enginePollingLayers(): Promise<BenchResult> {
  const lab = await startFlatLab();
  try {
    const runs: PollRun[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      for (const side of SIDES) {
        const run = await measureSide(lab, side, SETTINGS);
        runs.push(run);
        console.log(`  ${side.padEnd(8)} run ${cycle}: ${run.cpuMsPerPoll.toFixed(4)} ms CPU per node-poll`);
      }
    }
    const perPoll = (side: Side): number => median(runs.filter((r) => r.side === side).map((r) => r.cpuMsPerPoll));
    const base = perPoll('info');
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
