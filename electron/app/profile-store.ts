// Saved connections: profiles.json in the data directory, their secrets in a SecretStore (see
// secret-store.ts). The file is read again and checked against the profile schema on every
// call, so several front ends (the desktop app, web mode) see each other's changes, and it is
// written atomically. A file that cannot be read is moved aside and reported, never replaced
// by an empty list; an entry that fails the schema is reported, and the file holding it kept.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { ConnectionProfile, ProfileImportResult, ProfileInput, ProfileList, SecretName, SecretStorage } from '../shared/profiles';
import { profileIdSchema, profileInputSchema } from '../shared/profile-schema';
import type { ConnectOptions } from '../shared/types';
import { dataDir } from '../engine/actions/audit';
import { normalizeAddress } from '../engine/address';
import { EngineError } from '../engine/errors';
import { fsMessage, moveAside, readIfExists, writeFileAtomic } from './atomic-file';
import { FileSecretStore, MemorySecretStore, SECRET_NAMES, type SecretStore, type Secrets } from './secret-store';
import { SettingsFile } from './settings';

export const PROFILES_FILE = 'profiles.json';
/** What an export file says it is, so an import can tell it from any other JSON. */
export const EXPORT_FORMAT = 'replication-console-profiles';
const MAX_PROFILES = 1000;

/** A profile as the file holds it: the bridge's input without secrets, plus its id and when it was saved. */
const storedProfileSchema = profileInputSchema.omit({ secrets: true }).extend({
  id: profileIdSchema,
  savedAt: z.number().int().nonnegative(),
});
type StoredProfile = z.infer<typeof storedProfileSchema>;

const profilesFileSchema = z.strictObject({
  version: z.literal(1),
  profiles: z.array(z.unknown()).max(MAX_PROFILES),
});

/** One entry of an export: no id (an import gives new ones), no secrets, nothing unknown. */
const importedProfileSchema = profileInputSchema.omit({ id: true, secrets: true });

const exportFileSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  profiles: z.array(z.unknown()),
});

/** Field names that hold secrets anywhere in a profile: an import naming one is refused as carrying secrets. */
const SECRET_FIELDS = new Set<string>(['secrets', 'password', 'passphrase', ...SECRET_NAMES]);

export interface ProfileStoreOptions {
  /** The data directory; default dataDir() (tests give their own). */
  dir?: string;
  /**
   * The desktop app's store (SafeStorageSecretStore): fixed. Absent: the web mode's, in memory
   * unless the user opted in to the secrets file ('profile:secret-storage', remembered in settings.json).
   */
  secrets?: SecretStore;
  now?: () => number;
}

export class ProfileStore {
  readonly dir: string;
  readonly #settings: SettingsFile;
  readonly #fixedSecrets: boolean;
  #secrets: SecretStore;
  readonly #now: () => number;
  /** What was found wrong with the file while this store ran (kept aside, skipped entries), one line each. */
  readonly #problems: string[] = [];

  constructor(options: ProfileStoreOptions = {}) {
    this.dir = options.dir ?? dataDir();
    this.#now = options.now ?? Date.now;
    this.#settings = new SettingsFile(this.dir);
    this.#fixedSecrets = options.secrets !== undefined;
    this.#secrets = options.secrets ?? (this.#settings.read().secretStorage === 'file' ? new FileSecretStore(this.dir) : new MemorySecretStore());
  }

  get file(): string {
    return path.join(this.dir, PROFILES_FILE);
  }

  /** Where secrets are kept now. */
  get secretStorage(): SecretStorage {
    return this.#secrets.kind;
  }

