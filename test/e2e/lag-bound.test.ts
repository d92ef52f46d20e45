// A replica cut off from its master before the console started, in the real renderer: its lag in
// seconds can only be the age of the master history the console holds, and the card, the node
// table and the details say "at least", inside the card (light and dark).
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { masterWithReplicas } from '../../electron/lab/lab';
import { replication } from '../helpers/actions';
import { card, cardRowsPastEdge, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { until } from '../helpers/until';
import { useLabWebConsole } from '../helpers/web-console';

const e2e = useBrowserAndRenderer('rc-e2e-lag-bound-');


describe('a lag in seconds that is only a lower bound (real servers)', () => {
  const on = useLabWebConsole(e2e, 'rc-e2e-lag-bound-', { nodes: masterWithReplicas(1) }, { connectTimeoutMs: 1000, commandTimeoutMs: 1000 });

  it('says "at least" on the card, in the node table and in the details, inside the card (light and dark)', { timeout: 90_000 }, async () => {
    const { lab, server } = on;
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const m = new Redis(lab.port('master'), '127.0.0.1');
    const r = new Redis(lab.port('replica-1'), '127.0.0.1');
    try {
      await lab.waitForLinks();
      // Cut off before the page connects: its link dropped and every reconnection refused at AUTH
      // (a masterauth the password-less master turns down), so it keeps its master and offset.
      await r.config('SET', 'masterauth', 'not-the-password');
      await r.call('CLIENT', 'KILL', 'TYPE', 'master');
      await until('the replica link down', async () => ((await replication(lab, 'replica-1')).master_link_status === 'down' ? true : undefined), 10_000);
      for (let i = 0; i < 50; i++) await m.set(`after:${i}`, 'x'.repeat(100));

      for (const scheme of ['light', 'dark'] as const) {
        const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
        try {
          if (scheme === 'light') await connectThroughForm(page, [master, replica]);
          await expect.poll(() => card(page, replica).textContent(), { timeout: 15_000 }).toMatch(/at least \d/);
          expect(await cardRowsPastEdge(page)).toEqual([]);
          await card(page, replica).click();
          await expect.poll(() => page.getByTestId('node-details').textContent(), { timeout: 10_000 }).toMatch(/at least \d/);
          await shot(page, `lag-bound-${scheme}`);
          await page.getByTestId('tab-nodes').click();
          await expect.poll(() => page.locator(`[data-testid="node-table"] tr[data-node="${replica}"]`).textContent(), { timeout: 10_000 }).toMatch(/at least \d/);
          await shot(page, `lag-bound-table-${scheme}`);
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      }
    } finally {
      m.disconnect();
      r.disconnect();
    }
  });
});
