// The connect form: what it sends for each field, how a URL seed gives up its password, what
// each bad field says, and the profile round trip (secrets only when asked, never filled back).
import { describe, expect, it } from 'vitest';
import type { ConnectionProfile } from '../../../electron/shared/profiles';
import { ConnectionForm, hostKeyFingerprint, trustedHostProblem } from '../../../renderer/src/state/connection-form.svelte';

const FINGERPRINT = 'SHA256:' + 'A'.repeat(20) + 'b+/9' + 'c'.repeat(19);

/** A form with these fields typed in, in this order (a URL seed gives up its password as it is typed). */
function formWith(fields: Partial<ConnectionForm>): ConnectionForm {
  return Object.assign(new ConnectionForm(), fields);
}

/** SSH through host b as user u with key file k. */
const SSH_BY_KEY = { sshEnabled: true, sshHost: 'b', sshUser: 'u', sshKeyFile: 'k' };

describe('ConnectionForm: what is sent', () => {
  it('sends exactly the seeds, user and password for the plain form', () => {
    const form = formWith({ seedsText: '10.0.0.5, 10.0.0.6:6380 10.0.0.5:6379', user: ' ops ', password: 'pw' });
    expect(form.toOptions()).toEqual({ seeds: ['10.0.0.5:6379', '10.0.0.6:6380'], user: 'ops', password: 'pw' });
  });

  it('sends every section, each field by its contract name', () => {
    const form = formWith({
      seedsText: 'db-1.internal:6379',
      tlsEnabled: true,
      caFile: '/etc/tls/ca.crt',
      certFile: 'c.crt',
      keyFile: 'c.key',
      sni: 'redis.example.com',
      insecure: true,
      sshEnabled: true,
      sshHost: 'bastion.example.com',
      sshPort: '2222',
      sshUser: 'ops',
      sshKeyFile: '~/.ssh/id_ed25519',
      sshPassphrase: 'kp',
      trustedHostsText: 'db-9.example.com\n\n*.db.internal\n10.0.0.0/8\n',
      addressMapText: '10.0.0.5:6379=127.0.0.1:16379',
      pollText: '0.5',
      readOnly: true,
    });
    expect(form.canSubmit).toBe(true);
    expect(form.toOptions()).toEqual({
      seeds: ['db-1.internal:6379'],
      tls: { enabled: true, caFile: '/etc/tls/ca.crt', certFile: 'c.crt', keyFile: 'c.key', sni: 'redis.example.com', insecure: true },
      ssh: { host: 'bastion.example.com', port: 2222, user: 'ops', keyFile: '~/.ssh/id_ed25519', passphrase: 'kp' },
      trustedHosts: ['db-9.example.com', '*.db.internal', '10.0.0.0/8'],
      addressMap: { '10.0.0.5:6379': '127.0.0.1:16379' },
      pollIntervalMs: 500,
      readOnly: true,
    });
  });

  it('sends Sentinels and the master name instead of seeds in Sentinel mode', () => {
    const form = formWith({
      seedsText: '10.0.0.5:6379',
      mode: 'sentinel',
      sentinelsText: '10.0.0.7:26379,10.0.0.8:26379',
      masterName: 'mymaster',
      sentinelUser: 'sent',
      sentinelPassword: 'spw',
      password: 'pw',
    });
    expect(form.toOptions()).toEqual({
      seeds: [],
      password: 'pw',
      sentinel: { addresses: ['10.0.0.7:26379', '10.0.0.8:26379'], masterName: 'mymaster', user: 'sent', password: 'spw' },
    });
  });

  it('sends the SSH password, not a key, when password authentication is chosen', () => {
    const form = formWith({
      seedsText: 'a:1',
      sshEnabled: true,
      sshHost: '10.1.1.1',
      sshUser: 'ops',
      sshKeyFile: 'left-over',
      sshAuth: 'password',
      sshPassword: 'sshpw',
    });
    expect(form.toOptions().ssh).toEqual({ host: '10.1.1.1', user: 'ops', password: 'sshpw' });
  });

  it('adds the confirmed host key to the SSH options, and only when asked', () => {
    const form = formWith({ seedsText: 'a:1', ...SSH_BY_KEY });
    expect(form.toOptions().ssh?.acceptHostKey).toBeUndefined();
    expect(form.toOptions(FINGERPRINT).ssh).toEqual({ host: 'b', user: 'u', keyFile: 'k', acceptHostKey: FINGERPRINT });
  });
});

describe('ConnectionForm: URL seeds', () => {
  it('moves a URL password into the password field at once and shows the URL without it', () => {
    const form = formWith({ seedsText: 'redis://ops:s3cr%40t@db-1.internal:6380/0, 10.0.0.6' });
    expect(form.password).toBe('s3cr@t');
    expect(form.user).toBe('ops');
    expect(form.seedsText).toBe('redis://ops@db-1.internal:6380/0, 10.0.0.6');
    expect(form.seedsText).not.toContain('s3cr');
    expect(form.toOptions()).toEqual({ seeds: ['db-1.internal:6380', '10.0.0.6:6379'], user: 'ops', password: 's3cr@t' });
  });

  it('takes the password out even before the host is typed', () => {
    const form = formWith({ seedsText: 'redis://:hunter2@' });
    expect(form.password).toBe('hunter2');
    expect(form.seedsText).toBe('redis://');
  });

  it('turns TLS on for rediss://', () => {
    const form = formWith({ seedsText: 'rediss://db.example.com:6380' });
    expect(form.tlsEnabled).toBe(true);
    expect(form.password).toBe('');
    expect(form.toOptions()).toEqual({ seeds: ['db.example.com:6380'], tls: { enabled: true } });
  });

  it('refuses another scheme with parseSeed’s message, and sends nothing', () => {
    const form = formWith({ seedsText: 'http://db:80' });
    expect(form.canSubmit).toBe(false);
    expect(form.problems.seeds).toMatch(/unsupported scheme "http:\/\/"/);
  });
});

