// The Sentinel view in real Chromium, against three real redis-sentinel processes: connected
// through the Sentinel fields of the connect form, the Sentinels are drawn apart from the tree
// (compact cards, dashed lines to the master), their view per master is in the details, and a
// SENTINEL FAILOVER offered in the master's menu, planned and run, shows in the events as one group. Screenshots land in test-artifacts/.
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { shot, useBrowserAndRenderer } from '../helpers/browser';
import { startSentinelGroup } from '../helpers/sentinel-group';
import { openWebConsole, useCleanups } from '../helpers/web-e2e';

const GROUP = 'mymaster';
const e2e = useBrowserAndRenderer('rc-e2e-sentinel-');
const cleanups = useCleanups();

describe('Sentinel view', () => {
  it('draws the Sentinels apart, shows their view, and groups a real failover as one incident', async () => {
    const lab = await Lab.start({ nodes: masterWithReplicas(1) });
    cleanups.push(() => lab.close());
    const sentinels = (await startSentinelGroup(lab, GROUP, 1, { downAfterMs: 1000, failoverTimeoutMs: 4000 })).map((name) => lab.address(name));
    const { page, problems } = await openWebConsole(e2e, cleanups);

    // The Sentinel fields of the form: a bad master name is caught before anything is sent.
    await page.getByTestId('mode-sentinel').click();
    await page.getByTestId('sentinels-input').fill(sentinels.join(', '));
    await page.getByTestId('master-name-input').fill('my master');
    await page.getByTestId('connect-button').click();
    await expect(page.getByTestId('problem-masterName').textContent()).resolves.toMatch(/without spaces/);
    await page.getByTestId('master-name-input').fill(GROUP);
    await page.getByTestId('connect-button').click();

    await expect(page.getByTestId('conn-sentinel').textContent({ timeout: 15_000 })).resolves.toBe(GROUP);
    const cards = page.locator('[data-role="sentinel"]');
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBe(3);
    // One dashed line from each Sentinel to the master; the replication edge stays the only other one.
    await expect.poll(() => page.locator('.svelte-flow__edge.sentinel-link').count(), { timeout: 15_000 }).toBe(3);
    const master = page.getByTestId(`node-card-${lab.address('master')}`);
    // Each Sentinel card names the master it gives clients.
    await expect.poll(() => page.getByTestId(`node-card-${sentinels[0]}`).getByTestId(`sentinel-master-address-${GROUP}`).textContent(), { timeout: 15_000 }).toContain(`master ${lab.address('master')}`);
    const sentinelBox = await page.getByTestId(`node-card-${sentinels[0]}`).boundingBox();
    const masterBox = await master.boundingBox();
    expect(sentinelBox && masterBox && sentinelBox.y + sentinelBox.height < masterBox.y).toBe(true);

    // A Sentinel's view of the master: quorum and CKQUORUM, epoch, failover state.
    await page.getByTestId(`node-card-${sentinels[0]}`).click();
    const view = page.getByTestId(`sentinel-view-${GROUP}`);
    await view.waitFor();
    await expect.poll(() => page.getByTestId(`sentinel-quorum-${GROUP}`).textContent(), { timeout: 15_000 }).toMatch(/2 · CKQUORUM\s*OK 3 usable Sentinels/);
    await expect(view.textContent()).resolves.toMatch(/Config epoch/);
    await shot(page, 'sentinel-view-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'sentinel-view-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // A real failover from the master's menu: Sentinel failover comes first there, planned and run.
    await page.getByTestId(`node-menu-button-${lab.address('master')}`).click();
    const offer = page.getByTestId('node-action-sentinel-failover');
    await expect(offer.textContent()).resolves.toContain(`SENTINEL FAILOVER ${GROUP}`);
    await offer.click();
    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    const confirm = page.getByTestId('plan-confirm-input');
    if (await confirm.isVisible()) await confirm.fill((await confirm.getAttribute('data-confirm-address')) ?? '');
    const run = page.getByTestId('plan-run');
    await expect.poll(() => run.isEnabled()).toBe(true);
    await shot(page, 'sentinel-failover-plan-light');
    await run.click();
    const outcome = page.getByTestId('plan-outcome');
    await outcome.waitFor({ timeout: 40_000 });
    await expect(outcome.getAttribute('data-status')).resolves.toBe('ok');
    await page.getByTestId('plan-close').click();
    const incident = page.locator('[data-testid="sentinel-incident"][data-outcome="switched"]');
    await incident.first().waitFor({ timeout: 25_000 });
    expect(await page.locator('[data-testid="sentinel-incident"]').count()).toBe(1);
    await expect(incident.textContent()).resolves.toContain(`Sentinel failover of ${GROUP}`);
    await expect(incident.getByTestId('incident-path').textContent()).resolves.toMatch(/\+try-failover.*\+switch-master/);
    expect(await incident.locator('[data-sentinel-event="+switch-master"]').count()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.getByTestId(`node-card-${lab.address('replica-1')}`).getAttribute('data-role'), { timeout: 15_000 }).toBe('master');
    // After the failover, the Sentinels' cards say which node they chose.
    await expect.poll(() => page.getByTestId(`node-card-${sentinels[0]}`).getByTestId(`sentinel-master-address-${GROUP}`).textContent(), { timeout: 15_000 }).toContain(`master ${lab.address('replica-1')}`);
    await shot(page, 'sentinel-failover-light');
    expect(problems).toEqual([]);
  });
});
