// The connect form in real Chromium against the web mode: field problems before anything is
// sent, a redis:// URL giving up its password at once, saved connections (save with a secret,
// export without it, import, delete), and a read-only connection made through a profile: the
// header says so, every action is disabled with its reason, and the service refuses a plan
// sent anyway. Screenshots land in test-artifacts/.
import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { shot, useBrowserAndRenderer } from '../helpers/browser';
import { openWebConsole, useCleanups } from '../helpers/web-e2e';

const PASSWORD = 'e2e-form-secret-7731';
const e2e = useBrowserAndRenderer('rc-e2e-connection-');
const cleanups = useCleanups();

describe('connect form and saved connections', () => {
  it('checks fields, takes the URL password out, saves, exports, imports and connects read-only through a profile', async () => {
    const lab = await Lab.start({ nodes: masterWithReplicas(1), password: PASSWORD });
    cleanups.push(() => lab.close());
    const [master, replica] = [lab.address('master'), lab.address('replica-1')];
    const { hub, page, problems } = await openWebConsole(e2e, cleanups);
    const dir = await mkdtemp(join(tmpdir(), 'rc-e2e-connection-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    // Nothing typed, an SSH section without a host, a bad CIDR: each field says what is wrong, nothing is sent.
    await page.getByTestId('connect-button').click();
    await expect(page.getByTestId('problem-seeds').textContent()).resolves.toMatch(/Enter at least one/);
    await page.getByTestId('section-ssh-toggle').click();
    await page.getByTestId('ssh-enabled').check();
    await page.getByTestId('section-trust-toggle').click();
    await page.getByTestId('trusted-hosts').fill('10.0.0.0/40');
    await page.getByTestId('connect-button').click();
    await expect(page.getByTestId('problem-sshHost').textContent()).resolves.toBe('Enter the SSH host (the bastion).');
    await expect(page.getByTestId('problem-trustedHosts').textContent()).resolves.toMatch(/prefix length must be 0–32/);
    expect(await page.getByTestId('connect-error').count()).toBe(0);

    // Every section open, TLS "don't verify" with its warning: the form as a screenshot, light and dark.
    for (const id of ['tls', 'map', 'options', 'save']) await page.getByTestId(`section-${id}-toggle`).click();
    await page.getByTestId('tls-enabled').check();
    await page.getByTestId('tls-insecure').check();
    await page.getByTestId('tls-insecure-warning').waitFor();
    await page.setViewportSize({ width: 1440, height: 2100 });
    await shot(page, 'connect-form-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'connect-form-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId('tls-enabled').uncheck();
    await page.getByTestId('ssh-enabled').uncheck();
    await page.getByTestId('trusted-hosts').fill('127.0.0.1');

    // A URL's password leaves the seeds field as it is typed, into the password field.
    await page.getByTestId('seeds-input').fill(`redis://:${PASSWORD}@${master}`);
    await expect.poll(() => page.getByTestId('seeds-input').inputValue()).toBe(`redis://${master}`);
    expect(await page.getByTestId('password-input').inputValue()).toBe(PASSWORD);
    await page.getByTestId('read-only').check();

    // Saved with its secret: listed, "password saved", never the value.
    await page.getByTestId('profile-name').fill('lab ro');
    await page.getByTestId('remember-secrets').check();
    await expect(page.getByTestId('secret-destination').textContent()).resolves.toMatch(/memory only/);
    await page.getByTestId('profile-save').click();
    await page.getByTestId('profile-saved').waitFor();
    const saved = page.locator('li[data-name="lab ro"]');
    await expect(saved.textContent()).resolves.toMatch(/password saved/);
    expect(await page.content()).not.toContain(PASSWORD);

    // Exported to a file without the secret; imported back as a new profile; that one deleted after a confirmation.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('profiles-export').click()]);
    const exported = fs.readFileSync(await download.path(), 'utf8');
    expect(exported).toContain('"name": "lab ro"');
    expect(exported).not.toContain(PASSWORD);
    const file = join(dir, 'connections.json');
    await writeFile(file, exported);
    await page.getByTestId('profiles-import-file').setInputFiles(file);
    await expect(page.getByTestId('profiles-import-report').textContent()).resolves.toMatch(/Imported 1 connection/);
    await expect.poll(() => page.locator('li[data-name="lab ro"]').count()).toBe(2);
    await shot(page, 'profiles-light');
    const imported = page.locator('li[data-name="lab ro"]').filter({ hasNotText: 'password saved' });
    await imported.locator('[data-testid^="profile-delete-"]').click();
    await imported.locator('[data-testid^="profile-delete-confirm-"]').click();
    await expect.poll(() => page.locator('li[data-name="lab ro"]').count()).toBe(1);

    // One click on the profile: read-only, named in the header, its stored password used.
    await page.getByTestId('seeds-input').fill('');
    await saved.locator('[data-testid^="profile-connect-"]').click();
    const badge = page.getByTestId('read-only-badge');
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.getAttribute('data-read-only')).toBe('true');
    await expect(page.getByTestId('conn-profile').textContent()).resolves.toBe('lab ro');
    const card = page.getByTestId(`node-card-${replica}`);
    await card.waitFor();
    expect(await card.getAttribute('data-read-only')).toBe('true');
    // Not draggable (a drag that starts on .nodrag is ignored), and it says why.
    expect(await card.getAttribute('class')).toContain('nodrag');
    expect(await card.getAttribute('title')).toBe('Cannot be moved: read-only connection');
    await page.getByTestId(`node-menu-button-${replica}`).click();
    await page.getByTestId('node-menu-read-only').waitFor();
    const items = page.locator('[data-testid^="node-action-"]');
    expect(await items.count()).toBeGreaterThan(2);
    for (const item of await items.all()) {
      expect(await item.isDisabled()).toBe(true);
      await expect(item.textContent()).resolves.toContain('read-only connection');
    }
    await shot(page, 'read-only-menu-light');

    // The service refuses what the page would not send.
    const id = hub.ids.find((t) => hub.get(t).snapshot() !== null) ?? hub.ids[0];
    const plan = await hub.invoke(id, 'action:plan', [{ kind: 'switchover', to: replica }]);
    expect(plan.ok === false && plan.error.code).toBe('READ_ONLY');
    const execute = await hub.invoke(id, 'action:execute', [{ planId: '6f1c2e0a-9a7e-4a53-9a0e-3a8f0d4b5c6d' }]);
    expect(execute.ok === false && execute.error.code).toBe('READ_ONLY');
    expect(problems).toEqual([]);
  });
});
