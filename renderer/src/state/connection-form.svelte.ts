// The connect form: data-node seeds or Sentinels, credentials, TLS, SSH, trusted hosts, address
// map, poll interval and read-only, what they parse to, and each field's problem. Secrets live
// only here, in memory, until the connection is made (or a profile stores them in the main
// process); a profile's stored secrets are never shown back, only that they are stored.
import type { ConnectionProfile, ProfileInput, SecretName } from '../../../electron/shared/profiles';
import { isSeedUrl, parseSeed, type Seed } from '../../../electron/shared/seed-url';
import { isAddress } from '../../../electron/shared/address-schema';
import type { Address, ConnectOptions, SentinelOptions, SshOptions, TlsOptions } from '../../../electron/shared/types';
import { detached } from '../lib/detached.svelte';

export type EntryMode = 'seeds' | 'sentinel';
export type SshAuth = 'key' | 'password';

/** Every field that can have a problem, by name (the components put the message under it). */
export type FormField =
  | 'seeds'
  | 'sentinels'
  | 'masterName'
  | 'tlsFiles'
  | 'sni'
  | 'sshHost'
  | 'sshPort'
  | 'sshUser'
  | 'sshKey'
  | 'trustedHosts'
  | 'addressMap'
  | 'pollInterval';

export type FormProblems = Partial<Record<FormField, string>>;

const NO_SECRETS: Record<SecretName, boolean> = { password: false, sentinelPassword: false, sshPassword: false, sshPassphrase: false };
const MASTER_NAME = /^\S{1,256}$/;
const HOST = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/** Tokens of a list field: commas, spaces, semicolons or new lines between them. */
function tokens(text: string): string[] {
  return text.split(/[\s,;]+/).filter((t) => t !== '');
}

/** Lines of a one-per-line field, trimmed, blank ones dropped. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Why a trusted-host pattern is not one, or null: a host, an IP, *.domain, or a CIDR. */
export function trustedHostProblem(pattern: string): string | null {
  const slash = pattern.indexOf('/');
  if (slash >= 0) {
    const ip = pattern.slice(0, slash);
    const bits = pattern.slice(slash + 1);
    const max = IPV4.test(ip) ? 32 : IPV6.test(ip) ? 128 : null;
    if (max === null) return `"${pattern}": a CIDR starts with an IP address (10.0.0.0/8)`;
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${pattern}": the prefix length must be 0–${max}`;
    return null;
  }
  const host = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  if (host.includes('*')) return `"${pattern}": a wildcard stands only at the start, as in *.db.internal`;
  if (IPV4.test(host) || HOST.test(host) || (IPV6.test(host.replace(/^\[|\]$/g, '')) && !pattern.startsWith('*.'))) return null;
  return `"${pattern}": not a host, *.domain or CIDR`;
}

interface SeedsParse {
  seeds: Address[];
  /** A rediss:// seed among them. */
  tls: boolean;
  problem: string | null;
}

function parseSeedList(text: string, what: string): SeedsParse {
  const seeds: Address[] = [];
  let tls = false;
  for (const token of tokens(text)) {
    let seed: Seed;
    try {
      seed = parseSeed(token);
    } catch (error) {
      return { seeds, tls, problem: error instanceof Error ? error.message : `"${token}" is not an address` };
    }
    tls ||= seed.tls;
    if (!seeds.includes(seed.address)) seeds.push(seed.address);
  }
  return { seeds, tls, problem: seeds.length === 0 ? `Enter at least one ${what}.` : null };
}

/**
 * A URL seed with the password taken out: `redis://user:pw@h:1` gives the password and
 * `redis://user@h:1`. The user info is read by parseSeed even while the host is still being typed.
 */
function withoutPassword(token: string): { shown: string; seed: Partial<Seed> } | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)/.exec(token)?.[1];
  if (!scheme) return null;
  const rest = token.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return null;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0) return null;
  let seed: Partial<Seed>;
  try {
    // Only the user info matters here; "localhost" stands in for a host not typed yet.
    const parsed = parseSeed(`${scheme}${userInfo}@localhost`);
    seed = { user: parsed.user, password: parsed.password, tls: parsed.tls };
  } catch {
    return null;
  }
  const user = userInfo.slice(0, colon);
  return { shown: `${scheme}${user === '' ? '' : `${user}@`}${rest.slice(at + 1)}`, seed };
}

/** One form per tab (keyed by its session): after a disconnect, TLS, SSH and the rest are still filled in. */
const FORMS = new WeakMap<object, ConnectionForm>();

export class ConnectionForm {
  /** The form of `owner` (a tab's session), made on first use; `created` says whether it is new. */
  static for(owner: object): { form: ConnectionForm; created: boolean } {
    const existing = FORMS.get(owner);
    if (existing) return { form: existing, created: false };
    // The connect screen that asks first is gone after a connect; the next one reads the same form.
    const form = detached(() => new ConnectionForm());
    FORMS.set(owner, form);
    return { form, created: true };
  }

