// A sentinel-failover whose master dies while it waits for its Sentinel to read the steered
// priorities, run from a replica's menu in real Chromium through the web mode, against a real
// master, two replicas and three real redis-sentinel processes (quorum 2, down-after 1000 ms):
// the Sentinels fail it over on their own, and the dialog's outcome reads "Stopped — Sentinel
// failed over on its own" in the warning tone, with to whom (the preferred replica) and that the
// console sent no SENTINEL FAILOVER, not "Failed". As in the integration test of the same plan,
// the Sentinel the step asks is stopped (SIGSTOP) as the step starts (seen in process, before its
// first command) so the wait holds, and the master is killed once the two others have read the
// steer. Screenshots land in test-artifacts/.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { startWebServer } from '../../electron/web/server';
import { openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { sentinelsFailOverOnTheirOwn, startSentinelGroup } from '../helpers/sentinel-group';
import { useCleanups } from '../helpers/web-e2e';

const NAME = 'rc-own-e2e';
const e2e = useBrowserAndRenderer('rc-e2e-sentinel-own-');
const cleanups = useCleanups();

describe('a sentinel-failover the Sentinels make pointless by failing over on their own', () => {
  it('ends "Stopped — Sentinel failed over on its own" in the warning tone, saying to whom and that no SENTINEL FAILOVER was sent', async () => {
    const lab = await Lab.start({ nodes: masterWithReplicas(2) });
    cleanups.push(() => lab.close());
    const sentinels = await startSentinelGroup(lab, NAME, 2, { downAfterMs: 1000, failoverTimeoutMs: 5000 });
    const auditDir = await mkdtemp(join(tmpdir(), 'rc-e2e-audit-'));
    cleanups.push(() => rm(auditDir, { recursive: true, force: true }));
    const service = new ConsoleService({ interface: 'web', auditDir });
    cleanups.push(() => service.close());
    await service.connect({ seeds: [], sentinel: { addresses: sentinels.map((s) => lab.address(s)), masterName: NAME }, pollIntervalMs: 1000 });
    const server = await startWebServer({ rendererDir: e2e.rendererDir, service });
    cleanups.push(() => server.close());
    const { context, page, problems } = await openPage(e2e.browser, server.url);
    cleanups.push(() => context.close());

    // The Sentinel the priorities step asks, stopped as the step starts ("sending SENTINEL REPLICAS … to HOST:PORT").
    const via: { sentinel: string | null } = { sentinel: null };
    let stepStarted!: () => void;
    const started = new Promise<void>((resolve) => (stepStarted = resolve));
    const stopListening = service.onActionProgress((p) => {
      const asked = new RegExp(`^sending SENTINEL REPLICAS ${NAME} to (\\S+)$`).exec(p.message)?.[1];
      if (!asked || via.sentinel !== null) return;
      via.sentinel = sentinels.find((s) => lab.address(s) === asked) ?? null;
      if (via.sentinel) lab.pause(via.sentinel);
      stepStarted();
    });
    cleanups.push(stopListening);
    // Before lab.close (clean-ups run last-pushed first): a stopped Sentinel is let go.
    cleanups.push(() => via.sentinel && lab.resume(via.sentinel));

    // From the preferred replica's menu: the plan steers Sentinel to it.
    const prefer = lab.address('replica-2');
    await page.getByTestId(`node-card-${prefer}`).waitFor({ timeout: 15_000 });
    await page.getByTestId(`node-menu-button-${prefer}`).click();
    await page.getByTestId('node-action-sentinel-failover').click();
    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    const confirm = page.getByTestId('plan-confirm-input');
    if (await confirm.isVisible()) await confirm.fill((await confirm.getAttribute('data-confirm-address')) ?? '');
    const run = page.getByTestId('plan-run');
    await expect.poll(() => run.isEnabled()).toBe(true);
    await run.click();

    await started;
    expect(via.sentinel, "the Sentinel the step asks is one of the lab's").not.toBeNull();
    const live = sentinels.filter((s) => s !== via.sentinel);
    // The two others read the steer: their failover then picks the preferred replica.
    await sentinelsFailOverOnTheirOwn(lab, live, NAME, 'replica-2');

    const outcome = page.getByTestId('plan-outcome');
    await outcome.waitFor({ timeout: 30_000 });
    lab.resume(via.sentinel ?? '');
    // Still a failure for the audit and scripts; told apart by what stopped it, and its tone.
    await expect(outcome.getAttribute('data-status')).resolves.toBe('failed');
    await expect(outcome.getAttribute('data-stopped-by')).resolves.toBe('sentinel');
    await expect(outcome.getAttribute('class')).resolves.toMatch(/\bwarn\b/);
    await expect(outcome.getByTestId('plan-outcome-label').textContent()).resolves.toBe('Stopped — Sentinel failed over on its own');
    await expect(outcome.getByTestId('plan-outcome-headline').textContent()).resolves.toBe(
      `Sentinel failed "${NAME}" over on its own to ${prefer} (the replica this plan preferred); the console sent no SENTINEL FAILOVER.`,
    );
    await expect(outcome.textContent()).resolves.not.toMatch(/Failed/);
    // The step it stopped at (the wait for the priorities) is "Stopped" too, its message Sentinel's doing.
    const stoppedAt = page.locator('[data-testid="plan-step"][data-stopped-by="sentinel"]');
    await expect(stoppedAt.count()).resolves.toBe(1);
    await expect(stoppedAt.getAttribute('data-status')).resolves.toBe('failed');
    await expect(stoppedAt.getByTestId('step-status').textContent()).resolves.toMatch(/^\s*Stopped/);
    await expect(stoppedAt.getByTestId('step-message').textContent()).resolves.toContain(`Sentinel failed "${NAME}" over on its own to ${prefer}, the replica this plan preferred`);
    // The next steps, as the engine writes them.
    const next = page.getByTestId('plan-next-steps');
    await expect(next.textContent()).resolves.toContain('the console did not send SENTINEL FAILOVER');
    await expect(next.textContent()).resolves.toContain('The replica priorities the plan changed to steer Sentinel are back');

    await outcome.scrollIntoViewIfNeeded();
    await shot(page, 'sentinel-on-its-own-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'sentinel-on-its-own-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The audit lists it the same way: stopped by Sentinel, not failed.
    await page.getByTestId('plan-close').click();
    await page.getByTestId('tab-audit').click();
    const row = page.getByTestId('audit-row').first();
    await expect.poll(() => row.textContent(), { timeout: 5000 }).toContain('Stopped — Sentinel failed over on its own');
    await expect(row.getAttribute('data-outcome')).resolves.toBe('failed');
    await shot(page, 'sentinel-on-its-own-audit');
    expect(problems).toEqual([]);
  });
});
