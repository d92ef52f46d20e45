// The secret stores: SafeStorage with a stand-in for Electron's safeStorage (real AES-GCM, so
// the file really holds ciphertext), its refusal to pretend without a keyring, and the web
// mode's opt-in file (created 0600, refused when others can read it).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENCRYPTED_SECRETS_FILE, FileSecretStore, MemorySecretStore, SafeStorageSecretStore, SECRETS_FILE, type SafeStorageLike } from '../../electron/app/secret-store';
import { ProfileStore } from '../../electron/app/profile-store';

const PASSWORD = 'safe-Storage-Secret-4c2d';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-secrets-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Electron's safeStorage as far as the store uses it, encrypting for real with a per-instance key. */
class StandInSafeStorage implements SafeStorageLike {
  readonly key = randomBytes(32);
  calls = { encrypt: 0, decrypt: 0 };
  constructor(
    private readonly available = true,
    private readonly backend: string | undefined = 'gnome_libsecret',
  ) {}
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend ?? 'unknown';
  }
  encryptString(plainText: string): Buffer {
    this.calls.encrypt++;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }
  decryptString(encrypted: Buffer): string {
    this.calls.decrypt++;
    const decipher = createDecipheriv('aes-256-gcm', this.key, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
  }
}

describe('SafeStorageSecretStore', () => {
  it('keeps secrets encrypted in the data directory, never in plain text', () => {
    const safe = new StandInSafeStorage();
    const store = new SafeStorageSecretStore(safe, dir);
    expect(store.kind).toBe('encrypted');
    store.set('p1', { password: PASSWORD, sshPassphrase: 'pass-phrase-x' });
    const file = path.join(dir, ENCRYPTED_SECRETS_FILE);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(safe.calls.encrypt).toBe(1);
    // A new store over the same keychain reads them back.
    expect(new SafeStorageSecretStore(safe, dir).get('p1')).toEqual({ password: PASSWORD, sshPassphrase: 'pass-phrase-x' });
    store.set('p1', {});
    expect(store.ids()).toEqual([]);
    expect(store.problems()).toEqual([]);
  });

  it('through the profile store: the desktop choice is fixed, and the renderer only learns which secrets exist', () => {
    const profiles = new ProfileStore({ dir, secrets: new SafeStorageSecretStore(new StandInSafeStorage(), dir) });
    const saved = profiles.save({ name: 'desk', seeds: ['127.0.0.1:6379'], secrets: { password: PASSWORD } });
    expect(profiles.list().secretStorage).toBe('encrypted');
    expect(saved.secrets.password).toBe(true);
    expect(profiles.connectOptions({ seeds: [], profileId: saved.id }).options.password).toBe(PASSWORD);
    expect(() => profiles.setSecretStorage('file')).toThrow(/the desktop app keeps secrets with the system keychain .*the secrets file is for the web mode only/);
    for (const name of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, name), 'utf8')).not.toContain(PASSWORD);
    expect(profiles.delete(saved.id)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, ENCRYPTED_SECRETS_FILE), 'utf8'))).toEqual({ version: 1, profiles: {} });
  });

  it("says so and keeps secrets in memory when there is no encryption, or only Linux's basic_text", () => {
    for (const safe of [new StandInSafeStorage(false), new StandInSafeStorage(true, 'basic_text')]) {
      const sub = fs.mkdtempSync(path.join(dir, 'x-'));
      const store = new SafeStorageSecretStore(safe, sub);
      store.set('p1', { password: PASSWORD });
      expect(store.kind).toBe('memory');
      expect(store.get('p1')).toEqual({ password: PASSWORD });
      expect(fs.readdirSync(sub)).toEqual([]);
      expect(safe.calls.encrypt).toBe(0);
      expect(store.problems()).toHaveLength(1);
      expect(store.problems()[0]).toMatch(/^Secrets are kept in memory only, until the app quits: /);
      const list = new ProfileStore({ dir: sub, secrets: store }).list();
      expect(list.secretStorage).toBe('memory');
      expect(list.problems).toEqual(store.problems());
    }
  });

  it('reports secrets it can no longer decrypt (a changed keychain) and keeps the blob', () => {
    new SafeStorageSecretStore(new StandInSafeStorage(), dir).set('p1', { password: PASSWORD });
    const before = fs.readFileSync(path.join(dir, ENCRYPTED_SECRETS_FILE), 'utf8');
    const other = new SafeStorageSecretStore(new StandInSafeStorage(), dir);
    expect(other.get('p1')).toEqual({});
    expect(other.problems()).toEqual(['The stored secrets of profile p1 cannot be decrypted (the system keychain changed?): type them again and save']);
    expect(fs.readFileSync(path.join(dir, ENCRYPTED_SECRETS_FILE), 'utf8')).toBe(before);
  });
});

describe('FileSecretStore', () => {
  it('creates the file with mode 0600 even under a permissive umask', () => {
    const previous = process.umask(0o000);
    try {
      new FileSecretStore(dir).set('p1', { password: PASSWORD });
    } finally {
      process.umask(previous);
    }
    const file = path.join(dir, SECRETS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Plain text, and it says so.
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { note: string; profiles: Record<string, unknown> };
    expect(parsed.note).toMatch(/^Plain text, readable only by this user/);
    expect(parsed.profiles).toEqual({ p1: { password: PASSWORD } });
    expect(fs.readdirSync(dir)).toEqual([SECRETS_FILE]);
  });

  it('refuses a file others can read: not read, not written, secrets kept in memory, and said', () => {
    if (process.platform === 'win32') return;
    const file = path.join(dir, SECRETS_FILE);
    const original = JSON.stringify({ version: 1, profiles: { p1: { password: 'old' } } });
    fs.writeFileSync(file, original, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const store = new FileSecretStore(dir);
    expect(store.get('p1')).toEqual({});
    expect(store.kind).toBe('memory');
    expect(store.problems()[0]).toMatch(/can be read or written by other users \(mode 0644; run chmod 600 on it\): it is not used; secrets typed now are kept in memory only/);
    store.set('p2', { password: PASSWORD });
    expect(store.get('p2')).toEqual({ password: PASSWORD });
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    // The profile store will not opt in to such a file.
    expect(() => new ProfileStore({ dir }).setSecretStorage('file')).toThrow(/the secrets file cannot be used: .*mode 0644/);
  });

  it('keeps a corrupt file aside and reports it', () => {
    fs.writeFileSync(path.join(dir, SECRETS_FILE), '{"version":1,"prof', { mode: 0o600 });
    const store = new FileSecretStore(dir);
    expect(store.get('p1')).toEqual({});
    expect(store.problems()[0]).toMatch(/was unreadable: kept aside as .*secrets\.json\.corrupt-\d+ \(still mode 0600\)/);
    const aside = fs.readdirSync(dir).find((f) => f.startsWith(`${SECRETS_FILE}.corrupt-`));
    expect(aside).toBeDefined();
    expect(fs.statSync(path.join(dir, aside ?? '')).mode & 0o777).toBe(0o600);
  });
});

describe('MemorySecretStore', () => {
  it('stores only known, non-empty secrets', () => {
    const store = new MemorySecretStore();
    store.set('p1', { password: PASSWORD, sshPassword: '' });
    expect(store.get('p1')).toEqual({ password: PASSWORD });
    store.set('p1', {});
    expect(store.ids()).toEqual([]);
  });
});