describe('ConnectionForm: field problems before anything is sent', () => {
  it('names each bad field with a clear message', () => {
    const form = new ConnectionForm();
    expect(form.problems.seeds).toMatch(/Enter at least one/);
    form.seedsText = 'a:1';
    form.tlsEnabled = true;
    form.certFile = 'c.crt';
    form.sni = 'bad name';
    form.sshEnabled = true;
    form.sshPort = '70000';
    form.trustedHostsText = 'ok.example.com\n10.0.0.0/33';
    form.addressMapText = '10.0.0.5=127.0.0.1';
    form.pollText = '0.01';
    expect(form.problems).toEqual({
      tlsFiles: 'A client certificate needs its key, and a key its certificate.',
      sni: 'SNI: a host name such as redis.example.com.',
      sshHost: 'Enter the SSH host (the bastion).',
      sshPort: 'SSH port: 1–65535 (empty: 22).',
      sshUser: 'Enter the SSH user.',
      sshKey: expect.stringMatching(/private key file/),
      trustedHosts: '"10.0.0.0/33": the prefix length must be 0–32',
      addressMap: expect.stringMatching(/both as host:port/),
      pollInterval: 'Poll interval: a number of seconds from 0.1 to 60.',
    });
    expect(form.canSubmit).toBe(false);
  });

  it('needs Sentinels and a master name without spaces in Sentinel mode', () => {
    const form = formWith({ mode: 'sentinel', masterName: 'my master' });
    expect(Object.keys(form.problems)).toEqual(['sentinels', 'masterName']);
    form.sentinelsText = '10.0.0.7:26379';
    form.masterName = 'mymaster';
    expect(form.canSubmit).toBe(true);
  });

  it('reads trusted-host patterns as the hint says', () => {
    expect(trustedHostProblem('db-7.example.com')).toBeNull();
    expect(trustedHostProblem('*.db.internal')).toBeNull();
    expect(trustedHostProblem('10.0.0.0/8')).toBeNull();
    expect(trustedHostProblem('fd00::/8')).toBeNull();
    expect(trustedHostProblem('db.*.internal')).toMatch(/only at the start/);
    expect(trustedHostProblem('host name')).toMatch(/not a host/);
  });
});

const profile: ConnectionProfile = {
  id: 'p1',
  name: 'prod',
  seeds: ['db-1:6379'],
  user: 'ops',
  tls: { enabled: true, caFile: 'ca.crt' },
  ssh: { host: 'bastion', user: 'me', keyFile: 'id' },
  trustedHosts: ['*.internal'],
  readOnly: true,
  secrets: { password: true, sentinelPassword: false, sshPassword: false, sshPassphrase: true },
  savedAt: 1,
};

describe('ConnectionForm: profiles', () => {
  it('fills from a profile without a secret, and connects with its id', () => {
    const form = formWith({ password: 'typed-before' });
    form.fillFromProfile(profile);
    expect(form.password).toBe('');
    expect(form.storedSecrets.password).toBe(true);
    expect(form.toOptions()).toEqual({
      seeds: ['db-1:6379'],
      user: 'ops',
      tls: { enabled: true, caFile: 'ca.crt' },
      ssh: { host: 'bastion', user: 'me', keyFile: 'id' },
      trustedHosts: ['*.internal'],
      readOnly: true,
      profileId: 'p1',
    });
  });

  it('saves secrets only when asked to remember them, and never in the profile fields', () => {
    const form = formWith({ seedsText: 'a:1', password: 'pw', ...SSH_BY_KEY, sshPassphrase: 'kp' });
    expect(form.toProfile(' mine ', false)).toEqual({ name: 'mine', seeds: ['a:1'], ssh: { host: 'b', user: 'u', keyFile: 'k' } });
    expect(form.toProfile('mine', true).secrets).toEqual({ password: 'pw', sshPassphrase: 'kp' });
  });

  it('updates the profile it came from, or saves a new one', () => {
    const form = new ConnectionForm();
    form.fillFromProfile(profile);
    expect(form.toProfile('prod', false).id).toBe('p1');
    expect(form.toProfile('prod copy', false, true).id).toBeUndefined();
  });
});

it('finds the fingerprint in a HOST_KEY_UNKNOWN message', () => {
  expect(hostKeyFingerprint(`bastion:22 is not in known_hosts; its ED25519 key is ${FINGERPRINT}.`)).toBe(FINGERPRINT);
  expect(hostKeyFingerprint('no key here')).toBeNull();
});

it('keeps one form per tab session, so a disconnect finds TLS and SSH still filled in', () => {
  const session = {};
  const first = ConnectionForm.for(session);
  expect(first.created).toBe(true);
  first.form.tlsEnabled = true;
  const again = ConnectionForm.for(session);
  expect(again).toEqual({ form: first.form, created: false });
  expect(ConnectionForm.for({}).form).not.toBe(first.form);
});
