// `serve` as a fleet runs it: 10 topologies of 50 nodes polled at 1 Hz, its CPU per second and
// resident memory, against one topology of the same 50 nodes measured in the same run (the
// baseline), with the ratios. The 10 topologies all watch the same 50 real redis-servers (a
// master and 49 replicas): starting 500 would take minutes and measure the servers rather than
// us; each topology still has its own engine, connections and polls, as with 10 separate groups.
// The serve process is the built CLI, as an operator runs it; /metrics is scraped every 5 s
// while it is measured (a Prometheus), and the scrape's own time is reported.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../electron/lab/lab';
import { startFlatLab } from './lib/polling';
import { median, round } from './lib/stats';
import type { BenchResult, Figure } from './types';

const BIN = fileURLToPath(new URL('../bin/replication-console.js', import.meta.url));
const FLEET = 10;
const WARMUP_MS = 5000;
const MEASURE_MS = 20_000;
const SCRAPE_EVERY_MS = 5000;
/** Baseline/fleet pairs, alternately (B F B F): a busy moment of the machine costs both. */
const PAIRS = 2;
const TICK_MS = 1000 / 100;

interface ServeRun {
  topologies: number;
  cpuMsPerSecond: number;
  rssMb: number;
  scrapeMs: number[];
  scrapeBytes: number;
  /** Node samples of the last scrape, and how many of them were read over 2 s before it (polls falling behind 1 Hz). */
  nodesSeen: number;
  nodesBehind: number;
}

export async function serveBench(): Promise<BenchResult> {
  // Build the CLI bundle now if a source changed, not inside a measured run.
  spawnSync(process.execPath, [BIN, '--version'], { stdio: 'ignore' });
  const lab = await startLab();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-bench-serve-'));
  try {
    const seed = lab.address('master');
    const nodes = lab.nodeNames.length;
    const runs: ServeRun[] = [];
    for (let pair = 1; pair <= PAIRS; pair++) {
      for (const count of [1, FLEET]) {
        const run = await measure(dir, seed, nodes, count);
        runs.push(run);
        console.log(`  ${count}×${nodes} run ${pair}: ${run.cpuMsPerSecond.toFixed(1)} ms CPU/s, RSS ${run.rssMb.toFixed(1)} MB, scrape ${median(run.scrapeMs).toFixed(1)} ms`);
      }
    }
    const base = runs.filter((r) => r.topologies === 1);
    const fleet = runs.filter((r) => r.topologies === FLEET);
    const cpu = (list: ServeRun[]): number => median(list.map((r) => r.cpuMsPerSecond));
    const rss = (list: ServeRun[]): number => median(list.map((r) => r.rssMb));
    const scrape = (list: ServeRun[]): number => median(list.flatMap((r) => r.scrapeMs));
    const label = `${FLEET}×${nodes} nodes (one lab)`;
    const figures: Figure[] = [
      { name: `serve ${label}, 1 Hz: CPU`, value: round(cpu(fleet), 1), unit: 'ms/s' },
      { name: `serve 1×${nodes} nodes (baseline): CPU`, value: round(cpu(base), 1), unit: 'ms/s' },
      { name: `serve CPU, ${FLEET} topologies / 1`, value: round(cpu(fleet) / cpu(base), 2), unit: '×' },
      { name: `serve CPU per node-poll, ${FLEET}×${nodes} / 1×${nodes}`, value: round(cpu(fleet) / FLEET / cpu(base), 2), unit: '×' },
      { name: `serve ${label}: RSS`, value: round(rss(fleet), 1), unit: 'MB' },
      { name: `serve 1×${nodes} nodes (baseline): RSS`, value: round(rss(base), 1), unit: 'MB' },
      { name: `serve RSS, ${FLEET} topologies / 1`, value: round(rss(fleet) / rss(base), 2), unit: '×' },
      { name: `serve /metrics scrape, ${label}`, value: round(scrape(fleet), 1), unit: 'ms' },
    ];
    return {
      figures,
      details: { nodes, fleet: FLEET, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, scrapeEveryMs: SCRAPE_EVERY_MS, runs },
      notes: [
        `${FLEET} topologies all watch the same ${nodes} real redis-servers (a master and ${nodes - 1} replicas), each with its own engine, ` +
          `connections and 1 Hz polls; baseline: 1 topology of them, in the same run. ${PAIRS} baseline/fleet pairs, alternately; ` +
          `${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s of warm-up, /metrics scraped every ${SCRAPE_EVERY_MS / 1000} s meanwhile. ` +
          `CPU: user + system of the serve process from /proc (10 ms ticks). Scrape: ${Math.round(median(fleet.map((r) => r.scrapeBytes)) / 1024)} KiB of text at ${FLEET}×${nodes}.`,
        ...runs
          .filter((r) => r.nodesSeen !== r.topologies * nodes || r.nodesBehind > 0)
          .map((r) => `${r.topologies}×${nodes}: ${r.nodesBehind} of ${r.nodesSeen} nodes last read over 2 s before the final scrape (polls behind 1 Hz: a loaded machine?); its CPU figure is low by that much.`),
      ],
    };
  } finally {
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The flat 50-node lab, tried again (up to three times) when a server misses the lab's ready timeout on a loaded machine. */
async function startLab(): Promise<Lab> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startFlatLab();
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`  the 50-node lab did not start (attempt ${attempt}): ${String(error).split('\n')[0]}; trying again`);
    }
  }
}

