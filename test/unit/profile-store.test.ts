// The profile store on a real temporary data directory: atomic writes, a corrupt file kept
// aside and reported (never silently replaced), import and export without secrets, the
// web mode's secret storage choice (memory, or a 0600 file) and connecting through a profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPORT_FORMAT, PROFILES_FILE, ProfileStore } from '../../electron/app/profile-store';
import { MemorySecretStore, SECRETS_FILE } from '../../electron/app/secret-store';
import { SETTINGS_FILE } from '../../electron/app/settings';
import type { ProfileInput } from '../../electron/shared/profiles';

const PASSWORD = 'pr0file-Secret-7f3e';
const PASSPHRASE = 'ssh-Passphrase-91ab';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-profiles-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const prod: ProfileInput = {
  name: 'prod east',
  seeds: ['10.0.0.5:6379'],
  user: 'monitor',
  tls: { enabled: true, caFile: '/etc/ca.pem' },
  ssh: { host: 'bastion.example', user: 'ops', keyFile: '/home/ops/.ssh/id_ed25519' },
  trustedHosts: ['10.0.0.0/8'],
  pollIntervalMs: 2000,
  readOnly: true,
  secrets: { password: PASSWORD, sshPassphrase: PASSPHRASE },
};

/** Every file in the data directory (recursively), with its text. */
function filesIn(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      out.set(path.relative(root, full), fs.readFileSync(full, 'utf8'));
    }
  }
  return out;
}