  list(): ProfileList {
    const profiles = this.#read()
      .map((p) => this.#public(p))
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
    return {
      profiles,
      secretStorage: this.#secrets.kind,
      fileOptIn: !this.#fixedSecrets,
      problems: [...this.#problems, ...this.#settings.problems, ...this.#secrets.problems()],
    };
  }

  /** One profile as the renderer sees it; throws BAD_ARGUMENT when there is none with that id. */
  get(id: string): ConnectionProfile {
    return this.#public(this.#find(this.#read(), id));
  }

  /** Add a profile (no id) or replace one; stores the secrets it carries (left out: kept; '': removed). */
  save(input: ProfileInput): ConnectionProfile {
    const parsed = profileInputSchema.safeParse(input);
    if (!parsed.success) throw new EngineError('BAD_ARGUMENT', `the profile is not valid: ${describe(parsed.error)}`);
    const { secrets: typed, id: givenId, ...fields } = parsed.data;
    const all = this.#readToChange();
    const id = givenId ?? randomUUID();
    if (givenId !== undefined) this.#find(all, givenId);
    const stored: StoredProfile = { ...fields, id, savedAt: this.#now() };
    const next = givenId === undefined ? [...all, stored] : all.map((p) => (p.id === id ? stored : p));
    if (next.length > MAX_PROFILES) throw new EngineError('BAD_ARGUMENT', `at most ${MAX_PROFILES} saved connections: delete some first`);
    this.#write(next);
    if (typed && Object.keys(typed).length > 0) {
      const secrets: Secrets = this.#secrets.get(id);
      for (const name of SECRET_NAMES) {
        const value = typed[name];
        if (value === '') delete secrets[name];
        else if (value !== undefined) secrets[name] = value;
      }
      try {
        this.#secrets.set(id, secrets);
      } catch (error) {
        throw new EngineError('INTERNAL', `the profile "${stored.name}" was saved, but its secrets could not be stored: ${fsMessage(error)}`);
      }
    }
    return this.#public(stored);
  }

  /** Remove a profile and its stored secrets; false when there was none with that id. */
  delete(id: string): boolean {
    const all = this.#readToChange();
    const next = all.filter((p) => p.id !== id);
    if (next.length !== all.length) this.#write(next);
    this.#secrets.delete(id);
    return next.length !== all.length;
  }

  /** JSON text of the given profiles (all when omitted): every field but ids and secrets, with a version. */
  export(ids?: string[]): string {
    const all = this.#read();
    const chosen = ids === undefined ? all : ids.map((id) => this.#find(all, id));
    const profiles = chosen.map(({ id: _id, savedAt: _savedAt, ...fields }) => fields);
    return `${JSON.stringify({ format: EXPORT_FORMAT, version: 1, exportedAt: new Date(this.#now()).toISOString(), profiles }, null, 2)}\n`;
  }

  /** Add the profiles of an export as new ones (new ids). Entries with secrets or unknown fields are skipped and said. */
  import(text: string): ProfileImportResult {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new EngineError('BAD_ARGUMENT', 'this is not JSON: import a file exported by Replication Console');
    }
    const envelope = exportFileSchema.safeParse(json);
    if (!envelope.success) {
      throw new EngineError('BAD_ARGUMENT', `this is not a Replication Console profile export (expected "format": "${EXPORT_FORMAT}", "version": 1 and a list of profiles)`);
    }
    const problems: string[] = [];
    const accepted: StoredProfile[] = [];
    const all = this.#readToChange();
    const room = MAX_PROFILES - all.length;
    envelope.data.profiles.forEach((entry, index) => {
      const label = entryLabel(entry, index);
      const refused = importRefusal(entry);
      if (refused) return problems.push(`${label}: skipped: ${refused}`);
      const parsed = importedProfileSchema.safeParse(entry);
      if (!parsed.success) return problems.push(`${label}: skipped: ${describe(parsed.error)}`);
      if (accepted.length >= room) return problems.push(`${label}: skipped: at most ${MAX_PROFILES} saved connections`);
      accepted.push({ ...parsed.data, id: randomUUID(), savedAt: this.#now() });
    });
    if (accepted.length > 0) this.#write([...all, ...accepted]);
    return { imported: accepted.map((p) => this.#public(p)), problems };
  }

  /**
   * Web mode: keep secrets in memory only, or in a file readable only by this user. Secrets
   * stored now move with the choice; opting out deletes the file. Remembered in settings.json.
   */
  setSecretStorage(storage: 'memory' | 'file'): SecretStorage {
    if (this.#fixedSecrets) {
      throw new EngineError('BAD_ARGUMENT', 'the desktop app keeps secrets with the system keychain (in memory where it has none); the secrets file is for the web mode only');
    }
    const current = this.#secrets;
    if (storage === 'file' && !(current instanceof FileSecretStore)) {
      const file = new FileSecretStore(this.dir);
      if (file.kind !== 'file') throw new EngineError('BAD_ARGUMENT', `the secrets file cannot be used: ${file.problems().join('; ')}`);
      this.#move(current, file);
      this.#settings.update({ secretStorage: 'file' });
      current.clear();
      this.#secrets = file;
    } else if (storage === 'memory' && current instanceof FileSecretStore) {
      const memory = new MemorySecretStore();
      this.#move(current, memory);
      this.#settings.update({ secretStorage: 'memory' });
      current.clear();
      this.#secrets = memory;
    }
    return this.#secrets.kind;
  }

  /**
   * The options to connect with through a profile: its fields fill what the options leave out,
   * its stored secrets the secrets they leave out (typed ones win). A read-only profile stays
   * read-only. Stored secrets go only where the profile points: options that change its hosts,
   * tunnel, address map or TLS must bring their own password.
   */
  connectOptions(options: ConnectOptions): { options: ConnectOptions; profileName: string } {
    const { profileId, ...typed } = options;
    if (profileId === undefined) throw new EngineError('BAD_ARGUMENT', 'no profile given');
    const profile = this.#find(this.#read(), profileId);
    const stored = this.#secrets.get(profile.id);
    const merged: ConnectOptions = {
      ...typed,
      seeds: typed.seeds.length > 0 ? typed.seeds : [...profile.seeds],
      user: typed.user ?? profile.user,
      pollIntervalMs: typed.pollIntervalMs ?? profile.pollIntervalMs,
      addressMap: typed.addressMap ?? profile.addressMap,
      tls: typed.tls ?? profile.tls,
      ssh: typed.ssh ?? profile.ssh,
      sentinel: typed.sentinel ?? profile.sentinel,
      trustedHosts: typed.trustedHosts ?? profile.trustedHosts,
      readOnly: typed.readOnly === true || profile.readOnly === true,
    };
    const used: SecretName[] = [];
    const fill = (typedValue: string | undefined, name: SecretName): string | undefined => {
      if (typedValue !== undefined && typedValue !== '') return typedValue;
      const value = stored[name];
      if (value !== undefined) used.push(name);
      return value;
    };
    merged.password = fill(typed.password, 'password');
    if (merged.sentinel) merged.sentinel = { ...merged.sentinel, password: fill(typed.sentinel?.password, 'sentinelPassword') };
    if (merged.ssh) {
      merged.ssh = {
        ...merged.ssh,
        password: fill(typed.ssh?.password, 'sshPassword'),
        passphrase: fill(typed.ssh?.passphrase, 'sshPassphrase'),
      };
    }
    if (used.length > 0) {
      const changed = targetChanges(profile, merged);
      if (changed.length > 0) {
        throw new EngineError(
          'BAD_ARGUMENT',
          `the saved connection "${profile.name}" keeps its secrets for its own ${changed.join(', ')}: save the profile with the change first, or type the password`,
        );
      }
    }
    return { options: withoutUndefined(merged), profileName: profile.name };
  }

  #public(p: StoredProfile): ConnectionProfile {
    const stored = this.#secrets.get(p.id);
    const secrets = Object.fromEntries(SECRET_NAMES.map((name) => [name, stored[name] !== undefined])) as Record<SecretName, boolean>;
    return { ...structuredClone(p), secrets };
  }

  #find(all: StoredProfile[], id: string): StoredProfile {
    const found = all.find((p) => p.id === id);
    if (!found) throw new EngineError('BAD_ARGUMENT', `no saved connection with id ${id.slice(0, 64)} (deleted meanwhile?)`);
    return found;
  }

  /** The file's profiles, each checked; unreadable files and entries are set aside and reported. Never throws. */
  #read(): StoredProfile[] {
    return this.#load().profiles;
  }

  /** Like #read, but refuses (rather than replacing it) when the file exists and cannot be read. */
  #readToChange(): StoredProfile[] {
    const { profiles, readable } = this.#load();
    if (!readable) throw new EngineError('INTERNAL', `${this.file} cannot be read, so it is not replaced: ${this.#problems.at(-1) ?? ''}`);
    return profiles;
  }

  #load(): { profiles: StoredProfile[]; readable: boolean } {
    let text: string | null;
    try {
      text = readIfExists(this.file);
    } catch (error) {
      this.#note(`Saved connections ${this.file} cannot be read (${fsMessage(error)}): none are shown until it can`);
      return { profiles: [], readable: false };
    }
    if (text === null) return { profiles: [], readable: true };
    const now = this.#now();
    const envelope = profilesFileSchema.safeParse(safeJson(text));
    if (!envelope.success) {
      this.#setAside(now, 'was unreadable (not a profiles file, or cut short)', 'the list starts empty');
      return { profiles: [], readable: true };
    }
    const profiles: StoredProfile[] = [];
    const bad: string[] = [];
    const seen = new Set<string>();
    envelope.data.profiles.forEach((entry, index) => {
      const parsed = storedProfileSchema.safeParse(entry);
      if (!parsed.success) bad.push(`${entryLabel(entry, index)} (${describe(parsed.error)})`);
      else if (seen.has(parsed.data.id)) bad.push(`${entryLabel(entry, index)} (a second profile with id ${parsed.data.id})`);
      else {
        seen.add(parsed.data.id);
        profiles.push(parsed.data);
      }
    });
    if (bad.length > 0) {
      // The whole file goes aside (nothing in it is lost); the valid profiles are written back.
      if (this.#setAside(now, `had ${bad.length} invalid ${bad.length === 1 ? 'entry' : 'entries'}: ${bad.join('; ')}`, `the ${profiles.length} valid ones were kept`)) {
        try {
          this.#write(profiles);
        } catch (error) {
          this.#note(`Saved connections ${this.file} could not be written again (${fsMessage(error)})`);
        }
      } else {
        return { profiles, readable: false };
      }
    }
    return { profiles, readable: true };
  }

  /** Move the file aside and say so; false (also said) when it could not be moved. */
  #setAside(now: number, what: string, then: string): boolean {
    try {
      const aside = moveAside(this.file, now);
      this.#note(`Saved connections ${this.file} ${what}: kept aside as ${aside}; ${then}`);
      return true;
    } catch (error) {
      this.#note(`Saved connections ${this.file} ${what}, and could not be moved aside (${fsMessage(error)}): it is left as it is`);
      return false;
    }
  }

  #write(profiles: StoredProfile[]): void {
    // Checked on the way out too: nothing the schema refuses (a secret above all) reaches the file.
    const checked = profiles.map((p) => storedProfileSchema.parse(p));
    try {
      writeFileAtomic(this.file, `${JSON.stringify({ version: 1, profiles: checked }, null, 1)}\n`);
    } catch (error) {
      throw new EngineError('INTERNAL', `saved connections ${this.file} could not be written: ${fsMessage(error)}`);
    }
  }

