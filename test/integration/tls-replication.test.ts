// A switchover in a group of real redis-server 7.0 processes that each have a plain port and a
// tls-port, replicating some over TLS and some in the clear (tls-replication), reached by the
// console in the clear: every node ends up replicating from the new master at the port its own
// tls-replication dials (TLS_REPLICATION). The certificates are made by openssl in the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../electron/lab/lab';
import { caughtUp, check, direct, harness, planAndRun, replication } from '../helpers/actions';
import { startMixedTransportGroup } from '../helpers/mixed-transport';
import { disposeAfterEach } from '../helpers/dispose';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs';

const own = disposeAfterEach();
let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

async function mixedGroup(): Promise<{ lab: Lab; tlsPort: Record<string, number> }> {
  const group = await startMixedTransportGroup(certs);
  own(group.lab);
  return group;
}

describe('a switchover over mixed transports', () => {
  it.each(['auto', 'pause'] as const)(
    'method %s, to a replica listed at its plain port: the old master (tls-replication yes) follows it at its TLS port, the other replica at its plain port',
    async (method) => {
      const { lab, tlsPort } = await mixedGroup();
      const h = own(await harness(lab, 'master'));
      const [master, r1] = [lab.address('master'), lab.address('replica-1')];
      const { plan, outcome } = await planAndRun(h, { kind: 'switchover', to: r1, options: { switchoverMethod: method, stepTimeoutMs: 8000 } });

      expect(outcome.steps.map((s) => [s.command, s.status, s.message])).toEqual(plan.steps.map((s) => [s.command, 'ok', expect.any(String)]));
      expect(outcome.ok).toBe(true);
      // The report shows the old master under the new one, though it dials it at an address the console does not know it by.
      const byAddress = new Map(outcome.nodes.map((n) => [n.address, n]));
      for (const replica of [master, lab.address('replica-2')]) expect(byAddress.get(replica)).toMatchObject({ role: 'replica', master: r1, linkStatus: 'up' });
      expect(outcome.nextSteps.join(' ')).not.toMatch(/still replicates|does not show the planned end state/);
      // Each replica's link is up, to the new master's port of the transport it dials.
      expect(await replication(lab, 'master')).toMatchObject({ role: 'slave', master_port: String(tlsPort['replica-1']), master_link_status: 'up' });
      expect(await replication(lab, 'replica-2')).toMatchObject({ role: 'slave', master_port: String(lab.port('replica-1')), master_link_status: 'up' });
      expect(await replication(lab, 'replica-1')).toMatchObject({ role: 'master', connected_slaves: '2' });
      await caughtUp(lab, 'replica-1', ['master', 'replica-2']);
      const old = direct(lab, 'master');
      expect(await old.get('before:99')).toBe('99');
      old.disconnect();

      expect(check(plan, 'TLS_REPLICATION')).toMatchObject({
        verdict: 'ok',
        nodes: [master, r1],
        message: `${master} has tls-replication yes, so it dials its master over TLS: it is sent 127.0.0.1:${tlsPort['replica-1']}, ${r1}'s TLS port (${r1} is ${r1}'s plain port, where its link would stay down)`,
      });
      expect(plan.steps.filter((s) => s.command.startsWith('REPLICAOF 127.0.0.1')).map((s) => [s.node, s.command])).toEqual([
        [master, `REPLICAOF 127.0.0.1 ${tlsPort['replica-1']}`],
        [lab.address('replica-2'), `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`],
      ]);
    },
  );
});
