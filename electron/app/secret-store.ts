// Where a saved connection's secrets (passwords, an SSH key's passphrase) are kept, by profile
// id. Three stores behind one interface: the desktop app encrypts them with Electron's
// safeStorage (the OS keychain); the web mode keeps them in memory, or, when the user opts in,
// in a plain-text file only they can read. No store pretends: when safeStorage cannot really
// encrypt, or the file is readable by others, secrets stay in memory and the store says why.
// Nothing here logs, and no message carries a secret's value.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SecretName, SecretStorage } from '../shared/profiles';
import { fsMessage, moveAside, readIfExists, writeFileAtomic } from './atomic-file';

export type Secrets = Partial<Record<SecretName, string>>;

export const SECRET_NAMES: readonly SecretName[] = ['password', 'sentinelPassword', 'sshPassword', 'sshPassphrase'];

export interface SecretStore {
  /** What ProfileList.secretStorage says: where secrets really are now. */
  readonly kind: SecretStorage;
  /** Why secrets are not kept as the user would expect, one line each (for ProfileList.problems). */
  problems(): string[];
  /** The stored secrets of one profile ({} when none, or when they cannot be read back). */
  get(id: string): Secrets;
  /** Replace the stored secrets of one profile; an empty record removes them. */
  set(id: string, secrets: Secrets): void;
  delete(id: string): void;
  /** Ids of the profiles with stored secrets. */
  ids(): string[];
  /** Forget every secret (and remove the store's file, if it has one). */
  clear(): void;
}

/** Only the names we store, only non-empty values: nothing else is ever written. */
function cleanSecrets(secrets: Secrets): Secrets {
  const out: Secrets = {};
  for (const name of SECRET_NAMES) {
    const value = secrets[name];
    if (typeof value === 'string' && value.length > 0) out[name] = value;
  }
  return out;
}

function isEmpty(secrets: Secrets): boolean {
  return Object.keys(secrets).length === 0;
}

/** Secrets for as long as the process runs: the web mode's default, and every store's fallback. */
export class MemorySecretStore implements SecretStore {
  readonly kind: SecretStorage = 'memory';
  readonly #byId = new Map<string, Secrets>();

  problems(): string[] {
    return [];
  }

  get(id: string): Secrets {
    return { ...this.#byId.get(id) };
  }

  set(id: string, secrets: Secrets): void {
    const clean = cleanSecrets(secrets);
    if (isEmpty(clean)) this.#byId.delete(id);
    else this.#byId.set(id, clean);
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }

  clear(): void {
    this.#byId.clear();
  }
}

const secretsSchema = z.strictObject({
  password: z.string().optional(),
  sentinelPassword: z.string().optional(),
  sshPassword: z.string().optional(),
  sshPassphrase: z.string().optional(),
});

export const SECRETS_FILE = 'secrets.json';

const plainFileSchema = z.strictObject({
  version: z.literal(1),
  note: z.string().optional(),
  profiles: z.record(z.string(), secretsSchema),
});

const PLAIN_NOTE = 'Plain text, readable only by this user (mode 0600). Delete this file to forget every stored secret.';

/**
 * Web mode, opted in: a JSON file in the data directory, created with mode 0600 and refused if
 * it is readable by anyone else. It is plain text, protected by the file's mode only: anyone
 * who can read files as this user (or root) can read the secrets.
 */
export class FileSecretStore implements SecretStore {
  readonly file: string;
  /** Set when the file must not be used (readable by others, owned by someone else): secrets stay here instead. */
  #fallback: MemorySecretStore | null = null;
  readonly #problems: string[] = [];

  constructor(dir: string) {
    this.file = path.join(dir, SECRETS_FILE);
  }

  get kind(): SecretStorage {
    this.#read();
    return this.#fallback ? 'memory' : 'file';
  }

