// From ConnectOptions to the Transport every connection of a session uses (TLS settings read
// from their files, the SSH tunnel opened, the trusted hosts compiled), and the summary of it
// that every front end shows.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ConnectionSummary, ConnectOptions } from '../shared/types';
import { openTunnel } from './ssh-tunnel';
import { compileTrustedHosts, hostsOf, type TrustedHosts } from './trusted-hosts';
import { loadTlsOptions } from './tls-options';
import type { Transport } from './transport';

/** How long the seeds' host names may take to resolve (their addresses are trusted too). */
const RESOLVE_TIMEOUT_MS = 1000;

/** Build the session's transport. Rejects with an EngineError naming what is wrong (a file, the tunnel). */
export async function openTransport(options: ConnectOptions): Promise<Transport> {
  const transport: Transport = {};
  // Checked before the tunnel opens: a wrong file path is the user's to fix, not worth an SSH session.
  if (options.tls?.enabled) transport.tls = await loadTlsOptions(options.tls);
  const trusted = await trustedHostsOf(options);
  transport.trusts = trusted.trusts;
  transport.trustAlso = trusted.add;
  // SSH last: nothing after it can fail and leave the session open; the registry closes it on disconnect.
  if (options.ssh) transport.tunnel = await openTunnel(options.ssh);
  return transport;
}

/**
 * The hosts that may receive the credentials: the seeds' (and the addresses their names resolve
 * to, so a seed "db1.internal" trusts the IP its master lists it by), the Sentinels', the address
 * map's targets, and the user's own patterns.
 */
async function trustedHostsOf(options: ConnectOptions): Promise<TrustedHosts> {
  const entryHosts = hostsOf([...options.seeds, ...(options.sentinel?.addresses ?? [])]);
  const mapTargets = hostsOf(Object.values(options.addressMap ?? {}));
  const resolved = await Promise.all(entryHosts.filter((host) => isIP(host) === 0).map(resolve));
  return compileTrustedHosts([...entryHosts, ...mapTargets, ...resolved.flat(), ...(options.trustedHosts ?? [])]);
}

async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((done) => {
    timer = setTimeout(() => done([]), RESOLVE_TIMEOUT_MS);
  });
  const lookedUp = lookup(host, { all: true }).then(
    (addresses) => addresses.map((a) => a.address),
    () => [],
  );
  try {
    return await Promise.race([lookedUp, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
