// A TLS-only lab reached through a real sshd, read-only, typed into the connect form in real
// Chromium: the unknown host key is shown with its fingerprint and trusted with one button,
// the header then says TLS, via SSH and READ ONLY; a host key that changed afterwards is refused
// plainly, with no button; TLS without verification stays a warning in the header once connected. Screenshots of the header land in test-artifacts/.
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { ARTIFACTS, useBrowserAndRenderer } from '../helpers/browser';
import { openWebConsole, useCleanups } from '../helpers/web-e2e';
import { startSshd } from '../helpers/sshd';
import { makeTestCertificates } from '../helpers/tls-certs';

const e2e = useBrowserAndRenderer('rc-e2e-secure-');
const cleanups = useCleanups();

describe('TLS through an SSH bastion, read-only', () => {
  it('confirms the unknown host key, shows how it is connected, and refuses a changed key', async () => {
    // known_hosts is ~/.ssh/known_hosts by default: a home of this test's own, not the machine's.
    const home = await mkdtemp(join(tmpdir(), 'rc-e2e-home-'));
    const realHome = process.env.HOME;
    process.env.HOME = home;
    cleanups.push(() => {
      process.env.HOME = realHome;
      return rm(home, { recursive: true, force: true });
    });
    const certs = makeTestCertificates();
    cleanups.push(() => certs.remove());
    const lab = await Lab.start({ nodes: masterWithReplicas(1), tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.caFile } });
    cleanups.push(() => lab.close());
    const sshd = await startSshd();
    cleanups.push(() => sshd.close());
    const { page, problems } = await openWebConsole(e2e, cleanups);

    await page.getByTestId('seeds-input').fill(`rediss://${lab.address('master')}`);
    await page.getByTestId('section-tls-toggle').click();
    expect(await page.getByTestId('tls-enabled').isChecked()).toBe(true);
    await page.getByTestId('tls-ca').fill(certs.caFile);
    await page.getByTestId('section-ssh-toggle').click();
    await page.getByTestId('ssh-enabled').check();
    await page.getByTestId('ssh-host').fill('127.0.0.1');
    await page.getByTestId('ssh-port').fill(String(sshd.port));
    await page.getByTestId('ssh-user').fill('root');
    await page.getByTestId('ssh-key-file').fill(sshd.key.file);
    await page.getByTestId('section-options-toggle').click();
    await page.getByTestId('read-only').check();
    await page.getByTestId('connect-button').click();

    // Unknown bastion: its fingerprint, and one button to trust it and connect.
    const error = page.getByTestId('connect-error');
    await error.waitFor({ timeout: 15_000 });
    expect(await error.getAttribute('data-code')).toBe('HOST_KEY_UNKNOWN');
    await expect(page.getByTestId('host-key-fingerprint').textContent()).resolves.toBe(sshd.hostFingerprint);
    await page.getByTestId('trust-host-key').click();

    const header = page.locator('header.bar');
    await page.getByTestId('read-only-badge').waitFor({ timeout: 20_000 });
    await expect(page.getByTestId('conn-tls').textContent()).resolves.toContain('TLS');
    await expect(page.getByTestId('conn-ssh').textContent()).resolves.toBe(`via SSH root@127.0.0.1:${sshd.port}`);
    await page.getByTestId(`node-card-${lab.address('replica-1')}`).waitFor();
    expect(fs.readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toContain(sshd.hostPublicKey.split(' ')[1]);
    await header.screenshot({ path: join(ARTIFACTS, 'header-tls-ssh-read-only-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await header.screenshot({ path: join(ARTIFACTS, 'header-tls-ssh-read-only-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // The bastion's key changes (as known_hosts now says otherwise): refused, no way round it in the UI.
    await page.getByTestId('disconnect').click();
    fs.writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.strangerKey.publicLine}\n`);
    await page.getByTestId('password-input').waitFor();
    await page.getByTestId('connect-button').click();
    await expect.poll(() => error.getAttribute('data-code'), { timeout: 15_000 }).toBe('HOST_KEY_CHANGED');
    await page.getByTestId('host-key-changed').waitFor();
    expect(await page.getByTestId('trust-host-key').count()).toBe(0);

    // known_hosts put right, and TLS without verification: the header and the banner keep saying so.
    fs.writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    await page.getByTestId('tls-insecure').check();
    await page.getByTestId('tls-insecure-warning').waitFor();
    await page.getByTestId('connect-button').click();
    await expect(page.getByTestId('conn-tls-insecure').textContent({ timeout: 20_000 })).resolves.toContain('TLS not verified');
    expect(await page.getByTestId('conn-tls').count()).toBe(0);
    await page.locator('[data-testid="warnings"] [data-code="TLS_INSECURE"]').waitFor({ timeout: 10_000 });
    await header.screenshot({ path: join(ARTIFACTS, 'header-tls-insecure-light.png') });
    expect(problems).toEqual([]);
  });
});
