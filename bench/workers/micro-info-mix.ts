// `node bin/run-ts.js bench/workers/micro-info-mix.ts PORT`: the client CPU of one INFO replication
// against the engine's other reads (a pipeline of it alone, the load's five sections), on one
// connection to a real server, alternated so that machine load hits every kind alike.
import Redis from 'ioredis';

const port = Number(process.argv[2]);
const client = new Redis({ port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
await client.connect();
const kinds: Record<string, () => Promise<unknown>> = {
  info: () => client.info('replication'),
  pipeline1: () => client.pipeline().info('replication').exec(),
  load5: () => client.pipeline().info('replication').info('stats').info('persistence').info('memory').info('clients').exec(),
  load1cmd: () => client.info('replication', 'stats', 'persistence', 'memory', 'clients' as never),
  load2cmd: () => client.pipeline().info('replication').info('stats', 'persistence', 'memory', 'clients' as never).exec(),
  stats1cmd: () => client.info('replication', 'stats' as never),
  stats2: () => client.pipeline().info('replication').info('stats').exec(),
};
const totals: Record<string, number> = Object.fromEntries(Object.keys(kinds).map((k) => [k, 0]));
const N = Number(process.argv[3] ?? 2000);
for (let round = 0; round < 6; round++) {
  for (const [kind, call] of Object.entries(kinds)) {
    const start = process.cpuUsage();
    for (let i = 0; i < N; i++) await call();
    const used = process.cpuUsage(start);
    if (round > 0) totals[kind]! += (used.user + used.system) / N;
  }
}
for (const [kind, total] of Object.entries(totals)) console.log(`${kind.padEnd(10)} ${(total / 5).toFixed(1)} µs CPU per call`);
client.disconnect();
