// Two nodes replicating from each other with different offsets, in the real renderer: no node of a
// cycle is a source, so neither has a lag figure. The node ahead read "0 B · 0 s" on its card, in
// the node table and in the details, as if in step; each now says it is in a cycle (light and dark).
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { masterWithReplicas } from '../../electron/lab/lab';
import { caughtUp, replication } from '../helpers/actions';
import { card, cardRowsPastEdge, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { DEAD_PORT } from '../helpers/dead-port';
import { useLabWebConsole } from '../helpers/web-console';

const e2e = useBrowserAndRenderer('rc-e2e-cycle-lag-');


describe('the lag of a replication cycle (real servers)', () => {
  const on = useLabWebConsole(e2e, 'rc-e2e-cycle-lag-', { nodes: masterWithReplicas(1) }, { connectTimeoutMs: 1000, commandTimeoutMs: 1000 });

  it('says "in a cycle" on the cards, in the details and in the node table, never "0 B" (light and dark)', { timeout: 90_000 }, async () => {
    const { lab, server } = on;
    const ahead = lab.address('master');
    const behind = lab.address('replica-1');
    const m = new Redis(lab.port('master'), '127.0.0.1');
    const r = new Redis(lab.port('replica-1'), '127.0.0.1');
    try {
      await lab.waitForLinks();
      for (let i = 0; i < 50; i++) await m.set(`k:${i}`, 'v');
      await caughtUp(lab, 'master', ['replica-1']);
      // The replica loses its link, the master takes more writes, then each is made the other's replica.
      await r.replicaof('127.0.0.1', String(DEAD_PORT));
      for (let i = 0; i < 50; i++) await m.set(`later:${i}`, 'v');
      await m.replicaof('127.0.0.1', String(lab.port('replica-1')));
      await r.replicaof('127.0.0.1', String(lab.port('master')));
      const [a, b] = [await replication(lab, 'master'), await replication(lab, 'replica-1')];
      expect(Number(a.master_repl_offset)).toBeGreaterThan(Number(b.master_repl_offset));

      for (const scheme of ['light', 'dark'] as const) {
        const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
        try {
          if (scheme === 'light') await connectThroughForm(page, [ahead]);
          for (const address of [ahead, behind]) {
            await expect.poll(() => page.getByTestId(`lag-${address}`).textContent(), { timeout: 15_000 }).toBe('in a cycle');
            await expect(page.getByTestId(`lag-${address}`).getAttribute('title')).resolves.toMatch(/^No lag in a replication cycle/);
          }
          expect(await card(page, ahead).textContent()).not.toMatch(/\b0 B\b/);
          // The lag charts say why they stay empty, not that data is on its way.
          for (const chart of ['lag-chart', 'lag-seconds-chart']) {
            await expect.poll(() => page.getByTestId(chart).locator('.empty').textContent()).toBe('No lag figure: the replicas are in a replication cycle');
          }
          expect(await cardRowsPastEdge(page)).toEqual([]);
          await card(page, ahead).click();
          await expect.poll(() => page.getByTestId('node-details').getByTestId('lag-in-cycle').textContent(), { timeout: 10_000 }).toMatch(/^in a cycle No lag in a replication cycle/);
          expect(await page.getByTestId('node-details').textContent()).not.toMatch(/Behind master\s*0 B/);
          await shot(page, `cycle-lag-${scheme}`);
          await page.getByTestId('tab-nodes').click();
          for (const address of [ahead, behind]) {
            await expect.poll(() => page.locator(`[data-testid="node-table"] tr[data-node="${address}"] [data-testid="lag-in-cycle"]`).textContent(), { timeout: 10_000 }).toBe('in a cycle');
          }
          await shot(page, `cycle-lag-table-${scheme}`);
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
