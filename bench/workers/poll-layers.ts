// The baseline and the layers between it and the engine, each polling every node once per
// interval from one timer, measured over whole rounds:
//   info      bare ioredis clients, client.info('replication'): the baseline
//   pipeline  the same through client.pipeline() … exec(), as the engine sends it
//   registry  the engine's ClientRegistry.run() around that pipeline (timeouts, error handling)
//   pollNode  the engine's pollNode(): its INFO mix, parsing and offset history, but no
//             session (no per-node timers, discovery of neighbours, ticks or snapshots)
import type Redis from 'ioredis';
import { ClientRegistry } from '../../electron/engine/client-registry';
import { createRecord, pollNode } from '../../electron/engine/node-record';
import { bareClient } from '../lib/bare-client';
import { WindowSequence, serveWorker, type PollingInput, type PollingOutput } from './protocol';

type PollOne = (index: number) => Promise<boolean>;

serveWorker<PollingInput, PollingOutput>(async (input) => {
  const cleanup: (() => void)[] = [];
  try {
    const poll = await prepare(input, cleanup);
    return await measure(poll, input);
  } finally {
    for (const close of cleanup) close();
  }
});

async function prepare(input: PollingInput, cleanup: (() => void)[]): Promise<PollOne> {
  const { addresses, layer } = input;
  if (layer === 'info' || layer === 'pipeline') {
    const clients: Redis[] = addresses.map(bareClient);
    cleanup.push(() => clients.forEach((client) => client.disconnect()));
    await Promise.all(clients.map((client) => client.connect()));
    return layer === 'info'
      ? async (i) => typeof (await clients[i]!.info('replication')) === 'string'
      : async (i) => {
          const results = await clients[i]!.pipeline().info('replication').exec();
          return results?.[0]?.[0] === null;
        };
  }
  const registry = new ClientRegistry({ maxBackoffMs: 1000 });
  cleanup.push(() => registry.disconnectAll());
  if (layer === 'registry') {
    const run: PollOne = async (i) => {
      const results = await registry.run(addresses[i]!, (client) => client.pipeline().info('replication').exec());
      return results?.[0]?.[0] === null;
    };
    // The first call connects (and names the connection): that belongs to the warm-up.
    await Promise.all(addresses.map((_, i) => run(i)));
    return run;
  }
  if (layer === 'pollNode') {
    const records = addresses.map((address) => createRecord(address, address, false, 3600));
    return async (i) => {
      await pollNode(registry, records[i]!);
      return records[i]!.reachable;
    };
  }
  throw new Error(`unknown layer ${String(layer)}`);
}

function measure(poll: PollOne, input: PollingInput): Promise<PollingOutput> {
  const indexes = input.addresses.map((_, i) => i);
  let round = 0;
  let nodePolls = 0;
  let failedPolls = 0;
  const windows = new WindowSequence(input, () => ({ polls: nodePolls, failed: failedPolls }));
  return new Promise((resolve, reject) => {
    const pollRound = async (): Promise<void> => {
      const replies = await Promise.allSettled(indexes.map(poll));
      round++;
      for (const reply of replies) {
        if (reply.status === 'fulfilled' && reply.value) nodePolls++;
        else failedPolls++;
      }
      // The windows span whole rounds: from the end of one round to the end of a later one.
      if (await windows.roundEnded(round)) {
        clearInterval(timer);
        resolve(windows.output());
      }
    };
    const timer = setInterval(() => pollRound().catch(reject), input.pollIntervalMs);
  });
}
