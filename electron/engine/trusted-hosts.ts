// Which hosts may be sent the password. A master lists its replicas by whatever address they
// announce, so a hostile or misconfigured node can name any host; the console only sends the
// credentials where the user pointed it (the seeds, the Sentinels, the address map's targets)
// and where the user said it may (patterns: exact names or IPs, *.wildcards, CIDRs).
import { BlockList, isIP } from 'node:net';
import { parseAddress } from './address';
import { EngineError } from './errors';

/** A compiled list of trust patterns: `trusts(host)` answers for one host as a node is listed. */
export interface TrustedHosts {
  trusts(host: string): boolean;
  /** Trust more exact hosts from now on (bad ones are ignored: they come from servers, not the user). */
  add(hosts: readonly string[]): void;
}

/** Throws BAD_ARGUMENT naming the pattern when it is not a host, an IP, a *.wildcard or a CIDR. */
export function checkTrustPattern(pattern: string): void {
  compilePattern(pattern);
}

/** Compile patterns (exact host or IP, `*.db.internal`, `10.0.0.0/8`, `fd00::/8`); throws BAD_ARGUMENT on a bad one. */
export function compileTrustedHosts(patterns: readonly string[]): TrustedHosts {
  const tests = patterns.map(compilePattern);
  const extra = new Set<string>();
  return {
    trusts: (host) => {
      const normalized = normalizeHost(host);
      return extra.has(normalized) || tests.some((test) => test(normalized));
    },
    add: (hosts) => {
      for (const host of hosts) extra.add(normalizeHost(host));
    },
  };
}

/** The hosts of "host:port" addresses, skipping any that do not parse. */
export function hostsOf(addresses: readonly string[]): string[] {
  return addresses.flatMap((address) => {
    try {
      return [parseAddress(address).host];
    } catch {
      return [];
    }
  });
}

type HostTest = (host: string) => boolean;

function compilePattern(raw: string): HostTest {
  const pattern = normalizeHost(raw);
  if (pattern.length === 0 || pattern.length > 300 || /\s/.test(pattern)) {
    throw new EngineError('BAD_ARGUMENT', `trusted host "${raw.slice(0, 100)}": expected a host name, an IP address, *.domain or a CIDR such as 10.0.0.0/8`);
  }
  const slash = pattern.indexOf('/');
  if (slash !== -1) return cidr(pattern, raw, slash);
  const family = isIP(pattern);
  if (family !== 0) {
    const list = new BlockList();
    list.addAddress(pattern, family === 6 ? 'ipv6' : 'ipv4');
    return (host) => matchesList(list, host);
  }
  if (pattern.includes('*')) {
    if (!/^[a-z0-9_*.-]+$/.test(pattern)) throw badPattern(raw, 'a wildcard may hold letters, digits, ".", "-", "_" and "*"');
    // "*" stands for any run of characters, so *.db.internal covers a.db.internal and a.b.db.internal.
    const source = pattern.split('*').map(escapeRegExp).join('.*');
    const regex = new RegExp(`^${source}$`);
    return (host) => isIP(host) === 0 && regex.test(host);
  }
  if (!/^[a-z0-9_.-]+$/.test(pattern)) throw badPattern(raw, 'not a host name or IP address');
  return (host) => host === pattern;
}

function cidr(pattern: string, raw: string, slash: number): HostTest {
  const network = pattern.slice(0, slash);
  const prefixText = pattern.slice(slash + 1);
  const family = isIP(network);
  const max = family === 6 ? 128 : 32;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (family === 0) throw badPattern(raw, `"${network.slice(0, 60)}" is not an IP address`);
  if (!(prefix >= 0 && prefix <= max)) throw badPattern(raw, `the prefix length must be 0–${max}`);
  const list = new BlockList();
  list.addSubnet(network, prefix, family === 6 ? 'ipv6' : 'ipv4');
  return (host) => matchesList(list, host);
}

function matchesList(list: BlockList, host: string): boolean {
  const family = isIP(host);
  if (family === 0) return false;
  return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/** Lower-case, without IPv6 brackets or a trailing dot ("[::1]" → "::1", "DB1.Example." → "db1.example"). */
function normalizeHost(text: string): string {
  let host = text.trim().toLowerCase();
  if (host.startsWith('[') && host.includes(']')) host = host.slice(1, host.indexOf(']')) + host.slice(host.indexOf(']') + 1);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function badPattern(raw: string, why: string): EngineError {
  return new EngineError('BAD_ARGUMENT', `trusted host "${raw.slice(0, 100)}": ${why}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
