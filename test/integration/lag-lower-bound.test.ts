// A replica cut off from its master before the console started: its offset is older than all of
// the master's history the console holds, so "seconds behind" can only be that history's age, a
// lower bound. It read "143 B (10 ms)" as if exact; every output must say "at least".
import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { caughtUp, replication } from '../helpers/actions';
import { runCli } from '../helpers/cli';
import { disposeAfterEach } from '../helpers/dispose';
import { node, waitForTick } from '../helpers/engine';
import { until } from '../helpers/until';

const own = disposeAfterEach();
const CUT_OFF_MS = 1500;

describe('lag in seconds of a replica cut off before the console started', () => {
  it('is only "at least" the age of the master history held: flagged in the snapshot, said so by topology, watch and the LAG_SECONDS alert', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    await lab.waitForLinks();
    const [master, replica] = [lab.address('master'), lab.address('replica-1')];
    const m = new Redis(`redis://${master}`);
    const r = new Redis(`redis://${replica}`);
    own({ disconnect: async () => void (m.disconnect(), r.disconnect()) });

    await m.set('before', 'x');
    await caughtUp(lab, 'master', ['replica-1'], undefined, 10_000);
    // Cut off: its link dropped, and every reconnection fails at AUTH (a masterauth the master, which
    // has no password, refuses), before any sync starts. It keeps pointing at the master and keeps its
    // offset, link down, while the master takes writes. (A master refusing PSYNC by ACL instead had
    // the replica try a SYNC each second: read then, it showed as a full sync, with no lag.)
    await r.config('SET', 'masterauth', 'not-the-password');
    await r.call('CLIENT', 'KILL', 'TYPE', 'master');
    await until('the replica link down', async () => ((await replication(lab, 'replica-1')).master_link_status === 'down' ? true : undefined), 10_000);
    const cutAt = Date.now();
    for (let i = 0; Date.now() - cutAt < CUT_OFF_MS; i++) {
      await m.set(`after:${i % 100}`, 'x'.repeat(100));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master, replica], pollIntervalMs: 250 });
    const { snapshot } = await waitForTick(
      engine,
      (u) => u.snapshot.nodes.some((n) => n.address === replica && n.lag?.secondsBehind != null && (n.lag.bytesBehindMaster ?? 0) > 0),
      10_000,
      'a lag in seconds for the cut-off replica',
    );
    const lag = node(snapshot, replica).lag;
    // The history is younger than the cut: the figure is below the real lag, and flagged as a bound.
    expect(lag?.secondsBehind).toBeLessThan((Date.now() - cutAt) / 1000);
    expect(lag?.secondsBehindIsLowerBound).toBe(true);
    expect(node(snapshot, master).lag).toBeNull();

    const topology = await runCli(['topology', '--seed', master, '--seed', replica]);
    expect(topology.code).toBe(0);
    const line = topology.stdout.split('\n').find((l) => l.includes(replica)) ?? '';
    expect(line).toMatch(/lag \S+ \S*B \(at least \d+(\.\d+)? m?s\)/);

    const json = await runCli(['topology', '--seed', master, '--seed', replica, '--format', 'json']);
    const shown = (JSON.parse(json.stdout) as { nodes: { address: string; lagSeconds: number | null; lagSecondsIsLowerBound: boolean }[] }).nodes.find((n) => n.address === replica);
    expect(shown).toMatchObject({ lagSeconds: expect.any(Number), lagSecondsIsLowerBound: true });

    // The alert fires on the bound (the real lag is at least that) and says "at least".
    const watch = await runCli(['watch', '--seed', master, '--seed', replica, '--interval', '250', '--alerts', '--alert', 'lag-seconds=0.001', '--duration', '3']);
    expect(watch.stdout).toMatch(new RegExp(`FIRING\\s+LAG_SECONDS\\s+${replica.replace(/\./g, '\\.')}\\s+${replica.replace(/\./g, '\\.')} is at least \\S+ m?s behind`));
  });
});
