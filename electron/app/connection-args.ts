// What the connection options mean, for every command line: the CLI's topology, watch, topology
// changes and interrupted report, and the web mode's and the desktop app's arguments (the options
// themselves, their parser and their help are options.ts's table).
// The flag names are redis-cli's where it has one (--tls, --cacert, --cert, --key, --sni,
// --insecure, --askpass, --user, REDISCLI_AUTH), so runbooks carry over.
import { parseMapEntries } from '../engine/address-map';
import { formatAddress, parseAddress } from '../engine/address';
import { EngineError } from '../engine/errors';
import { checkTrustPattern } from '../engine/trusted-hosts';
import { parseSeed, redactSeed, SeedError, type Seed } from '../shared/seed-url';
import type { StartupCheckOptions } from '../engine/actions/interrupted';
import type { ConnectOptions, SentinelOptions, SshOptions, TlsOptions } from '../shared/types';
import { CONNECTION_HELP, UsageError, type ConnectionOptionName, type OptionValues } from './options';

export { CONNECTION_HELP };

/** The values parseOptions returns for the connection options (options.ts). */
export type ConnectionValues = OptionValues<ConnectionOptionName>;

/** A mistake in the connection options: the front end prints it with its usage and exits 2. */
export class ConnectionUsageError extends UsageError {
  override name = 'ConnectionUsageError';
}

export interface ParsedConnection {
  options: ConnectOptions;
  /** --timeout: connect and command timeout, ms. */
  timeoutMs: number;
  /** Secrets still to be asked on the terminal. */
  ask: { password: boolean; ssh: 'passphrase' | 'password' | null };
  /** Lines for stderr: a password on the command line is visible to other users. */
  notices: string[];
}

const PASSWORD_NOTICE =
  'Warning: a password on the command line is visible to other users (ps, shell history): use --askpass or the REDISCLI_AUTH environment variable instead.';
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/**
 * Map the parsed flags to ConnectOptions. `requireEntry`: at least one --seed or --sentinel
 * (the topology changes find their seeds in --node/--to when none is given). Throws
 * ConnectionUsageError with the flag's name; never puts a password in a message.
 */
export function parseConnection(
  values: ConnectionValues,
  { env = process.env, requireEntry = true }: { env?: NodeJS.ProcessEnv; requireEntry?: boolean } = {},
): ParsedConnection {
  const notices: string[] = [];
  const seeds = (values.seed ?? []).map(seedOf);
  const options: ConnectOptions = { seeds: unique(seeds.map((s) => s.address)) };

  const fromUrls = credentialsOfUrls(seeds);
  const user = values.user ?? fromUrls.user;
  if (user !== undefined) {
    if (user.length === 0) throw new ConnectionUsageError('--user is empty');
    options.user = user;
  }
  if (values.password !== undefined && values.askpass) throw new ConnectionUsageError('give --password or --askpass, not both');
  if (values.password !== undefined || fromUrls.password !== undefined) notices.push(PASSWORD_NOTICE);
  const password = values.password ?? fromUrls.password ?? (values.askpass ? undefined : env.REDISCLI_AUTH || undefined);
  if (password !== undefined) options.password = password;

  const tls = tlsOf(values, seeds);
  if (tls) options.tls = tls;
  const ssh = sshOf(values);
  if (ssh) options.ssh = ssh;
  const sentinel = sentinelOf(values);
  if (sentinel) {
    options.sentinel = sentinel;
    if (values['sentinel-password'] !== undefined && values.password === undefined && fromUrls.password === undefined) notices.push(PASSWORD_NOTICE);
  }
  if (requireEntry && options.seeds.length === 0 && !sentinel) {
    throw new ConnectionUsageError('give at least one --seed HOST:PORT (or --sentinel HOST:PORT --master-name NAME)');
  }
  if (values.trust?.length) {
    for (const pattern of values.trust) checkUsage(() => checkTrustPattern(pattern));
    options.trustedHosts = unique(values.trust.map((p) => p.trim()));
  }
  if (values['read-only']) options.readOnly = true;
  if (values.map?.length) options.addressMap = checkUsage(() => parseMapEntries(values.map ?? []));
  options.pollIntervalMs = milliseconds(values.interval, 'interval', 1000);
  return {
    options,
    timeoutMs: milliseconds(values.timeout, 'timeout', 2000),
    ask: { password: values.askpass === true, ssh: ssh && values['ssh-askpass'] ? (ssh.keyFile ? 'passphrase' : 'password') : null },
    notices,
  };
}

