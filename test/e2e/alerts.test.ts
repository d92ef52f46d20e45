// Alerts in real Chromium through the web mode, against a real master and replica: a threshold
// set through the form, a replica's link broken for real (a wrong masterauth, its link to the
// master cut), the alert firing in the panel, the header and the tab; acknowledged; the replica
// muted from its menu with the badge on its card; the whole topology muted and unmuted; and the
// browser's notifications (permission granted, window.Notification wrapped) shown once per
// incident: none on later ticks, none when it resolves, none for an incident while muted.
import Redis from 'ioredis';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { connectThroughForm, shot, useBrowserAndRenderer } from '../helpers/browser';
import { openWebConsole, useCleanups } from '../helpers/web-e2e';

const PASSWORD = 'e2e-alerts-secret-4410';
const e2e = useBrowserAndRenderer('rc-e2e-alerts-');
const cleanups = useCleanups();

/** Wraps the page's Notification before any script of the page runs: each one constructed is recorded. */
const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification;
  const shown = [];
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      shown.push({ title, tag: options && options.tag });
    }
  }
  Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
  window.__notifications = shown;
})();`;

const shownNotifications = (page: Page): Promise<{ title: string; tag: string }[]> =>
  page.evaluate(() => (globalThis as unknown as { __notifications: { title: string; tag: string }[] }).__notifications);

const row = (page: Page, rule: string, node: string, state?: string) =>
  page.locator(`[data-alert-rule="${rule}"][data-alert-node="${node}"]${state ? `[data-alert-state="${state}"]` : ''}`);

describe('alerts, mutes and notifications', () => {
  it('fires on a broken link, notifies once, acknowledges, mutes a node and the topology', async () => {
    const lab = await Lab.start({ nodes: masterWithReplicas(1), password: PASSWORD });
    cleanups.push(() => lab.close());
    const [master, replica] = [lab.address('master'), lab.address('replica-1')];
    const replicaClient = new Redis(lab.port('replica-1'), '127.0.0.1', { password: PASSWORD, lazyConnect: true });
    const masterClient = new Redis(lab.port('master'), '127.0.0.1', { password: PASSWORD, lazyConnect: true });
    cleanups.push(() => replicaClient.quit());
    cleanups.push(() => masterClient.quit());
    const { server, context, page, problems } = await openWebConsole(e2e, cleanups);
    await context.grantPermissions(['notifications'], { origin: server.url });
    await context.addInitScript(RECORD_NOTIFICATIONS);
    await page.reload();

    await connectThroughForm(page, master, PASSWORD);
    await page.getByTestId(`node-card-${replica}`).waitFor();

    // The alerts tab; notifications are off until the user enables them (the permission is granted here already).
    await page.getByTestId('tab-alerts').click();
    const panel = page.getByTestId('alerts-panel');
    await panel.waitFor();
    await expect(page.getByTestId('notifications-toggle').getAttribute('data-on')).resolves.toBe('false');
    await page.getByTestId('notifications-toggle').click();
    await expect.poll(() => page.getByTestId('notifications-toggle').getAttribute('data-on')).toBe('true');

    // Thresholds: a wrong value is refused with a message, then link down 1 s is applied.
    await page.getByTestId('thresholds-toggle').click();
    await page.getByTestId('threshold-linkDownSeconds').fill('-3');
    await page.getByTestId('thresholds-apply').click();
    await expect(page.getByTestId('threshold-error-linkDownSeconds').textContent()).resolves.toBe('Must be 0 or more');
    await page.getByTestId('threshold-linkDownSeconds').fill('1');
    await page.getByTestId('thresholds-apply').click();
    await expect.poll(() => page.getByTestId('thresholds-form').locator('[role="status"]').textContent()).toMatch(/Applied/);

    // The replica's link goes down for real: it cannot authenticate to its master any more.
    await replicaClient.config('SET', 'masterauth', 'not-the-password');
    await masterClient.client('KILL', 'TYPE', 'replica');
    const firing = row(page, 'LINK_DOWN', replica, 'firing');
    await firing.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('alerts-indicator').getAttribute('data-firing')).toBe('1');
    await expect(page.getByTestId('tab-alerts').getAttribute('data-firing')).resolves.toBe('1');
    await expect.poll(() => shownNotifications(page)).toHaveLength(1);
    const [first] = await shownNotifications(page);
    expect(first?.title).toBe(`Link down: ${replica}`);
    expect(first?.tag).toBe(await firing.getAttribute('data-alert-id'));
    // Later ticks of the same incident (its message counts the seconds): no second notification.
    const message = await firing.locator('td').nth(3).textContent();
    await expect.poll(() => firing.locator('td').nth(3).textContent(), { timeout: 10_000 }).not.toBe(message);
    expect(await shownNotifications(page)).toHaveLength(1);
    await shot(page, 'alerts-panel-firing-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'alerts-panel-firing-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Acknowledged: no longer counted as firing, listed as acknowledged.
    await firing.getByRole('button', { name: 'Acknowledge' }).click();
    await row(page, 'LINK_DOWN', replica, 'acknowledged').waitFor();
    await expect.poll(() => page.getByTestId('alerts-indicator').getAttribute('data-firing')).toBe('0');

    // Mute the replica for an hour from its menu: the card says so.
    await page.getByTestId(`node-menu-button-${replica}`).click();
    await page.getByTestId('node-mute-alerts').click();
    await page.getByTestId('mute-for-60').waitFor();
    await shot(page, 'alerts-node-menu-mute-light');
    await page.getByTestId('mute-for-60').click();
    const card = page.getByTestId(`node-card-${replica}`);
    await expect.poll(() => card.getAttribute('data-muted')).toBe('true');
    await expect(page.getByTestId(`muted-badge-${replica}`).textContent()).resolves.toMatch(/muted · (1 h|60 min)/);

    // The whole topology for 15 min: shown in the panel head and the header, then ended.
    await page.getByTestId('mute-all').selectOption('15');
    await page.getByTestId('topology-muted').waitFor();
    await expect.poll(() => page.getByTestId('alerts-indicator').getAttribute('data-muted')).toBe('true');
    await shot(page, 'alerts-muted-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'alerts-muted-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('unmute-all').click();
    await expect.poll(() => page.getByTestId('alerts-indicator').getAttribute('data-muted')).toBe('false');

    // The link comes back: resolved, and no notification for that.
    await replicaClient.config('SET', 'masterauth', PASSWORD);
    await row(page, 'LINK_DOWN', replica, 'resolved').waitFor({ timeout: 15_000 });
    // A new incident on the muted replica: listed (muted), not notified.
    await replicaClient.config('SET', 'masterauth', 'not-the-password');
    await masterClient.client('KILL', 'TYPE', 'replica');
    const again = page.locator(`[data-alert-rule="LINK_DOWN"][data-alert-node="${replica}"][data-alert-state="firing"][data-muted="true"]`);
    await again.waitFor({ timeout: 15_000 });
    expect(await shownNotifications(page)).toHaveLength(1);
    await shot(page, 'alerts-resolved-and-muted-light');
    expect(problems).toEqual([]);
  });
});
