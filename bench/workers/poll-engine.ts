// Polls the topology with the real ReplicationEngine and measures this process's CPU time
// over a whole number of poll rounds, from one tick to a later one.
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { WindowSequence, serveWorker, type PollingInput, type PollingOutput } from './protocol';

// Every engine poll of a node sends one INFO replication (node-record.ts pollNode), alone or in a
// pipeline with other sections: counting those counts polls exactly, even when a late tick would
// see two readings of a node as one. A pipeline hands each of its commands to sendCommand too.
let infoReplications = 0;
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
  const [command] = args;
  if (command.name === 'info' && String(command.args[0]).toLowerCase() === 'replication') infoReplications++;
  return sendCommand.apply(this, args);
};

serveWorker<PollingInput, PollingOutput>(async (input) => {
  const engine = new ReplicationEngine();
  try {
    const first = await engine.connect({ seeds: [input.seed], pollIntervalMs: input.pollIntervalMs });
    const missing = input.addresses.filter((a) => !first.nodes.some((n) => n.address === a || n.aliases.includes(a)));
    if (missing.length > 0) throw new Error(`the engine did not discover ${missing.join(', ')}`);
    return await measure(engine, input);
  } finally {
    await engine.disconnect();
  }
});

function measure(engine: ReplicationEngine, input: PollingInput): Promise<PollingOutput> {
  let ticks = 0;
  let extraTicks = 0;
  let lastTickAt = 0;
  let failedPolls = 0;
  const windows = new WindowSequence(input, () => ({ polls: infoReplications, failed: failedPolls }));
  return new Promise((resolve, reject) => {
    const dispose = engine.onTick(({ snapshot }) => {
      // A tick right after another is not a new round (but its cost is the engine's, and counted).
      const extra = snapshot.takenAt - lastTickAt < input.pollIntervalMs / 2;
      lastTickAt = snapshot.takenAt;
      if (extra) {
        if (windows.isOpen) extraTicks++;
        return;
      }
      ticks++;
      if (windows.isOpen) failedPolls += snapshot.nodes.filter((n) => !n.reachable).length;
      windows.roundEnded(ticks).then((done) => {
        if (!done) return;
        dispose();
        resolve(windows.output({ extraTicks }));
      }, reject);
    });
  });
}