/** Reads one secret without echo: the terminal's answer, or one line of piped stdin. */
export type SecretReader = (prompt: string) => Promise<string>;

/** Fill in the secrets --askpass and --ssh-askpass ask for, with redis-cli's and ssh's prompts. */
export async function askSecrets(parsed: ParsedConnection, readSecret: SecretReader): Promise<ConnectOptions> {
  const options: ConnectOptions = { ...parsed.options };
  if (parsed.ask.password) options.password = await readSecret('Please input password: ');
  const ssh = options.ssh;
  if (ssh && parsed.ask.ssh === 'passphrase') options.ssh = { ...ssh, passphrase: await readSecret(`Enter passphrase for key '${ssh.keyFile ?? ''}': `) };
  if (ssh && parsed.ask.ssh === 'password') options.ssh = { ...ssh, password: await readSecret(`${ssh.user}@${ssh.host}'s password: `) };
  return options;
}

/** What reading an interrupted plan's nodes at start needs of a connection: its credentials and its way in. */
export function startupCheckFor(options: ConnectOptions | null): StartupCheckOptions {
  if (!options) return {};
  const { user, password, tls, ssh, trustedHosts, addressMap } = options;
  return { user, password, connection: { tls, ssh, trustedHosts, addressMap } };
}

function seedOf(text: string): Seed {
  try {
    return parseSeed(text);
  } catch (error) {
    if (error instanceof SeedError) throw new ConnectionUsageError(`--seed ${error.message}`);
    throw error;
  }
}

/** The one user and password the URL seeds carry; different ones on different seeds are refused. */
function credentialsOfUrls(seeds: Seed[]): { user?: string; password?: string } {
  const users = unique(seeds.flatMap((s) => (s.user === undefined ? [] : [s.user])));
  const passwords = unique(seeds.flatMap((s) => (s.password === undefined ? [] : [s.password])));
  if (users.length > 1 || passwords.length > 1) {
    throw new ConnectionUsageError('the --seed URLs carry different users or passwords: one connection has one set of credentials');
  }
  return { ...(users[0] === undefined ? {} : { user: users[0] }), ...(passwords[0] === undefined ? {} : { password: passwords[0] }) };
}

