import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const POLL_MS = 250;

const own = disposeAfterEach();

describe('MASTER_DOWN', () => {
  it('a dead root master is one headline naming its orphaned replicas, with the per-node warnings folded under it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
    const master = lab.address('master');
    const replicas = ['replica-1', 'replica-2', 'replica-3'].map((n) => lab.address(n));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });

    await lab.kill('master');
    const { snapshot } = await waitForTick(
      engine,
      (u) => (u.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.folded?.filter((w) => w.code === 'UNKNOWN_MASTER').length ?? 0) === 3,
      10_000,
      'MASTER_DOWN with three UNKNOWN_MASTER folded',
    );
    const headlines = snapshot.warnings.filter((w) => w.code === 'MASTER_DOWN');
    expect(headlines).toHaveLength(1);
    const headline = headlines[0];
    expect(headline?.message).toMatch(new RegExp(`^${master.replace(/\./g, '\\.')} down since \\d\\d:\\d\\d:\\d\\d UTC; 3 replicas orphaned → fail over`));
    expect(headline?.nodes[0]).toBe(master);
    expect(headline?.nodes.slice(1).sort()).toEqual([...replicas].sort());
    expect(headline?.folded?.map((w) => w.code).sort()).toEqual(['STALLED_UPSTREAM', 'UNKNOWN_MASTER', 'UNKNOWN_MASTER', 'UNKNOWN_MASTER', 'UNREACHABLE']);
    // Nothing it explains stays beside it.
    for (const code of ['UNKNOWN_MASTER', 'UNREACHABLE', 'STALLED_UPSTREAM']) expect(snapshot.warnings.map((w) => w.code)).not.toContain(code);

    await lab.restart('master');
    await waitForTick(engine, (u) => !u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN'), 15_000, 'MASTER_DOWN gone');
  });
});
