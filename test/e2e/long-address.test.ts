// A long host name in the heads of a node's menu and of its details, in real Chromium through
// the web mode against a real lab: as on the cards, they keep the head and tail of its first
// label and the port, with the whole address as the title; the details head still has room for
// its buttons. replica-2 announces itself by a host name (replica-announce-ip) its master lists.
import Redis from 'ioredis';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { card, shot, useBrowserAndRenderer } from '../helpers/browser';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-long-address-');
const cleanups = useCleanups();
const HOST = 'redis-replica-north-02.example.internal';

/** How far the right edge of the element `selector` picks is past the right edge of the node details panel (0 when inside). */
async function pastRight(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((element) => {
    const outer = element.closest('[data-testid="node-details"]')?.getBoundingClientRect();
    return outer ? Math.max(0, element.getBoundingClientRect().right - outer.right) : -1;
  });
}

describe('a node known by a long host name', () => {
  let problems: string[] = [];

  for (const scheme of ['light', 'dark'] as const) {
    it(`keeps its port and the end of its first label in the menu and details heads (${scheme})`, async () => {
      const lab = await Lab.start({ nodes: docsLayout() });
      cleanups.push(() => lab.close());
      const replica = new Redis({ host: '127.0.0.1', port: lab.port('replica-2'), maxRetriesPerRequest: 1 });
      cleanups.push(() => replica.disconnect());
      await replica.call('CONFIG', 'SET', 'replica-announce-ip', HOST);
      // Announced when the link is made: made again.
      await replica.call('CLIENT', 'KILL', 'TYPE', 'master');
      const master = new Redis({ host: '127.0.0.1', port: lab.port('master'), maxRetriesPerRequest: 1 });
      cleanups.push(() => master.disconnect());
      await expect.poll(async () => String(await master.info('replication')), { timeout: 15_000 }).toContain(`ip=${HOST}`);

      const opened = await openServiceConsole(e2e, cleanups, lab.address('master'), scheme);
      const { page } = opened;
      problems.push(...opened.problems);

      const long = `${HOST}:${lab.port('replica-2')}`;
      await card(page, long).waitFor({ timeout: 15_000 });
      await card(page, long).click();
      const details = page.getByTestId('node-details').locator('.panel-head .address');
      await details.waitFor();
      const port = String(lab.port('replica-2'));
      expect(await details.textContent()).toBe(`redis…h-02:${port}`);
      await expect(details.getAttribute('title')).resolves.toBe(long);
      // The head's buttons are not pushed out of the panel by the address.
      expect(await pastRight(page, '[data-testid="details-actions"]')).toBe(0);
      expect(await pastRight(page, '[aria-label="Close details"]')).toBe(0);

      await page.getByTestId(`node-menu-button-${long}`).click();
      const menu = page.getByTestId('node-menu').locator('.head .address');
      await menu.waitFor();
      expect(await menu.textContent()).toBe(`redis-replica-no…h-02:${port}`);
      await expect(menu.getAttribute('title')).resolves.toBe(long);
      await shot(page, `long-address-${scheme}`);
      problems = problems.filter((p) => !p.includes(HOST));
    });
  }

  afterAll(() => {
    expect(problems).toEqual([]);
  });
});