  mode = $state<EntryMode>('seeds');
  #seedsText = $state('');
  user = $state('');
  password = $state('');

  sentinelsText = $state('');
  masterName = $state('');
  sentinelUser = $state('');
  sentinelPassword = $state('');

  tlsEnabled = $state(false);
  caFile = $state('');
  certFile = $state('');
  keyFile = $state('');
  sni = $state('');
  insecure = $state(false);

  sshEnabled = $state(false);
  sshHost = $state('');
  sshPort = $state('');
  sshUser = $state('');
  sshAuth = $state<SshAuth>('key');
  sshKeyFile = $state('');
  sshPassphrase = $state('');
  sshPassword = $state('');

  trustedHostsText = $state('');
  addressMapText = $state('');
  /** Seconds, as typed; empty: the engine's default. */
  pollText = $state('');
  readOnly = $state(false);

  /** The profile the form was filled from (its stored secrets fill what is left empty), or null. */
  profileId = $state<string | null>(null);
  profileName = $state('');
  /** Which secrets that profile stores: shown as "saved", never their values. */
  storedSecrets = $state.raw<Record<SecretName, boolean>>(NO_SECRETS);

  /**
   * The seeds field. A URL's password moves to the password field as soon as it is typed or
   * pasted, and the URL stays without it; rediss:// turns TLS on; the URL's user fills User.
   */
  get seedsText(): string {
    return this.#seedsText;
  }
  set seedsText(text: string) {
    this.#seedsText = this.#absorbUrls(text);
  }

  readonly #seeds: SeedsParse = $derived(parseSeedList(this.#seedsText, 'host:port or redis:// URL'));
  readonly #sentinels: SeedsParse = $derived(parseSeedList(this.sentinelsText, 'Sentinel host:port'));
  readonly trustedHosts: string[] = $derived(lines(this.trustedHostsText));

