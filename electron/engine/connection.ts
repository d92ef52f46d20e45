// From ConnectOptions to the Transport every connection of a session uses (TLS settings read
// from their files, the SSH tunnel opened, the trusted hosts compiled), and the summary of it
// that every front end shows.
import type { ConnectionSummary, ConnectOptions } from '../shared/types';
import type { Transport } from './transport';

/** Build the session's transport. Rejects with an EngineError naming what is wrong (a file, the tunnel). */
export async function openTransport(options: ConnectOptions): Promise<Transport> {
  void options;
  return {};
}

/** How the console is connected, without a secret. */
export function connectionSummary(options: ConnectOptions, profileName: string | null = null): ConnectionSummary {
  const ssh = options.ssh;
  return {
    tls: options.tls?.enabled === true,
    insecure: options.tls?.enabled === true && options.tls.insecure === true,
    ssh: ssh ? `${ssh.user}@${ssh.host}:${ssh.port ?? 22}` : null,
    sentinel: options.sentinel ? { masterName: options.sentinel.masterName, addresses: [...options.sentinel.addresses] } : null,
    user: options.user ?? null,
    readOnly: options.readOnly === true,
    trustedHosts: [...(options.trustedHosts ?? [])],
    profileName,
  };
}
