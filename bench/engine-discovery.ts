// Wall time for engine.connect() to discover a topology from one seed: a flat 50-node master
// (against a bare ioredis round over all 50 known addresses) and a 10-level cascade.
import type Redis from 'ioredis';
import { ReplicationEngine } from '../electron/engine/engine';
import type { TopologySnapshot } from '../electron/shared/types';
import { Lab, cascade, masterWithReplicas } from '../electron/lab/lab';
import { bareClient } from './lib/bare-client';
import { median, round } from './lib/stats';
import type { BenchResult, Figure } from './types';

const REPLICAS = 49;
const CASCADE_DEPTH = 10;
/**
 * Measured runs per variant (each a few tens of ms, so cheap): single runs vary by ±30 % on this
 * 2-core machine, and the median of 5 still moved by a third between invocations. One extra,
 * unmeasured run of each goes first (cold JIT, first connections).
 */
const RUNS = 15;

export async function engineDiscovery(): Promise<BenchResult> {
  const flat = await flatTopology();
  const chain = await cascadeTopology();
  return {
    figures: [...flat.figures, ...chain.figures],
    details: { flat: flat.details, cascade: chain.details },
    notes: [...(flat.notes ?? []), ...(chain.notes ?? [])],
  };
}

async function flatTopology(): Promise<BenchResult> {
  const lab = await Lab.start({ nodes: masterWithReplicas(REPLICAS) });
  try {
    const addresses = lab.nodeNames.map((name) => lab.address(name));
    const seedReplica = lab.address(`replica-${Math.ceil(REPLICAS / 2)}`);
    const check = (snapshot: TopologySnapshot): void => {
      const reachable = snapshot.nodes.filter((n) => n.reachable).length;
      if (snapshot.nodes.length !== addresses.length || reachable !== addresses.length || snapshot.edges.length !== REPLICAS) {
        throw new Error(`discovery found ${snapshot.nodes.length} nodes (${reachable} reachable) and ${snapshot.edges.length} edges`);
      }
    };
    const times = { replicaSeed: [] as number[], masterSeed: [] as number[], bare: [] as number[] };
    for (let run = 0; run <= RUNS; run++) {
      const replicaSeed = await timeConnect(seedReplica, check);
      const masterSeed = await timeConnect(lab.address('master'), check);
      const bare = await timeBareRound(addresses);
      if (run === 0) continue;
      times.replicaSeed.push(replicaSeed);
      times.masterSeed.push(masterSeed);
      times.bare.push(bare);
    }
    const bare = median(times.bare);
    const figures: Figure[] = [
      { name: `discover ${addresses.length} nodes from a replica`, value: round(median(times.replicaSeed), 1), unit: 'ms' },
      { name: `discover ${addresses.length} nodes from the master`, value: round(median(times.masterSeed), 1), unit: 'ms' },
      { name: `bare round: connect + INFO to all ${addresses.length}`, value: round(bare, 1), unit: 'ms' },
      { name: 'discovery from a replica / bare round', value: round(median(times.replicaSeed) / bare, 2), unit: '×' },
      { name: 'discovery from the master / bare round', value: round(median(times.masterSeed) / bare, 2), unit: '×' },
    ];
    const notes = [
      `Discovery: medians of ${RUNS} runs after one unmeasured run (min–max: from a replica ${range(times.replicaSeed)}, ` +
        `from the master ${range(times.masterSeed)}, bare ${range(times.bare)}). connect() follows the links from the seed ` +
        'in dependent rounds and builds its first snapshot; the bare round knows every address up front.',
    ];
    return { figures, details: { nodes: addresses.length, runs: times }, notes };
  } finally {
    await lab.close();
  }
}

async function cascadeTopology(): Promise<BenchResult> {
  const lab = await Lab.start({ nodes: cascade(CASCADE_DEPTH) });
  try {
    const level = (i: number): string => lab.address(`level-${i}`);
    const check = (snapshot: TopologySnapshot): void => {
      for (let i = 0; i < CASCADE_DEPTH; i++) {
        const node = snapshot.nodes.find((n) => n.address === level(i));
        if (node?.depth !== i) throw new Error(`level-${i} found at depth ${node?.depth ?? 'none'}`);
      }
    };
    const times = { top: [] as number[], bottom: [] as number[], bareWalk: [] as number[] };
    for (let run = 0; run <= RUNS; run++) {
      const top = await timeConnect(level(0), check);
      const bottom = await timeConnect(level(CASCADE_DEPTH - 1), check);
      const bareWalk = await timeBareWalk(level(0), CASCADE_DEPTH);
      if (run === 0) continue;
      times.top.push(top);
      times.bottom.push(bottom);
      times.bareWalk.push(bareWalk);
    }
    const figures: Figure[] = [
      { name: `discover a ${CASCADE_DEPTH}-level cascade from the top`, value: round(median(times.top), 1), unit: 'ms' },
      { name: `discover a ${CASCADE_DEPTH}-level cascade from the bottom`, value: round(median(times.bottom), 1), unit: 'ms' },
      { name: `bare walk down ${CASCADE_DEPTH} levels (connect + INFO each)`, value: round(median(times.bareWalk), 1), unit: 'ms' },
    ];
    const notes = [
      `Cascade: medians of ${RUNS} (min–max: from the top ${range(times.top)}, from the bottom ${range(times.bottom)}, ` +
        `bare walk ${range(times.bareWalk)}); every level was checked at its depth.`,
    ];
    return { figures, details: { depth: CASCADE_DEPTH, runs: times }, notes };
  } finally {
    await lab.close();
  }
}

/** ms for engine.connect() from one seed to resolve; `check` rejects an incomplete topology. */
async function timeConnect(seed: string, check: (snapshot: TopologySnapshot) => void): Promise<number> {
  const engine = new ReplicationEngine();
  try {
    const start = performance.now();
    const snapshot = await engine.connect({ seeds: [seed], pollIntervalMs: 1000 });
    const elapsed = performance.now() - start;
    check(snapshot);
    return elapsed;
  } finally {
    await engine.disconnect();
  }
}

/** ms to connect to every address and read INFO replication from each, all in parallel. */
async function timeBareRound(addresses: string[]): Promise<number> {
  const clients = addresses.map(bareClient);
  try {
    const start = performance.now();
    await Promise.all(clients.map(async (client) => {
      await client.connect();
      await client.info('replication');
    }));
    return performance.now() - start;
  } finally {
    for (const client of clients) client.disconnect();
  }
}

/** ms to follow a cascade down from `top` by hand: connect, INFO replication, next hop from slave0. */
async function timeBareWalk(top: string, depth: number): Promise<number> {
  const clients: Redis[] = [];
  try {
    const start = performance.now();
    let address: string | undefined = top;
    for (let hop = 0; hop < depth; hop++) {
      if (address === undefined) throw new Error(`the bare walk stopped after ${hop} levels`);
      const client = bareClient(address);
      clients.push(client);
      await client.connect();
      const info = await client.info('replication');
      const replica = /^slave0:ip=([^,]+),port=(\d+)/m.exec(info);
      address = replica ? `${replica[1]}:${replica[2]}` : undefined;
    }
    return performance.now() - start;
  } finally {
    for (const client of clients) client.disconnect();
  }
}

function range(values: number[]): string {
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} ms`;
}