  #move(from: SecretStore, to: SecretStore): void {
    for (const id of from.ids()) to.set(id, from.get(id));
  }

  #note(line: string): void {
    if (!this.#problems.includes(line)) this.#problems.push(line);
  }
}

const sharedStores = new Map<string, ProfileStore>();

/**
 * The web mode's store of one data directory, one per process: every ConsoleService (every
 * topology tab) made without a store of its own sees the same profiles and in-memory secrets.
 */
export function sharedProfileStore(dir: string = dataDir()): ProfileStore {
  const key = path.resolve(dir);
  let store = sharedStores.get(key);
  if (!store) {
    store = new ProfileStore({ dir: key });
    sharedStores.set(key, store);
  }
  return store;
}

/** What a connection through a profile changes of where its secrets would go (empty: nothing). */
function targetChanges(profile: StoredProfile, options: ConnectOptions): string[] {
  const changes: string[] = [];
  const within = (given: readonly string[], own: readonly string[]): boolean => {
    const allowed = new Set(own.map(safeNormalize));
    return given.every((a) => allowed.has(safeNormalize(a)));
  };
  if (!within(options.seeds, profile.seeds)) changes.push('seeds');
  if (options.sentinel && !(profile.sentinel && options.sentinel.masterName === profile.sentinel.masterName && within(options.sentinel.addresses, profile.sentinel.addresses))) {
    changes.push('Sentinels');
  }
  if (!within(options.trustedHosts ?? [], profile.trustedHosts ?? [])) changes.push('trusted hosts');
  if (canonical(options.addressMap ?? {}) !== canonical(profile.addressMap ?? {})) changes.push('address map');
  const ssh = options.ssh;
  const own = profile.ssh;
  if (ssh && !(own && ssh.host === own.host && (ssh.port ?? 22) === (own.port ?? 22) && ssh.user === own.user)) changes.push('SSH bastion');
  if ((options.tls?.enabled ?? false) !== (profile.tls?.enabled ?? false) || (options.tls?.insecure ?? false) !== (profile.tls?.insecure ?? false)) changes.push('TLS');
  return changes;
}

