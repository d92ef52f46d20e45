// `node bin/run-ts.js bench/workers/micro-pollnode.ts DIR`: the CPU pollNode spends per poll on
// canned INFO texts (DIR/repl-replica.txt, repl-master.txt, stats.txt, …), with a fake client:
// no I/O, so only the engine's own work (registry, pipeline bookkeeping, parsing) is measured.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClientRegistry } from '../../electron/engine/client-registry';
import { pollNode } from '../../electron/engine/node-record';
import { NodeSet } from '../../electron/engine/node-set';
import { buildSnapshot } from '../../electron/engine/snapshot';
import { diffSnapshots, EventMemory } from '../../electron/engine/events';
import { AlertBook } from '../../electron/engine/alerts';
import { historyPointOf } from '../../electron/shared/history-point';
import type { TopologySnapshot } from '../../electron/shared/types';

const dir = process.argv[2] ?? '/tmp/mb';
const text = (name: string): string => {
  try {
    return readFileSync(path.join(dir, `${name}.txt`), 'utf8');
  } catch {
    return '';
  }
};
const texts: Record<string, string> = {
  stats: text('stats'),
  memory: text('memory'),
  clients: text('clients'),
  persistence: text('persistence'),
  server: text('server'),
  sentinel: text('sentinel'),
  cluster: text('cluster'),
};

function fakeClient(replication: string): unknown {
  const answer = (section: string): string => (section === 'replication' ? replication : (texts[section] ?? ''));
  return {
    info: (...sections: string[]) => Promise.resolve(sections.map(answer).join('\r\n')),
    call: () => Promise.resolve(['x', '1']),
    pipeline() {
      const queued: [null, unknown][] = [];
      const p = {
        info(section: string) {
          queued.push([null, answer(section)]);
          return p;
        },
        call() {
          queued.push([null, ['x', '1']]);
          return p;
        },
        exec: () => Promise.resolve(queued),
      };
      return p;
    },
  };
}

const MASTER = '127.0.0.1:40001';
const replica = fakeClient(text('repl-replica'));
const master = fakeClient(text('repl-master'));
const registry = new ClientRegistry();
// Drive run() for real, on a fake connection: the entry is ready at once.
(registry as unknown as { entryFor: (a: string) => unknown }).entryFor = (address: string) => ({
  client: address === MASTER ? master : replica,
  ready: Promise.resolve(),
  isReady: true,
  generation: 1,
  lastError: undefined,
});

// The canned master lists its replicas at 127.0.0.1:40002…40050; the replicas name it as their master.
const nodes = new NodeSet(3600, {});
const records = Array.from({ length: 50 }, (_, i) => nodes.add(`127.0.0.1:${40001 + i}`, i === 0));
async function round(): Promise<void> {
  await Promise.all(records.map((r) => pollNode(registry, r)));
}
for (let i = 0; i < 400; i++) await round();
const rounds = Number(process.argv[3] ?? 4000);
const start = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < rounds; i++) await round();
const usage = process.cpuUsage(start);
const polls = rounds * records.length;
console.log(`${(((usage.user + usage.system) / polls)).toFixed(2)} µs CPU per poll (${((performance.now() - t0) * 1000 / polls).toFixed(2)} µs wall), ${polls} polls; reachable ${records.filter((r) => r.reachable).length}`);

// The tick: what Session.tick does once per interval over the same 50 nodes (bookkeeping, snapshot, history, events, alerts).
const memory = new EventMemory();
const alerts = new AlertBook();
let previous: TopologySnapshot | null = null;
let seq = 0;
let now = Date.now();
function tick(): void {
  now += 250;
  for (const r of records) r.polledAt = now - 5;
  nodes.forgetVanished({ now, forgetAfterMs: 600_000, intervalMs: 250 });
  const snapshot = buildSnapshot(nodes, ++seq, 250, now);
  for (const node of snapshot.nodes) nodes.resolve(node.address)?.history.append(historyPointOf(node, now));
  diffSnapshots(previous, snapshot, memory);
  alerts.evaluate(snapshot, now);
  previous = snapshot;
}
for (let i = 0; i < 500; i++) tick();
const ticks = Number(process.argv[4] ?? 4000);
const tickStart = process.cpuUsage();
for (let i = 0; i < ticks; i++) tick();
const tickUsage = process.cpuUsage(tickStart);
console.log(`tick: ${((tickUsage.user + tickUsage.system) / ticks).toFixed(1)} µs CPU per tick of ${records.length} nodes, ${((tickUsage.user + tickUsage.system) / ticks / records.length).toFixed(2)} µs per node`);
