// A running switchover in real Chromium through the web mode, against a real lab: while the
// target catches up under the master's write pause, its offsets read as the app writes them
// (26,113, with the bytes to go) and the dialog counts down the time the pause still holds.
// The target is held behind by a CLIENT PAUSE WRITE of its own, which holds its master's stream.
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { shot, useBrowserAndRenderer } from '../helpers/browser';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-plan-progress-');
const cleanups = useCleanups();

describe('a switchover under a write pause, as it runs', () => {
  let problems: string[] = [];

  it('shows the target\'s offsets formatted and the time the pause still holds, counting down', async () => {
    const lab = await Lab.start({ nodes: docsLayout() });
    cleanups.push(() => lab.close());
    const opened = await openServiceConsole(e2e, cleanups, lab.address('master'));
    const { page } = opened;
    problems = opened.problems;
    const r1 = lab.address('replica-1');
    await page.locator('[data-testid^="edge-"][data-health="up"]').nth(2).waitFor({ timeout: 15_000 });

    const master = new Redis({ host: '127.0.0.1', port: lab.port('master'), maxRetriesPerRequest: 1 });
    cleanups.push(() => master.disconnect());
    const target = new Redis({ host: '127.0.0.1', port: lab.port('replica-1'), maxRetriesPerRequest: 1 });
    cleanups.push(() => target.disconnect());
    await target.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    cleanups.push(() => target.call('CLIENT', 'UNPAUSE'));
    for (let i = 0; i < 200; i++) await master.set(`e2e:progress:${i}`, 'x'.repeat(100));

    await page.getByTestId(`node-menu-button-${r1}`).click();
    await page.getByTestId('node-action-switchover').click();
    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    const confirm = page.getByTestId('plan-confirm-input');
    if (await confirm.isVisible()) await confirm.fill((await confirm.getAttribute('data-confirm-address')) ?? '');
    await page.getByTestId('plan-run').click();

    const pause = page.getByTestId('write-pause-left');
    await pause.waitFor({ timeout: 15_000 });
    expect(await pause.textContent()).toMatch(new RegExp(`Writes held on ${lab.address('master').replace(/\./g, '\\.')}: \\d+ s left`));
    const first = Number(await pause.getAttribute('data-left'));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(10);
    await expect.poll(async () => Number(await pause.getAttribute('data-left')), { timeout: 5000 }).toBeLessThan(first);

    const waiting = page.locator('[data-testid="plan-step"][data-status="running"]');
    await expect.poll(() => waiting.textContent(), { timeout: 5000 }).toMatch(/at offset [\d,]+ of \d{1,3}(,\d{3})+, [\d.]+ KiB to go/);
    const steps = (await waiting.textContent()) ?? '';
    expect(steps).toMatch(/target\s*\d{1,3}(,\d{3})+/);
    expect(steps).toMatch(/behind\s*[\d.]+ KiB/);
    await shot(page, 'progress-pause-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'progress-pause-dark');

    await target.call('CLIENT', 'UNPAUSE');
    const outcome = page.getByTestId('plan-outcome');
    await outcome.waitFor({ timeout: 30_000 });
    await expect(outcome.getAttribute('data-status')).resolves.toBe('ok');
    await expect(pause.count()).resolves.toBe(0);
  });

  afterAll(() => {
    expect(problems).toEqual([]);
  });
});