function safeNormalize(address: string): string {
  try {
    return normalizeAddress(address);
  } catch {
    return address;
  }
}

function canonical(map: Record<string, string>): string {
  return JSON.stringify(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Why an import entry is refused before the schema looks at it: it carries a secret. */
function importRefusal(entry: unknown): string | null {
  const found = secretFieldIn(entry, '');
  return found ? `it carries a secret (${found}); secrets are never imported: type them after importing` : null;
}

function secretFieldIn(value: unknown, at: string): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  for (const [key, inner] of Object.entries(value)) {
    const where = at ? `${at}.${key}` : key;
    if (SECRET_FIELDS.has(key)) return where;
    // addressMap's keys are addresses: nothing below holds a secret, and nothing deeper than ssh/sentinel does.
    if (key === 'ssh' || key === 'sentinel') {
      const deeper = secretFieldIn(inner, where);
      if (deeper) return deeper;
    }
  }
  return null;
}

/** "entry 3 ("prod east")": which entry, by position and name when it has one (never a value of anything else). */
function entryLabel(entry: unknown, index: number): string {
  const name = entry !== null && typeof entry === 'object' && 'name' in entry ? (entry as { name: unknown }).name : undefined;
  return typeof name === 'string' && name.trim() ? `entry ${index + 1} ("${name.trim().slice(0, 100)}")` : `entry ${index + 1}`;
}

/** The schema's complaints by field, never the values (one could be a password typed in the wrong box). */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
      if (issue.code === 'unrecognized_keys') return `${field ? `${field}: ` : ''}unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k.slice(0, 64)}"`).join(', ')}`;
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
