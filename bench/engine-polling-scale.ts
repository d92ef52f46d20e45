// Polling CPU per node-poll at 50 and at 500 real redis-servers, engine and bare ioredis, at the
// app's 1 Hz: the engine against bare at 50 nodes, and the engine's cost per node at 500 against
// its cost at 50 (goal ≤ 1.2×: polling must not cost more per node as the topology grows).
// The 500 nodes are ten masters of 49 replicas in one
// topology (nine of the masters replicate from replicas of the first), so each master lists as
// many replicas as the 50-node lab's; every run is a process of its own, alternated.
import os from 'node:os';
import Redis from 'ioredis';
import { Lab, masterWithReplicas } from '../electron/lab/lab';
import { measureSide, sanityNotes, type PollRun, type PollSettings } from './lib/polling';
import { median, round } from './lib/stats';
import type { BenchResult } from './types';

const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const SETTINGS: PollSettings = { pollIntervalMs: POLL_MS, warmupRounds: Math.ceil(4000 / POLL_MS), rounds: Math.ceil(12_000 / POLL_MS) };
const PAIRS = 2;
const GOAL_SCALE = 1.2;
/** Memory a small redis-server takes (RSS with an empty dataset and a replication backlog), with a margin. */
const MB_PER_SERVER = 12;

/**
 * Ten labs of a master and 49 replicas, started one after the other (500 redis-servers started
 * at once do not all answer within the lab's ready timeout on a small machine), then joined into
 * one topology: the masters of labs 2–10 become replicas of lab 1's replica-1…replica-9. 500
 * nodes, no master listing more than 49 replicas.
 */
async function startFannedTopology(labs: Lab[], groups = 10): Promise<Lab[]> {
  const mine: Lab[] = [];
  for (let g = 0; g < groups; g++) {
    const lab = await startLab();
    labs.push(lab);
    mine.push(lab);
  }
  const [root, ...rest] = mine as [Lab, ...Lab[]];
  await Promise.all(
    rest.map(async (lab, i) => {
      const upstream = parseHostPort(root.address(`replica-${i + 1}`));
      const client = new Redis({ ...parseHostPort(lab.address('master')), lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await client.connect();
        await client.call('REPLICAOF', upstream.host, String(upstream.port));
        const deadline = Date.now() + 30_000;
        while (!/master_link_status:up/.test(await client.info('replication'))) {
          if (Date.now() > deadline) throw new Error(`${lab.address('master')} did not link to ${root.address(`replica-${i + 1}`)} within 30 s`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        client.disconnect();
      }
    }),
  );
  return mine;
}

/** A master with 49 replicas, tried again (up to three times) when a server misses the ready timeout on a loaded machine. */
async function startLab(): Promise<Lab> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await Lab.start({ nodes: masterWithReplicas(49) });
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`  a 50-node lab did not start (attempt ${attempt}): ${String(error).split('\n')[0]}; trying again`);
    }
  }
}

function parseHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

export async function enginePollingScale(): Promise<BenchResult> {
  const needMb = 550 * MB_PER_SERVER;
  const freeMb = os.freemem() / 2 ** 20;
  if (freeMb < needMb) throw new Error(`550 redis-servers need about ${needMb} MB; ${Math.round(freeMb)} MB free`);
  const labs: Lab[] = [];
  try {
    const small = await startLab();
    labs.push(small);
    const fanned = await startFannedTopology(labs);
    const large = new FannedLab(fanned);
    const runs: (PollRun & { nodes: number })[] = [];
    for (let pair = 1; pair <= PAIRS; pair++) {
      for (const lab of [small, large]) {
        for (const side of ['engine', 'info'] as const) {
          const run = await measureSide(lab, side, SETTINGS);
          runs.push({ ...run, nodes: lab.nodeNames.length });
          console.log(`  ${lab.nodeNames.length} nodes, ${side === 'info' ? 'bare' : side} run ${pair}: ${run.cpuMsPerPoll.toFixed(4)} ms CPU per node-poll`);
        }
      }
    }
    const perPoll = (nodes: number, side: 'engine' | 'info'): number =>
      median(runs.filter((r) => r.nodes === nodes && r.side === side).map((r) => r.cpuMsPerPoll));
    const n50 = small.nodeNames.length;
    const n500 = large.nodeNames.length;
    const ratio50 = perPoll(n50, 'engine') / perPoll(n50, 'info');
    const ratio500 = perPoll(n500, 'engine') / perPoll(n500, 'info');
    const scale = perPoll(n500, 'engine') / perPoll(n50, 'engine');
    const bareScale = perPoll(n500, 'info') / perPoll(n50, 'info');
    return {
      figures: [
        { name: `engine / bare CPU per node-poll, ${n50} nodes`, value: round(ratio50, 2), unit: '×' },
        { name: `engine per-node cost, ${n500} ÷ ${n50} nodes`, value: round(scale, 2), unit: '×', goal: { max: GOAL_SCALE } },
        { name: `engine / bare CPU per node-poll, ${n500} nodes`, value: round(ratio500, 2), unit: '×' },
        { name: `bare per-node cost, ${n500} ÷ ${n50} nodes`, value: round(bareScale, 2), unit: '×' },
        { name: `engine CPU per node-poll, ${n50} nodes`, value: round(perPoll(n50, 'engine'), 4), unit: 'ms' },
        { name: `engine CPU per node-poll, ${n500} nodes`, value: round(perPoll(n500, 'engine'), 4), unit: 'ms' },
        { name: `bare CPU per node-poll, ${n50} nodes`, value: round(perPoll(n50, 'info'), 4), unit: 'ms' },
        { name: `bare CPU per node-poll, ${n500} nodes`, value: round(perPoll(n500, 'info'), 4), unit: 'ms' },
      ],
      details: { ...SETTINGS, runs },
      notes: [
        `${n50} nodes (a master and ${n50 - 1} replicas) and ${n500} nodes (ten masters of ~50 replicas in one topology), polled every ` +
          `${SETTINGS.pollIntervalMs} ms; ${SETTINGS.rounds} rounds measured after ${SETTINGS.warmupRounds}; ${PAIRS} engine/bare pairs per size, ` +
          `each run a process of its own. The ${n50}-node engine/bare ratio covers the first seconds after connecting, JIT compilation included: ` +
          'the goal for it (≤ 1.5×) is judged by `engine polling CPU`, which measures both sides at once after they have warmed up.',
        ...sanityNotes(runs.filter((r) => r.nodes === n50), n50 * SETTINGS.rounds),
        ...sanityNotes(runs.filter((r) => r.nodes === n500), n500 * SETTINGS.rounds),
      ],
    };
  } finally {
    await Promise.allSettled(labs.map((lab) => lab.close()));
  }
}

/** The ten labs as one, in the shape measureSide() reads: every node's address, the root as the seed. */
class FannedLab {
  readonly nodeNames: string[];
  readonly #addresses = new Map<string, string>();

  constructor(labs: Lab[]) {
    labs.forEach((lab, g) => {
      for (const name of lab.nodeNames) this.#addresses.set(g === 0 && name === 'master' ? 'master' : `${g}/${name}`, lab.address(name));
    });
    this.nodeNames = [...this.#addresses.keys()];
  }

  address(name: string): string {
    const address = this.#addresses.get(name);
    if (!address) throw new Error(`no node ${name}`);
    return address;
  }
}