function tlsOf(values: ConnectionValues, seeds: Seed[]): TlsOptions | null {
  const tlsUrls = seeds.filter((s) => s.tls).length;
  const plainUrls = (values.seed ?? []).filter((text) => /^\s*redis:\/\//i.test(text)).length;
  if (tlsUrls > 0 && plainUrls > 0) throw new ConnectionUsageError('the --seed URLs mix redis:// and rediss://: every node of one connection uses TLS or none does');
  const enabled = values.tls === true || tlsUrls > 0;
  const given = (['cacert', 'cert', 'key', 'sni', 'insecure'] as const).filter((name) => values[name] !== undefined);
  if (!enabled) {
    if (given.length > 0) throw new ConnectionUsageError(`--${given[0]} needs --tls (or a rediss:// seed)`);
    return null;
  }
  if (values.key !== undefined && values.cert === undefined) throw new ConnectionUsageError('--key needs --cert (the client certificate it belongs to)');
  if (values.cert !== undefined && values.key === undefined) throw new ConnectionUsageError('--cert needs --key (its private key)');
  for (const name of ['cacert', 'cert', 'key', 'sni'] as const) {
    if (values[name] === '') throw new ConnectionUsageError(`--${name} is empty`);
  }
  const tls: TlsOptions = { enabled: true };
  if (values.cacert !== undefined) tls.caFile = values.cacert;
  if (values.cert !== undefined) tls.certFile = values.cert;
  if (values.key !== undefined) tls.keyFile = values.key;
  if (values.sni !== undefined) tls.sni = values.sni;
  if (values.insecure) tls.insecure = true;
  return tls;
}

function sshOf(values: ConnectionValues): SshOptions | null {
  const target = values.ssh;
  if (target === undefined) {
    const stray = (['ssh-key', 'ssh-askpass', 'ssh-known-hosts', 'ssh-accept-host-key'] as const).find((name) => values[name] !== undefined);
    if (stray) throw new ConnectionUsageError(`--${stray} needs --ssh USER@HOST[:PORT]`);
    return null;
  }
  const at = target.lastIndexOf('@');
  const user = at === -1 ? '' : target.slice(0, at);
  if (user.length === 0) throw new ConnectionUsageError(`--ssh must be USER@HOST[:PORT], not "${redactSeed(target).slice(0, 100)}"`);
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseAddress(target.slice(at + 1), 22));
  } catch {
    throw new ConnectionUsageError(`--ssh must be USER@HOST[:PORT], not "${redactSeed(target).slice(0, 100)}"`);
  }
  const ssh: SshOptions = { host, user, ...(port === 22 ? {} : { port }) };
  if (values['ssh-key'] !== undefined) ssh.keyFile = values['ssh-key'];
  if (values['ssh-known-hosts'] !== undefined) ssh.knownHostsFile = values['ssh-known-hosts'];
  const fingerprint = values['ssh-accept-host-key'];
  if (fingerprint !== undefined) {
    if (!FINGERPRINT.test(fingerprint)) throw new ConnectionUsageError(`--ssh-accept-host-key must be a SHA256:… fingerprint as ssh shows it, not "${fingerprint.slice(0, 80)}"`);
    ssh.acceptHostKey = fingerprint;
  }
  return ssh;
}

function sentinelOf(values: ConnectionValues): SentinelOptions | null {
  const addresses = values.sentinel ?? [];
  const masterName = values['master-name'];
  if (addresses.length === 0) {
    const stray = (['master-name', 'sentinel-user', 'sentinel-password'] as const).find((name) => values[name] !== undefined);
    // A Sentinel given with --seed is read with the data nodes' credentials: say how to give it as one.
    if (stray) throw new ConnectionUsageError(`--${stray} needs --sentinel HOST:PORT (a Sentinel given with --seed is read with the data nodes' --user/--password: give it as --sentinel HOST:PORT --master-name NAME to use --sentinel-user/--sentinel-password)`);
    return null;
  }
  if (!masterName) throw new ConnectionUsageError('--sentinel needs --master-name NAME (the name Sentinel monitors the master by)');
  const sentinel: SentinelOptions = {
    masterName,
    addresses: unique(
      addresses.map((text) => {
        try {
          const { host, port } = parseAddress(text, 26379);
          return formatAddress(host, port);
        } catch {
          throw new ConnectionUsageError(`--sentinel must be HOST:PORT, not "${redactSeed(text).slice(0, 100)}"`);
        }
      }),
    ),
  };
  if (values['sentinel-user'] !== undefined) sentinel.user = values['sentinel-user'];
  if (values['sentinel-password'] !== undefined) sentinel.password = values['sentinel-password'];
  return sentinel;
}

function milliseconds(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 100 && value <= 60_000)) throw new ConnectionUsageError(`--${name} must be 100–60000 ms, not "${text.slice(0, 40)}"`);
  return value;
}

function checkUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof EngineError) throw new ConnectionUsageError(error.message);
    throw error;
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
