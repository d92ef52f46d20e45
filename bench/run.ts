// `npm run bench [-- WORD…]`: runs each benchmark in turn (with words, only those whose name
// contains one of them; optional ones only then), prints one table, writes bench-results/latest.json.
// A benchmark is a module exporting an async function that returns figures (see types.ts).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { cliBench } from './cli';
import { engineDiscovery } from './engine-discovery';
import { enginePolling } from './engine-polling';
import { enginePollingLayers } from './engine-polling-layers';
import { enginePollingScale } from './engine-polling-scale';
import { pollLateness } from './poll-lateness';
import { rendererBenchmark } from './renderer';
import { serveBench } from './serve';
import { switchoverBench } from './switchover';
import type { BenchResult, Benchmark, Figure } from './types';
import { removeWorkerBundles } from './lib/worker';

const BENCHMARKS: Benchmark[] = [
  { name: 'engine polling CPU', run: enginePolling },
  { name: 'engine polling 50 and 500 nodes', run: enginePollingScale },
  { name: 'engine discovery', run: engineDiscovery },
  { name: 'engine CPU by layer', run: enginePollingLayers, optional: true },
  { name: 'switchover write window', run: switchoverBench },
  { name: 'poll lateness during plans', run: pollLateness },
  { name: 'renderer 100 and 200 nodes', run: rendererBenchmark },
  { name: 'cli start, topology and web memory', run: cliBench },
  { name: 'serve 10 topologies of 50 nodes', run: serveBench },
];

const RESULTS_DIR = fileURLToPath(new URL('../bench-results/', import.meta.url));

interface Outcome {
  name: string;
  seconds: number;
  result?: BenchResult;
  error?: string;
}

const filters = process.argv.slice(2).map((word) => word.toLowerCase());
const selected = BENCHMARKS.filter((b) =>
  filters.length === 0 ? !b.optional : filters.some((word) => b.name.toLowerCase().includes(word)),
);
if (selected.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ')}; there are: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

const startedAt = new Date();
const loadBefore = os.loadavg()[0] ?? 0;
// Other work on the machine skews the wall-time figures most (CPU time holds up better).
if (loadBefore > 0.5 * os.cpus().length) {
  console.log(`note: the 1-minute load average is ${loadBefore.toFixed(1)} on ${os.cpus().length} CPUs: something else is running.`);
}
const outcomes: Outcome[] = [];
for (const bench of selected) {
  console.log(`▶ ${bench.name}`);
  const start = performance.now();
  try {
    const result = await bench.run();
    outcomes.push({ name: bench.name, seconds: (performance.now() - start) / 1000, result });
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`✖ ${bench.name} failed: ${message}`);
    outcomes.push({ name: bench.name, seconds: (performance.now() - start) / 1000, error: message });
  }
}

await removeWorkerBundles();
console.log(`\n${table(outcomes)}`);
for (const outcome of outcomes) {
  for (const note of outcome.result?.notes ?? []) console.log(`• ${outcome.name}: ${note}`);
}

await mkdir(RESULTS_DIR, { recursive: true });
const file = `${RESULTS_DIR}latest.json`;
const report = {
  startedAt: startedAt.toISOString(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  benchmarks: outcomes,
};
await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
const total = outcomes.reduce((sum, o) => sum + o.seconds, 0);
console.log(`\n${outcomes.length} benchmark(s) in ${total.toFixed(0)} s; results in ${file}`);
process.exitCode = outcomes.some((o) => o.error) ? 1 : 0;

function table(list: Outcome[]): string {
  const rows: string[][] = [['benchmark', 'figure', 'value', 'goal', '']];
  for (const outcome of list) {
    if (outcome.error) rows.push([outcome.name, 'FAILED (see above)', '', '', '✖']);
    for (const figure of outcome.result?.figures ?? []) {
      const goal = figure.goal ? `≤ ${figure.goal.max} ${figure.unit}` : '';
      const verdict = figure.goal ? (figure.value <= figure.goal.max ? 'ok' : 'MISSED') : '';
      rows.push([outcome.name, figure.name, formatValue(figure), goal, verdict]);
    }
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: string[]): string =>
    row.map((cell, col) => (col === 2 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('  ').trimEnd(), ...rows.slice(1).map(line)].join('\n');
}

function formatValue(figure: Figure): string {
  return `${figure.value} ${figure.unit}`;
}

function machine(): Record<string, unknown> {
  let redis = 'unknown';
  try {
    redis = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Reported as unknown; the benchmarks themselves say why they could not start a lab.
  }
  const cpus = os.cpus();
  return { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: cpus.length, cpuModel: cpus[0]?.model, redis };
}