async function measure(dir: string, seed: string, nodes: number, count: number): Promise<ServeRun> {
  const config = path.join(dir, `serve-${count}.json`);
  const names = Array.from({ length: count }, (_, i) => `group-${i + 1}`);
  await writeFile(config, JSON.stringify({ topologies: names.map((name) => ({ name, seeds: [seed] })) }));
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--config', config], {
    // A data directory of its own: no topology memory of an earlier run or of the developer's console.
    env: { ...process.env, REDISCLI_AUTH: '', REPLICATION_CONSOLE_DATA_DIR: path.join(dir, `data-${count}`) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const base = await urlOf(child);
    const metrics = new URL('metrics', base);
    // Every topology connected with all its nodes.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const text = await (await fetch(metrics)).text();
      const ready = names.every((name) => text.includes(`replication_console_topology_nodes{topology="${name}"} ${nodes}\n`));
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`serve with ${count} topologies did not see all ${nodes} nodes in 60 s`);
      await sleep(200);
    }
    await sleep(WARMUP_MS);
    const pid = child.pid ?? 0;
    const scrapeMs: number[] = [];
    let last = '';
    let lastAt = 0;
    const cpuBefore = cpuMsOf(pid);
    const start = performance.now();
    while (performance.now() - start < MEASURE_MS) {
      const t0 = performance.now();
      lastAt = Date.now();
      last = await (await fetch(metrics)).text();
      scrapeMs.push(performance.now() - t0);
      await sleep(Math.min(SCRAPE_EVERY_MS, MEASURE_MS - (performance.now() - start)));
    }
    const seconds = (performance.now() - start) / 1000;
    const cpuMsPerSecond = (cpuMsOf(pid) - cpuBefore) / seconds;
    const polledAt = [...last.matchAll(/^replication_console_node_last_poll_timestamp_seconds\{[^}]*\} (\S+)$/gm)].map((m) => Number(m[1]) * 1000);
    const nodesBehind = polledAt.filter((t) => lastAt - t > 2000).length;
    return { topologies: count, cpuMsPerSecond, rssMb: rssMbOf(pid), scrapeMs, scrapeBytes: last.length, nodesSeen: polledAt.length, nodesBehind };
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
}

async function urlOf(child: ChildProcess): Promise<URL> {
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /^Replication Console \(serve\): (\S+)$/m.exec(out)?.[1];
      if (url) resolve(new URL(url));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`)));
  });
}

/** User + system CPU of a process, ms, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15 of the whole line.
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