  problems(): string[] {
    this.#read();
    return [...this.#problems];
  }

  get(id: string): Secrets {
    if (this.#fallback) return this.#fallback.get(id);
    return { ...this.#read()[id] };
  }

  set(id: string, secrets: Secrets): void {
    const all = this.#read();
    if (this.#fallback) return this.#fallback.set(id, secrets);
    const clean = cleanSecrets(secrets);
    if (isEmpty(clean)) delete all[id];
    else all[id] = clean;
    this.#write(all);
  }

  delete(id: string): void {
    const all = this.#read();
    if (this.#fallback) return this.#fallback.delete(id);
    if (!(id in all)) return;
    delete all[id];
    this.#write(all);
  }

  ids(): string[] {
    const all = this.#read();
    return this.#fallback ? this.#fallback.ids() : Object.keys(all);
  }

  clear(): void {
    this.#fallback?.clear();
    // A file we refused to use is not ours to delete: the user is told about it instead.
    if (!this.#fallback) fs.rmSync(this.file, { force: true });
  }

  /** The file's contents, after checking who may read it. An unusable file switches to the memory fallback. */
  #read(): Record<string, Secrets> {
    if (this.#fallback) return {};
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return this.#refuse(`The secrets file ${this.file} cannot be read (${fsMessage(error)})`);
    }
    const exposed = unsafeMode(stat);
    if (exposed) return this.#refuse(`The secrets file ${this.file} ${exposed}`);
    let text: string | null;
    try {
      text = readIfExists(this.file);
    } catch (error) {
      return this.#refuse(`The secrets file ${this.file} cannot be read (${fsMessage(error)})`);
    }
    if (text === null) return {};
    const parsed = plainFileSchema.safeParse(safeJson(text));
    if (parsed.success) {
      const out: Record<string, Secrets> = {};
      for (const [id, secrets] of Object.entries(parsed.data.profiles)) out[id] = cleanSecrets(secrets);
      return out;
    }
    try {
      const aside = moveAside(this.file);
      this.#note(`The secrets file ${this.file} was unreadable: kept aside as ${aside} (still mode 0600); type the passwords again`);
    } catch (error) {
      return this.#refuse(`The secrets file ${this.file} is unreadable and could not be moved aside (${fsMessage(error)})`);
    }
    return {};
  }

  #write(all: Record<string, Secrets>): void {
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, note: PLAIN_NOTE, profiles: all }, null, 1)}\n`, 0o600);
  }

  #refuse(reason: string): Record<string, Secrets> {
    this.#fallback = new MemorySecretStore();
    this.#note(`${reason}: it is not used; secrets typed now are kept in memory only, until the console stops`);
    return {};
  }

  #note(line: string): void {
    if (!this.#problems.includes(line)) this.#problems.push(line);
  }
}

/** Why a secrets file must not be trusted (other users could read or have written it), or null. */
function unsafeMode(stat: fs.Stats): string | null {
  // Windows has no POSIX modes: the file sits in the user's own profile directory.
  if (process.platform === 'win32') return null;
  if (!stat.isFile()) return 'is not a regular file';
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `belongs to another user (uid ${stat.uid})`;
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) return `can be read or written by other users (mode ${mode.toString(8).padStart(4, '0')}; run chmod 600 on it)`;
  return null;
}

/** The part of Electron's safeStorage this store uses (main/index.ts passes the real one; tests a stand-in). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no keyring, and a fixed key that protects nothing. */
  getSelectedStorageBackend?(): string;
}

export const ENCRYPTED_SECRETS_FILE = 'secrets.enc.json';

const encryptedFileSchema = z.strictObject({
  version: z.literal(1),
  /** Profile id → base64 of safeStorage.encryptString(JSON of its secrets). */
  profiles: z.record(z.string(), z.string()),
});

/**
 * Desktop: each profile's secrets encrypted with Electron's safeStorage (Keychain, DPAPI,
 * libsecret or KWallet), stored as base64 in a file in the data directory.
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly file: string;
  #checked = false;
  #fallback: MemorySecretStore | null = null;
  readonly #problems: string[] = [];
  /** Profiles whose stored secrets could not be decrypted (said once in problems). */
  readonly #undecryptable = new Set<string>();

  constructor(
    private readonly safeStorage: SafeStorageLike,
    dir: string,
  ) {
    this.file = path.join(dir, ENCRYPTED_SECRETS_FILE);
  }

  get kind(): SecretStorage {
    return this.#memory() ? 'memory' : 'encrypted';
  }

  problems(): string[] {
    this.#memory();
    const lines = [...this.#problems];
    for (const id of this.#undecryptable) {
      lines.push(`The stored secrets of profile ${id} cannot be decrypted (the system keychain changed?): type them again and save`);
    }
    return lines;
  }

  get(id: string): Secrets {
    const memory = this.#memory();
    if (memory) return memory.get(id);
    const blob = this.#read()?.[id];
    if (blob === undefined) return {};
    try {
      const parsed = secretsSchema.safeParse(safeJson(this.safeStorage.decryptString(Buffer.from(blob, 'base64'))));
      if (!parsed.success) throw new Error('not a secrets record');
      this.#undecryptable.delete(id);
      return cleanSecrets(parsed.data);
    } catch {
      // The blob is kept: the keychain may come back (another login session, a restored backup).
      this.#undecryptable.add(id);
      return {};
    }
  }

  set(id: string, secrets: Secrets): void {
    const memory = this.#memory();
    if (memory) return memory.set(id, secrets);
    const all = this.#readToChange();
    const clean = cleanSecrets(secrets);
    if (isEmpty(clean)) delete all[id];
    else all[id] = this.safeStorage.encryptString(JSON.stringify(clean)).toString('base64');
    this.#undecryptable.delete(id);
    this.#write(all);
  }

  delete(id: string): void {
    const memory = this.#memory();
    if (memory) return memory.delete(id);
    const all = this.#readToChange();
    this.#undecryptable.delete(id);
    if (!(id in all)) return;
    delete all[id];
    this.#write(all);
  }

  ids(): string[] {
    const memory = this.#memory();
    return memory ? memory.ids() : Object.keys(this.#read() ?? {});
  }

  clear(): void {
    const memory = this.#memory();
    if (memory) return memory.clear();
    fs.rmSync(this.file, { force: true });
  }

  /** The memory fallback when safeStorage cannot really encrypt here; decided once, at first use (after app ready). */
  #memory(): MemorySecretStore | null {
    if (this.#checked) return this.#fallback;
    this.#checked = true;
    const why = this.#whyNotEncrypted();
    if (why) {
      this.#fallback = new MemorySecretStore();
      this.#problems.push(`Secrets are kept in memory only, until the app quits: ${why}`);
    }
    return this.#fallback;
  }

  #whyNotEncrypted(): string | null {
    try {
      if (!this.safeStorage.isEncryptionAvailable()) return 'the system offers no encryption to Electron (safeStorage is unavailable)';
      if (this.safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
        return "no keyring (GNOME Keyring, KWallet) is running, and Electron's fallback ('basic_text') uses a fixed key that protects nothing";
      }
      return null;
    } catch (error) {
      return `safeStorage failed (${fsMessage(error)})`;
    }
  }

  /** The file's records; null when it exists and cannot be read (then it must not be replaced either). */
  #read(): Record<string, string> | null {
    let text: string | null;
    try {
      text = readIfExists(this.file);
    } catch (error) {
      this.#note(`The encrypted secrets file ${this.file} cannot be read (${fsMessage(error)})`);
      return null;
    }
    if (text === null) return {};
    const parsed = encryptedFileSchema.safeParse(safeJson(text));
    if (parsed.success) return { ...parsed.data.profiles };
    try {
      const aside = moveAside(this.file);
      this.#note(`The encrypted secrets file ${this.file} was unreadable: kept aside as ${aside}; type the passwords again`);
    } catch (error) {
      this.#note(`The encrypted secrets file ${this.file} is unreadable and could not be moved aside (${fsMessage(error)})`);
    }
    return {};
  }

  #readToChange(): Record<string, string> {
    const all = this.#read();
    if (!all) throw new Error(`the encrypted secrets file ${this.file} cannot be read, so it is not replaced: fix its permissions and try again`);
    return all;
  }

  #write(all: Record<string, string>): void {
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, profiles: all }, null, 1)}\n`, 0o600);
  }

  #note(line: string): void {
    if (!this.#problems.includes(line)) this.#problems.push(line);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
