// A group of real redis-servers that each have a plain port and a tls-port, replicating some over
// TLS and some in the clear (tls-replication): where a re-pointed replica must be given its new
// master's port of its own transport (TLS_REPLICATION).
import { freePort } from '../../electron/lab/free-port';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { direct } from './actions';
import type { TestCertificates } from './tls-certs';

export const MIXED_NAMES = ['master', 'replica-1', 'replica-2'];

/**
 * A master with two replicas, each given a tls-port beside its port; the master alone has
 * tls-replication yes (it does not dial anyone while it is the master). Its replicas replicate in
 * the clear, so it lists them by their plain ports. Returns each node's TLS port; the caller
 * closes the lab.
 */
export async function startMixedTransportGroup(certs: TestCertificates): Promise<{ lab: Lab; tlsPort: Record<string, number> }> {
  const lab = await Lab.start({ nodes: masterWithReplicas(2) });
  const tlsPort: Record<string, number> = {};
  try {
    for (const name of MIXED_NAMES) {
      const port = await freePort();
      tlsPort[name] = port;
      const client = direct(lab, name);
      try {
        await client.call('CONFIG', 'SET', 'tls-cert-file', certs.serverCert, 'tls-key-file', certs.serverKey, 'tls-ca-cert-file', certs.caFile, 'tls-auth-clients', 'no');
        await client.call('CONFIG', 'SET', 'tls-port', String(port));
        if (name === 'master') {
          await client.call('CONFIG', 'SET', 'tls-replication', 'yes');
          for (let i = 0; i < 100; i++) await client.set(`before:${i}`, String(i));
        }
      } finally {
        client.disconnect();
      }
    }
  } catch (error) {
    await lab.close();
    throw error;
  }
  return { lab, tlsPort };
}
