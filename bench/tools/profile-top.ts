// `node bin/run-ts.js bench/tools/profile-top.ts FILE.cpuprofile [N]`: the functions with the most
// self time in a V8 CPU profile (as written by BENCH_CPU_PROF=dir npm run bench -- polling), then
// the total (self + callees) time of every function under electron/. With `--callers NAME`, how
// the time spent in functions named NAME splits over their callers.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const callersAt = args.indexOf('--callers');
const callersOf = callersAt >= 0 ? args.splice(callersAt, 2)[1] : undefined;
const [file, count = '25'] = args;
if (!file) {
  console.error('usage: node bin/run-ts.js bench/tools/profile-top.ts FILE.cpuprofile [N] [--callers NAME]');
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

// tsx emits each module on one line, so a column is all that tells anonymous functions apart.
const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const file = url.replace(/^file:\/\/.*?\/(node_modules|electron|bench)\//, '$1/');
  const where = !url ? '' : lineNumber > 0 ? `${file}:${lineNumber + 1}` : functionName ? file : `${file}@${columnNumber}`;
  return `${functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map<string, number>();
const total = new Map<string, number>();
const viaCaller = new Map<string, number>();
let busy = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  if (node.callFrame.functionName !== '(idle)') busy += us;
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  // Each function on the stack gets the sample once, however often it recurses.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = label(byId.get(at)!);
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + us);
    const up = parent.get(at);
    if (callersOf !== undefined && byId.get(at)!.callFrame.functionName === callersOf && up !== undefined) {
      const caller = label(byId.get(up)!);
      viaCaller.set(caller, (viaCaller.get(caller) ?? 0) + us);
    }
  }
}

const ms = (us: number): string => `${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(busy / 1000).toFixed(1)} ms busy of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms sampled\n`);
console.log('self time:');
for (const [name, us] of [...self].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, Number(count))) console.log(`${ms(us)}  ${name}`);
console.log('\ntotal time of electron/ functions:');
for (const [name, us] of [...total].filter(([name]) => name.includes('electron/')).sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`${ms(us)}  ${name}`);
}
if (callersOf !== undefined) {
  console.log(`\ntime in ${callersOf} by caller:`);
  for (const [name, us] of [...viaCaller].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) console.log(`${ms(us)}  ${name}`);
}
