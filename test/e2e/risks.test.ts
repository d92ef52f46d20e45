// The risks and the backlog advisor in the real renderer: settings in the node details, a
// dead master as one headline with the warnings it explains folded under it, and the data
// loss when that master (without persistence) is restarted anyway.
import { describe, expect, it } from 'vitest';
import { masterWithReplicas } from '../../electron/lab/lab';
import { card, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { useLabWebConsole } from '../helpers/web-console';

const e2e = useBrowserAndRenderer('rc-e2e-risks-');


describe('risks in the UI (real servers)', () => {
  const on = useLabWebConsole(e2e, 'rc-e2e-risks-', { nodes: masterWithReplicas(3) });

  it('shows the replication settings and the no-persistence risk, then a dead master as one headline (light and dark)', async () => {
    const { lab, server } = on;
    const master = lab.address('master');
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
      try {
        if (scheme === 'light') {
          await connectThroughForm(page, master);
        }
        await expect.poll(() => page.locator('[data-testid^="node-card-"]').count(), { timeout: 15_000 }).toBe(4);
        const warnings = page.getByTestId('warnings');
        await expect.poll(() => warnings.locator('li[data-code="MASTER_NO_PERSISTENCE"]').count(), { timeout: 10_000 }).toBe(1);
        await card(page, master).click();
        const settings = page.getByTestId('replication-settings');
        await settings.waitFor({ timeout: 5000 });
        await expect(settings.textContent()).resolves.toContain('off (save "")');
        await expect(settings.textContent()).resolves.toContain('repl-backlog-size');
        await shot(page, `risks-settings-${scheme}`);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }

    await lab.kill('master');
    const { context, page, problems } = await openPage(e2e.browser, server.url, 'dark');
    try {
      const warnings = page.getByTestId('warnings');
      await expect.poll(() => warnings.locator('li[data-code="MASTER_DOWN"]').count(), { timeout: 15_000 }).toBe(1);
      // One headline: the replicas' UNKNOWN_MASTER rows are under it, not beside it.
      await expect(warnings.locator(':scope > ul > li[data-code="UNKNOWN_MASTER"]').count()).resolves.toBe(0);
      await expect(warnings.locator('li[data-code="MASTER_DOWN"]').textContent()).resolves.toMatch(/down since \d\d:\d\d:\d\d UTC; 3 replicas orphaned → fail over/);
      await warnings.getByTestId('folded-warnings').locator('summary').click();
      await expect.poll(() => warnings.locator('[data-testid="folded-warnings"] li[data-code="UNKNOWN_MASTER"]').count()).toBe(3);
      await expect(warnings.locator('li[data-code="MASTER_DOWN"]').textContent()).resolves.toContain(`fail over first, do NOT restart ${master} before that`);
      await expect.poll(() => page.getByTestId('count-masters').textContent()).toMatch(/1 master\s*\(down\)/);
      await shot(page, 'risks-master-down-dark');

      // Restarted anyway, without persistence: back empty, its replicas wiped, every link green
      // again. The loss heads the banner, in red, and stays.
      await lab.restart('master');
      const loss = warnings.locator('li[data-code="MASTER_RESTARTED_EMPTY"]');
      await expect.poll(() => loss.textContent(), { timeout: 15_000 }).toMatch(/then replaced their data with its empty dataset/);
      await expect.poll(() => page.locator('[data-testid^="edge-"][data-health="up"]').count(), { timeout: 15_000 }).toBe(3);
      await expect(warnings.locator(':scope > ul > li').first().getAttribute('data-code')).resolves.toBe('MASTER_RESTARTED_EMPTY');
      await expect(loss.locator('.chip').textContent()).resolves.toBe('Data loss');
      await expect(loss.locator('.chip').getAttribute('class')).resolves.toContain('bad');
      await expect(card(page, master).locator('.chip', { hasText: 'Data loss' }).getAttribute('class')).resolves.toContain('bad');
      await shot(page, 'risks-data-loss-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await shot(page, 'risks-data-loss-light');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
