// The CLI as a runbook runs it, against what it stands beside, in the same run:
// - `--help` cold start of the built CLI (bin/replication-console.js, as users run it) against `node -e 0`;
// - `topology` on the 4-node docs lab against `redis-cli INFO replication` run once per node (4
//   spawns in sequence, what a script would do without us);
// - the web mode's resident memory with the lab (bin/start.js --web --lab, the process that serves).
// Runs are interleaved, so a busy moment on the machine costs both sides alike.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Lab, docsLayout } from '../electron/lab/lab';
import { median, round } from './lib/stats';
import type { BenchResult, Figure } from './types';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/replication-console.js', import.meta.url));
const START = fileURLToPath(new URL('../bin/start.js', import.meta.url));
/** Each side, after one unmeasured run of each (the bundle checked, the page cache warm). */
const RUNS = 15;
const HELP_GOAL = 3;
const TOPOLOGY_GOAL = 2;
const RSS_GOAL_MB = 150;

function meanCpu(label: string): number {
  const values = cpuMs.get(label) ?? [];
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export async function cliBench(): Promise<BenchResult> {
  cpuMs.clear();
  const help = helpStart();
  const topology = await topologyRound();
  const web = await webRss();
  return {
    figures: [...help.figures, ...topology.figures, ...web.figures],
    details: { help: help.details, topology: topology.details, web: web.details, cpuMs: Object.fromEntries(cpuMs) },
    notes: [...(help.notes ?? []), ...(topology.notes ?? []), ...(web.notes ?? [])],
  };
}

/** CPU time (user + system, ms) of this process's children that have exited, from /proc (Linux). */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime (fields 16 and 17 of the whole line), in clock ticks of 10 ms.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** CPU per run (mean over runs: the ticks are 10 ms, too coarse for one run), for a label. */
const cpuMs = new Map<string, number[]>();

/** Wall time of one process run to its exit, in ms (its CPU time is added to cpuMs[label]); throws when it fails. */
function timed(label: string, command: string, args: string[]): number {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: '' } });
  const ms = performance.now() - start;
  cpuMs.set(label, [...(cpuMs.get(label) ?? []), childrenCpuMs() - cpuBefore]);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${(result.stderr || result.error?.message || '').trim().split('\n')[0]}`);
  }
  return ms;
}

function helpStart(): BenchResult {
  const times = { help: [] as number[], node: [] as number[] };
  for (let run = 0; run <= RUNS; run++) {
    if (run === 0) {
      // Unmeasured: the bundle checked (and rebuilt if stale), the page cache warm.
      timed('warm-up', process.execPath, [BIN, '--help']);
      timed('warm-up', process.execPath, ['-e', '0']);
      continue;
    }
    const help = timed('help', process.execPath, [BIN, '--help']);
    const node = timed('node', process.execPath, ['-e', '0']);
    times.help.push(help);
    times.node.push(node);
  }
  const help = median(times.help);
  const node = median(times.node);
  const figures: Figure[] = [
    { name: 'cli --help (built, cold process)', value: round(help, 1), unit: 'ms' },
    { name: 'node -e 0', value: round(node, 1), unit: 'ms' },
    { name: 'cli --help / node -e 0', value: round(help / node, 2), unit: '×', goal: { max: HELP_GOAL } },
    { name: 'cli --help / node -e 0, CPU time', value: round(meanCpu('help') / meanCpu('node'), 2), unit: '×' },
  ];
  return { figures, details: times, notes: [`--help: medians of ${RUNS} interleaved runs each, after one unmeasured run.`] };
}

async function topologyRound(): Promise<BenchResult> {
  const lab = await Lab.start({ nodes: docsLayout() });
  try {
    const ports = lab.nodeNames.map((name) => String(lab.port(name)));
    const times = { topology: [] as number[], redisCli: [] as number[], node: [] as number[] };
    const args = [BIN, 'topology', '--seed', lab.address('master'), '--format', 'json'];
    // The lab must be found whole, or the figure times a failure.
    const found = JSON.parse(spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' }).stdout) as { nodes: unknown[] };
    if (found.nodes.length !== ports.length) throw new Error(`topology found ${found.nodes.length} of the lab's ${ports.length} nodes`);
    for (let run = 0; run <= RUNS; run++) {
      const warmUp = run === 0 ? 'warm-up' : '';
      const topology = timed(warmUp || 'topology', process.execPath, args);
      const start = performance.now();
      for (const port of ports) timed(warmUp || 'redis-cli', 'redis-cli', ['-h', '127.0.0.1', '-p', port, 'INFO', 'replication']);
      const redisCli = performance.now() - start;
      // What no Node program can go below: starting node itself.
      const node = timed(warmUp || 'node (topology)', process.execPath, ['-e', '0']);
      if (run === 0) continue;
      times.topology.push(topology);
      times.redisCli.push(redisCli);
      times.node.push(node);
    }
    const topology = median(times.topology);
    const redisCli = median(times.redisCli);
    const figures: Figure[] = [
      { name: `cli topology, ${ports.length}-node lab`, value: round(topology, 1), unit: 'ms' },
      { name: `redis-cli INFO replication × ${ports.length} nodes`, value: round(redisCli, 1), unit: 'ms' },
      { name: 'cli topology / redis-cli per node', value: round(topology / redisCli, 2), unit: '×', goal: { max: TOPOLOGY_GOAL } },
      { name: 'cli topology / redis-cli per node, CPU time', value: round(meanCpu('topology') / (meanCpu('redis-cli') * ports.length), 2), unit: '×' },
      { name: 'node -e 0 / redis-cli per node (the floor)', value: round(median(times.node) / redisCli, 2), unit: '×' },
    ];
    return { figures, details: times, notes: [`topology: medians of ${RUNS} interleaved runs each (redis-cli: ${ports.length} spawns in sequence per run).`] };
  } finally {
    await lab.close();
  }
}

/** The web mode with the lab, as `npm start` serves it without Electron: RSS of the serving process once the page answers. */
async function webRss(): Promise<BenchResult> {
  const child = spawn(process.execPath, [START, '--web', '--lab', '--no-open'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /^Replication Console \(web mode\): (http:\/\/\S+)$/m.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`the web mode exited (${code}) before its URL line: ${output.trim()}`)));
    });
    const page = await fetch(url);
    if (!page.ok) throw new Error(`the web mode's page answered ${page.status}`);
    await page.text();
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssMb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
    const hwmMb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
    return {
      figures: [{ name: 'web mode RSS with the lab', value: round(rssMb, 1), unit: 'MB', goal: { max: RSS_GOAL_MB } }],
      details: { rssMb, peakMb: hwmMb },
      notes: [`web mode: VmRSS of the serving process (bin/start.js --web --lab) once the page answered; peak ${round(hwmMb, 1)} MB.`],
    };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
}
