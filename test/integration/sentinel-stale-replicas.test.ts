// sentinel-failover asked within seconds of a master's death, on a real Sentinel. With the master
// down, Sentinel picks no replica it read more than 5 s ago, and it reads a replica every 10 s
// until the replica reports its link down. So in the seconds after the death SENTINEL FAILOVER
// answers NOGOODSLAVE, and a plan that gave up there left on-call with a failed failover in the
// middle of an incident. The plan asks again until Sentinel has read the replica anew.
// One Sentinel with quorum 2: it never reaches o_down, so it never fails over on its own here.
import Redis from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { harness, replication, type Harness } from '../helpers/actions';
import { onNode, sentinelReplicas } from '../helpers/sentinel-group';
import { until } from '../helpers/until';

const NAME = 'grp';
let lab: Lab | undefined;
let h: Harness | undefined;

afterAll(async () => {
  await h?.close();
  await lab?.close();
});

/** SENTINEL REPLICAS' one replica as a map, from the lab's Sentinel. */
async function sentinelReplica(l: Lab): Promise<Record<string, string>> {
  return (await sentinelReplicas(l, 'sentinel-1', NAME))[0] ?? {};
}

it('sentinel-failover right after the master died: Sentinel answers NOGOODSLAVE from its stale reading, the plan asks again and the replica is promoted', async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(1) });
  const l = lab;
  await l.startSentinel({ masterName: NAME, master: 'master', quorum: 2, downAfterMs: 1000 });
  h = await harness(l, 'replica-1');
  // Killed just after Sentinel read the replica: its next reading is about 10 s away.
  await until('Sentinel to have just read the replica', async () => {
    const r = await sentinelReplica(l).catch(() => null);
    return r !== null && r['master-link-status'] === 'ok' && Number(r['info-refresh']) < 1500 ? true : undefined;
  }, 30_000, 50);
  await l.kill('master');
  const plan = await h.actions.plan({ kind: 'sentinel-failover', masterName: NAME });
  expect(plan.canRun, JSON.stringify(plan.checks)).toBe(true);

  // The master is s_down, and Sentinel's reading of the replica is over 5 s old and from before
  // the death: SENTINEL FAILOVER is refused for that alone.
  await until('the reading to go stale while the master is s_down', async () => {
    const [master, replica] = await Promise.all([
      onNode(l, 'sentinel-1', (c: Redis) => c.call('SENTINEL', 'MASTER', NAME)) as Promise<string[]>,
      sentinelReplica(l),
    ]);
    const flags = master[master.indexOf('flags') + 1] ?? '';
    return flags.includes('s_down') && replica['master-link-status'] === 'ok' && Number(replica['info-refresh']) > 5200 ? true : undefined;
  }, 15_000, 50);
  const refusal = await onNode(l, 'sentinel-1', (c: Redis) => c.call('SENTINEL', 'FAILOVER', NAME)).then(String, (e: Error) => e.message);
  expect(refusal).toMatch(/^NOGOODSLAVE/);

  const progress: string[] = [];
  const outcome = await h.actions.execute(plan.id, {
    confirmAddress: plan.confirmAddress ?? undefined,
    overrides: plan.needsOverride,
    onProgress: (p) => progress.push(p.message),
  });
  expect(outcome.status, JSON.stringify(outcome.steps.map((s) => [s.command, s.status, s.message]))).toBe('ok');
  expect(progress.some((m) => m.includes('answers NOGOODSLAVE'))).toBe(true);
  expect((await replication(l, 'replica-1')).role).toBe('master');
}, 60_000);
