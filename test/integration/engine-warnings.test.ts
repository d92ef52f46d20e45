import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';


const own = disposeAfterEach();

async function on(port: number, work: (client: Redis) => Promise<unknown>): Promise<void> {
  const client = new Redis(port, '127.0.0.1');
  try {
    await work(client);
  } finally {
    client.disconnect();
  }
}

describe('topology warnings from real servers', () => {
  it('detects a replication cycle (Redis itself accepts one)', async () => {
    const lab = own(await Lab.start({ nodes: [{ name: 'a' }, { name: 'b' }] }));
    await on(lab.port('a'), (c) => c.replicaof('127.0.0.1', lab.port('b')));
    await on(lab.port('b'), (c) => c.replicaof('127.0.0.1', lab.port('a')));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('a')], pollIntervalMs: 250 });
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'CYCLE'), 5000, 'CYCLE');
    const cycle = snapshot.warnings.find((w) => w.code === 'CYCLE');
    expect(cycle?.nodes.sort()).toEqual([lab.address('a'), lab.address('b')].sort());
    expect(cycle?.message).toMatch(/Replication cycle: .* → .* → /);
    expect(snapshot.nodes.every((n) => n.depth === null)).toBe(true);
  });

  it('flags a master listing a replica that does not point back at it', async () => {
    const lab = own(await Lab.start({ nodes: [...masterWithReplicas(1), { name: 'loner' }] }));
    // The replica announces the loner's port: the master lists the loner, which is a master itself.
    await on(lab.port('replica-1'), async (c) => {
      await c.config('SET', 'replica-announce-port', String(lab.port('loner')));
      await c.replicaof('NO', 'ONE');
      await c.replicaof('127.0.0.1', lab.port('master'));
    });
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master'), lab.address('loner')], pollIntervalMs: 250 });
    const { snapshot } = await waitForTick(
      engine,
      (u) => u.snapshot.warnings.some((w) => w.code === 'NOT_POINTING_BACK'),
      5000,
      'NOT_POINTING_BACK',
    );
    const warning = snapshot.warnings.find((w) => w.code === 'NOT_POINTING_BACK');
    expect(warning?.nodes).toEqual([lab.address('master'), lab.address('loner')]);
    expect(warning?.message).toContain(`${lab.address('master')} lists ${lab.address('loner')} as its replica`);
  });
});