describe('ProfileStore', () => {
  it('saves, lists, updates and deletes profiles; the renderer sees which secrets are stored, never their values', () => {
    const store = new ProfileStore({ dir });
    const saved = store.save(prod);
    expect(saved.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(saved.secrets).toEqual({ password: true, sentinelPassword: false, sshPassword: false, sshPassphrase: true });
    expect(JSON.stringify(saved)).not.toContain(PASSWORD);

    const list = store.list();
    expect(list.secretStorage).toBe('memory');
    expect(list.problems).toEqual([]);
    expect(list.profiles.map((p) => p.name)).toEqual(['prod east']);
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
    expect(JSON.stringify(list)).not.toContain(PASSPHRASE);

    // A name left out keeps its secret; an empty string removes one.
    const updated = store.save({ ...prod, id: saved.id, name: 'prod east 2', secrets: { sshPassphrase: '' } });
    expect(updated.id).toBe(saved.id);
    expect(updated.secrets).toEqual({ password: true, sentinelPassword: false, sshPassword: false, sshPassphrase: false });
    expect(store.list().profiles.map((p) => p.name)).toEqual(['prod east 2']);

    expect(store.delete(saved.id)).toBe(true);
    expect(store.delete(saved.id)).toBe(false);
    expect(store.list().profiles).toEqual([]);
  });

  it('writes the profiles file atomically (no temp file left, mode 0600) and never writes a secret into it', () => {
    const store = new ProfileStore({ dir });
    store.save(prod);
    const files = filesIn(dir);
    expect([...files.keys()]).toEqual([PROFILES_FILE]);
    const text = files.get(PROFILES_FILE) ?? '';
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(PASSPHRASE);
    expect(JSON.parse(text)).toMatchObject({ version: 1, profiles: [{ name: 'prod east', seeds: ['10.0.0.5:6379'] }] });
    expect(fs.statSync(path.join(dir, PROFILES_FILE)).mode & 0o777).toBe(0o600);
    // Another store on the same directory (another front end) sees it: the file is read on every call.
    expect(new ProfileStore({ dir }).list().profiles).toHaveLength(1);
  });

  it('refuses an unknown id and an invalid profile with a message that names the field, not the value', () => {
    const store = new ProfileStore({ dir });
    expect(() => store.save({ ...prod, id: 'nope' })).toThrow(/no saved connection with id nope/);
    const bad = { ...prod, seeds: [PASSWORD] };
    let message = '';
    try {
      store.save(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^the profile is not valid: seeds\.\[0\]/);
    expect(message).not.toContain(PASSWORD);
  });

  it('keeps a corrupt file aside, reports it, and does not replace it with an empty list', () => {
    fs.writeFileSync(path.join(dir, PROFILES_FILE), '{"version":1,"profiles":[{"name":"half');
    const store = new ProfileStore({ dir, now: () => 1_700_000_000_000 });
    const list = store.list();
    expect(list.profiles).toEqual([]);
    expect(list.problems).toHaveLength(1);
    expect(list.problems[0]).toContain(`kept aside as ${path.join(dir, `${PROFILES_FILE}.corrupt-1700000000000`)}`);
    expect(fs.readFileSync(path.join(dir, `${PROFILES_FILE}.corrupt-1700000000000`), 'utf8')).toBe('{"version":1,"profiles":[{"name":"half');
    // Saving afterwards starts a new file; the one kept aside stays, and so does the report.
    store.save(prod);
    expect(fs.existsSync(path.join(dir, `${PROFILES_FILE}.corrupt-1700000000000`))).toBe(true);
    expect(store.list().problems).toHaveLength(1);
  });

  it('keeps the valid profiles of a file with an invalid entry, and the whole file aside', () => {
    const good = { id: 'good-1', name: 'good', seeds: ['127.0.0.1:6379'], savedAt: 1 };
    const original = JSON.stringify({ version: 1, profiles: [good, { id: 'bad-1', name: 'bad', seeds: ['127.0.0.1:6379'], savedAt: 1, colour: 'red' }] });
    fs.writeFileSync(path.join(dir, PROFILES_FILE), original);
    const store = new ProfileStore({ dir, now: () => 42 });
    const list = store.list();
    expect(list.profiles.map((p) => p.id)).toEqual(['good-1']);
    expect(list.problems[0]).toMatch(/had 1 invalid entry: entry 2 \("bad"\) \(unknown field "colour"\): kept aside as .*corrupt-42; the 1 valid ones were kept/);
    expect(fs.readFileSync(path.join(dir, `${PROFILES_FILE}.corrupt-42`), 'utf8')).toBe(original);
    expect(JSON.parse(fs.readFileSync(path.join(dir, PROFILES_FILE), 'utf8')).profiles).toEqual([good]);
  });

  it('refuses to change a file it cannot read instead of replacing it', () => {
    // A directory where the file should be: unreadable as a file, even for root.
    const file = path.join(dir, PROFILES_FILE);
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'keep'), 'x');
    const store = new ProfileStore({ dir });
    expect(store.list().problems[0]).toMatch(/^Saved connections .*profiles\.json cannot be read \(EISDIR.*\): none are shown until it can$/);
    expect(() => store.save(prod)).toThrow(/cannot be read, so it is not replaced/);
    expect(() => store.import(JSON.stringify({ format: EXPORT_FORMAT, version: 1, profiles: [] }))).toThrow(/not replaced/);
    expect(fs.readFileSync(path.join(file, 'keep'), 'utf8')).toBe('x');
  });

  it('exports without ids or secrets, and imports as new profiles', () => {
    const store = new ProfileStore({ dir });
    const saved = store.save(prod);
    store.save({ name: 'lab', seeds: ['127.0.0.1:7000'] });
    const text = store.export([saved.id]);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(PASSPHRASE);
    const exported = JSON.parse(text) as { format: string; version: number; profiles: Record<string, unknown>[] };
    expect(exported.format).toBe(EXPORT_FORMAT);
    expect(exported.version).toBe(1);
    expect(exported.profiles).toHaveLength(1);
    expect(exported.profiles[0]).not.toHaveProperty('id');
    expect(exported.profiles[0]).not.toHaveProperty('secrets');
    expect(exported.profiles[0]).toMatchObject({ name: 'prod east', readOnly: true, tls: { enabled: true, caFile: '/etc/ca.pem' } });
    expect(JSON.parse(store.export()).profiles).toHaveLength(2);
    expect(() => store.export(['missing'])).toThrow(/no saved connection/);

    const other = new ProfileStore({ dir: fs.mkdtempSync(path.join(dir, 'other-')) });
    const result = other.import(text);
    expect(result.problems).toEqual([]);
    expect(result.imported).toHaveLength(1);
    expect(result.imported[0]?.id).not.toBe(saved.id);
    expect(result.imported[0]?.secrets).toEqual({ password: false, sentinelPassword: false, sshPassword: false, sshPassphrase: false });
    expect(other.list().profiles[0]).toMatchObject({ name: 'prod east', seeds: ['10.0.0.5:6379'], user: 'monitor', readOnly: true });
  });

  it('skips imported entries that carry secrets or unknown fields, and says which', () => {
    const store = new ProfileStore({ dir });
    const text = JSON.stringify({
      format: EXPORT_FORMAT,
      version: 1,
      profiles: [
        { name: 'ok', seeds: ['127.0.0.1:6379'] },
        { name: 'with password', seeds: ['127.0.0.1:6379'], password: PASSWORD },
        { name: 'with secrets', seeds: ['127.0.0.1:6379'], secrets: { password: PASSWORD } },
        { name: 'ssh passphrase', seeds: ['127.0.0.1:6379'], ssh: { host: 'b', user: 'u', passphrase: PASSPHRASE } },
        { name: 'unknown', seeds: ['127.0.0.1:6379'], colour: 'red' },
        { name: 'keeps its id', seeds: ['127.0.0.1:6379'], id: 'abc' },
        { seeds: ['127.0.0.1:6379'] },
      ],
    });
    const result = store.import(text);
    expect(result.imported.map((p) => p.name)).toEqual(['ok']);
    expect(result.problems).toEqual([
      'entry 2 ("with password"): skipped: it carries a secret (password); secrets are never imported: type them after importing',
      'entry 3 ("with secrets"): skipped: it carries a secret (secrets); secrets are never imported: type them after importing',
      'entry 4 ("ssh passphrase"): skipped: it carries a secret (ssh.passphrase); secrets are never imported: type them after importing',
      'entry 5 ("unknown"): skipped: unknown field "colour"',
      'entry 6 ("keeps its id"): skipped: unknown field "id"',
      'entry 7: skipped: name: Invalid input: expected string, received undefined',
    ]);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(fs.readFileSync(path.join(dir, PROFILES_FILE), 'utf8')).not.toContain(PASSWORD);
    expect(() => store.import('not json')).toThrow(/not JSON/);
    expect(() => store.import('{"profiles": []}')).toThrow(/not a Replication Console profile export/);
  });

  it('web mode: secrets stay in memory by default, and move to a 0600 file when the user opts in, remembered in settings', () => {
    const store = new ProfileStore({ dir });
    expect(store.list().fileOptIn).toBe(true);
    // The desktop app gives its own (keychain) store: no choice is offered, and none is taken.
    const desktop = new ProfileStore({ dir, secrets: new MemorySecretStore() });
    expect(desktop.list().fileOptIn).toBe(false);
    expect(() => desktop.setSecretStorage('file')).toThrow(/web mode only/);
    const saved = store.save(prod);
    expect(fs.existsSync(path.join(dir, SECRETS_FILE))).toBe(false);
    // A new store (a restart) has lost the in-memory secrets.
    expect(new ProfileStore({ dir }).get(saved.id).secrets.password).toBe(false);

    expect(store.setSecretStorage('file')).toBe('file');
    const secretsFile = path.join(dir, SECRETS_FILE);
    expect(fs.statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(secretsFile, 'utf8')).toContain(PASSWORD);
    expect(JSON.parse(fs.readFileSync(path.join(dir, SETTINGS_FILE), 'utf8'))).toEqual({ version: 1, secretStorage: 'file' });
    // A restart reads the choice and the file.
    const restarted = new ProfileStore({ dir });
    expect(restarted.list().secretStorage).toBe('file');
    expect(restarted.connectOptions({ seeds: [], profileId: saved.id }).options.password).toBe(PASSWORD);

    // Opting out deletes the file; the secrets stay for this run only.
    expect(restarted.setSecretStorage('memory')).toBe('memory');
    expect(fs.existsSync(secretsFile)).toBe(false);
    expect(restarted.get(saved.id).secrets.password).toBe(true);
    expect(new ProfileStore({ dir }).list().secretStorage).toBe('memory');
  });

  it('a corrupt settings file is kept aside and reported; the defaults apply', () => {
    fs.writeFileSync(path.join(dir, SETTINGS_FILE), '{"version":1,"secretStorage":"cloud"}');
    const list = new ProfileStore({ dir, now: () => 7 }).list();
    expect(list.secretStorage).toBe('memory');
    expect(list.problems.join('\n')).toMatch(/Settings .*settings\.json were unreadable: kept aside as .*settings\.json\.corrupt-\d+; the defaults apply/);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${SETTINGS_FILE}.corrupt-`))).toBe(true);
  });

  it('connecting through a profile: its fields fill the options, stored secrets the ones left out, typed ones win', () => {
    const store = new ProfileStore({ dir });
    const saved = store.save(prod);
    const { options, profileName } = store.connectOptions({ seeds: [], profileId: saved.id });
    expect(profileName).toBe('prod east');
    expect(options).toEqual({
      seeds: ['10.0.0.5:6379'],
      user: 'monitor',
      password: PASSWORD,
      pollIntervalMs: 2000,
      tls: { enabled: true, caFile: '/etc/ca.pem' },
      ssh: { host: 'bastion.example', user: 'ops', keyFile: '/home/ops/.ssh/id_ed25519', passphrase: PASSPHRASE },
      trustedHosts: ['10.0.0.0/8'],
      readOnly: true,
    });
    const typed = store.connectOptions({ seeds: ['10.0.0.5:6379'], password: 'typed', profileId: saved.id, readOnly: false });
    expect(typed.options.password).toBe('typed');
    // A read-only profile stays read-only whatever the options say.
    expect(typed.options.readOnly).toBe(true);
  });

  it('stored secrets only go where the profile points', () => {
    const store = new ProfileStore({ dir });
    const saved = store.save(prod);
    expect(() => store.connectOptions({ seeds: ['203.0.113.9:6379'], profileId: saved.id })).toThrow(
      /keeps its secrets for its own seeds: save the profile with the change first, or type the password/,
    );
    expect(() => store.connectOptions({ seeds: [], tls: { enabled: false }, profileId: saved.id })).toThrow(/its own TLS/);
    expect(() => store.connectOptions({ seeds: [], addressMap: { '10.0.0.5:6379': '203.0.113.9:6379' }, profileId: saved.id })).toThrow(/address map/);
    // With every secret typed, nothing stored is used, and the options may point anywhere.
    const typed = store.connectOptions({ seeds: ['203.0.113.9:6379'], password: 'p', ssh: { host: 'other', user: 'x', passphrase: 'q' }, profileId: saved.id });
    expect(typed.options.seeds).toEqual(['203.0.113.9:6379']);
    expect(() => store.connectOptions({ seeds: [], profileId: 'missing' })).toThrow(/no saved connection with id missing/);
  });
});
