// A master may list a replica anywhere: the console sends the password only to trusted hosts.
// Two fake servers on two loopback hosts stand in for a master and a replica it lists elsewhere,
// because only a fake can show every command it received (AUTH included).
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { disposeAfterEach } from '../helpers/dispose';
import { FakeRespServer, masterReplication } from '../helpers/fake-resp-server';

const own = disposeAfterEach();
const PASSWORD = 'trust-test-secret';

async function masterListingElsewhere(): Promise<{ master: FakeRespServer; replica: FakeRespServer }> {
  const replica = own(await FakeRespServer.start({ host: '127.0.0.2', password: PASSWORD }));
  const master = own(
    await FakeRespServer.start({ password: PASSWORD, info: { replication: masterReplication([{ ip: '127.0.0.2', port: replica.port }]) } }),
  );
  return { master, replica };
}

describe('trusted hosts', () => {
  it('never sends the password to a listed node outside them: it is UNTRUSTED_HOST, with a warning', async () => {
    const { master, replica } = await masterListingElsewhere();
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    const snapshot = await engine.connect({ seeds: [master.address], password: PASSWORD });
    await engine.refresh();
    expect(master.received('AUTH')).toBeGreaterThan(0);
    expect(replica.received('AUTH')).toBe(0);
    expect(replica.commands).toBeGreaterThan(0);
    const node = engine.snapshot()?.nodes.find((n) => n.address === replica.address);
    expect(node?.reachable).toBe(false);
    expect(node?.error).toEqual({
      code: 'UNTRUSTED_HOST',
      message: `${replica.address} was not sent the password: it is outside the trusted hosts; trust it with --trust 127.0.0.2 or add it to the connection's trusted hosts`,
    });
    const warning = snapshot.warnings.find((w) => w.code === 'UNTRUSTED_HOST');
    expect(warning?.nodes).toEqual([replica.address]);
    expect(warning?.message).toMatch(/--trust 127\.0\.0\.2/);
    expect(JSON.stringify(engine.snapshot())).not.toContain(PASSWORD);
  });

  it('sends it once the host is trusted (exact, CIDR), and warns of nothing', async () => {
    for (const trusted of ['127.0.0.2', '127.0.0.0/30']) {
      const { master, replica } = await masterListingElsewhere();
      const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
      const snapshot = await engine.connect({ seeds: [master.address], password: PASSWORD, trustedHosts: [trusted] });
      expect(replica.received('AUTH')).toBeGreaterThan(0);
      expect(snapshot.nodes.find((n) => n.address === replica.address)?.reachable).toBe(true);
      expect(snapshot.warnings.map((w) => w.code)).not.toContain('UNTRUSTED_HOST');
      await engine.disconnect();
    }
  });

  it('without a password there is nothing to keep: no warning', async () => {
    const replica = own(await FakeRespServer.start({ host: '127.0.0.2' }));
    const master = own(await FakeRespServer.start({ info: { replication: masterReplication([{ ip: '127.0.0.2', port: replica.port }]) } }));
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    const snapshot = await engine.connect({ seeds: [master.address] });
    expect(snapshot.nodes.find((n) => n.address === replica.address)?.reachable).toBe(true);
    expect(snapshot.warnings.map((w) => w.code)).not.toContain('UNTRUSTED_HOST');
  });
});
