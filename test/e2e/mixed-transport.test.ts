// The plan dialog of a switchover in a group whose servers replicate some over TLS and some in
// the clear, in real Chromium through the web mode: the box that says where replicas will dial the
// new master names both of its ports, each one a replica is sent (TLS_REPLICATION), not only the first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, shot, useBrowserAndRenderer } from '../helpers/browser';
import { startMixedTransportGroup } from '../helpers/mixed-transport';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-mixed-transport-');
const cleanups = useCleanups();
let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs?.remove());

describe('a switchover over mixed transports, planned in the page', () => {
  let problems: string[] = [];

  it('shows each address replicas will dial the new master at: its TLS port and its plain port', async () => {
    const { lab, tlsPort } = await startMixedTransportGroup(certs);
    cleanups.push(() => lab.close());
    const opened = await openServiceConsole(e2e, cleanups, lab.address('master'));
    const { page } = opened;
    problems = opened.problems;
    const r1 = lab.address('replica-1');
    await page.locator('[data-testid^="edge-"][data-health="up"]').nth(1).waitFor({ timeout: 15_000 });
    await card(page, r1).waitFor({ timeout: 15_000 });

    await page.getByTestId(`node-menu-button-${r1}`).click();
    await page.getByTestId('node-action-switchover').click();
    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 20_000 }).toBe('review');
    const target = page.getByTestId('replicaof-target');
    // The old master (tls-replication yes) is sent the TLS port; the other replica the plain one.
    await expect(page.getByTestId('plan-steps').textContent()).resolves.toContain(`REPLICAOF 127.0.0.1 ${tlsPort['replica-1']}`);
    const addresses = [await page.getByTestId('replicaof-target-address').textContent(), ...(await page.getByTestId('replicaof-target-other').allTextContents())];
    expect(addresses.sort()).toEqual([`127.0.0.1:${tlsPort['replica-1']}`, r1].sort());
    expect(await target.textContent()).toContain('by their tls-replication');
    await target.scrollIntoViewIfNeeded();
    await shot(page, 'mixed-transport-targets');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'mixed-transport-targets-dark');

    await page.getByTestId('plan-cancel').click();
    await expect.poll(() => dialog.getAttribute('data-phase')).toBe('closed');
  });

  afterAll(() => {
    expect(problems).toEqual([]);
  });
});
