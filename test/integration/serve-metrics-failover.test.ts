// serve's /metrics through a real failover: the master SIGKILLed, its replica promoted (REPLICAOF
// NO ONE), the old master restarted and made a replica of it, where it full-syncs. Prometheus
// alerts on a full resync with increase(replica_full_resyncs_total): a series that begins at 1
// has no increase. Exported for replicas alone, the old master's series began when it rejoined,
// and its first full sync ended 5 s later (the diskless sync's delay): at a 15 s scrape, mostly
// already 1, and no alert. Every master has the series too, at 0, so the rejoin is a 0 → 1.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { until } from '../helpers/until';
import { getText } from '../helpers/http-get';

const BIN = path.resolve(import.meta.dirname, '../../bin/replication-console.js');

let serve: ChildProcessWithoutNullStreams | undefined;
let lab: Lab | undefined;
let work: string | undefined;

afterAll(async () => {
  if (serve && serve.exitCode === null && serve.signalCode === null) {
    const exited = once(serve, 'exit');
    serve.kill('SIGTERM');
    await exited;
  }
  await lab?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function redisCommand(address: string, ...args: string[]): Promise<unknown> {
  const [host, port] = address.split(':');
  const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return await client.call(args[0] ?? 'PING', ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

describe('serve /metrics through a failover', () => {
  it("keeps every node's replica_full_resyncs_total from its first poll, so the old master rejoining as a replica counts 0 → 1", { timeout: 60_000 }, async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rc-failover-metrics-'));
    lab = await Lab.start({ nodes: masterWithReplicas(1) });
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    serve = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--seed', master], {
      env: { ...process.env, REDISCLI_AUTH: '', REPLICATION_CONSOLE_DATA_DIR: work },
    });
    let out = '';
    serve.stdout.on('data', (d: Buffer) => (out += d.toString()));
    serve.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await until('serve to print its URL', async () => {
      if (serve?.exitCode !== null) throw new Error(`serve exited: ${out}`);
      return /^Replication Console \(serve\): (\S+)$/m.exec(out)?.[1];
    }, 30_000, 100);
    const metricsUrl = new URL('/metrics', url).href;
    const fullResyncs = (text: string, node: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`replication_console_replica_full_resyncs_total{topology="main",node="${node}"} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const role = (text: string, node: string): string | undefined => new RegExp(`^replication_console_node_info\\{topology="main",node="${node}",role="(\\w+)"`, 'm').exec(text)?.[1];

    // Every scrape from here on, as Prometheus would take them (faster), in the background.
    const scrapes: { master: number | undefined; replica: number | undefined }[] = [];
    let scraping = true;
    const scraper = (async () => {
      while (scraping) {
        const text = await getText(metricsUrl);
        scrapes.push({ master: fullResyncs(text, master), replica: fullResyncs(text, replica) });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    try {
      // The master has its series at 0 from its first poll, and the replica (already synced before serve watched) too.
      await until('both nodes to have replica_full_resyncs_total', async () => {
        const last = scrapes.at(-1);
        return last?.master === 0 && last.replica === 0 ? true : undefined;
      }, 20_000, 50);
      const from = scrapes.length - 1;

      // The master dies; its replica is promoted: the promoted node's series goes on.
      await lab.kill('master');
      await redisCommand(replica, 'REPLICAOF', 'NO', 'ONE');
      await until('serve to read the replica as a master', async () => (role(await getText(metricsUrl), replica) === 'master' ? true : undefined), 20_000, 100);

      // The old master comes back (empty: no persistence) and is made a replica of the new one: a full sync replaces its data.
      await lab.restart('master', { asLoneMaster: true });
      await redisCommand(master, 'REPLICAOF', ...replica.split(':'));
      await until("the old master's full resync to be counted", async () => (scrapes.at(-1)?.master === 1 ? true : undefined), 30_000, 100);

      const seen = scrapes.slice(from);
      const timeline = seen.map((s) => `${String(s.master)}/${String(s.replica)}`).join(' ');
      // Never absent: the 0 before the rejoin is there for Prometheus to see, and the promoted replica's series did not end.
      expect(seen.every((s) => s.master !== undefined && s.replica !== undefined), timeline).toBe(true);
      // Only up: 0 until the sync, then 1.
      expect(seen.map((s) => s.master).filter((v, i, all) => i === 0 || v !== all[i - 1]), timeline).toEqual([0, 1]);
      expect(seen.every((s) => s.replica === 0), timeline).toBe(true);
    } finally {
      scraping = false;
      await scraper;
    }
  });
});
