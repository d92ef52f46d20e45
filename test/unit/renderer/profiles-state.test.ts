// The connect screen's saved connections over the scripted bridge, and the host-key confirm
// flow: an unknown key's fingerprint comes back in the next connect's SSH options, nothing else changes.
import { describe, expect, it } from 'vitest';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { ConnectionForm, hostKeyFingerprint } from '../../../renderer/src/state/connection-form.svelte';
import { ProfilesState, SECRET_STORAGE_TEXT } from '../../../renderer/src/state/profiles.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { CodedError, ScriptedApi } from './scripted-api';

const FINGERPRINT = 'SHA256:' + 'Q'.repeat(43);

describe('ProfilesState', () => {
  it('lists, saves, deletes and says where secrets go', async () => {
    const api = new ScriptedApi();
    const profiles = new ProfilesState(api);
    await profiles.load();
    expect(profiles.secretStorage).toBe('memory');
    expect(SECRET_STORAGE_TEXT.memory).toMatch(/memory only/);
    const form = new ConnectionForm();
    form.seedsText = 'b:1';
    form.password = 'pw';
    const saved = await profiles.save(form.toProfile('zeta', true));
    await profiles.save({ name: 'alpha', seeds: ['a:1'] });
    expect(profiles.sorted.map((p) => p.name)).toEqual(['alpha', 'zeta']);
    expect(saved?.secrets.password).toBe(true);
    expect(JSON.stringify(profiles.profiles)).not.toContain('pw"');
    expect(await profiles.remove(saved?.id ?? '')).toBe(true);
    expect(profiles.profiles.map((p) => p.name)).toEqual(['alpha']);
    await profiles.setSecretStorage('file');
    expect(profiles.secretStorage).toBe('file');
    expect(api.calls).toEqual(['listProfiles', 'saveProfile', 'saveProfile', 'deleteProfile', 'setSecretStorage']);
  });

  it('reports the files the main process kept aside, and an import’s skipped entries', async () => {
    const api = new ScriptedApi();
    api.profiles = { profiles: [], secretStorage: 'encrypted', fileOptIn: false, problems: ['profiles.json could not be read: kept aside as profiles.json.corrupt-1'] };
    api.importProfiles = () => Promise.resolve({ imported: [], problems: ['entry 1 ("x"): skipped: it carries a secret'] });
    const profiles = new ProfilesState(api);
    await profiles.load();
    expect(profiles.problems).toEqual(['profiles.json could not be read: kept aside as profiles.json.corrupt-1']);
    expect(SECRET_STORAGE_TEXT[profiles.secretStorage ?? 'memory']).toMatch(/encrypted by the operating system/);
    // The desktop app: the file opt-in is not offered.
    expect(profiles.fileOptIn).toBe(false);
    await profiles.importText('{}');
    expect(profiles.importReport).toEqual({ imported: 0, problems: ['entry 1 ("x"): skipped: it carries a secret'] });
  });

  it('shows the main process’s refusal instead of the list', async () => {
    const api = new ScriptedApi();
    api.listProfiles = () => Promise.reject(new CodedError('INTERNAL', 'saved connections are not available in this build'));
    const profiles = new ProfilesState(api);
    await profiles.load();
    expect(profiles.error).toEqual({ code: 'INTERNAL', message: 'saved connections are not available in this build' });
    expect(profiles.loaded).toBe(true);
  });
});

describe('host-key confirmation', () => {
  it('connects again with ssh.acceptHostKey set to the fingerprint shown', async () => {
    const api = new ScriptedApi();
    api.connectResult = new CodedError('HOST_KEY_UNKNOWN', `bastion:22 is not a known host; ED25519 key ${FINGERPRINT}`);
    const session = new Session(api, new Clock(1000), () => 1000);
    const form = new ConnectionForm();
    form.seedsText = 'db:6379';
    form.password = 'pw';
    form.sshEnabled = true;
    form.sshHost = 'bastion';
    form.sshUser = 'ops';
    form.sshKeyFile = 'id';
    expect(await session.connect(form.toOptions())).toBe(false);
    const error = session.console.error;
    expect(error?.code).toBe('HOST_KEY_UNKNOWN');
    const fingerprint = hostKeyFingerprint(error?.message ?? '');
    expect(fingerprint).toBe(FINGERPRINT);

    const { labSnapshot } = await import('./fixtures');
    api.connectResult = labSnapshot(1, 1000);
    expect(await session.connect(form.toOptions(fingerprint ?? undefined))).toBe(true);
    expect(api.connectOptions[1]).toEqual({ ...api.connectOptions[0], ssh: { ...api.connectOptions[0]?.ssh, acceptHostKey: FINGERPRINT } });
  });
});