  readonly #addressMap = $derived.by((): { map: Record<Address, Address>; problem: string | null } => {
    const map: Record<Address, Address> = {};
    for (const line of lines(this.addressMapText)) {
      const [from = '', to = '', extra] = line.split('=').map((s) => s.trim());
      if (extra !== undefined || !isAddress(from) || !isAddress(to)) {
        return { map, problem: `"${line}": write one FROM=TO per line, both as host:port (10.0.0.5:6379=127.0.0.1:16379)` };
      }
      map[from] = to;
    }
    return { map, problem: null };
  });

  readonly #pollMs = $derived.by((): { ms: number | null; problem: string | null } => {
    const text = this.pollText.trim();
    if (text === '') return { ms: null, problem: null };
    const seconds = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || seconds < 0.1 || seconds > 60) return { ms: null, problem: 'Poll interval: a number of seconds from 0.1 to 60.' };
    return { ms: Math.round(seconds * 1000), problem: null };
  });

  /** Every field's problem; empty when the form can be sent. */
  readonly problems: FormProblems = $derived.by(() => {
    const p: FormProblems = {};
    if (this.mode === 'seeds') {
      // A profile brings its own seeds: connecting through it needs none typed.
      if (this.#seeds.problem && !(this.profileId !== null && this.#seedsText.trim() === '')) p.seeds = this.#seeds.problem;
    } else {
      if (this.#sentinels.problem) p.sentinels = this.#sentinels.problem;
      if (!MASTER_NAME.test(this.masterName.trim())) p.masterName = 'Enter the master name Sentinel monitors (sentinel.conf: sentinel monitor NAME …), without spaces.';
    }
    if (this.tlsEnabled) {
      if ((this.certFile.trim() === '') !== (this.keyFile.trim() === '')) p.tlsFiles = 'A client certificate needs its key, and a key its certificate.';
      if (this.sni.trim() !== '' && !HOST.test(this.sni.trim())) p.sni = 'SNI: a host name such as redis.example.com.';
    }
    if (this.sshEnabled) {
      const host = this.sshHost.trim();
      if (host === '') p.sshHost = 'Enter the SSH host (the bastion).';
      else if (!HOST.test(host) && !IPV6.test(host)) p.sshHost = `"${host}" is not a host name or IP address.`;
      const port = this.sshPort.trim();
      if (port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) p.sshPort = 'SSH port: 1–65535 (empty: 22).';
      if (this.sshUser.trim() === '') p.sshUser = 'Enter the SSH user.';
      if (this.sshAuth === 'key' && this.sshKeyFile.trim() === '') p.sshKey = 'Enter the private key file (for example ~/.ssh/id_ed25519), or choose password.';
    }
    const badHost = this.trustedHosts.map(trustedHostProblem).find((x) => x !== null);
    if (badHost) p.trustedHosts = badHost;
    if (this.#addressMap.problem) p.addressMap = this.#addressMap.problem;
    if (this.#pollMs.problem) p.pollInterval = this.#pollMs.problem;
    return p;
  });

  /** The first problem, for a summary next to the Connect button. */
  readonly firstProblem: string | null = $derived(Object.values(this.problems)[0] ?? null);
  readonly canSubmit: boolean = $derived(this.firstProblem === null);
  /** Kept for the recent connections and the existing callers: the seeds' own problem. */
  readonly seedsProblem: string | null = $derived(this.problems.seeds ?? null);
  /** The data-node seeds as addresses (URLs reduced to host:port). */
  readonly seeds: Address[] = $derived(this.#seeds.seeds);

  /**
   * What api.connect() gets. Empty fields are left out; a profile's id rides along.
   * `acceptHostKey`: the SSH host key fingerprint the user confirmed after HOST_KEY_UNKNOWN.
   */
  toOptions(acceptHostKey?: string): ConnectOptions {
    const options: ConnectOptions = { seeds: this.mode === 'seeds' ? [...this.#seeds.seeds] : [] };
    const user = this.user.trim();
    if (user !== '') options.user = user;
    if (this.password !== '') options.password = this.password;
    if (this.mode === 'sentinel') options.sentinel = this.#sentinelOptions(true);
    const tls = this.#tlsOptions();
    if (tls) options.tls = tls;
    const ssh = this.#sshOptions(true);
    if (ssh && acceptHostKey !== undefined) ssh.acceptHostKey = acceptHostKey;
    if (ssh) options.ssh = ssh;
    if (this.trustedHosts.length > 0) options.trustedHosts = [...this.trustedHosts];
    if (Object.keys(this.#addressMap.map).length > 0) options.addressMap = { ...this.#addressMap.map };
    if (this.#pollMs.ms !== null) options.pollIntervalMs = this.#pollMs.ms;
    if (this.readOnly) options.readOnly = true;
    if (this.profileId !== null) options.profileId = this.profileId;
    return options;
  }

  /**
   * The profile to save: the form's fields, and its secrets only when the user asked to remember
   * them. The profile the form came from is updated unless `asNew`.
   */
  toProfile(name: string, rememberSecrets: boolean, asNew = false): ProfileInput {
    const options = this.toOptions();
    const input: ProfileInput = { name: name.trim(), seeds: options.seeds };
    if (this.profileId !== null && !asNew) input.id = this.profileId;
    if (options.user) input.user = options.user;
    if (this.mode === 'sentinel') input.sentinel = this.#sentinelOptions(false);
    if (options.tls) input.tls = options.tls;
    const ssh = this.#sshOptions(false);
    if (ssh) input.ssh = ssh;
    if (options.addressMap) input.addressMap = options.addressMap;
    if (options.trustedHosts) input.trustedHosts = options.trustedHosts;
    if (options.pollIntervalMs !== undefined) input.pollIntervalMs = options.pollIntervalMs;
    if (options.readOnly) input.readOnly = true;
    if (rememberSecrets) {
      // A name left out keeps what the profile stores; only typed secrets replace it.
      const secrets: ProfileInput['secrets'] = {};
      if (this.password !== '') secrets.password = this.password;
      if (this.mode === 'sentinel' && this.sentinelPassword !== '') secrets.sentinelPassword = this.sentinelPassword;
      if (this.sshEnabled && this.sshAuth === 'password' && this.sshPassword !== '') secrets.sshPassword = this.sshPassword;
      if (this.sshEnabled && this.sshAuth === 'key' && this.sshPassphrase !== '') secrets.sshPassphrase = this.sshPassphrase;
      if (Object.keys(secrets).length > 0) input.secrets = secrets;
    }
    return input;
  }

  /** Fills the whole form from a profile; every secret field is emptied (the profile's own fill in on connect). */
  fillFromProfile(profile: ConnectionProfile): void {
    this.clearSecrets();
    this.profileId = profile.id;
    this.profileName = profile.name;
    this.storedSecrets = { ...profile.secrets };
    this.mode = profile.sentinel ? 'sentinel' : 'seeds';
    this.#seedsText = profile.seeds.join(', ');
    this.user = profile.user ?? '';
    this.sentinelsText = profile.sentinel?.addresses.join(', ') ?? '';
    this.masterName = profile.sentinel?.masterName ?? '';
    this.sentinelUser = profile.sentinel?.user ?? '';
    const tls = profile.tls;
    this.tlsEnabled = tls?.enabled ?? false;
    this.caFile = tls?.caFile ?? '';
    this.certFile = tls?.certFile ?? '';
    this.keyFile = tls?.keyFile ?? '';
    this.sni = tls?.sni ?? '';
    this.insecure = tls?.insecure ?? false;
    const ssh = profile.ssh;
    this.sshEnabled = ssh !== undefined;
    this.sshHost = ssh?.host ?? '';
    this.sshPort = ssh?.port === undefined ? '' : String(ssh.port);
    this.sshUser = ssh?.user ?? '';
    this.sshKeyFile = ssh?.keyFile ?? '';
    this.sshAuth = ssh && !ssh.keyFile && profile.secrets.sshPassword ? 'password' : 'key';
    this.trustedHostsText = (profile.trustedHosts ?? []).join('\n');
    this.addressMapText = Object.entries(profile.addressMap ?? {})
      .map(([from, to]) => `${from}=${to}`)
      .join('\n');
    this.pollText = profile.pollIntervalMs === undefined ? '' : String(profile.pollIntervalMs / 1000);
    this.readOnly = profile.readOnly ?? false;
  }

  /** Leaves the profile: the fields stay, they just no longer belong to it. */
  detachProfile(): void {
    this.profileId = null;
    this.profileName = '';
    this.storedSecrets = NO_SECRETS;
  }

  /** Fills seeds and user (from a recent connection or the lab); secrets are cleared, the profile left. */
  fill(seeds: readonly string[], user: string | null): void {
    this.detachProfile();
    this.mode = 'seeds';
    this.#seedsText = seeds.join(', ');
    this.user = user ?? '';
    this.clearSecrets();
  }

  clearPassword(): void {
    this.clearSecrets();
  }

  clearSecrets(): void {
    this.password = '';
    this.sentinelPassword = '';
    this.sshPassword = '';
    this.sshPassphrase = '';
  }

  #absorbUrls(text: string): string {
    if (!text.includes('://')) return text;
    return text.replace(/[^\s,;]+/g, (token) => {
      if (!isSeedUrl(token)) return token;
      if (/^rediss:\/\//i.test(token)) this.tlsEnabled = true;
      const cut = withoutPassword(token);
      if (!cut) return token;
      if (cut.seed.password !== undefined) this.password = cut.seed.password;
      if (cut.seed.user !== undefined) this.user = cut.seed.user;
      return cut.shown;
    });
  }

  #tlsOptions(): TlsOptions | undefined {
    // A rediss:// seed means TLS even if the switch was turned off after.
    const enabled = this.tlsEnabled || (this.mode === 'seeds' && this.#seeds.tls);
    if (!enabled) return undefined;
    const tls: TlsOptions = { enabled: true };
    if (this.caFile.trim() !== '') tls.caFile = this.caFile.trim();
    if (this.certFile.trim() !== '') tls.certFile = this.certFile.trim();
    if (this.keyFile.trim() !== '') tls.keyFile = this.keyFile.trim();
    if (this.sni.trim() !== '') tls.sni = this.sni.trim();
    if (this.insecure) tls.insecure = true;
    return tls;
  }

  #sshOptions(withSecrets: true): SshOptions | undefined;
  #sshOptions(withSecrets: false): Omit<SshOptions, 'password' | 'passphrase' | 'acceptHostKey'> | undefined;
  #sshOptions(withSecrets: boolean): SshOptions | undefined {
    if (!this.sshEnabled) return undefined;
    const ssh: SshOptions = { host: this.sshHost.trim(), user: this.sshUser.trim() };
    const port = this.sshPort.trim();
    if (port !== '') ssh.port = Number(port);
    if (this.sshAuth === 'key') {
      if (this.sshKeyFile.trim() !== '') ssh.keyFile = this.sshKeyFile.trim();
      if (withSecrets && this.sshPassphrase !== '') ssh.passphrase = this.sshPassphrase;
    } else if (withSecrets && this.sshPassword !== '') ssh.password = this.sshPassword;
    return ssh;
  }

  #sentinelOptions(withSecrets: true): SentinelOptions;
  #sentinelOptions(withSecrets: false): Omit<SentinelOptions, 'password'>;
  #sentinelOptions(withSecrets: boolean): SentinelOptions {
    const sentinel: SentinelOptions = { addresses: [...this.#sentinels.seeds], masterName: this.masterName.trim() };
    if (this.sentinelUser.trim() !== '') sentinel.user = this.sentinelUser.trim();
    if (withSecrets && this.sentinelPassword !== '') sentinel.password = this.sentinelPassword;
    return sentinel;
  }
}

/** The "SHA256:…" fingerprint a HOST_KEY_UNKNOWN error carries in its message, or null. */
export function hostKeyFingerprint(message: string): string | null {
  return /SHA256:[A-Za-z0-9+/]{43}=?/.exec(message)?.[0] ?? null;
}
