// A session that starts from a replica of a dead master without finding the group's Sentinel (it
// was stalled, SIGSTOP, through the 2.5 s the console listens on connect) finds it later all the
// same: the console keeps listening on the hello channel of one replica of each master that is
// down, where Sentinel announces itself every 2 s, as it does on each live master. A real master
// and replica, one real redis-sentinel (quorum 1, down-after 10 min: it never fails over here).
// Every wait is for a condition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { TopologySnapshot } from '../../electron/shared/types';
import { waitForTick } from '../helpers/engine';
import { onNode } from '../helpers/sentinel-group';
import { until } from '../helpers/until';

const NAME = 'grp';

let lab: Lab;
let engine: ReplicationEngine | undefined;

beforeAll(async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(1) });
  await lab.startSentinel({ masterName: NAME, master: 'master', quorum: 1, downAfterMs: 600_000, failoverTimeoutMs: 5000 });
  // Sentinel learns the replica from the master's INFO: only then does it announce itself there.
  await until('the Sentinel to know the replica', async () => {
    const replicas = (await onNode(lab, 'sentinel-1', (c) => c.call('SENTINEL', 'REPLICAS', NAME))) as unknown[];
    return replicas.length === 1 ? true : undefined;
  }, 30_000);
  await lab.kill('master');
}, 60_000);

afterAll(async () => {
  await engine?.disconnect();
  await lab?.close();
});

const sentinelsOf = (s: TopologySnapshot): string[] => s.nodes.filter((n) => n.role === 'sentinel' && n.reachable).map((n) => n.address);

describe('a dead master\'s Sentinel, stalled while the console connects from a replica', () => {
  it('is found once it announces itself on the replica\'s hello channel, and MASTER_DOWN then leaves the failover to it', async () => {
    lab.pause('sentinel-1');
    try {
      engine = new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 });
      const first = await engine.connect({ seeds: [lab.address('replica-1')] });
      expect(sentinelsOf(first), 'the stalled Sentinel cannot have been heard on connect').toEqual([]);
    } finally {
      lab.resume('sentinel-1');
    }
    const { snapshot } = await waitForTick(engine, ({ snapshot: s }) => sentinelsOf(s).length === 1, 20_000, 'the Sentinel, heard on the replica');
    expect(sentinelsOf(snapshot)).toEqual([lab.address('sentinel-1')]);
    const down = await waitForTick(engine, ({ snapshot: s }) => s.warnings.some((w) => w.code === 'MASTER_DOWN' && w.message.includes('fails it over on its own')), 20_000, 'MASTER_DOWN naming Sentinel');
    expect(down.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.message).toContain(`→ Sentinel ("${NAME}", 1 Sentinel watching it) fails it over on its own`);
  }, 60_000);
});
