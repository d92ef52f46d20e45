// A master that refuses writes because its RDB saves fail (MISCONF), and a replica past its own
// maxmemory, in the real renderer: the banner says why the writes are refused and what to do,
// the details show the memory policy, and a switchover to that replica is refused with the
// reason (it would refuse writes as a master) until overridden.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { masterWithReplicas } from '../../electron/lab/lab';
import { card, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { useLabWebConsole } from '../helpers/web-console';

const e2e = useBrowserAndRenderer('rc-e2e-writes-refused-');


describe('writes refused by the master itself (real servers)', () => {
  const on = useLabWebConsole(e2e, 'rc-e2e-writes-refused-', { nodes: masterWithReplicas(1) }, { connectTimeoutMs: 1000, commandTimeoutMs: 1000 });

  it('MISCONF in the banner, the replica over its maxmemory in its details and in the switchover plan (light and dark)', { timeout: 90_000 }, async () => {
    const { lab, server } = on;
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const admin = new Redis(lab.port('master'), '127.0.0.1');
    const other = new Redis(lab.port('replica-1'), '127.0.0.1');
    try {
      await lab.waitForLinks();
      // The master's disk is gone: its next RDB save fails and it stops taking writes.
      await admin.config('SET', 'save', '3600 1');
      await rm(path.join(lab.dir, 'master'), { recursive: true, force: true });
      await admin.bgsave();
      await expect.poll(() => admin.info('persistence'), { timeout: 5000 }).toContain('rdb_last_bgsave_status:err');
      await other.config('SET', 'maxmemory', '1');

      for (const scheme of ['light', 'dark'] as const) {
        const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
        try {
          if (scheme === 'light') {
            await connectThroughForm(page, master);
          }
          const warning = page.getByTestId('warnings').locator('li[data-code="WRITES_REFUSED"]');
          await expect.poll(() => warning.textContent(), { timeout: 15_000 }).toContain(`${master} refuses every write (MISCONF): its last RDB save failed`);
          await card(page, replica).click();
          const policy = page.getByTestId('node-details').locator('[data-field="memory-policy"]');
          await expect.poll(() => policy.textContent(), { timeout: 10_000 }).toBe('noeviction');
          await policy.scrollIntoViewIfNeeded();
          await expect(page.getByTestId('node-details').locator('[data-field="memory"]').textContent()).resolves.toMatch(/^\s*[\d.]+ [KM]iB\sof 1 B\s\(> 999 %\)\s· noeviction\s*$/);
          await shot(page, `writes-refused-${scheme}`);

          if (scheme === 'light') {
            await page.getByTestId(`node-menu-button-${replica}`).click();
            await page.getByTestId('node-action-switchover').click();
            const dialog = page.getByTestId('plan-dialog');
            await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
            await expect(page.getByTestId('plan-checks').textContent()).resolves.toContain(`${replica}, once master, refuses the writes that add data (OOM)`);
            await expect(page.getByTestId('plan-run').isDisabled()).resolves.toBe(true);
            await shot(page, 'writes-refused-switchover-plan');
          }
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      }
    } finally {
      admin.disconnect();
      other.disconnect();
    }
  });
});
